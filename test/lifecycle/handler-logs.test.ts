import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CONNECTION, SERVICE_REPOSITORY, synth, useLocalProton } from './helpers';
import type { HandlerLogEntry, StackReport } from '../../local-proton/local-cfn';
import { LocalProton } from '../../local-proton/local-proton';
import {
  AcceptEnvironmentAccountConnection, AccountSettings, Component, ComponentManifest, ComponentSource, Environment, EnvironmentAccountConnection,
  EnvironmentTemplate, ProtonServiceRole, Repository, RepositoryProvider, Service, ServiceInstance, ServiceSyncConfig, ServiceTemplate, Spec,
  TemplateBundle, TemplateSyncConfig,
} from '../../src';
import { bundleCopy, COMPONENT_DIR, ENV_BUNDLE, SERVICE_BUNDLE } from '../constructs/helpers';

/*
 * Specs and template files can hold secrets, and the ResponseURL is a pre-signed URL that can answer for the
 * resource: the handlers never log them. A sentinel in every spec and every template file, and every line the
 * handlers log (onEvent and isComplete, create, update and delete) searched for it and for the ResponseURL.
 */

const SENTINEL = 'SENTINEL-7f3a9c-do-not-log';

/** Every line the handlers logged, of every function. */
const lines: HandlerLogEntry[] = [];
let proton: LocalProton;
useLocalProton({ registrationDelayMs: 20, deploymentDelayMs: 30, deleteDelayMs: 30, onHandlerLog: (entry) => lines.push(entry) },
  (started) => { proton = started; });

/** A copy of `from` with the sentinel in a comment of every file and a `note` string input in the schema's `types`. */
function sentinelBundle(from: string): string {
  return bundleCopy((dir) => {
    for (const file of filesUnder(dir)) {
      let text = fs.readFileSync(file, 'utf8');
      if (file.endsWith(path.join('schema', 'schema.yaml'))) {
        // Each input type gets a string input `note` the specs carry the sentinel in.
        text = text.replace(/^( {6})properties:\n/gm, '$1properties:\n$1  note:\n$1    type: string\n');
      }
      fs.writeFileSync(file, `# ${SENTINEL}\n${text}`);
    }
  }, from);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

/** A copy of the component fixture (manifest and template file) with the sentinel in a comment of each. */
function sentinelComponent(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-component-'));
  for (const name of ['manifest.yaml', 'cloudformation.yaml']) {
    fs.writeFileSync(path.join(dir, name), `# ${SENTINEL}\n${fs.readFileSync(path.join(COMPONENT_DIR, name), 'utf8')}`);
  }
  return dir;
}

const envBundle = sentinelBundle(ENV_BUNDLE);
const svcBundle = sentinelBundle(SERVICE_BUNDLE);
const componentDir = sentinelComponent();

/** Every custom resource type, every spec carrying the sentinel; `port` is what the update changes. */
const platformApp = (connectionId: string, port: number) => synth('LogPlatform', (stack) => {
  const envTemplate = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: 'log-env' });
  const envV1 = envTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(envBundle) });
  const svcTemplate = new ServiceTemplate(stack, 'SvcTemplate', { templateName: 'log-svc' });
  const svcV1 = svcTemplate.addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(svcBundle),
    compatibleEnvironmentTemplates: [envV1],
    supportedComponentSources: [ComponentSource.DIRECTLY_DEFINED],
  });
  const role = new ProtonServiceRole(stack, 'ProtonRole');
  const beta = new Environment(stack, 'Beta', {
    environmentName: 'log-beta',
    templateVersion: envV1,
    spec: Spec.fromObject({ note: `${SENTINEL}-${port}` }),
    protonServiceRole: role,
    componentRole: new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') }),
  });
  const connection = EnvironmentAccountConnection.fromEnvironmentAccountConnectionId(stack, 'Requested', connectionId);
  new Environment(stack, 'Remote', {
    environmentName: 'log-remote',
    templateVersion: envV1,
    spec: Spec.fromObject({ note: SENTINEL }),
    environmentAccountConnection: new AcceptEnvironmentAccountConnection(stack, 'Accept', { connection }),
  });
  const service = new Service(stack, 'Service', {
    serviceName: 'log-orders',
    templateVersion: svcV1,
    ...SERVICE_REPOSITORY,
    pipeline: { spec: Spec.fromObject({ unit_test_command: `${SENTINEL} ${port}` }) },
  });
  service.addInstance('beta', { environment: beta, spec: Spec.fromObject({ port, note: SENTINEL }) });
  new ServiceInstance(stack, 'ProdInstance', { service, name: 'prod', environment: beta, spec: Spec.fromObject({ port: port + 1, note: SENTINEL }) });
  new Component(stack, 'Bucket', {
    componentName: 'log-bucket',
    serviceInstance: service.instance('beta'),
    spec: Spec.fromObject({ note: `${SENTINEL}-${port}` }),
    manifest: ComponentManifest.fromFile(path.join(componentDir, 'manifest.yaml')),
    templateFile: path.join(componentDir, 'cloudformation.yaml'),
  });
  const repo = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/log-templates', connectionArn: CONNECTION });
  new TemplateSyncConfig(stack, 'EnvSync', { template: envTemplate, repository: repo, branch: 'main', subdirectory: 'vpc-env' });
  new ServiceSyncConfig(stack, 'OrdersSync', { service, repository: repo, branch: 'main', filePath: 'proton-ops.yaml' });
  new AccountSettings(stack, 'Settings', {
    pipelineServiceRole: new ProtonServiceRole(stack, 'PipelineRole'), pipelineProvisioningRepository: repo.branch('main'),
  }).node.addDependency(repo);
});

const failed = (report: StackReport) => report.resources.filter((r) => r.status !== 'SUCCEEDED').map((r) => `${r.action} ${r.logicalId}: ${r.reason}`);
/** What would give the ResponseURL away: its host and its signature parameter. */
const RESPONSE_URL = /cloudformation-custom-resource-response|X-Amz-Signature|X-Amz-Credential/;

test('no handler line, of a create, an update or a delete of every type, holds a spec, a template file or the ResponseURL', async () => {
  const requested = await proton.deploy(synth('LogEnvAccount', (stack) => {
    const role = new ProtonServiceRole(stack, 'Role', { managementAccountId: proton.emulator.accountId });
    new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: proton.emulator.accountId, environmentName: 'log-remote', role });
  }), 'LogEnvAccount');
  const connectionId = requested.resources.find((r) => r.type === 'AWS::Proton::EnvironmentAccountConnection')!.attributes!.Id;

  const created = await proton.deploy(platformApp(connectionId, 8080), 'LogPlatform');
  expect(failed(created)).toEqual([]);
  const updated = await proton.deploy(platformApp(connectionId, 9090), 'LogPlatform');
  expect(failed(updated)).toEqual([]);
  expect(updated.status).toBe('UPDATE_COMPLETE');
  const destroyed = await proton.destroy('LogPlatform');
  expect(failed(destroyed)).toEqual([]);
  expect(destroyed.status).toBe('DELETE_COMPLETE');

  // The specs did reach Proton with the sentinel (so the handlers had it in hand).
  const specs = proton.emulator.log.entries.map((e) => JSON.stringify(e.input)).filter((input) => input.includes(SENTINEL));
  expect(specs.length).toBeGreaterThan(5);

  // The capture is real: both functions logged, for every custom resource type, in every phase.
  const custom = [...created.resources, ...updated.resources, ...destroyed.resources].filter((r) => r.kind === 'custom');
  expect(new Set(custom.map((r) => r.type)).size).toBe(11);
  const text = lines.map((l) => l.message);
  for (const phase of ['onEvent Create', 'onEvent Update', 'onEvent Delete', 'isComplete Create', 'isComplete Update', 'isComplete Delete']) {
    expect({ phase, logged: text.some((m) => m.startsWith(phase)) }).toEqual({ phase, logged: true });
  }
  for (const type of new Set(custom.map((r) => r.type))) {
    expect({ type, logged: text.some((m) => m.includes(type)) }).toEqual({ type, logged: true });
  }

  expect(text.filter((m) => m.includes(SENTINEL))).toEqual([]);
  expect(text.filter((m) => RESPONSE_URL.test(m))).toEqual([]);
  // Nor do the reasons and responses CloudFormation got.
  const responses = custom.map((r) => JSON.stringify({ reason: r.reason, response: r.response }));
  expect(responses.filter((r) => r.includes(SENTINEL))).toEqual([]);
  expect((await proton.destroy('LogEnvAccount')).status).toBe('DELETE_COMPLETE');
});

test('a spec Proton refuses fails with a reason that does not echo it', async () => {
  lines.length = 0;
  const report = await proton.deploy(synth('LogRefused', (stack) => {
    const version = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: 'log-refused-env' })
      .addVersion('V1', { bundle: TemplateBundle.fromDirectory(envBundle) });
    new Environment(stack, 'Env', {
      environmentName: 'log-refused',
      templateVersion: version,
      protonServiceRole: new ProtonServiceRole(stack, 'Role'),
      // Not a CIDR: the schema's pattern refuses it.
      spec: Spec.fromObject({ vpc_cidr: SENTINEL, note: SENTINEL }),
      validate: false,
    });
  }), 'LogRefused');
  const refused = report.resources.filter((r) => r.status === 'FAILED' && r.type === 'Custom::ProtonEnvironment');
  expect(refused).toHaveLength(1);
  expect(refused[0].reason).toMatch(/vpc_cidr/);
  expect(JSON.stringify(report.resources.map((r) => [r.reason, r.response]))).not.toContain(SENTINEL);
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.filter((l) => l.message.includes(SENTINEL)).map((l) => l.message)).toEqual([]);
  await proton.destroy('LogRefused');
});
