/**
 * The synth half of the benchmark: the same estate declared three ways (apps/), synthesized by whole `node` processes.
 * - floor: bare CfnResource custom resources (nothing but the resources);
 * - awsCustomResource: one AwsCustomResource per object;
 * - cdkProton: this library's constructs, from the compiled lib/.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { alternate, timeProcess } from './measure';

export const WAYS = ['floor', 'awsCustomResource', 'cdkProton'] as const;
export type Way = (typeof WAYS)[number];
export const SIZES = [10, 100, 200, 480] as const;

const APPS: Record<Way, string> = {
  floor: path.join(__dirname, 'apps', 'floor.js'),
  awsCustomResource: path.join(__dirname, 'apps', 'aws-custom-resource.js'),
  cdkProton: path.join(__dirname, 'apps', 'cdk-proton.js'),
};

export interface SynthFigures {
  /** Median whole-process synth seconds, by N and way. */
  readonly seconds: Record<number, Record<Way, number>>;
  /** CloudFormation resources in the synthesized stack, by N and way. */
  readonly resources: Record<number, Record<Way, number>>;
  /** Bytes of the synthesized template (minified JSON), by N and way. */
  readonly templateBytes: Record<number, Record<Way, number>>;
  /** The handler bundle folders in cdk-proton's cloud assembly (assets holding the Provider's handlers). */
  readonly handlerAssets: number;
  /** Runs CDK refused, as `way@N` → why. */
  readonly refused: Record<string, string>;
  readonly rounds: number;
}

function outdir(way: Way, n: number): string {
  return path.join(os.tmpdir(), 'cdk-proton-bench', `${way}-${n}`);
}

/** CDK refuses a stack of more than 500 resources at synth: such a run has no time (NaN). */
const TOO_MANY_RESOURCES = /Number of resources in stack '[^']+': (\d+) is greater than allowed maximum of 500/;

function synthOnce(way: Way, n: number, refused: Map<string, string>): number {
  const out = outdir(way, n);
  fs.rmSync(out, { recursive: true, force: true });
  try {
    return timeProcess([APPS[way]], { BENCH_N: String(n), BENCH_OUT: out });
  } catch (error) {
    const tooMany = TOO_MANY_RESOURCES.exec((error as Error).message);
    if (!tooMany) throw error;
    refused.set(`${way}@${n}`, `${tooMany[1]} resources, over CloudFormation's 500`);
    return NaN;
  }
}

function measured<T>(way: Way, n: number, refused: Map<string, string>, read: () => T): T | undefined {
  return refused.has(`${way}@${n}`) ? undefined : read();
}

function template(way: Way, n: number): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(outdir(way, n), 'Bench.template.json'), 'utf8'));
}

/** Folders of the assembly with the Provider's handler bundle (both its exports, onEvent and isComplete). */
function handlerAssets(dir: string): number {
  return fs.readdirSync(dir).filter((entry) => {
    const file = path.join(dir, entry, 'index.js');
    return entry.startsWith('asset.') && fs.existsSync(file) && /isComplete/.test(fs.readFileSync(file, 'utf8')) && /ProtonClient/.test(fs.readFileSync(file, 'utf8'));
  }).length;
}

export function measureSynth(rounds: number, log: (line: string) => void): SynthFigures {
  const seconds: SynthFigures['seconds'] = {};
  const resources: SynthFigures['resources'] = {};
  const templateBytes: SynthFigures['templateBytes'] = {};
  const refused = new Map<string, string>();
  const byWay = <T>(read: (w: Way) => T) => Object.fromEntries(WAYS.map((w) => [w, read(w)])) as Record<Way, T>;
  for (const n of SIZES) {
    seconds[n] = alternate(byWay((w) => () => synthOnce(w, n, refused)), rounds);
    resources[n] = byWay((w) => measured(w, n, refused, () => Object.keys(template(w, n).Resources).length) ?? NaN);
    templateBytes[n] = byWay((w) => measured(w, n, refused, () => JSON.stringify(template(w, n)).length) ?? NaN);
    log(`synth N=${n}: ${WAYS.map((w) => `${w} ${seconds[n][w].toFixed(2)} s`).join(', ')}`);
  }
  return { seconds, resources, templateBytes, handlerAssets: handlerAssets(outdir('cdkProton', 10)), refused: Object.fromEntries(refused), rounds };
}
