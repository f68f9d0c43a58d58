import {
  GetServiceInstanceCommand, ListServiceInstancesCommand, ListTagsForResourceCommand,
} from '@aws-sdk/client-proton';
import { Stack, Tags } from 'aws-cdk-lib';
import { synth } from './helpers';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Service, ServiceInstance, ServiceTemplate, Spec, TemplateBundle } from '../../src';
import { ENV_BUNDLE, SERVICE_BUNDLE } from '../constructs/helpers';
import { LocalProton } from '../harness/local-proton';

const INSTANCE = 'Custom::ProtonServiceInstance';
const SERVICE_NAME = 'si-orders';
const REPO = { repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc', repositoryId: 'my-org/orders', branchName: 'main' };

let proton: LocalProton;
beforeAll(async () => {
  proton = await LocalProton.start({ registrationDelayMs: 30, deploymentDelayMs: 50, deleteDelayMs: 50 });
  // The service the standalone instances join, with environments beta, prod and staging.
  const owner = synth('SiOwner', (stack) => {
    const envTemplate = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: 'si-env' });
    const envV1 = envTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    const role = new ProtonServiceRole(stack, 'ProtonRole');
    const envs = ['beta', 'prod', 'staging'].map((name) => new Environment(stack, `Env-${name}`, {
      environmentName: `si-${name}`, templateVersion: envV1, spec: Spec.fromObject({}), protonServiceRole: role,
    }));
    const svcTemplate = new ServiceTemplate(stack, 'SvcTemplate', { templateName: 'si-svc' });
    const svcV1 = svcTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: [envV1] });
    new Service(stack, 'Service', {
      serviceName: SERVICE_NAME,
      templateVersion: svcV1,
      pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
      ...REPO,
      instances: [{ name: 'beta', environment: envs[0], spec: Spec.fromObject({ port: 8080 }) }],
    });
  });
  const report = await proton.deploy(owner, 'SiOwner');
  if (report.status !== 'CREATE_COMPLETE') throw new Error(`the owner stack failed: ${report.reason}`);
}, 120_000);
afterAll(async () => proton.stop());
beforeEach(() => {
  proton.emulator.faults.clear();
  proton.emulator.log.clear();
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
const tagsOf = async (arn: string) => (await proton.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? [];

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
    expect(proton.emulator.log.ofOperation('TagResource').map((e) => e.input.tags)).toEqual([[{ key: 'team', value: 'b' }]]);
    expect(await tagsOf((await getInstance('prod')).arn!)).toEqual([{ key: 'team', value: 'b' }]);
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
});
