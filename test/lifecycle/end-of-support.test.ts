import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CONNECTION, SERVICE_REPOSITORY, synth, useLocalProton } from './helpers';
import { END_OF_SUPPORT_MESSAGE } from '../../local-proton/emulator';
import type { StackReport } from '../../local-proton/local-cfn';
import { LocalProton } from '../../local-proton/local-proton';
import {
  AcceptEnvironmentAccountConnection, AccountSettings, Component, ComponentManifest, ComponentSource, Environment, EnvironmentAccountConnection,
  EnvironmentTemplate, ProtonServiceRole, Repository, RepositoryProvider, Service, ServiceInstance, ServiceSyncConfig, ServiceTemplate, Spec,
  TemplateBundle, TemplateSyncConfig,
} from '../../src';
import { COMPONENT_DIR, ENV_BUNDLE, SERVICE_BUNDLE } from '../constructs/helpers';

/*
 * Proton reached end of support on 2026-10-07: its endpoint answers every call AccessDeniedException, or is gone
 * (a closed port). A stack must still be deletable: resources with removalPolicy RETAIN leave without a Proton call,
 * and the others fail with a reason that says how to leave them behind.
 */

const TIMING = { registrationDelayMs: 20, deploymentDelayMs: 30, deleteDelayMs: 30 };

let proton: LocalProton;
useLocalProton({ ...TIMING, expectDenials: true }, (started) => { proton = started; });

/** Every custom resource type (all but the acceptance have a removal policy) and the native templates, named `<prefix>-…`, with `policy`. */
function platform(prefix: string, policy: RemovalPolicy | undefined, connectionId: string) {
  return (stack: import('aws-cdk-lib').Stack) => {
    const removalPolicy = policy;
    const envTemplate = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: `${prefix}-env`, removalPolicy });
    const envV1 = envTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), removalPolicy });
    const svcTemplate = new ServiceTemplate(stack, 'SvcTemplate', { templateName: `${prefix}-svc`, removalPolicy });
    const svcV1 = svcTemplate.addVersion('V1', {
      bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE),
      compatibleEnvironmentTemplates: [envV1],
      supportedComponentSources: [ComponentSource.DIRECTLY_DEFINED],
      removalPolicy,
    });
    const role = new ProtonServiceRole(stack, 'ProtonRole');
    const beta = new Environment(stack, 'Beta', {
      environmentName: `${prefix}-beta`,
      templateVersion: envV1,
      spec: Spec.fromObject({}),
      protonServiceRole: role,
      removalPolicy,
      componentRole: new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') }),
    });
    const connection = EnvironmentAccountConnection.fromEnvironmentAccountConnectionId(stack, 'Requested', connectionId);
    new Environment(stack, 'Remote', {
      environmentName: `${prefix}-remote`,
      templateVersion: envV1,
      spec: Spec.fromObject({}),
      removalPolicy,
      environmentAccountConnection: new AcceptEnvironmentAccountConnection(stack, 'Accept', { connection }),
    });
    const service = new Service(stack, 'Service', {
      serviceName: `${prefix}-orders`,
      templateVersion: svcV1,
      removalPolicy,
      pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
      ...SERVICE_REPOSITORY,
    });
    service.addInstance('beta', { environment: beta, spec: Spec.fromObject({ port: 8080 }) });
    new ServiceInstance(stack, 'ProdInstance', { service, name: 'prod', environment: beta, spec: Spec.fromObject({ port: 8081 }), removalPolicy });
    new Component(stack, 'Bucket', {
      componentName: `${prefix}-bucket`,
      serviceInstance: service.instance('beta'),
      removalPolicy,
      manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
      templateFile: path.join(COMPONENT_DIR, 'cloudformation.yaml'),
    });
    const repo = new Repository(stack, 'Repo', {
      provider: RepositoryProvider.GITHUB, repositoryName: `my-org/${prefix}-templates`, connectionArn: CONNECTION, removalPolicy,
    });
    new TemplateSyncConfig(stack, 'EnvSync', { template: envTemplate, repository: repo, branch: 'main', subdirectory: 'vpc-env', removalPolicy });
    new ServiceSyncConfig(stack, 'OrdersSync', { service, repository: repo, branch: 'main', filePath: 'proton-ops.yaml', removalPolicy });
    new AccountSettings(stack, 'Settings', {
      pipelineServiceRole: new ProtonServiceRole(stack, 'PipelineRole'), pipelineProvisioningRepository: repo.branch('main'), removalPolicy,
    }).node.addDependency(repo);
  };
}

/** The custom resource types, as the stack above has them all. */
const CUSTOM_TYPES = [
  'Custom::ProtonAcceptEnvironmentAccountConnection', 'Custom::ProtonAccountSettings', 'Custom::ProtonComponent', 'Custom::ProtonEnvironment',
  'Custom::ProtonEnvironmentTemplateVersion', 'Custom::ProtonRepository', 'Custom::ProtonService', 'Custom::ProtonServiceInstance',
  'Custom::ProtonServiceSyncConfig', 'Custom::ProtonServiceTemplateVersion', 'Custom::ProtonTemplateSyncConfig',
];

/** The type without a removal policy: its Delete makes no Proton call (an acceptance cannot be withdrawn), and a policy change sends it no Update. */
const NO_REMOVAL_POLICY = ['Custom::ProtonAcceptEnvironmentAccountConnection'];

/** Deploys the environment account's requested connection and the platform stack, with Proton answering. */
async function deployPlatform(local: LocalProton, prefix: string, policy: RemovalPolicy | undefined) {
  const connectionStack = `${prefix}EnvAccount`.replace(/-/g, '');
  const requested = await local.deploy(synth(connectionStack, (stack) => {
    const role = new ProtonServiceRole(stack, 'Role', { managementAccountId: local.emulator.accountId });
    new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: local.emulator.accountId, environmentName: `${prefix}-remote`, role });
  }), connectionStack);
  expect(requested.status).toBe('CREATE_COMPLETE');
  const connectionId = requested.resources.find((r) => r.type === 'AWS::Proton::EnvironmentAccountConnection')!.attributes!.Id;
  const app = (p: RemovalPolicy | undefined) => synth(stackOf(prefix), platform(prefix, p, connectionId));
  const created = await local.deploy(app(policy), stackOf(prefix));
  expect(failed(created)).toEqual([]);
  expect(created.status).toBe('CREATE_COMPLETE');
  expect([...new Set(created.resources.filter((r) => r.kind === 'custom').map((r) => r.type))].sort()).toEqual(CUSTOM_TYPES);
  return { app, created };
}

const stackOf = (prefix: string) => `${prefix}Platform`.replace(/-/g, '');
const failed = (report: StackReport) => report.resources.filter((r) => r.status !== 'SUCCEEDED').map((r) => `${r.action} ${r.logicalId}: ${r.reason}`);
/** The calls the stack's handlers made (the tests' administrator calls are signed by the account root). */
const handlerCalls = (local: LocalProton) => local.emulator.log.entries.filter((e) => e.principal !== undefined && !e.principal.endsWith(':root'));

describe('Proton answers every call AccessDeniedException (end of support)', () => {
  test('with removalPolicy RETAIN, the stack deletes without a single Proton call', async () => {
    await deployPlatform(proton, 'eos-kept', RemovalPolicy.RETAIN);
    proton.emulator.log.clear();
    proton.emulator.faults.endOfSupport = true;
    const destroyed = await proton.destroy(stackOf('eos-kept'));
    expect(failed(destroyed)).toEqual([]);
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(handlerCalls(proton).map((e) => e.operation)).toEqual([]);
  });

  test('deployed with the default policy, RETAIN then deploys without a Proton call, and the stack deletes without one', async () => {
    const { app } = await deployPlatform(proton, 'eos-dflt', undefined);
    proton.emulator.faults.endOfSupport = true;
    // What a user does first: the removal policy only changes, and the deploy must not need Proton.
    proton.emulator.log.clear();
    const retained = await proton.deploy(app(RemovalPolicy.RETAIN), stackOf('eos-dflt'));
    expect(failed(retained)).toEqual([]);
    expect(retained.status).toBe('UPDATE_COMPLETE');
    // Every type's resource was updated (its removal policy), without a Proton call (no output is referenced).
    expect([...new Set(retained.resources.filter((r) => r.kind === 'custom' && r.action === 'UPDATE').map((r) => r.type))].sort())
      .toEqual(CUSTOM_TYPES.filter((t) => !NO_REMOVAL_POLICY.includes(t)));
    expect(handlerCalls(proton).map((e) => e.operation)).toEqual([]);
    proton.emulator.log.clear();
    const destroyed = await proton.destroy(stackOf('eos-dflt'));
    expect(failed(destroyed)).toEqual([]);
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(handlerCalls(proton).map((e) => e.operation)).toEqual([]);
  });

  test('with the default policy, every type\'s delete fails, naming the resource, Proton\'s answer and the ways out', async () => {
    const { app, created } = await deployPlatform(proton, 'eos-fail', undefined);
    const assembly = app(undefined);
    proton.emulator.faults.endOfSupport = true;
    // One Delete per resource, through the Provider framework: a stack delete stops at the first failure.
    const custom = created.resources.filter((r) => r.kind === 'custom');
    for (const resource of custom.filter((r) => !NO_REMOVAL_POLICY.includes(r.type))) {
      const result = await proton.cfn.invokeCustomResource(assembly, stackOf('eos-fail'), resource.logicalId, { RequestType: 'Delete' });
      expect({ type: resource.type, status: result.status }).toEqual({ type: resource.type, status: 'FAILED' });
      expect(result.reason).toContain(`${resource.type} ${resource.logicalId}`);
      expect(result.reason).toContain(`Proton does not answer (AccessDeniedException: ${END_OF_SUPPORT_MESSAGE})`);
      expect(result.reason).toContain(`aws cloudformation delete-stack --stack-name ${stackOf('eos-fail')} --retain-resources ${resource.logicalId}`);
      expect(result.reason).toContain('set removalPolicy: RemovalPolicy.RETAIN on its construct, deploy, then delete the stack');
    }
    expect(new Set(custom.map((r) => r.type)).size).toBe(CUSTOM_TYPES.length);
    // Its Delete needs no Proton call (an acceptance cannot be withdrawn): it succeeds all the same.
    const accept = custom.find((r) => NO_REMOVAL_POLICY.includes(r.type))!;
    expect((await proton.cfn.invokeCustomResource(assembly, stackOf('eos-fail'), accept.logicalId, { RequestType: 'Delete' })).status).toBe('SUCCEEDED');
    const destroyed = await proton.destroy(stackOf('eos-fail'));
    expect(destroyed.status).toBe('DELETE_FAILED');
    expect(destroyed.reason).toContain('Proton does not answer');

    // The way out the reason names first: delete the stack again, retaining the Proton resources left
    // (CloudFormation's own Proton templates cannot be deleted without Proton either).
    const left = Object.entries(proton.cfn.readState(stackOf('eos-fail'))!.resources)
      .filter(([, r]) => r.kind === 'custom' || r.type.startsWith('AWS::Proton::')).map(([lid]) => lid);
    proton.emulator.log.clear();
    const retained = await proton.destroy(stackOf('eos-fail'), { retainResources: left });
    expect(retained.status).toBe('DELETE_COMPLETE');
    expect(handlerCalls(proton)).toEqual([]);
  });
});

describe('a removal-policy-only Update, with Proton answering', () => {
  test('makes no Proton call and answers the attributes the resource had', async () => {
    const { app, created } = await deployPlatform(proton, 'eos-same', undefined);
    proton.emulator.log.clear();
    const retained = await proton.deploy(app(RemovalPolicy.RETAIN), stackOf('eos-same'));
    expect(failed(retained)).toEqual([]);
    expect(handlerCalls(proton).map((e) => e.operation)).toEqual([]);
    const before = Object.fromEntries(created.resources.filter((r) => r.kind === 'custom').map((r) => [r.logicalId, r.attributes]));
    const updates = retained.resources.filter((r) => r.kind === 'custom' && r.action === 'UPDATE');
    expect([...new Set(updates.map((r) => r.type))].sort()).toEqual(CUSTOM_TYPES.filter((t) => !NO_REMOVAL_POLICY.includes(t)));
    for (const update of updates) expect({ [update.logicalId]: update.attributes }).toEqual({ [update.logicalId]: before[update.logicalId] });
    expect((await proton.destroy(stackOf('eos-same'))).status).toBe('DELETE_COMPLETE');
  });
});

describe('Proton\'s endpoint is gone (a closed port)', () => {
  let gone: LocalProton;
  useLocalProton({ ...TIMING, expectDenials: true }, (started) => { gone = started; });

  test('RETAIN deletes without a call; the default policy fails within seconds per resource, saying so and what to do', async () => {
    await deployPlatform(gone, 'eos-keptc', RemovalPolicy.RETAIN);
    const { app, created } = await deployPlatform(gone, 'eos-gone', undefined);
    const single = synth('EosSingle', (stack) => {
      new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/eos-single', connectionArn: CONNECTION });
    });
    expect((await gone.deploy(single, 'EosSingle')).status).toBe('CREATE_COMPLETE');
    await gone.emulator.closePort();

    // A stack delete fails in seconds (not after the Provider's 30 minutes), with the reason.
    const deleteStarted = Date.now();
    const failedDelete = await gone.destroy('EosSingle');
    expect(Date.now() - deleteStarted).toBeLessThan(20_000);
    expect(failedDelete.status).toBe('DELETE_FAILED');
    expect(failedDelete.reason).toMatch(/Custom::ProtonRepository Repo\w* \(GITHUB:my-org\/eos-single\) cannot be deleted: Proton does not answer \(.*ECONNREFUSED/);

    const kept = await gone.destroy(stackOf('eos-keptc'));
    expect(failed(kept)).toEqual([]);
    expect(kept.status).toBe('DELETE_COMPLETE');

    const assembly = app(undefined);
    for (const resource of created.resources.filter((r) => r.kind === 'custom' && !NO_REMOVAL_POLICY.includes(r.type))) {
      const started = Date.now();
      const result = await gone.cfn.invokeCustomResource(assembly, stackOf('eos-gone'), resource.logicalId, { RequestType: 'Delete' });
      // The SDK retries a failed connection a few times, not until the Lambda's deadline.
      expect({ type: resource.type, status: result.status, fast: Date.now() - started < 15_000 })
        .toEqual({ type: resource.type, status: 'FAILED', fast: true });
      expect(result.reason).toMatch(new RegExp(`^${resource.type} ${resource.logicalId} .*cannot be deleted: Proton does not answer \\(.*ECONNREFUSED`));
      expect(result.reason).toContain(`--retain-resources ${resource.logicalId}`);
    }

    // The way out before a delete: RETAIN deploys without Proton, then the stack deletes.
    const started = Date.now();
    const retained = await gone.deploy(app(RemovalPolicy.RETAIN), stackOf('eos-gone'));
    expect(failed(retained)).toEqual([]);
    expect(retained.status).toBe('UPDATE_COMPLETE');
    const destroyed = await gone.destroy(stackOf('eos-gone'));
    expect(failed(destroyed)).toEqual([]);
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
