import * as fs from 'fs';
import * as path from 'path';
import {
  GetAccountSettingsCommand, GetComponentCommand, GetServiceCommand, GetServiceInstanceCommand, ListServiceInstancesCommand, ListServicesCommand,
  ListTagsForResourceCommand, UpdateServiceInstanceCommand, UpdateServicePipelineCommand,
} from '@aws-sdk/client-proton';
import { Stack, Tags } from 'aws-cdk-lib';
import { basePlatform, SERVICE_REPOSITORY, synth, useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import {
  AccountSettings, Component, ComponentManifest, ComponentSource, Environment, EnvironmentTemplate, ProtonServiceRole, Repository,
  RepositoryProvider, Service, ServiceInstance, Spec, TemplateBundle,
} from '../../src';
import { bundleCopy, COMPONENT_DIR, ENV_BUNDLE, SERVICE_BUNDLE } from '../constructs/helpers';

const SERVICE = 'Custom::ProtonService';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 30, deploymentDelayMs: 50, deleteDelayMs: 50 }, (started) => { proton = started; });

interface Options {
  readonly prefix: string;
  readonly instances: Record<string, number>; // instance name -> port
  /** The environment (beta, prod or staging) of an instance: by default the one of its name. */
  readonly environmentOf?: Record<string, string>;
  readonly serviceBundle?: string;
  /** A bundle registered as the template's second major version, which the service then uses. */
  readonly secondMajorBundle?: string;
  readonly unitTest?: string;
}

/** Environments beta and prod (templates named after `prefix`), and a service with the given instances. */
function platform(stack: Stack, options: Options): Service {
  const { envV1, environments: envs, svcTemplate, svcV1 } = basePlatform(stack, {
    prefix: options.prefix, environments: ['beta', 'prod', 'staging'], serviceBundle: options.serviceBundle,
  });
  const svcV2 = options.secondMajorBundle ? svcTemplate.addVersion('V2', {
    bundle: TemplateBundle.fromDirectory(options.secondMajorBundle), compatibleEnvironmentTemplates: [envV1],
  }) : undefined;
  const service = new Service(stack, 'Service', {
    serviceName: `${options.prefix}-orders`,
    templateVersion: svcV2 ?? svcV1,
    pipeline: { spec: Spec.fromObject({ unit_test_command: options.unitTest ?? 'npm test' }) },
    ...SERVICE_REPOSITORY,
  });
  for (const [name, port] of Object.entries(options.instances)) {
    service.addInstance(name, { environment: envs[options.environmentOf?.[name] ?? name], spec: Spec.fromObject({ port }) });
  }
  return service;
}

const deploy = (stackName: string, options: Options, extra: (stack: Stack, service: Service) => void = () => {}) =>
  proton.deploy(synth(stackName, (stack) => extra(stack, platform(stack, options))), stackName);
const instancesOf = async (serviceName: string) =>
  ((await proton.client.send(new ListServiceInstancesCommand({ serviceName }))).serviceInstances ?? []).map((i) => i.name).sort();
const instanceUpdates = () => proton.emulator.log.ofOperation('UpdateServiceInstance').filter((e) => e.status === 200)
  .map((e) => `${e.input.name} ${e.input.deploymentType}`).sort();

describe('service lifecycle', () => {
  const base: Options = { prefix: 'svc', instances: { beta: 8080, prod: 80 } };
  const name = 'svc-orders';
  let createRequestId: string;

  test('create deploys the service, both instances and the pipeline, with the outputs referenced', async () => {
    const report = await deploy('Services', base, (_stack, service) => {
      service.instance('beta').output('Url');
      service.pipelineOutput('PipelineUrl');
    });
    expect(report.status).toBe('CREATE_COMPLETE');
    const created = report.resources.find((r) => r.type === SERVICE && r.action === 'CREATE')!;
    createRequestId = created.requestId!;
    expect(Object.keys(created.attributes!).sort()).toEqual(['Arn', 'Instances.beta.Outputs.Url', 'Pipeline.Outputs.PipelineUrl']);
    const service = (await proton.client.send(new GetServiceCommand({ name }))).service!;
    expect(service.status).toBe('ACTIVE');
    expect(service.pipeline?.deploymentStatus).toBe('SUCCEEDED');
    expect(await instancesOf(name)).toEqual(['beta', 'prod']);
  });

  test('the same create event replayed creates no second service', async () => {
    const state = proton.cfn.readState('Services')!;
    const [logicalId] = Object.entries(state.resources).find(([, r]) => r.type === SERVICE)!;
    const assembly = synth('Services', (stack) => platform(stack, base));
    const replay = await proton.cfn.invokeCustomResource(assembly, 'Services', logicalId, { RequestType: 'Create', RequestId: createRequestId });
    expect(replay.status).toBe('SUCCEEDED');
    const services = (await proton.client.send(new ListServicesCommand({}))).services!.filter((s) => s.name === name);
    expect(services).toHaveLength(1);
  });

  test('an instance added is created with UpdateService', async () => {
    const report = await deploy('Services', { ...base, instances: { ...base.instances, staging: 8081 } });
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(proton.emulator.log.count('UpdateService')).toBeGreaterThanOrEqual(1);
    expect(await instancesOf(name)).toEqual(['beta', 'prod', 'staging']);
    expect(instanceUpdates()).toEqual([]);
  });

  test('an instance removed is deleted with UpdateService', async () => {
    const report = await deploy('Services', base);
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(await instancesOf(name)).toEqual(['beta', 'prod']);
  });

  test('one instance\'s new spec redeploys only that instance (CURRENT_VERSION)', async () => {
    const report = await deploy('Services', { ...base, instances: { beta: 9090, prod: 80 } });
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(instanceUpdates()).toEqual(['beta CURRENT_VERSION']);
    expect(proton.emulator.log.count('UpdateServicePipeline')).toBe(0);
  });

  test('a new minor version of the template moves every instance and the pipeline (MINOR_VERSION)', async () => {
    const bundle = bundleCopy((d) => fs.appendFileSync(path.join(d, 'instance_infrastructure', 'cloudformation.yaml'), '# 1.1\n'), SERVICE_BUNDLE);
    const report = await deploy('Services', { ...base, instances: { beta: 9090, prod: 80 }, serviceBundle: bundle });
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(instanceUpdates()).toEqual(['beta MINOR_VERSION', 'prod MINOR_VERSION']);
    expect(proton.emulator.log.ofOperation('UpdateServicePipeline').filter((e) => e.status === 200).map((e) => e.input.deploymentType))
      .toEqual(['MINOR_VERSION']);
    const beta = (await proton.client.send(new GetServiceInstanceCommand({ name: 'beta', serviceName: name }))).serviceInstance!;
    expect(beta.templateMinorVersion).toBe('1');
  });

  test('destroy deletes the service, its instances and pipeline, then the environments and templates', async () => {
    const report = await proton.destroy('Services');
    expect(report.status).toBe('DELETE_COMPLETE');
    await expect(proton.client.send(new GetServiceCommand({ name }))).rejects.toThrow();
  });
});

describe('service failures', () => {
  test('a failing instance fails the deployment with Proton\'s message for it', async () => {
    proton.emulator.faults.failDeployment('fail-orders/beta', 'ECS service did not stabilize');
    const report = await deploy('FailingService', { prefix: 'fail', instances: { beta: 8080 } });
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    const failed = report.resources.find((r) => r.type === SERVICE && r.status === 'FAILED')!;
    expect(failed.reason).toMatch(/^Proton could not create service fail-orders \(CREATE_FAILED\): .*instance beta: ECS service did not stabilize/);
    expect(failed.responseBytes).toBeLessThan(4096);
  });

  test('an instance deployment already in progress is waited out, and deleting a service already gone succeeds', async () => {
    const options: Options = { prefix: 'busy', instances: { beta: 8080 } };
    expect((await deploy('BusyService', options)).status).toBe('CREATE_COMPLETE');
    proton.emulator.timing.deploymentDelayMs = 1500;
    await proton.client.send(new UpdateServiceInstanceCommand({
      name: 'beta',
      serviceName: 'busy-orders',
      deploymentType: 'CURRENT_VERSION',
      spec: 'proton: ServiceSpec\ninstances:\n  - name: beta\n    environment: busy-beta\n    spec:\n      port: 7070\n',
    }));
    proton.emulator.timing.deploymentDelayMs = 50;
    expect((await deploy('BusyService', { ...options, instances: { beta: 9090 } })).status).toBe('UPDATE_COMPLETE');
    // The stack's deployment was sent once the other one had ended: none was refused or failed.
    const ours = proton.emulator.log.ofOperation('UpdateServiceInstance').filter((e) => String(e.input.spec).includes('9090'));
    expect(ours.map((e) => e.status)).toEqual([200]);
    const beta = (await proton.client.send(new GetServiceInstanceCommand({ name: 'beta', serviceName: 'busy-orders' }))).serviceInstance!;
    expect(beta).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('9090') });

    const state = proton.cfn.readState('BusyService')!;
    const [logicalId] = Object.entries(state.resources).find(([, r]) => r.type === SERVICE)!;
    const assembly = synth('BusyService', (stack) => platform(stack, { ...options, instances: { beta: 9090 } }));
    const first = await proton.cfn.invokeCustomResource(assembly, 'BusyService', logicalId, { RequestType: 'Delete' });
    const second = await proton.cfn.invokeCustomResource(assembly, 'BusyService', logicalId, { RequestType: 'Delete' });
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    await expect(proton.client.send(new GetServiceCommand({ name: 'busy-orders' }))).rejects.toThrow();
    expect((await proton.destroy('BusyService')).status).toBe('DELETE_COMPLETE');
  });

  test('a rollback deploys the previous instance spec again', async () => {
    const build = (port: number, otherBundle: string) => synth('SvcRollback', (stack) => {
      const service = platform(stack, { prefix: 'rb', instances: { beta: port } });
      // A template whose new version Proton refuses fails the update after the service moved.
      const other = new EnvironmentTemplate(stack, 'Other', { templateName: 'rb-other' });
      other.addVersion('V1', { bundle: TemplateBundle.fromDirectory(otherBundle) }).node.addDependency(service);
    });
    expect((await proton.deploy(build(8080, ENV_BUNDLE), 'SvcRollback')).status).toBe('CREATE_COMPLETE');
    proton.emulator.faults.failRegistration('rb-other', 'schema is not backward compatible');
    proton.emulator.log.clear();
    const changed = bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# changed\n'));
    const report = await proton.deploy(build(9090, changed), 'SvcRollback');
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.resources.filter((r) => r.type === SERVICE).map((r) => `${r.action} ${r.status}`)).toEqual(['UPDATE SUCCEEDED', 'ROLLBACK_UPDATE SUCCEEDED']);
    expect(instanceUpdates()).toEqual(['beta CURRENT_VERSION', 'beta CURRENT_VERSION']);
    const beta = (await proton.client.send(new GetServiceInstanceCommand({ name: 'beta', serviceName: 'rb-orders' }))).serviceInstance!;
    expect(beta).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('8080') });
    expect((await proton.destroy('SvcRollback')).status).toBe('DELETE_COMPLETE');
  });

  test('a rollback after CloudFormation stopped waiting cancels the running instance and pipeline deployments', async () => {
    const options: Options = { prefix: 'stuck', instances: { beta: 8080 } };
    const assembly = synth('StuckService', (stack) => platform(stack, options));
    expect((await proton.deploy(assembly, 'StuckService')).status).toBe('CREATE_COMPLETE');
    const [logicalId, resource] = Object.entries(proton.cfn.readState('StuckService')!.resources).find(([, r]) => r.type === SERVICE)!;
    const previous = resource.properties;
    const next = JSON.parse(JSON.stringify(previous).replace(/port: 8080/g, 'port: 9090').replace(/npm test/g, 'npm run ci'));

    // The forward update's isComplete had started both deployments when CloudFormation stopped waiting for it.
    proton.emulator.timing.deploymentDelayMs = 60_000;
    await proton.client.send(new UpdateServiceInstanceCommand({
      name: 'beta', serviceName: 'stuck-orders', deploymentType: 'CURRENT_VERSION', spec: next.Instances[0].Spec,
    }));
    await proton.client.send(new UpdateServicePipelineCommand({ serviceName: 'stuck-orders', deploymentType: 'CURRENT_VERSION', spec: next.PipelineSpec }));
    proton.emulator.timing.deploymentDelayMs = 50;

    const rollback = await proton.cfn.invokeCustomResource(assembly, 'StuckService', logicalId, {
      RequestType: 'Update', ResourceProperties: previous, OldResourceProperties: next,
    });
    expect(rollback.status).toBe('SUCCEEDED');
    expect(proton.emulator.log.count('CancelServiceInstanceDeployment')).toBe(1);
    expect(proton.emulator.log.count('CancelServicePipelineDeployment')).toBe(1);
    const beta = (await proton.client.send(new GetServiceInstanceCommand({ name: 'beta', serviceName: 'stuck-orders' }))).serviceInstance!;
    expect(beta).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('8080') });
    const pipeline = (await proton.client.send(new GetServiceCommand({ name: 'stuck-orders' }))).service!.pipeline!;
    expect(pipeline).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('npm test') });
    expect((await proton.destroy('StuckService')).status).toBe('DELETE_COMPLETE');
  });

  test('the execution of an update CloudFormation gave up on stops once the rollback took over: the instance the rollback added back stays', async () => {
    const options: Options = { prefix: 'aband', instances: { beta: 8080, prod: 80 } };
    const assembly = synth('AbandonedService', (stack) => platform(stack, options));
    expect((await proton.deploy(assembly, 'AbandonedService')).status).toBe('CREATE_COMPLETE');
    const state = proton.cfn.readState('AbandonedService')!;
    const [logicalId, resource] = Object.entries(state.resources).find(([, r]) => r.type === SERVICE)!;
    const previous = resource.properties;
    const next = { ...previous, Instances: previous.Instances.filter((i: any) => i.Name !== 'prod') };
    const forward = {
      RequestType: 'Update',
      RequestId: 'forward',
      StackId: state.stackId,
      LogicalResourceId: logicalId,
      ResourceType: SERVICE,
      PhysicalResourceId: 'aband-orders',
      ResourceProperties: next,
      OldResourceProperties: previous,
    };

    // The forward update starts removing prod; CloudFormation stops waiting for it and rolls back, which adds prod again.
    await proton.onEventOnly('AbandonedService', forward);
    expect(await proton.isCompleteOnly('AbandonedService', forward)).toEqual({ IsComplete: false });
    const rollback = await proton.cfn.invokeCustomResource(assembly, 'AbandonedService', logicalId, {
      RequestType: 'Update', ResourceProperties: previous, OldResourceProperties: next,
    });
    expect(rollback).toMatchObject({ status: 'SUCCEEDED', reason: undefined });
    expect(await instancesOf('aband-orders')).toEqual(['beta', 'prod']);
    const updatesBefore = proton.emulator.log.count('UpdateService');

    // The forward request's execution polls once more: it must not remove prod again.
    await expect(proton.isCompleteOnly('AbandonedService', forward)).rejects.toThrow(/a later request \(.+\) has taken charge of it, so request forward stops here/);
    expect(proton.emulator.log.count('UpdateService')).toBe(updatesBefore);
    expect(await instancesOf('aband-orders')).toEqual(['beta', 'prod']);
    expect((await proton.destroy('AbandonedService')).status).toBe('DELETE_COMPLETE');
  });

  test('an added instance that fails to deploy is removed again by the rollback, and the same update succeeds once the cause is fixed', async () => {
    const options: Options = { prefix: 'wedge', instances: { beta: 8080 } };
    expect((await deploy('WedgedService', options)).status).toBe('CREATE_COMPLETE');
    proton.emulator.faults.failDeployment('wedge-orders/prod', 'ECS service did not stabilize', 1);
    const grown: Options = { ...options, instances: { beta: 8080, prod: 80 } };
    const report = await deploy('WedgedService', grown);
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.resources.filter((r) => r.type === SERVICE).map((r) => `${r.action} ${r.status}`)).toEqual(['UPDATE FAILED', 'ROLLBACK_UPDATE SUCCEEDED']);
    const failed = report.resources.find((r) => r.type === SERVICE && r.action === 'UPDATE')!;
    expect(failed.reason).toMatch(/^Proton could not deploy instance prod of service wedge-orders: ECS service did not stabilize/);
    expect(await instancesOf('wedge-orders')).toEqual(['beta']);
    expect((await proton.client.send(new GetServiceCommand({ name: 'wedge-orders' }))).service!.status).toBe('ACTIVE');

    // Retried once the cause is fixed, the same update succeeds.
    expect((await deploy('WedgedService', grown)).status).toBe('UPDATE_COMPLETE');
    expect(await instancesOf('wedge-orders')).toEqual(['beta', 'prod']);
    expect((await proton.destroy('WedgedService')).status).toBe('DELETE_COMPLETE');
  });

  test('a removal Proton fails is reported with its message, and retried by the next update once the cause is fixed', async () => {
    const options: Options = { prefix: 'cleanup', instances: { beta: 8080, prod: 80 } };
    expect((await deploy('CleanupService', options)).status).toBe('CREATE_COMPLETE');
    proton.emulator.faults.failDeletion('cleanup-orders/prod', 'the load balancer is still in use', 1);
    const shrunk: Options = { ...options, instances: { beta: 8080 } };
    const report = await deploy('CleanupService', shrunk);
    const failed = report.resources.find((r) => r.type === SERVICE && r.action === 'UPDATE')!;
    expect(failed).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^Proton could not remove instance prod of service cleanup-orders: .*the load balancer is still in use/) });
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect((await deploy('CleanupService', shrunk)).status).toBe('UPDATE_COMPLETE');
    expect(await instancesOf('cleanup-orders')).toEqual(['beta']);
    expect((await proton.destroy('CleanupService')).status).toBe('DELETE_COMPLETE');
  });

  test('an instance moved to another environment fails the update naming the instance and the fix: Proton cannot move an instance', async () => {
    const options: Options = { prefix: 'move', instances: { beta: 8080 } };
    expect((await deploy('MovedService', options)).status).toBe('CREATE_COMPLETE');
    proton.emulator.log.clear();
    const report = await deploy('MovedService', { ...options, environmentOf: { beta: 'staging' } });
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const failed = report.resources.find((r) => r.type === SERVICE && r.action === 'UPDATE')!;
    expect(failed.reason).toMatch(/^service move-orders: instance beta runs in environment move-beta and the stack moves it to move-staging, which Proton cannot do: give the instance a new name/);
    // Nothing was deployed: the instance still runs where it ran, and the old environment is not left behind on destroy.
    expect(proton.emulator.log.entries.filter((e) => e.operation.startsWith('Update') && e.operation.includes('Service'))).toEqual([]);
    expect((await proton.destroy('MovedService')).status).toBe('DELETE_COMPLETE');
  });

  test('an instance removed together with its component: the service detaches the component first, and cleanup deletes it', async () => {
    const build = (withComponent: boolean) => synth('InstanceComponent', (stack) => {
      const { environments: { beta: env }, svcV1 } = basePlatform(stack, {
        prefix: 'ic', environments: ['beta'], componentRole: true, componentSources: [ComponentSource.DIRECTLY_DEFINED],
      });
      const service = new Service(stack, 'Service', {
        serviceName: 'ic-orders',
        templateVersion: svcV1,
        ...SERVICE_REPOSITORY,
        instances: [{ name: 'beta', environment: env }, ...(withComponent ? [{ name: 'extra', environment: env }] : [])],
      });
      if (withComponent) {
        new Component(stack, 'Bucket', {
          componentName: 'ic-bucket',
          serviceInstance: service.instance('extra'),
          manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
          templateFile: path.join(COMPONENT_DIR, 'cloudformation.yaml'),
        });
      }
    });
    expect((await proton.deploy(build(true), 'InstanceComponent')).status).toBe('CREATE_COMPLETE');
    const started = Date.now();
    const report = await proton.deploy(build(false), 'InstanceComponent');
    expect(report.resources.filter((r) => r.status === 'FAILED').map((r) => r.reason)).toEqual([]);
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await instancesOf('ic-orders')).toEqual(['beta']);
    await expect(proton.client.send(new GetComponentCommand({ name: 'ic-bucket' }))).rejects.toThrow(/not found/);
    const detach = proton.emulator.log.ofOperation('UpdateComponent').find((e) => e.status === 200)!;
    expect(detach.input).toMatchObject({ name: 'ic-bucket', serviceName: '', serviceInstanceName: '' });
    expect((await proton.destroy('InstanceComponent')).status).toBe('DELETE_COMPLETE');
  });

  test('the rollback of a major version upgrade fails saying what to do: Proton deploys only a higher major version', async () => {
    const v2 = bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# v2\n'), SERVICE_BUNDLE);
    const build = (options: Options, failing: boolean) => synth('SvcMajorBack', (stack) => {
      const service = platform(stack, options);
      // Fails once the instance and the pipeline have moved to major version 2: CloudFormation rolls the service back to 1.
      if (failing) {
        new EnvironmentTemplate(stack, 'Other', { templateName: 'mb-other' })
          .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) }).node.addDependency(service);
      }
    });
    const options: Options = { prefix: 'mb', instances: { beta: 8080 } };
    expect((await proton.deploy(build(options, false), 'SvcMajorBack')).status).toBe('CREATE_COMPLETE');
    proton.emulator.faults.failRegistration('mb-other', 'schema is not valid');
    const report = await proton.deploy(build({ ...options, secondMajorBundle: v2 }, true), 'SvcMajorBack');
    expect(report.status).toBe('UPDATE_ROLLBACK_FAILED');
    expect(report.resources.filter((r) => r.type === SERVICE).map((r) => `${r.action} ${r.status}`)).toEqual(['UPDATE SUCCEEDED', 'ROLLBACK_UPDATE FAILED']);
    const rollback = report.resources.find((r) => r.type === SERVICE && r.action === 'ROLLBACK_UPDATE')!;
    expect(rollback.reason).toMatch(/^instance beta of service mb-orders runs major version 2 and Proton deploys only a higher major version, so it cannot go back to 1\. /);
    expect(rollback.reason).toContain('continue-update-rollback');
    // No request Proton would refuse was sent; the instance and the pipeline are where the failed update left them.
    expect(proton.emulator.log.entries.filter((e) => e.operation.startsWith('UpdateService') && e.error)).toEqual([]);
    const beta = (await proton.client.send(new GetServiceInstanceCommand({ name: 'beta', serviceName: 'mb-orders' }))).serviceInstance!;
    expect(beta).toMatchObject({ templateMajorVersion: '2', deploymentStatus: 'SUCCEEDED' });
    expect((await proton.client.send(new GetServiceCommand({ name: 'mb-orders' }))).service!.pipeline).toMatchObject({ templateMajorVersion: '2' });
  });

  test('tags are changed in place: TagResource for new values, UntagResource for keys removed', async () => {
    const options: Options = { prefix: 'tag', instances: { beta: 8080 } };
    const tagged = (tags: Record<string, string>) => (_stack: Stack, service: Service) =>
      Object.entries(tags).forEach(([key, value]) => Tags.of(service).add(key, value));
    expect((await deploy('TaggedService', options, tagged({ team: 'a', cost: 'c1' }))).status).toBe('CREATE_COMPLETE');
    proton.emulator.log.clear();
    expect((await deploy('TaggedService', options, tagged({ team: 'b' }))).status).toBe('UPDATE_COMPLETE');
    expect(proton.emulator.log.ofOperation('UntagResource').map((e) => e.input.tagKeys)).toEqual([['cost']]);
    const userTags = (tags: any) => tags.filter((t: any) => !t.key.startsWith('cdk-proton:'));
    expect(proton.emulator.log.ofOperation('TagResource').map((e) => userTags(e.input.tags)).filter((t) => t.length > 0)).toEqual([[{ key: 'team', value: 'b' }]]);
    const arn = (await proton.client.send(new GetServiceCommand({ name: 'tag-orders' }))).service!.arn!;
    const tags = (await proton.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags!;
    // Besides the stack's tags, the ones that say which CloudFormation resource created the service and which request last changed it.
    expect(tags.filter((t) => !t.key!.startsWith('cdk-proton:'))).toEqual([{ key: 'team', value: 'b' }]);
    expect(tags.find((t) => t.key === 'cdk-proton:owner')?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(tags.find((t) => t.key === 'cdk-proton:request')?.value).toEqual(expect.any(String));
    expect((await proton.destroy('TaggedService')).status).toBe('DELETE_COMPLETE');
  });

  test('with 30% of calls throttled, create, update and destroy still succeed', async () => {
    proton.emulator.faults.throttleFraction = 0.3;
    const options: Options = { prefix: 'thr', instances: { beta: 8080 } };
    expect((await deploy('ThrottledService', options)).status).toBe('CREATE_COMPLETE');
    expect((await deploy('ThrottledService', { ...options, instances: { beta: 8081 } })).status).toBe('UPDATE_COMPLETE');
    expect((await proton.destroy('ThrottledService')).status).toBe('DELETE_COMPLETE');
    expect(proton.emulator.log.entries.filter((e) => e.error === 'ThrottlingException').length).toBeGreaterThan(0);
  });
});

describe('instances in other stacks, and account settings', () => {
  test('a ServiceInstance adds an instance to a service of another stack and removes it on delete', async () => {
    expect((await deploy('Owner', { prefix: 'own', instances: { beta: 8080 } })).status).toBe('CREATE_COMPLETE');
    const assembly = synth('Extra', (stack) => {
      new ServiceInstance(stack, 'Prod', {
        service: Service.fromServiceName(stack, 'Orders', 'own-orders'),
        name: 'prod',
        environment: Environment.fromEnvironmentName(stack, 'ProdEnv', 'own-prod'),
        spec: Spec.fromObject({ port: 443 }),
      }).output('Url');
    });
    expect((await proton.deploy(assembly, 'Extra')).status).toBe('CREATE_COMPLETE');
    expect(await instancesOf('own-orders')).toEqual(['beta', 'prod']);
    // Redeploying the owner stack leaves the instance it did not declare alone.
    expect((await deploy('Owner', { prefix: 'own', instances: { beta: 8082 } })).status).toBe('UPDATE_COMPLETE');
    expect(await instancesOf('own-orders')).toEqual(['beta', 'prod']);
    expect((await proton.destroy('Extra')).status).toBe('DELETE_COMPLETE');
    expect(await instancesOf('own-orders')).toEqual(['beta']);
    expect((await proton.destroy('Owner')).status).toBe('DELETE_COMPLETE');
  });

  test('account settings are set, and restored to what was found on delete; a Create delivered again names the same settings', async () => {
    const settings = async () => (await proton.client.send(new GetAccountSettingsCommand({}))).accountSettings ?? {};
    const before = await settings();
    const assembly = synth('Settings', (stack) => {
      // Proton takes only a linked repository.
      const repo = new Repository(stack, 'Pipelines', {
        provider: RepositoryProvider.GITHUB,
        repositoryName: 'my-org/pipelines',
        connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc',
      });
      new AccountSettings(stack, 'Settings', {
        pipelineServiceRole: new ProtonServiceRole(stack, 'PipelineRole'),
        pipelineProvisioningRepository: repo.branch('main'),
      }).node.addDependency(repo);
    });
    const report = await proton.deploy(assembly, 'Settings');
    expect(report.status).toBe('CREATE_COMPLETE');
    const applied = { pipelineServiceRoleArn: expect.stringContaining(':role/'), pipelineProvisioningRepository: expect.objectContaining({ name: 'my-org/pipelines' }) };
    expect(await settings()).toMatchObject(applied);

    // CloudFormation delivers a Create again, with the same RequestId, when the framework failed after our onEvent had
    // run (its wait never started): the second delivery names the same settings, found before the first one.
    const [logicalId, resource] = Object.entries(proton.cfn.readState('Settings')!.resources).find(([, r]) => r.type === 'Custom::ProtonAccountSettings')!;
    const created = report.resources.find((r) => r.logicalId === logicalId && r.action === 'CREATE')!;
    expect((await proton.cfn.invokeCustomResource(assembly, 'Settings', logicalId, { RequestType: 'Delete' })).status).toBe('SUCCEEDED');
    const first = await proton.onEventOnly('Settings', {
      RequestType: 'Create',
      RequestId: 'settings-redelivered',
      StackId: proton.cfn.readState('Settings')!.stackId,
      LogicalResourceId: logicalId,
      ResourceType: 'Custom::ProtonAccountSettings',
      ResourceProperties: resource.properties,
    }) as { PhysicalResourceId: string };
    const again = await proton.cfn.invokeCustomResource(assembly, 'Settings', logicalId, { RequestType: 'Create', RequestId: 'settings-redelivered' });
    expect(again.status).toBe('SUCCEEDED');
    expect(again.physicalId).toBe(first.PhysicalResourceId);
    expect(again.physicalId).toBe(created.physicalId);
    expect(await settings()).toMatchObject(applied);

    expect((await proton.destroy('Settings')).status).toBe('DELETE_COMPLETE');
    const after = await settings();
    expect(after.pipelineServiceRoleArn ?? '').toBe(before.pipelineServiceRoleArn ?? '');
    expect(after.pipelineProvisioningRepository).toEqual(before.pipelineProvisioningRepository);
  });
});
