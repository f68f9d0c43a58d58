import {
  CancelServiceInstanceDeploymentCommand, GetServiceInstanceCommand, ListServiceInstancesCommand, ListTagsForResourceCommand,
} from '@aws-sdk/client-proton';
import { Stack, Tags } from 'aws-cdk-lib';
import { basePlatform, SERVICE_REPOSITORY, synth, useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import { Environment, Service, ServiceInstance, Spec } from '../../src';

const INSTANCE = 'Custom::ProtonServiceInstance';
const SERVICE_NAME = 'si-orders';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 30, deploymentDelayMs: 50, deleteDelayMs: 50 }, async (started) => {
  proton = started;
  // The service the standalone instances join, with environments beta, prod and staging.
  const owner = synth('SiOwner', (stack) => {
    const { environments, svcV1 } = basePlatform(stack, { prefix: 'si', environments: ['beta', 'prod', 'staging'] });
    new Service(stack, 'Service', {
      serviceName: SERVICE_NAME,
      templateVersion: svcV1,
      pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
      ...SERVICE_REPOSITORY,
      instances: [{ name: 'beta', environment: environments.beta, spec: Spec.fromObject({ port: 8080 }) }],
    });
  });
  const report = await proton.deploy(owner, 'SiOwner');
  if (report.status !== 'CREATE_COMPLETE') throw new Error(`the owner stack failed: ${report.reason}`);
}, () => {
  proton.emulator.timing.deploymentDelayMs = 50;
});

interface InstanceOptions {
  readonly name?: string;
  readonly port?: number;
  readonly tags?: Record<string, string>;
  readonly outputs?: string[];
}

/** A stack with one standalone instance of the owner's service. */
const instanceApp = (stackName: string, options: InstanceOptions = {}) => synth(stackName, (stack: Stack) => {
  const name = options.name ?? 'prod';
  const instance = new ServiceInstance(stack, 'Instance', {
    service: Service.fromServiceName(stack, 'Orders', SERVICE_NAME),
    name,
    environment: Environment.fromEnvironmentName(stack, 'Env', `si-${name}`),
    spec: Spec.fromObject({ port: options.port ?? 443 }),
  });
  Object.entries(options.tags ?? {}).forEach(([key, value]) => Tags.of(instance).add(key, value));
  (options.outputs ?? ['Url']).forEach((key) => instance.output(key));
});

const getInstance = async (name: string) =>
  (await proton.client.send(new GetServiceInstanceCommand({ name, serviceName: SERVICE_NAME }))).serviceInstance!;
const instanceNames = async () =>
  ((await proton.client.send(new ListServiceInstancesCommand({ serviceName: SERVICE_NAME }))).serviceInstances ?? []).map((i) => i.name).sort();
/** The user's tags of a resource: without cdk-proton's own (cdk-proton:request, which request last changed it). */
const userTags = (tags: Array<{ key?: string; value?: string }>) => tags.filter((t) => !t.key!.startsWith('cdk-proton:'));
const tagsOf = async (arn: string) => userTags((await proton.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? []);

/** Resolves once `check` holds (polled every 20 ms). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('standalone service instance', () => {
  test('create adds the instance to the service with its tags and returns its output', async () => {
    const report = await proton.deploy(instanceApp('SiProd', { tags: { team: 'a', cost: 'c1' } }), 'SiProd');
    expect(report.status).toBe('CREATE_COMPLETE');
    expect(report.resources.find((r) => r.type === INSTANCE)!.attributes!['Outputs.Url']).toEqual(expect.any(String));
    expect(await instanceNames()).toEqual(['beta', 'prod']);
    const tags = await tagsOf((await getInstance('prod')).arn!);
    expect(tags.sort((a, b) => a.key!.localeCompare(b.key!))).toEqual([{ key: 'cost', value: 'c1' }, { key: 'team', value: 'a' }]);
  });

  test('tag changes are applied on update: TagResource for new values, UntagResource for keys removed', async () => {
    const report = await proton.deploy(instanceApp('SiProd', { tags: { team: 'b' } }), 'SiProd');
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(proton.emulator.log.ofOperation('UntagResource').map((e) => e.input.tagKeys)).toEqual([['cost']]);
    expect(proton.emulator.log.ofOperation('TagResource').map((e) => userTags(e.input.tags as any[])).filter((t) => t.length > 0))
      .toEqual([[{ key: 'team', value: 'b' }]]);
    expect(await tagsOf((await getInstance('prod')).arn!)).toEqual([{ key: 'team', value: 'b' }]);
  });

  test('a deployment cancelled while isComplete waits for it ends the wait at once (no Get calls for the waiter\'s whole wait)', async () => {
    proton.emulator.timing.deploymentDelayMs = 30_000;
    const deploying = proton.deploy(instanceApp('SiProd', { port: 444, tags: { team: 'b' } }), 'SiProd');
    await until(async () => (await getInstance('prod')).deploymentStatus === 'IN_PROGRESS');
    proton.emulator.timing.deploymentDelayMs = 50;
    // Cancelled once the next isComplete waits for the deployment.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const cancelled = Date.now();
    await proton.client.send(new CancelServiceInstanceDeploymentCommand({ serviceName: SERVICE_NAME, serviceInstanceName: 'prod' }));
    await deploying;
    // The handler acted on CANCELLED (deployed again) well within the 60 s one isComplete waits at most.
    const next = proton.emulator.log.ofOperation('UpdateServiceInstance').find((e) => e.at.getTime() > cancelled);
    expect(next && next.at.getTime() - cancelled).toBeLessThan(15_000);
  });

  test('a redeploy after CANCELLED within one request carries a client token of its own and deploys the stack\'s spec', async () => {
    proton.emulator.timing.deploymentDelayMs = 30_000;
    const deploying = proton.deploy(instanceApp('SiProd', { port: 445, tags: { team: 'b' } }), 'SiProd');
    await until(async () => (await getInstance('prod')).deploymentStatus === 'IN_PROGRESS');
    proton.emulator.timing.deploymentDelayMs = 50;
    await proton.client.send(new CancelServiceInstanceDeploymentCommand({ serviceName: SERVICE_NAME, serviceInstanceName: 'prod' }));
    const report = await deploying;
    expect(report.status).toBe('UPDATE_COMPLETE');
    const updates = proton.emulator.log.ofOperation('UpdateServiceInstance').filter((e) => e.status === 200);
    expect(updates).toHaveLength(2);
    expect(new Set(updates.map((e) => e.input.clientToken)).size).toBe(2);
    expect(await getInstance('prod')).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('445') });
  });

  test('outputs too large for CloudFormation\'s response fail the instance naming it and the outputs', async () => {
    const big = Object.fromEntries(['A', 'B', 'C', 'D'].map((key) => [key, key.repeat(1000)]));
    proton.emulator.faults.setOutputs(`${SERVICE_NAME}/staging`, big);
    const report = await proton.deploy(instanceApp('SiBig', { name: 'staging', outputs: Object.keys(big) }), 'SiBig');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    const failed = report.resources.find((r) => r.type === INSTANCE && r.status === 'FAILED')!;
    expect(failed.reason).toMatch(/the outputs of instance staging of service si-orders the app references take \d+ bytes, more than fit in CloudFormation's 4096-byte response: reference fewer outputs \(A, B, C, D\)/);
    expect(failed.responseBytes).toBeLessThan(4096);
    expect(await instanceNames()).toEqual(['beta', 'prod']);
  });

  test('an instance whose removal ends DELETE_FAILED fails the delete with Proton\'s message, without removing it again and again', async () => {
    proton.emulator.faults.failDeletion(`${SERVICE_NAME}/prod`, 'log group is protected');
    const report = await proton.destroy('SiProd');
    expect(report.status).toBe('DELETE_FAILED');
    const failed = report.resources.find((r) => r.type === INSTANCE && r.status === 'FAILED')!;
    expect(failed.reason).toMatch(/Proton could not delete instance prod of service si-orders: .*log group is protected/);
    expect(proton.emulator.log.count('UpdateService')).toBe(1);
    expect((await getInstance('prod')).deploymentStatus).toBe('DELETE_FAILED');
    // Once the cause is fixed, deleting again removes it (and the service is ACTIVE again).
    proton.emulator.faults.clear();
    expect((await proton.destroy('SiProd')).status).toBe('DELETE_COMPLETE');
    expect(await instanceNames()).toEqual(['beta']);
  });
});

describe('one request at a time changes a standalone instance', () => {
  test('the Delete of a Create CloudFormation gave up on, whose id CloudFormation made up, removes the instance that Create added', async () => {
    const assembly = instanceApp('SiMadeUp', { name: 'staging' });
    expect((await proton.deploy(assembly, 'SiMadeUp')).status).toBe('CREATE_COMPLETE');
    const [logicalId] = Object.entries(proton.cfn.readState('SiMadeUp')!.resources).find(([, r]) => r.type === INSTANCE)!;
    const del = await proton.cfn.invokeCustomResource(assembly, 'SiMadeUp', logicalId, { RequestType: 'Delete', PhysicalResourceId: 'SiMadeUp-Instance-MADEUP12345' });
    expect(del.status).toBe('SUCCEEDED');
    expect(await instanceNames()).toEqual(['beta']);
    expect((await proton.destroy('SiMadeUp')).status).toBe('DELETE_COMPLETE');
  });

  test('a Create whose instance a later Delete removed does not add it again', async () => {
    const assembly = instanceApp('SiGone', { name: 'staging' });
    const report = await proton.deploy(assembly, 'SiGone');
    expect(report.resources.filter((r) => r.status === 'FAILED').map((r) => r.reason)).toEqual([]);
    const create = report.resources.find((r) => r.type === INSTANCE && r.action === 'CREATE')!;
    const state = proton.cfn.readState('SiGone')!;
    const [logicalId, resource] = Object.entries(state.resources).find(([, r]) => r.type === INSTANCE)!;
    // The rollback's Delete removes the instance while the Create's execution still polls.
    expect((await proton.cfn.invokeCustomResource(assembly, 'SiGone', logicalId, { RequestType: 'Delete' })).status).toBe('SUCCEEDED');
    expect(await instanceNames()).toEqual(['beta']);
    await expect(proton.isCompleteOnly('SiGone', {
      RequestType: 'Create',
      RequestId: create.requestId,
      StackId: state.stackId,
      LogicalResourceId: logicalId,
      ResourceType: INSTANCE,
      PhysicalResourceId: `${SERVICE_NAME}/staging`,
      ResourceProperties: resource.properties,
    })).rejects.toThrow(/^instance staging of service si-orders is gone: a later request deleted it/);
    expect(await instanceNames()).toEqual(['beta']);
    expect((await proton.destroy('SiGone')).status).toBe('DELETE_COMPLETE');
  });
});
