import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CancelComponentDeploymentCommand, CreateRepositoryCommand, DeleteRepositoryCommand, GetComponentCommand, GetRepositoryCommand,
  GetServiceSyncConfigCommand, GetTemplateSyncConfigCommand, ListRepositoriesCommand, ListTagsForResourceCommand, UpdateServiceInstanceCommand,
} from '@aws-sdk/client-proton';
import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { basePlatform, CONNECTION, SERVICE_REPOSITORY, synth, useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import {
  Component, ComponentManifest, ComponentSource, EnvironmentTemplate, Repository, RepositoryProvider, Service, ServiceSyncConfig, TemplateSyncConfig,
} from '../../src';
import { COMPONENT_DIR } from '../constructs/helpers';

const COMPONENT = 'Custom::ProtonComponent';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 30, deploymentDelayMs: 50, deleteDelayMs: 50 }, (started) => { proton = started; }, () => {
  proton.emulator.timing.deploymentDelayMs = 50;
});

/** An environment with a component role and a service with instance beta, named after `prefix`. */
function platform(stack: Stack, prefix: string) {
  const { envTemplate, environments: { beta }, svcV1 } = basePlatform(stack, {
    prefix, environments: ['beta'], componentRole: true, componentSources: [ComponentSource.DIRECTLY_DEFINED],
  });
  const service = new Service(stack, 'Service', {
    serviceName: `${prefix}-orders`, templateVersion: svcV1, ...SERVICE_REPOSITORY, instances: [{ name: 'beta', environment: beta }],
  });
  return { envTemplate, beta, service };
}

function templateFileWith(comment: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'component-')), 'cloudformation.yaml');
  fs.writeFileSync(file, `${fs.readFileSync(path.join(COMPONENT_DIR, 'cloudformation.yaml'), 'utf8')}# ${comment}\n`);
  return file;
}

interface ComponentOptions {
  readonly name: string;
  readonly templateFile?: string;
  readonly description?: string;
  readonly tags?: Record<string, string>;
  readonly outputs?: string[];
}

function componentApp(stackName: string, prefix: string, options: ComponentOptions): string {
  return synth(stackName, (stack) => {
    const { service } = platform(stack, prefix);
    const component = new Component(stack, 'Bucket', {
      componentName: options.name,
      serviceInstance: service.instance('beta'),
      manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
      templateFile: options.templateFile ?? path.join(COMPONENT_DIR, 'cloudformation.yaml'),
      description: options.description,
    });
    (options.outputs ?? ['BucketName']).forEach((key) => component.output(key));
    Object.entries(options.tags ?? {}).forEach(([key, value]) => Tags.of(component).add(key, value));
  });
}

/** Resolves once `check` holds (polled every 20 ms). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

const getComponent = async (name: string) => (await proton.client.send(new GetComponentCommand({ name }))).component!;
const componentUpdates = () => proton.emulator.log.ofOperation('UpdateComponent').filter((e) => e.status === 200).map((e) => e.input.deploymentType);

describe('component lifecycle', () => {
  test('create deploys the component on the service instance and returns its output', async () => {
    const report = await proton.deploy(componentApp('Components', 'cmp', { name: 'orders-bucket' }), 'Components');
    expect(report.status).toBe('CREATE_COMPLETE');
    const created = report.resources.find((r) => r.type === COMPONENT && r.action === 'CREATE')!;
    expect(created.attributes!['Outputs.BucketName']).toEqual(expect.any(String));
    expect(await getComponent('orders-bucket')).toMatchObject({ deploymentStatus: 'SUCCEEDED', serviceName: 'cmp-orders', serviceInstanceName: 'beta' });
  });

  test('a new template file is deployed in place (CURRENT_VERSION), a new description deploys nothing (NONE)', async () => {
    const file = templateFileWith('v2');
    expect((await proton.deploy(componentApp('Components', 'cmp', { name: 'orders-bucket', templateFile: file }), 'Components')).status).toBe('UPDATE_COMPLETE');
    const described = componentApp('Components', 'cmp', { name: 'orders-bucket', templateFile: file, description: 'exports' });
    expect((await proton.deploy(described, 'Components')).status).toBe('UPDATE_COMPLETE');
    expect(componentUpdates()).toEqual(['CURRENT_VERSION', 'NONE']);
    expect(await getComponent('orders-bucket')).toMatchObject({ deploymentStatus: 'SUCCEEDED', description: 'exports' });
  });

  test('renaming a component attached to an instance fails with the reason and the fix, and rolls back', async () => {
    const report = await proton.deploy(componentApp('Components', 'cmp', { name: 'orders-exports', description: 'exports' }), 'Components');
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.reason).toMatch(/component orders-bucket is attached to instance beta of service cmp-orders, which takes one component/);
    expect(await getComponent('orders-bucket')).toMatchObject({ deploymentStatus: 'SUCCEEDED', serviceInstanceName: 'beta' });
  });

  test('a component waits out a deployment of its instance', async () => {
    proton.emulator.timing.deploymentDelayMs = 1500;
    await proton.client.send(new UpdateServiceInstanceCommand({
      name: 'beta',
      serviceName: 'cmp-orders',
      deploymentType: 'CURRENT_VERSION',
      spec: 'proton: ServiceSpec\ninstances:\n  - name: beta\n    environment: cmp-beta\n    spec:\n      port: 81\n',
    }));
    proton.emulator.timing.deploymentDelayMs = 50;
    const report = await proton.deploy(componentApp('Components', 'cmp', { name: 'orders-bucket', templateFile: templateFileWith('v3') }), 'Components');
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(await getComponent('orders-bucket')).toMatchObject({ deploymentStatus: 'SUCCEEDED' });
  });

  test('tag changes of a component are applied on update: TagResource for new values, UntagResource for keys removed', async () => {
    const file = templateFileWith('v3');
    const tagged = (tags: Record<string, string>) => componentApp('Components', 'cmp', { name: 'orders-bucket', templateFile: file, tags });
    expect((await proton.deploy(tagged({ team: 'a', cost: 'c1' }), 'Components')).status).toBe('UPDATE_COMPLETE');
    expect((await proton.deploy(tagged({ team: 'b' }), 'Components')).status).toBe('UPDATE_COMPLETE');
    // The user's tags: cdk-proton's own (cdk-proton:request, which request last changed it) aside.
    const byKey = (tags: any[]) => tags.filter((t) => !t.key.startsWith('cdk-proton:')).sort((a, b) => a.key.localeCompare(b.key));
    expect(proton.emulator.log.ofOperation('TagResource').map((e) => byKey(e.input.tags as any[])).filter((t) => t.length > 0))
      .toEqual([[{ key: 'cost', value: 'c1' }, { key: 'team', value: 'a' }], [{ key: 'team', value: 'b' }]]);
    expect(proton.emulator.log.ofOperation('UntagResource').map((e) => e.input.tagKeys)).toEqual([['cost']]);
    const arn = (await getComponent('orders-bucket')).arn!;
    const tags = (await proton.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags!;
    expect(byKey(tags)).toEqual([{ key: 'team', value: 'b' }]);
    expect(tags.find((t) => t.key === 'cdk-proton:request')?.value).toEqual(expect.any(String));
  });

  test('a component deployment cancelled while isComplete waits ends the wait at once, and the component is deployed again', async () => {
    proton.emulator.timing.deploymentDelayMs = 30_000;
    const deploying = proton.deploy(componentApp('Components', 'cmp', { name: 'orders-bucket', templateFile: templateFileWith('v4'), tags: { team: 'b' } }), 'Components');
    await until(async () => (await getComponent('orders-bucket')).deploymentStatus === 'IN_PROGRESS');
    proton.emulator.timing.deploymentDelayMs = 50;
    // Cancelled once the next isComplete waits for the deployment.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const cancelled = Date.now();
    await proton.client.send(new CancelComponentDeploymentCommand({ componentName: 'orders-bucket' }));
    const report = await deploying;
    // The handler acted on CANCELLED well within the 60 s one isComplete waits at most.
    const next = proton.emulator.log.ofOperation('UpdateComponent').find((e) => e.at.getTime() > cancelled);
    expect(next && next.at.getTime() - cancelled).toBeLessThan(15_000);
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(await getComponent('orders-bucket')).toMatchObject({ deploymentStatus: 'SUCCEEDED' });
  });

  test('delete detaches the component, then deletes it; deleting one already gone succeeds', async () => {
    const state = proton.cfn.readState('Components')!;
    const [logicalId] = Object.entries(state.resources).find(([, r]) => r.type === COMPONENT)!;
    const assembly = componentApp('Components', 'cmp', { name: 'orders-bucket' });
    const first = await proton.cfn.invokeCustomResource(assembly, 'Components', logicalId, { RequestType: 'Delete' });
    const second = await proton.cfn.invokeCustomResource(assembly, 'Components', logicalId, { RequestType: 'Delete' });
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    await expect(getComponent('orders-bucket')).rejects.toThrow();
    expect(proton.emulator.log.ofOperation('UpdateComponent').some((e) => e.input.serviceName === '')).toBe(true);
    expect((await proton.destroy('Components')).status).toBe('DELETE_COMPLETE');
  });

  test('a component of an environment is replaced under a new name: created, then the old one deleted in cleanup', async () => {
    const app = (name: string) => synth('EnvComponent', (stack) => {
      const { beta } = platform(stack, 'envc');
      new Component(stack, 'Shared', {
        componentName: name,
        environment: beta,
        manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
        templateFile: path.join(COMPONENT_DIR, 'cloudformation.yaml'),
      });
    });
    expect((await proton.deploy(app('shared-one'), 'EnvComponent')).status).toBe('CREATE_COMPLETE');
    const report = await proton.deploy(app('shared-two'), 'EnvComponent');
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(report.resources.filter((r) => r.type === COMPONENT).map((r) => `${r.action} ${r.physicalId}`))
      .toEqual(['REPLACE shared-two', 'CLEANUP_DELETE shared-one']);
    await expect(getComponent('shared-one')).rejects.toThrow();
    expect((await proton.destroy('EnvComponent')).status).toBe('DELETE_COMPLETE');
  });

  test('component outputs too large for CloudFormation\'s response fail the component naming it and the outputs', async () => {
    const big = Object.fromEntries(['A', 'B', 'C', 'D'].map((key) => [key, key.repeat(1000)]));
    proton.emulator.faults.setOutputs('big-bucket', big);
    const report = await proton.deploy(componentApp('BigComponent', 'big', { name: 'big-bucket', outputs: Object.keys(big) }), 'BigComponent');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    const failed = report.resources.find((r) => r.type === COMPONENT && r.status === 'FAILED')!;
    expect(failed.reason).toMatch(/the outputs of component big-bucket the app references take \d+ bytes, more than fit in CloudFormation's 4096-byte response: reference fewer outputs \(A, B, C, D\)/);
    expect(failed.responseBytes).toBeLessThan(4096);
  });

  test('a failing component fails the deployment with Proton\'s message', async () => {
    proton.emulator.faults.failDeployment('broken-bucket', 'Bucket name already exists');
    const report = await proton.deploy(componentApp('BrokenComponent', 'brk', { name: 'broken-bucket' }), 'BrokenComponent');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    expect(report.reason).toMatch(/Proton could not deploy component broken-bucket \(FAILED\): Bucket name already exists/);
  });
});

describe('one request at a time changes a component', () => {
  test('the execution of an update CloudFormation gave up on stops once the rollback took over: the component stays on the rollback\'s template', async () => {
    const assembly = componentApp('CmpAbandoned', 'cab', { name: 'cab-bucket' });
    expect((await proton.deploy(assembly, 'CmpAbandoned')).status).toBe('CREATE_COMPLETE');
    const state = proton.cfn.readState('CmpAbandoned')!;
    const [logicalId, resource] = Object.entries(state.resources).find(([, r]) => r.type === COMPONENT)!;
    const previous = resource.properties;
    const next = { ...previous, TemplateFile: `${previous.TemplateFile}# forward\n` };
    const forward = {
      RequestType: 'Update',
      RequestId: 'forward',
      StackId: state.stackId,
      LogicalResourceId: logicalId,
      ResourceType: COMPONENT,
      PhysicalResourceId: 'cab-bucket',
      ResourceProperties: next,
      OldResourceProperties: previous,
    };
    await proton.onEventOnly('CmpAbandoned', forward);
    const rollback = await proton.cfn.invokeCustomResource(assembly, 'CmpAbandoned', logicalId, {
      RequestType: 'Update', ResourceProperties: previous, OldResourceProperties: next,
    });
    expect(rollback).toMatchObject({ status: 'SUCCEEDED', reason: undefined });
    const deployed = await getComponent('cab-bucket');
    const updatesBefore = proton.emulator.log.count('UpdateComponent');

    await expect(proton.isCompleteOnly('CmpAbandoned', forward)).rejects.toThrow(/a later request \(.+\) has taken charge of it, so request forward stops here/);
    expect(proton.emulator.log.count('UpdateComponent')).toBe(updatesBefore);
    expect(await getComponent('cab-bucket')).toMatchObject({ deploymentStatus: 'SUCCEEDED', lastClientRequestToken: deployed.lastClientRequestToken });
    expect((await proton.destroy('CmpAbandoned')).status).toBe('DELETE_COMPLETE');
  });

  test('the Delete of a Create CloudFormation gave up on, whose id CloudFormation made up, deletes the component that Create made', async () => {
    const assembly = componentApp('CmpMadeUp', 'cmu', { name: 'cmu-bucket' });
    expect((await proton.deploy(assembly, 'CmpMadeUp')).status).toBe('CREATE_COMPLETE');
    const [logicalId] = Object.entries(proton.cfn.readState('CmpMadeUp')!.resources).find(([, r]) => r.type === COMPONENT)!;
    const del = await proton.cfn.invokeCustomResource(assembly, 'CmpMadeUp', logicalId, { RequestType: 'Delete', PhysicalResourceId: 'CmpMadeUp-Bucket-MADEUP12345' });
    expect(del.status).toBe('SUCCEEDED');
    await expect(proton.client.send(new GetComponentCommand({ name: 'cmu-bucket' }))).rejects.toThrow(/not found/);
    expect((await proton.destroy('CmpMadeUp')).status).toBe('DELETE_COMPLETE');
  });

  test('a Create whose component a later Delete removed does not create it again', async () => {
    const assembly = componentApp('CmpGone', 'cgo', { name: 'cgo-bucket' });
    const report = await proton.deploy(assembly, 'CmpGone');
    expect(report.status).toBe('CREATE_COMPLETE');
    const create = report.resources.find((r) => r.type === COMPONENT && r.action === 'CREATE')!;
    const state = proton.cfn.readState('CmpGone')!;
    const [logicalId, resource] = Object.entries(state.resources).find(([, r]) => r.type === COMPONENT)!;
    // The rollback's Delete removes the component while the Create's execution still polls.
    expect((await proton.cfn.invokeCustomResource(assembly, 'CmpGone', logicalId, { RequestType: 'Delete' })).status).toBe('SUCCEEDED');
    await expect(proton.isCompleteOnly('CmpGone', {
      RequestType: 'Create',
      RequestId: create.requestId,
      StackId: state.stackId,
      LogicalResourceId: logicalId,
      ResourceType: COMPONENT,
      PhysicalResourceId: 'cgo-bucket',
      ResourceProperties: resource.properties,
    })).rejects.toThrow(/^component cgo-bucket is gone: a later request deleted it/);
    await expect(proton.client.send(new GetComponentCommand({ name: 'cgo-bucket' }))).rejects.toThrow(/not found/);
    expect((await proton.destroy('CmpGone')).status).toBe('DELETE_COMPLETE');
  });
});

describe('repositories and sync configs', () => {
  const app = (branch: string, connection = CONNECTION, link: { tags?: Record<string, string>; removalPolicy?: RemovalPolicy } = {}) => synth('Sync', (stack) => {
    const { envTemplate, service } = platform(stack, 'sync');
    const repo = new Repository(stack, 'Repo', {
      provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/proton-templates', connectionArn: connection, removalPolicy: link.removalPolicy,
    });
    Object.entries(link.tags ?? {}).forEach(([key, value]) => Tags.of(repo).add(key, value));
    new TemplateSyncConfig(stack, 'EnvSync', { template: envTemplate, repository: repo, branch, subdirectory: 'vpc-env' });
    new ServiceSyncConfig(stack, 'OrdersSync', { service, repository: repo, branch, filePath: 'proton-ops.yaml' });
  });
  const repositories = async () => ((await proton.client.send(new ListRepositoriesCommand({}))).repositories ?? []).map((r) => r.name);

  test('create links the repository and creates both sync configs; a replayed create links nothing twice', async () => {
    const assembly = app('main');
    const report = await proton.deploy(assembly, 'Sync');
    expect(report.status).toBe('CREATE_COMPLETE');
    const template = await proton.client.send(new GetTemplateSyncConfigCommand({ templateName: 'sync-env', templateType: 'ENVIRONMENT' }));
    expect(template.templateSyncConfig).toMatchObject({ branch: 'main', subdirectory: 'vpc-env', repositoryName: 'my-org/proton-templates' });
    const [logicalId] = Object.entries(proton.cfn.readState('Sync')!.resources).find(([, r]) => r.type === 'Custom::ProtonRepository')!;
    expect((await proton.cfn.invokeCustomResource(assembly, 'Sync', logicalId, { RequestType: 'Create' })).status).toBe('SUCCEEDED');
    expect(await repositories()).toEqual(['my-org/proton-templates']);
  });

  test('a new branch updates both sync configs in place', async () => {
    const report = await proton.deploy(app('release'), 'Sync');
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(proton.emulator.log.count('UpdateTemplateSyncConfig')).toBe(1);
    expect(proton.emulator.log.count('UpdateServiceSyncConfig')).toBe(1);
    const service = await proton.client.send(new GetServiceSyncConfigCommand({ serviceName: 'sync-orders' }));
    expect(service.serviceSyncConfig).toMatchObject({ branch: 'release', filePath: 'proton-ops.yaml' });
  });

  test('a tag or removal policy changed on a link sync configs use is changed in place, never unlinked', async () => {
    const repositoryArn = async () => (await proton.client.send(new GetRepositoryCommand({ provider: 'GITHUB', name: 'my-org/proton-templates' }))).repository!.arn!;
    const userTags = async () => ((await proton.client.send(new ListTagsForResourceCommand({ resourceArn: await repositoryArn() }))).tags ?? [])
      .filter((t) => !t.key!.startsWith('cdk-proton:'));
    expect((await proton.deploy(app('release', CONNECTION, { tags: { team: 'a', cost: 'c1' } }), 'Sync')).status).toBe('UPDATE_COMPLETE');
    expect(await userTags()).toEqual(expect.arrayContaining([{ key: 'team', value: 'a' }, { key: 'cost', value: 'c1' }]));
    expect((await proton.deploy(app('release', CONNECTION, { tags: { team: 'b' }, removalPolicy: RemovalPolicy.RETAIN }), 'Sync')).status)
      .toBe('UPDATE_COMPLETE');
    expect(await userTags()).toEqual([{ key: 'team', value: 'b' }]);
    expect((await proton.deploy(app('release'), 'Sync')).status).toBe('UPDATE_COMPLETE');
    expect(await userTags()).toEqual([]);
    expect(proton.emulator.log.count('DeleteRepository')).toBe(0);
  });

  test('a sync config of another template replaces the old one', async () => {
    const moved = synth('Sync', (stack) => {
      const { service } = platform(stack, 'sync');
      const otherTemplate = new EnvironmentTemplate(stack, 'OtherTemplate', { templateName: 'sync-other-env' });
      const repo = new Repository(stack, 'Repo', {
        provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/proton-templates', connectionArn: CONNECTION,
      });
      new TemplateSyncConfig(stack, 'EnvSync', { template: otherTemplate, repository: repo, branch: 'release', subdirectory: 'vpc-env' });
      new ServiceSyncConfig(stack, 'OrdersSync', { service, repository: repo, branch: 'release', filePath: 'proton-ops.yaml' });
    });
    const report = await proton.deploy(moved, 'Sync');
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(report.resources.filter((r) => r.type === 'Custom::ProtonTemplateSyncConfig').map((r) => `${r.action} ${r.physicalId}`))
      .toEqual(['REPLACE ENVIRONMENT:sync-other-env', 'CLEANUP_DELETE ENVIRONMENT:sync-env']);
    await expect(proton.client.send(new GetTemplateSyncConfigCommand({ templateName: 'sync-env', templateType: 'ENVIRONMENT' }))).rejects.toThrow();
  });

  test('a link that fails to create leaves a link of the same name that is not the stack\'s alone', async () => {
    await proton.client.send(new CreateRepositoryCommand({ provider: 'GITHUB', name: 'my-org/theirs', connectionArn: `${CONNECTION}-theirs` }));
    const report = await proton.deploy(synth('TheirLink', (stack) => {
      new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/theirs', connectionArn: CONNECTION });
    }), 'TheirLink');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    expect(report.reason).toMatch(/IdempotentParameterMismatch/);
    const theirs = await proton.client.send(new GetRepositoryCommand({ provider: 'GITHUB', name: 'my-org/theirs' }));
    expect(theirs.repository?.connectionArn).toBe(`${CONNECTION}-theirs`);
    await proton.client.send(new DeleteRepositoryCommand({ provider: 'GITHUB', name: 'my-org/theirs' }));
  });

  test('destroy removes the sync configs, then the link', async () => {
    expect((await proton.destroy('Sync')).status).toBe('DELETE_COMPLETE');
    expect(await repositories()).toEqual([]);
    await expect(proton.client.send(new GetRepositoryCommand({ provider: 'GITHUB', name: 'my-org/proton-templates' }))).rejects.toThrow();
  });
});
