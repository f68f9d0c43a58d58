import * as path from 'path';
import {
  GetAccountSettingsCommand, GetRepositoryCommand, ListComponentsCommand, ListEnvironmentsCommand, ListRepositoriesCommand,
  ListServiceInstancesCommand, ListServicesCommand, ListServiceTemplateVersionsCommand, ProtonClient,
} from '@aws-sdk/client-proton';
import * as iam from 'aws-cdk-lib/aws-iam';
import { basePlatform, CONNECTION, SERVICE_REPOSITORY, synth, useLocalProton, versionsOf } from './helpers';
import { ProtonIam } from '../../local-proton/emulator';
import type { StackReport } from '../../local-proton/local-cfn';
import { invokeLambda } from '../../local-proton/local-cfn/lambda';
import { LocalProton } from '../../local-proton/local-proton';
import {
  AcceptEnvironmentAccountConnection, AccountSettings, Component, ComponentManifest, ComponentSource, Environment,
  EnvironmentAccountConnection, ProtonServiceRole, Repository, RepositoryProvider, Service, ServiceInstance, ServiceSyncConfig, Spec,
  TemplateSyncConfig,
} from '../../src';
import { protonClientConfig } from '../../src/custom-resources/handlers/client';
import { COMPONENT_DIR } from '../constructs/helpers';

/** The bundle of the provider's handlers, as its functions run it. */
const HANDLER_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'custom-resources', 'provider-handlers');

let proton: LocalProton;
useLocalProton({
  registrationDelayMs: 30,
  deploymentDelayMs: 50,
  deleteDelayMs: 50,
  // Every custom resource request is handed to its Provider twice, with the same RequestId.
  duplicateDeliveries: true,
  // The handlers' SDK client, and its retry quota, live on from one invocation to the next.
  warmContainers: true,
  maxConcurrency: 2,
  // The delivery whose response CloudFormation did not take may still run once destroy has removed the provider's
  // policy: its denied calls change nothing. The test checks that none was denied before.
  expectDenials: true,
}, (started) => { proton = started; });

/** The environment account's side: the connection the management stack accepts. */
const connectionApp = () => synth('ThrEnvAccount', (stack) => {
  const role = new ProtonServiceRole(stack, 'Role', { managementAccountId: proton.emulator.accountId });
  new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: proton.emulator.accountId, environmentName: 'thr-remote', role });
});

/** Every custom resource type of the library in one stack; `port` and `cidr` are the spec inputs an update changes. */
const platformApp = (connectionId: string, port: number, cidr: string) => synth('ThrPlatform', (stack) => {
  const { envTemplate, envV1, protonServiceRole: role, svcV1 } = basePlatform(stack, {
    prefix: 'thr', componentSources: [ComponentSource.DIRECTLY_DEFINED],
  });
  const beta = new Environment(stack, 'Beta', {
    environmentName: 'thr-beta',
    templateVersion: envV1,
    spec: Spec.fromObject({ vpc_cidr: cidr }),
    protonServiceRole: role,
    componentRole: new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') }),
  });
  const prod = new Environment(stack, 'Prod', { environmentName: 'thr-prod', templateVersion: envV1, spec: Spec.fromObject({}), protonServiceRole: role });
  const connection = EnvironmentAccountConnection.fromEnvironmentAccountConnectionId(stack, 'Requested', connectionId);
  new Environment(stack, 'Remote', {
    environmentName: 'thr-remote',
    templateVersion: envV1,
    spec: Spec.fromObject({}),
    environmentAccountConnection: new AcceptEnvironmentAccountConnection(stack, 'Accept', { connection }),
  });

  const service = new Service(stack, 'Service', {
    serviceName: 'thr-orders',
    templateVersion: svcV1,
    pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
    ...SERVICE_REPOSITORY,
  });
  service.addInstance('beta', { environment: beta, spec: Spec.fromObject({ port }) });
  new ServiceInstance(stack, 'ProdInstance', { service, name: 'prod', environment: prod, spec: Spec.fromObject({ port: port + 1 }) });
  new Component(stack, 'Bucket', {
    componentName: 'thr-bucket',
    serviceInstance: service.instance('beta'),
    manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
    templateFile: path.join(COMPONENT_DIR, 'cloudformation.yaml'),
  });

  const repo = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/thr-templates', connectionArn: CONNECTION });
  new TemplateSyncConfig(stack, 'EnvSync', { template: envTemplate, repository: repo, branch: 'main', subdirectory: 'vpc-env' });
  new ServiceSyncConfig(stack, 'OrdersSync', { service, repository: repo, branch: 'main', filePath: 'proton-ops.yaml' });
  new AccountSettings(stack, 'Settings', {
    pipelineServiceRole: new ProtonServiceRole(stack, 'PipelineRole'),
    pipelineProvisioningRepository: repo.branch('main'),
  }).node.addDependency(repo);
});

const failedSteps = (report: StackReport) => report.resources.filter((r) => r.status !== 'SUCCEEDED').map((r) => `${r.action} ${r.logicalId}: ${r.reason}`);
const throttledHandlerCalls = () => proton.emulator.log.entries.filter((e) => e.error === 'ThrottlingException' && e.principal !== undefined
  && !e.principal.endsWith(':root')).length;

test('with 60% of calls throttled and every event delivered twice, every resource type is created, updated and destroyed, once', async () => {
  const settingsBefore = (await proton.client.send(new GetAccountSettingsCommand({}))).accountSettings ?? {};
  const requested = await proton.deploy(connectionApp(), 'ThrEnvAccount');
  expect(requested.status).toBe('CREATE_COMPLETE');
  const connectionId = requested.resources.find((r) => r.type === 'AWS::Proton::EnvironmentAccountConnection')!.attributes!.Id;

  proton.emulator.faults.throttleFraction = 0.6;
  const created = await proton.deploy(platformApp(connectionId, 8080, '10.0.0.0/16'), 'ThrPlatform');
  expect(failedSteps(created)).toEqual([]);
  expect(created.status).toBe('CREATE_COMPLETE');
  expect(proton.deniedCalls()).toEqual([]);
  const customTypes = new Set(created.resources.filter((r) => r.kind === 'custom').map((r) => r.type));
  expect([...customTypes].sort()).toEqual([
    'Custom::ProtonAcceptEnvironmentAccountConnection', 'Custom::ProtonAccountSettings', 'Custom::ProtonComponent', 'Custom::ProtonEnvironment',
    'Custom::ProtonEnvironmentTemplateVersion', 'Custom::ProtonRepository', 'Custom::ProtonService', 'Custom::ProtonServiceInstance',
    'Custom::ProtonServiceSyncConfig', 'Custom::ProtonServiceTemplateVersion', 'Custom::ProtonTemplateSyncConfig',
  ]);

  // Nothing was made twice: one version of each template, each environment, service, instance, component and link once.
  expect(await versionsOf(proton.client, 'thr-env')).toEqual({ '1.0': 'PUBLISHED' });
  const svcVersions = (await proton.client.send(new ListServiceTemplateVersionsCommand({ templateName: 'thr-svc' }))).templateVersions ?? [];
  expect(svcVersions.map((v) => `${v.majorVersion}.${v.minorVersion}`)).toEqual(['1.0']);
  const environments = (await proton.client.send(new ListEnvironmentsCommand({}))).environments ?? [];
  expect(environments.map((e) => e.name).sort()).toEqual(['thr-beta', 'thr-prod', 'thr-remote']);
  expect(((await proton.client.send(new ListServicesCommand({}))).services ?? []).map((s) => s.name)).toEqual(['thr-orders']);
  const instances = (await proton.client.send(new ListServiceInstancesCommand({ serviceName: 'thr-orders' }))).serviceInstances ?? [];
  expect(instances.map((i) => i.name).sort()).toEqual(['beta', 'prod']);
  expect(((await proton.client.send(new ListComponentsCommand({}))).components ?? []).map((c) => c.name)).toEqual(['thr-bucket']);
  expect(((await proton.client.send(new ListRepositoriesCommand({}))).repositories ?? []).map((r) => r.name)).toEqual(['my-org/thr-templates']);

  const updated = await proton.deploy(platformApp(connectionId, 9090, '10.1.0.0/16'), 'ThrPlatform');
  expect(failedSteps(updated)).toEqual([]);
  expect(updated.status).toBe('UPDATE_COMPLETE');
  expect(proton.deniedCalls()).toEqual([]);
  expect(updated.resources.filter((r) => r.action === 'UPDATE').map((r) => r.logicalId).sort())
    .toEqual(expect.arrayContaining([expect.stringMatching(/^Beta/), expect.stringMatching(/^Service/), expect.stringMatching(/^ProdInstance/)]));

  const destroyed = await proton.destroy('ThrPlatform');
  expect(failedSteps(destroyed)).toEqual([]);
  expect(destroyed.status).toBe('DELETE_COMPLETE');
  expect(throttledHandlerCalls()).toBeGreaterThan(100);

  proton.emulator.faults.throttleFraction = 0;
  expect(((await proton.client.send(new ListEnvironmentsCommand({}))).environments ?? [])).toEqual([]);
  expect(((await proton.client.send(new ListServicesCommand({}))).services ?? [])).toEqual([]);
  const settingsAfter = (await proton.client.send(new GetAccountSettingsCommand({}))).accountSettings ?? {};
  expect(settingsAfter.pipelineServiceRoleArn ?? '').toBe(settingsBefore.pipelineServiceRoleArn ?? '');
  expect(settingsAfter.pipelineProvisioningRepository).toEqual(settingsBefore.pipelineProvisioningRepository);
  expect((await proton.destroy('ThrEnvAccount')).status).toBe('DELETE_COMPLETE');
}, 300_000); // Three deployments of every type: about 20 s alone, several times that on a loaded machine.

test('a throttle that outlasts the SDK\'s default attempts is waited out, not a failure', async () => {
  // Twice the SDK default's 10 attempts: both deliveries of the Create are throttled throughout today.
  proton.emulator.faults.failNext('CreateRepository', 'ThrottlingException', 'Rate exceeded', 20);
  const assembly = synth('ThrLink', (stack) => {
    new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/thr-link', connectionArn: CONNECTION });
  });
  const report = await proton.deploy(assembly, 'ThrLink');
  expect(failedSteps(report)).toEqual([]);
  expect(report.status).toBe('CREATE_COMPLETE');
  expect((await proton.client.send(new GetRepositoryCommand({ provider: 'GITHUB', name: 'my-org/thr-link' }))).repository?.name).toBe('my-org/thr-link');
  expect((await proton.destroy('ThrLink')).status).toBe('DELETE_COMPLETE');
});

test('the handlers\' client keeps retrying when many calls are throttled at once (no retry quota to run out of)', async () => {
  const client = new ProtonClient({
    ...protonClientConfig(() => Date.now() + 60_000),
    endpoint: proton.emulator.endpoint,
    region: proton.emulator.region,
    credentials: { accessKeyId: ProtonIam.ADMINISTRATOR_KEY, secretAccessKey: 'test' },
  });
  // The SDK's standard strategy spends 5 of its 500 tokens on each throttled retry: 120 calls throttled at once would
  // leave 20 of them failing at once, without a retry.
  proton.emulator.faults.failNext('GetAccountSettings', 'ThrottlingException', 'Rate exceeded', 150);
  const results = await Promise.allSettled(Array.from({ length: 120 }, () => client.send(new GetAccountSettingsCommand({}))));
  client.destroy();
  expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message)).toEqual([]);
});

test('a read throttled until isComplete runs out of time answers "not yet" (the framework polls again), not a failure', async () => {
  proton.emulator.faults.failNext('GetEnvironment', 'ThrottlingException', 'Rate exceeded', 10_000);
  const { AWS_ENDPOINT_URL_PROTON, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = proton.emulator.clientEnv();
  const result = await invokeLambda({
    functionName: 'is-complete',
    functionArn: `arn:aws:lambda:${AWS_REGION}:${proton.emulator.accountId}:function:is-complete`,
    codeDir: HANDLER_BUNDLE,
    handler: 'index.isComplete',
    timeoutSeconds: 30,
    memoryMb: 128,
    environment: {},
  }, {
    RequestType: 'Create',
    RequestId: 'throttled-read',
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/ThrRead/1',
    LogicalResourceId: 'Env',
    ResourceType: 'Custom::ProtonEnvironment',
    PhysicalResourceId: 'thr-read',
    ResourceProperties: { Name: 'thr-read', TemplateName: 'thr-env', TemplateMajorVersion: '1', Spec: 'proton: EnvironmentSpec\nspec: {}\n', RemovalPolicy: 'delete' },
  }, { region: AWS_REGION, extraEnv: { AWS_ENDPOINT_URL_PROTON, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } });
  expect(result.functionError).toBeUndefined();
  expect(result.payload).toEqual({ IsComplete: false });
});
