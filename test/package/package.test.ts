/**
 * The published package, as a user gets it: `npm pack` of the build (the test task bundles and compiles first),
 * installed into a new project with aws-cdk-lib and constructs. In it, a plain JavaScript app synthesizes, and the
 * README's quick start (examples/my-platform, in `cdk init`'s layout) goes through `npx cdk synth`, then the installed
 * `npx cdk-proton deploy` and `destroy`.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const devDependency = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')).devDependencies[name] as string;

let project: string;
let packed: { filename: string; files: Array<{ path: string }> };

function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf-8', env: { ...process.env, ...env }, timeout: 150_000 });
}

function succeeded(result: SpawnSyncReturns<string>): string {
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-package-'));
  [packed] = JSON.parse(succeeded(sh('npm', ['pack', '--json', '--pack-destination', project], ROOT)));
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }));
  // What `cdk init app --language typescript` installs, with the packed cdk-proton.
  succeeded(sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(project, packed.filename),
    ...['aws-cdk-lib', 'constructs', 'aws-cdk', 'ts-node', 'typescript', '@types/node'].map((name) => `${name}@${devDependency(name)}`)], project));
  fs.cpSync(path.join(__dirname, 'app'), project, { recursive: true });
  // The README's quick start, as its tree shows it.
  const quickStart = path.join(ROOT, 'examples', 'my-platform');
  for (const file of ['cdk.json', 'bin/my-platform.ts', 'lib/platform-stack.ts', 'templates/vpc-env/v1']) {
    fs.cpSync(path.join(quickStart, file), path.join(project, file), { recursive: true });
  }
  // cdk init's tsconfig, in short.
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, skipLibCheck: true, types: ['node'] },
    exclude: ['node_modules', 'cdk.out'],
  }));
}, 180_000);

afterAll(() => {
  fs.rmSync(project, { recursive: true, force: true });
});

test('the package ships the constructs, the handler bundle and the command, without sources, tests or local state', () => {
  const files = packed.files.map(f => f.path);
  expect(files).toEqual(expect.arrayContaining([
    'lib/index.js', 'lib/index.d.ts', 'lib/custom-resources/contract.js', '.jsii', 'API.md', 'README.md', 'LICENSE',
    'assets/custom-resources/provider-handlers/index.js', 'assets/cli/index.js', 'assets/cli/iam-data.json', 'bin/cdk-proton',
  ]));
  const own = files.filter(f => !f.startsWith('node_modules/'));
  expect(own.filter(f => f.startsWith('lib/custom-resources/handlers/') || f.startsWith('lib/custom-resources/provider-handlers'))).toEqual([]);
  expect(own.filter(f => /(^|\/)(src|test|local-proton|scripts|examples|\.demo|\.cdk-proton)\//.test(f) || /\.test\.|\.ts$/.test(f) && !f.endsWith('.d.ts')))
    .toEqual([]);
});

test('a plain JavaScript app synthesizes with the installed package', () => {
  // The app's cdk-proton is the installed one, not this repository's src/.
  const resolved = succeeded(sh('node', ['-p', "require.resolve('cdk-proton')"], project)).trim();
  expect(resolved).toBe(fs.realpathSync(path.join(project, 'node_modules', 'cdk-proton', 'lib', 'index.js')));
  succeeded(sh('node', ['app.js'], project, { CDK_OUTDIR: path.join(project, 'js.out') }));
  const template = JSON.parse(fs.readFileSync(path.join(project, 'js.out', 'PackagedApp.template.json'), 'utf-8'));
  const types = Object.values<{ Type: string }>(template.Resources).map(r => r.Type);
  expect(types).toEqual(expect.arrayContaining(['AWS::Proton::EnvironmentTemplate', 'Custom::ProtonEnvironmentTemplateVersion', 'Custom::ProtonEnvironment']));
});

test('the README\'s quick start: npx cdk synth, then npx cdk-proton deploy and destroy with the installed command', () => {
  const synth = sh('npx', ['cdk', 'synth', '--quiet', '--no-notices'], project);
  succeeded(synth);
  // No warning of the library's own (about Proton's end of support, or anything else): the README says so.
  expect(synth.stderr).not.toMatch(/proton|warn/i);
  const template = JSON.parse(fs.readFileSync(path.join(project, 'cdk.out', 'ProtonPlatform.template.json'), 'utf-8'));
  expect(Object.values<{ Type: string }>(template.Resources).filter((r) => r.Type.startsWith('Custom::Proton')).map((r) => r.Type).sort())
    .toEqual(['Custom::ProtonEnvironment', 'Custom::ProtonEnvironmentTemplateVersion']);

  const deployed = sh('npx', ['cdk-proton', 'deploy', '--delay', '20'], project);
  expect(deployed.stderr).toBe('');
  expect(deployed.status).toBe(0);
  expect(deployed.stdout).toMatch(/\| CREATE +SUCCEEDED \| Beta\w+ \(Environment\)/);
  expect(deployed.stdout).toContain('ProtonPlatform: CREATE_COMPLETE');
  expect(deployed.stdout).toContain('ProtonPlatform.BetaVpcId = VpcId-beta');
  expect(deployed.stdout).toContain('ProtonPlatform.TemplateVersion = 1.0');
  expect(fs.existsSync(path.join(project, '.cdk-proton', 'proton.jsonl'))).toBe(true);

  const usage = sh('npx', ['cdk-proton', 'deploy', '--stack', 'Nope'], project);
  expect(usage.status).toBe(2);
  expect(usage.stderr).toContain('usage: cdk-proton deploy');

  const destroyed = sh('npx', ['cdk-proton', 'destroy'], project);
  expect(destroyed.status).toBe(0);
  expect(destroyed.stdout).toContain('ProtonPlatform: DELETE_COMPLETE');
  expect(fs.existsSync(path.join(project, '.cdk-proton'))).toBe(false);
}, 180_000);
