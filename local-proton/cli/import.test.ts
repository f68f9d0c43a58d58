/**
 * Issue 15's adoption, end to end: an estate made by plain SDK calls (as the console or the CLI would) is imported
 * with `cdk-proton import`, taken over by a deployment that deploys nothing, then changed and destroyed through CDK.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CreateEnvironmentCommand, CreateEnvironmentTemplateCommand, CreateEnvironmentTemplateVersionCommand, CreateServiceCommand,
  CreateServiceTemplateCommand, CreateServiceTemplateVersionCommand, GetEnvironmentCommand, GetEnvironmentTemplateVersionCommand,
  GetServiceCommand, GetServiceTemplateVersionCommand, UpdateEnvironmentTemplateVersionCommand, UpdateServiceTemplateVersionCommand,
} from '@aws-sdk/client-proton';
import { App } from 'aws-cdk-lib';
import { main } from './main';
import { ENV_BUNDLE, SERVICE_BUNDLE, SERVICE_REPOSITORY } from '../../test/constructs/helpers';
import { until, uploadBundle } from '../../test/lifecycle/helpers';
import { ProtonIam } from '../emulator';
import { LocalProton } from '../local-proton';

const ROOT = path.join(__dirname, '..', '..');
// Inside the repository (test-reports/ is ignored), so that the app written there finds aws-cdk-lib.
const OUT = path.join(ROOT, 'test-reports', `imported-estate-${process.pid}`);
const ROLE = 'arn:aws:iam::111111111111:role/estate-proton';

let proton: LocalProton;
beforeAll(async () => {
  proton = await LocalProton.start({ registrationDelayMs: 20, deploymentDelayMs: 30, deleteDelayMs: 30 });
});
afterAll(async () => {
  await proton?.stop();
  for (let n = 0; n <= synths; n++) fs.rmSync(n === 0 ? OUT : `${OUT}-${n}`, { recursive: true, force: true });
});

/** What a team made in the console: two templates, an environment, a service with an instance and a pipeline. */
async function estateByHand(): Promise<void> {
  const send = proton.client.send.bind(proton.client) as (command: any) => Promise<any>;
  await send(new CreateEnvironmentTemplateCommand({ name: 'estate-env' }));
  await send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'estate-env', source: uploadBundle(proton, ENV_BUNDLE, 'env.tar.gz') }));
  const envVersion = { templateName: 'estate-env', majorVersion: '1', minorVersion: '0' };
  await until(async () => (await send(new GetEnvironmentTemplateVersionCommand(envVersion))).environmentTemplateVersion.status === 'DRAFT');
  await send(new UpdateEnvironmentTemplateVersionCommand({ ...envVersion, status: 'PUBLISHED' }));
  await send(new CreateServiceTemplateCommand({ name: 'estate-svc' }));
  await send(new CreateServiceTemplateVersionCommand({
    templateName: 'estate-svc',
    source: uploadBundle(proton, SERVICE_BUNDLE, 'svc.tar.gz'),
    compatibleEnvironmentTemplates: [{ templateName: 'estate-env', majorVersion: '1' }],
  }));
  const svcVersion = { templateName: 'estate-svc', majorVersion: '1', minorVersion: '0' };
  await until(async () => (await send(new GetServiceTemplateVersionCommand(svcVersion))).serviceTemplateVersion.status === 'DRAFT');
  await send(new UpdateServiceTemplateVersionCommand({ ...svcVersion, status: 'PUBLISHED' }));
  await send(new CreateEnvironmentCommand({
    name: 'estate-beta',
    templateName: 'estate-env',
    templateMajorVersion: '1',
    protonServiceRoleArn: ROLE,
    spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.4.0.0/16\n',
  }));
  await until(async () => (await send(new GetEnvironmentCommand({ name: 'estate-beta' }))).environment.deploymentStatus === 'SUCCEEDED');
  await send(new CreateServiceCommand({
    name: 'estate-orders',
    templateName: 'estate-svc',
    templateMajorVersion: '1',
    ...SERVICE_REPOSITORY,
    spec: 'proton: ServiceSpec\npipeline:\n  unit_test_command: make test\ninstances:\n  - name: beta\n    environment: estate-beta\n    spec:\n      port: 8080\n',
  }));
  await until(async () => (await send(new GetServiceCommand({ name: 'estate-orders' }))).service.status === 'ACTIVE');
}

let synths = 0;

/**
 * Synthesizes the imported app as `cdk synth` would, from its folder (its spec paths are relative to it). Each time
 * from a copy of its own: jest keeps the source of a file it loaded, edited or not.
 */
function synthImported(): string {
  const copy = `${OUT}-${++synths}`;
  fs.cpSync(OUT, copy, { recursive: true });
  const cwd = process.cwd();
  process.chdir(copy);
  try {
    let directory = '';
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ImportedEstate } = require(path.join(copy, 'lib', 'imported-estate.ts'));
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'imported-estate-out-')) });
      new ImportedEstate(app, 'ImportedEstate');
      directory = app.synth().directory;
    });
    return directory;
  } finally {
    process.chdir(cwd);
  }
}

/** The calls that changed Proton's environments and services (not their tags). */
const changes = () => proton.emulator.log.entries
  .filter((e) => e.status === 200 && /^(Create|Update|Delete)(Environment|Service|ServiceInstance|ServicePipeline)$/.test(e.operation))
  .map((e) => (e.input.deploymentType ? `${e.operation}(${e.input.deploymentType})` : e.operation));

test('an estate made by hand is imported, adopted without a deployment, then changed and destroyed through CDK', async () => {
  await estateByHand();

  const lines: string[] = [];
  const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), cwd: ROOT };
  const credentials = { AWS_ACCESS_KEY_ID: ProtonIam.ADMINISTRATOR_KEY, AWS_SECRET_ACCESS_KEY: 'test' };
  const saved = { ...process.env };
  Object.assign(process.env, credentials);
  try {
    expect(await main(['import', '--endpoint', proton.emulator.endpoint, '--region', proton.emulator.region, '--out', OUT], io)).toBe(0);
  } finally {
    process.env = saved;
  }
  expect(lines.join('\n')).toContain('imported 1 environments (estate-beta) and 1 services (estate-orders)');
  const app = fs.readFileSync(path.join(OUT, 'lib', 'imported-estate.ts'), 'utf8');
  expect(app).toContain("EnvironmentTemplate.fromEnvironmentTemplateName(this, 'EstateEnvEnvironmentTemplate', 'estate-env')");
  expect(fs.readFileSync(path.join(OUT, 'specs', 'estate-orders', 'beta.yaml'), 'utf8')).toBe('proton: ServiceSpec\nspec:\n  port: 8080\n');

  // The first deployment takes the estate over: nothing is deployed.
  proton.emulator.log.clear();
  const adopted = await proton.deploy(synthImported(), 'ImportedEstate');
  expect(adopted.status).toBe('CREATE_COMPLETE');
  expect(changes()).toEqual([]);
  expect(proton.deniedCalls()).toEqual([]);

  // Without adopt, the stack owns it: a deployment that calls nothing, then a change deploys one instance.
  fs.writeFileSync(path.join(OUT, 'lib', 'imported-estate.ts'), app.replace(/^\s+adopt: true,\n/gm, ''));
  proton.emulator.log.clear();
  expect((await proton.deploy(synthImported(), 'ImportedEstate')).status).toBe('UPDATE_COMPLETE');
  expect(changes()).toEqual([]);
  fs.writeFileSync(path.join(OUT, 'specs', 'estate-orders', 'beta.yaml'), 'proton: ServiceSpec\nspec:\n  port: 9090\n');
  expect((await proton.deploy(synthImported(), 'ImportedEstate')).status).toBe('UPDATE_COMPLETE');
  expect(changes()).toEqual(['UpdateServiceInstance(CURRENT_VERSION)']);

  proton.emulator.log.clear();
  expect((await proton.destroy('ImportedEstate')).status).toBe('DELETE_COMPLETE');
  expect(changes().sort()).toEqual(['DeleteEnvironment', 'DeleteService']);
  await expect(proton.client.send(new GetServiceCommand({ name: 'estate-orders' }))).rejects.toThrow(/not found/i);
  await expect(proton.client.send(new GetEnvironmentCommand({ name: 'estate-beta' }))).rejects.toThrow(/not found/i);
}, 120_000);
