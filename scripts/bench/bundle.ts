/** The handler bundle: its size, and its cold load against the smallest useful bundle (ProtonClient and one command). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { alternate, timeProcess } from './measure';

export const HANDLER_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'custom-resources', 'provider-handlers', 'index.js');

export interface BundleFigures {
  readonly bytes: number;
  /** A minified bundle of ProtonClient and GetEnvironmentCommand, built as the handler bundle is. */
  readonly referenceBytes: number;
  /** Median seconds of a whole `node` process that loads the bundle, and one that loads the reference. */
  readonly coldLoadSeconds: number;
  readonly referenceColdLoadSeconds: number;
  readonly rounds: number;
}

function referenceBundle(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-bench-ref-'));
  const entry = path.join(dir, 'entry.ts');
  fs.writeFileSync(entry, [
    "import { GetEnvironmentCommand, ProtonClient } from '@aws-sdk/client-proton';",
    'const client = new ProtonClient({});',
    'export const handler = async (event: { name: string }) => client.send(new GetEnvironmentCommand({ name: event.name }));',
  ].join('\n'));
  const outfile = path.join(dir, 'index.js');
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    minify: true,
    nodePaths: [path.join(__dirname, '..', '..', 'node_modules')],
  });
  return outfile;
}

export function measureBundle(rounds: number): BundleFigures {
  const reference = referenceBundle();
  const load = (file: string) => () => timeProcess(['-e', `require(${JSON.stringify(file)})`]);
  const medians = alternate({ handler: load(HANDLER_BUNDLE), reference: load(reference) }, rounds);
  return {
    bytes: fs.statSync(HANDLER_BUNDLE).size,
    referenceBytes: fs.statSync(reference).size,
    coldLoadSeconds: medians.handler,
    referenceColdLoadSeconds: medians.reference,
    rounds,
  };
}
