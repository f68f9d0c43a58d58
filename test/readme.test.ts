import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';
import { schemaTypes } from '../local-proton/types/schema-types';

/**
 * Every TypeScript block of the README is code of the example project (examples/my-platform), which
 * `tsc` type-checks with the tests: a whole file, or a `// #region` of one. Here the blocks are matched
 * to that code, and the project is synthesized, so that each block compiles and its app synthesizes.
 */
const ROOT = path.join(__dirname, '..');
const PROJECT = path.join(ROOT, 'examples', 'my-platform');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function dedent(lines: string[]): string {
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n').trim();
}

/** The project's code a README block may show: each file whole, and each region of it. */
function projectCode(): Map<string, string> {
  const code = new Map<string, string>();
  for (const dir of ['bin', 'lib']) {
    for (const file of fs.readdirSync(path.join(PROJECT, dir))) {
      const text = fs.readFileSync(path.join(PROJECT, dir, file), 'utf8');
      code.set(`${dir}/${file}`, text.trim());
      const lines = text.split('\n');
      lines.forEach((line, start) => {
        const region = /\/\/ #region (\S+)/.exec(line);
        if (!region) return;
        const end = lines.findIndex((l, i) => i > start && l.includes('// #endregion'));
        code.set(`${dir}/${file}#${region[1]}`, dedent(lines.slice(start + 1, end)));
      });
    }
  }
  return code;
}

const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1].trim());

test('every TypeScript block of the README is a file or a region of the example project', () => {
  const code = [...projectCode().values()];
  expect(blocks.length).toBeGreaterThan(10);
  expect(blocks.filter((block) => !code.includes(block))).toEqual([]);
});

test('every region of the example project is shown in the README', () => {
  const shown = [...projectCode()].filter(([name]) => name.includes('#')).filter(([, text]) => !blocks.includes(text));
  expect(shown.map(([name]) => name)).toEqual([]);
});

test('the example project type-checks against the library, as a user\'s app does', () => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'test', 'tsconfig.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  const files = ['bin', 'lib'].flatMap((dir) => fs.readdirSync(path.join(PROJECT, dir)).map((f) => path.join(PROJECT, dir, f)));
  const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram(files, { ...config.options, noEmit: true }));
  expect(diagnostics.map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
});

test('the example project synthesizes from its root, as `cdk synth` runs it', () => {
  const cwd = process.cwd();
  process.chdir(PROJECT);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PlatformStack } = require('../examples/my-platform/lib/platform-stack');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EstateStack, connectedAccounts } = require('../examples/my-platform/lib/estate-stack');
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'readme-')) });
    const quickStart = new PlatformStack(app, 'ProtonPlatform');
    const estate = new EstateStack(app, 'Estate');
    connectedAccounts(app);
    app.synth();
    Template.fromStack(quickStart).resourceCountIs('Custom::ProtonEnvironment', 1);
    const template = Template.fromStack(estate);
    for (const [type, count] of Object.entries({
      'Custom::ProtonEnvironmentTemplateVersion': 4,
      'Custom::ProtonEnvironment': 6,
      'Custom::ProtonService': 1,
      'Custom::ProtonServiceInstance': 1,
      'Custom::ProtonComponent': 1,
      'Custom::ProtonRepository': 1,
      'Custom::ProtonAccountSettings': 1,
      'Custom::ProtonTemplateSyncConfig': 1,
      'Custom::ProtonServiceSyncConfig': 1,
    })) {
      template.resourceCountIs(type, count);
    }
  } finally {
    process.chdir(cwd);
  }
});

test('every link to a section of the README leads to a heading', () => {
  // GitHub's anchors: the heading in lower case, without punctuation, spaces as hyphens.
  const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
  const anchors = new Set([...README.matchAll(/^#{1,4} (.*)$/gm)].map((m) => slug(m[1])));
  const links = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(20);
  expect(links.filter((link) => !anchors.has(link))).toEqual([]);
});

test('the example project\'s typed inputs are what `cdk-proton types` writes for its bundle today', () => {
  const generated = fs.readFileSync(path.join(PROJECT, 'lib', 'vpc-env-inputs.generated.ts'), 'utf8');
  expect(generated).toBe(schemaTypes(path.join(PROJECT, 'templates', 'vpc-env', 'v1'), 'templates/vpc-env/v1'));
});
