import {
  CreateServiceInstanceCommand,
  GetServiceInstanceCommand,
  ListServiceInstanceOutputsCommand,
  ListServiceInstancesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
} from '@aws-sdk/client-proton';
import * as YAML from 'yaml';
import { conflict, context, Delivered, isCompleteRequest, notFound, onEventRequest, proton, RequestParts } from './handler-context';
import { ResourceType, ServiceInstanceProperties } from '../../src/custom-resources/contract';
import { clientTokenFor, requestTokenPrefix } from '../../src/custom-resources/handlers/client-tokens';
import { ownerTag } from '../../src/custom-resources/handlers/ownership';
import { serviceInstanceHandler as handler } from '../../src/custom-resources/handlers/service-instance';
import { CREATE_DEFERRED, REQUEST_TAG } from '../../src/custom-resources/handlers/takeover';

const ARN = 'arn:aws:proton:us-east-1:111111111111:service/orders/service-instance/beta';
const specOf = (port: number) => `proton: ServiceSpec\ninstances:\n  - name: beta\n    environment: beta\n    spec:\n      port: ${port}\n`;

const props = (overrides: Delivered<ServiceInstanceProperties> = {}) => ({
  ServiceName: 'orders',
  Name: 'beta',
  Environment: 'beta',
  Spec: specOf(8080),
  TemplateMajorVersion: '1',
  Tags: [{ key: 'team', value: 'a' }],
  RemovalPolicy: 'delete',
  ...overrides,
});
const event = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<ServiceInstanceProperties> = {}) =>
  onEventRequest(type, ResourceType.SERVICE_INSTANCE, props(), extra);
const complete = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<ServiceInstanceProperties> = {}) =>
  isCompleteRequest(type, ResourceType.SERVICE_INSTANCE, props(), { PhysicalResourceId: 'orders/beta', ...extra });

/** GetServiceInstance's answer: instance beta running the declared version and spec. */
const instance = (overrides: Record<string, any> = {}) => ({
  serviceInstance: {
    name: 'beta',
    serviceName: 'orders',
    environmentName: 'beta',
    arn: ARN,
    templateName: 'svc',
    templateMajorVersion: '1',
    templateMinorVersion: '0',
    spec: specOf(8080),
    deploymentStatus: 'SUCCEEDED',
    lastAttemptedDeploymentId: 'd1',
    ...overrides,
  } as any,
});
const deployments = () => proton.commandCalls(UpdateServiceInstanceCommand).map((c) => c.args[0].input);

beforeEach(() => {
  // No later request has taken charge of the instance (see takeover.ts).
  proton.on(ListTagsForResourceCommand).resolves({ tags: [] });
});

describe('onEvent', () => {
  test('Create adds the instance to the service, with a token of the request and the owner and request tags', async () => {
    await expect(handler.onEvent(event('Create'), context)).resolves.toEqual({ PhysicalResourceId: 'orders/beta' });
    // A replayed request carries the same token: Proton answers it with the first one's instance.
    await handler.onEvent(event('Create'), context);
    const inputs = proton.commandCalls(CreateServiceInstanceCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      name: 'beta',
      serviceName: 'orders',
      spec: specOf(8080),
      templateMajorVersion: '1',
      templateMinorVersion: undefined,
      clientToken: clientTokenFor(event('Create')),
      tags: [{ key: 'team', value: 'a' }, ownerTag(event('Create')), { key: REQUEST_TAG, value: 'r1' }],
    });
    expect(inputs[1].clientToken).toBe(inputs[0].clientToken);
  });

  test('Create while the service deploys is left to isComplete, which creates the instance once it can', async () => {
    proton.on(CreateServiceInstanceCommand).rejectsOnce(conflict('service orders is deploying'));
    const out = await handler.onEvent(event('Create'), context);
    expect(out).toEqual({ PhysicalResourceId: 'orders/beta', Data: { [CREATE_DEFERRED]: 'true' } });
    proton.on(GetServiceInstanceCommand).rejects(notFound());
    await expect(handler.isComplete(complete('Create', { Data: out.Data }), context)).resolves.toEqual({ IsComplete: false });
    expect(proton.commandCalls(CreateServiceInstanceCommand)).toHaveLength(2);
  });

  test('Update takes charge of the instance and applies tag changes, leaving the spec to isComplete', async () => {
    proton.on(GetServiceInstanceCommand).resolves(instance());
    const out = await handler.onEvent(event('Update', {
      PhysicalResourceId: 'orders/beta',
      ResourceProperties: props({ Spec: specOf(9090), Tags: [{ key: 'team', value: 'b' }] }),
      OldResourceProperties: props({ Tags: [{ key: 'team', value: 'a' }, { key: 'cost', value: 'c1' }] }),
    }), context);
    expect(out).toEqual({ PhysicalResourceId: 'orders/beta' });
    expect(proton.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      { resourceArn: ARN, tags: [{ key: REQUEST_TAG, value: 'r1' }] },
      { resourceArn: ARN, tags: [{ key: 'team', value: 'b' }] },
    ]);
    expect(proton.commandCalls(UntagResourceCommand).map((c) => c.args[0].input)).toEqual([{ resourceArn: ARN, tagKeys: ['cost'] }]);
    expect(deployments()).toHaveLength(0);
  });

  test('a new environment under the same name fails with the fix; under a new name it creates the replacement', async () => {
    await expect(handler.onEvent(event('Update', { PhysicalResourceId: 'orders/beta', ResourceProperties: props({ Environment: 'prod' }), OldResourceProperties: props() }), context))
      .rejects.toThrow('service instance orders/beta: a new environment replaces the instance, and the new one needs a name of its own: change the instance name too');
    expect(proton.commandCalls(CreateServiceInstanceCommand)).toHaveLength(0);
    const out = await handler.onEvent(event('Update', {
      PhysicalResourceId: 'orders/beta', ResourceProperties: props({ Name: 'prod', Environment: 'prod' }), OldResourceProperties: props(),
    }), context);
    expect(out).toEqual({ PhysicalResourceId: 'orders/prod' });
    expect(proton.commandCalls(CreateServiceInstanceCommand)[0].args[0].input).toMatchObject({ name: 'prod', serviceName: 'orders' });
  });

  test('Delete removes the instance from the service\'s spec, listing the other instances as they run', async () => {
    proton.on(ListServiceInstancesCommand).resolves({ serviceInstances: [{ name: 'alpha' }, { name: 'beta' }] as any });
    proton.on(GetServiceInstanceCommand, { name: 'alpha', serviceName: 'orders' }).resolves(instance({
      name: 'alpha', environmentName: 'alpha', spec: 'proton: ServiceSpec\ninstances:\n  - name: alpha\n    environment: alpha\n    spec:\n      port: 80\n',
    }));
    proton.on(GetServiceInstanceCommand, { name: 'beta', serviceName: 'orders' }).resolves(instance());
    await expect(handler.onEvent(event('Delete', { PhysicalResourceId: 'orders/beta' }), context)).resolves.toEqual({ PhysicalResourceId: 'orders/beta' });
    const update = proton.commandCalls(UpdateServiceCommand)[0].args[0].input;
    expect(update.name).toBe('orders');
    expect(YAML.parse(update.spec!)).toEqual({ proton: 'ServiceSpec', instances: [{ name: 'alpha', environment: 'alpha', spec: { port: 80 } }] });
  });

  test('Delete makes no call when retained, and tolerates a service or an instance already gone', async () => {
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'orders/beta', ResourceProperties: props({ RemovalPolicy: 'retain' }) }), context);
    expect(proton.calls()).toHaveLength(0);
    proton.on(ListServiceInstancesCommand).rejectsOnce(notFound('service orders not found')).resolves({ serviceInstances: [{ name: 'alpha' }] as any });
    proton.on(GetServiceInstanceCommand).resolves(instance({ name: 'alpha' }));
    await expect(handler.onEvent(event('Delete', { PhysicalResourceId: 'orders/beta' }), context)).resolves.toEqual({ PhysicalResourceId: 'orders/beta' });
    await expect(handler.onEvent(event('Delete', { PhysicalResourceId: 'orders/beta' }), context)).resolves.toEqual({ PhysicalResourceId: 'orders/beta' });
    expect(proton.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});

describe('isComplete', () => {
  test('is complete when the instance runs the declared spec, with the referenced outputs', async () => {
    proton.on(GetServiceInstanceCommand).resolves(instance());
    proton.on(ListServiceInstanceOutputsCommand).resolves({ outputs: [{ key: 'Url', valueString: 'https://beta' }, { key: 'Unused', valueString: 'x' }] });
    await expect(handler.isComplete(complete('Create', { ResourceProperties: props({ Outputs: ['Url'] }) }), context)).resolves.toEqual({
      IsComplete: true, Data: { 'Arn': ARN, 'Outputs.Url': 'https://beta' },
    });
    expect(deployments()).toHaveLength(0);
  });

  test('deploys a new spec in the current version, and a new minor version with its numbers', async () => {
    proton.on(GetServiceInstanceCommand).resolves(instance());
    const update = (now: Delivered<ServiceInstanceProperties>) => complete('Update', { ResourceProperties: props(now), OldResourceProperties: props() });
    await expect(handler.isComplete(update({ Spec: specOf(9090) }), context)).resolves.toEqual({ IsComplete: false });
    await handler.isComplete(update({ TemplateMinorVersion: '1' }), context);
    expect(deployments()).toEqual([
      { name: 'beta', serviceName: 'orders', spec: specOf(9090), deploymentType: 'CURRENT_VERSION', clientToken: expect.stringMatching(new RegExp(`^${requestTokenPrefix(event('Update'))}-`)) },
      { name: 'beta', serviceName: 'orders', spec: specOf(8080), deploymentType: 'MINOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '1', clientToken: expect.any(String) },
    ]);
  });

  test('deploys the declared spec again after a cancellation, with a token of its own', async () => {
    proton.on(GetServiceInstanceCommand).resolvesOnce(instance({ spec: specOf(9090) })).resolves(instance({ deploymentStatus: 'CANCELLED', lastAttemptedDeploymentId: 'd2' }));
    await handler.isComplete(complete('Create'), context);
    await expect(handler.isComplete(complete('Create'), context)).resolves.toEqual({ IsComplete: false });
    const [first, again] = deployments();
    expect(again).toMatchObject({ spec: specOf(8080), deploymentType: 'CURRENT_VERSION' });
    expect(again.clientToken).not.toBe(first.clientToken);
  });

  test('refuses to go back to a lower major version, saying what to do', async () => {
    proton.on(GetServiceInstanceCommand).resolves(instance({ templateMajorVersion: '2' }));
    await expect(handler.isComplete(complete('Update', { OldResourceProperties: props({ TemplateMajorVersion: '2' }) }), context))
      .rejects.toThrow(/^instance beta of service orders runs major version 2 and Proton deploys only a higher major version, so it cannot go back to 1/);
    expect(deployments()).toHaveLength(0);
  });

  test('is not complete while a deployment runs and this invocation has no time left to wait', async () => {
    proton.on(GetServiceInstanceCommand).resolves(instance({ deploymentStatus: 'IN_PROGRESS', spec: specOf(9090) }));
    await expect(handler.isComplete(complete('Create'), { ...context, remainingTimeMs: () => 15_000 })).resolves.toEqual({ IsComplete: false });
    expect(deployments()).toHaveLength(0);
  });

  test('fails with Proton\'s deployment message', async () => {
    proton.on(GetServiceInstanceCommand).resolves(instance({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'CREATE_FAILED: port in use' }));
    await expect(handler.isComplete(complete('Create'), context)).rejects.toThrow('Proton could not deploy instance beta of service orders: CREATE_FAILED: port in use');
  });

  test('stops, changing nothing, once a later request has taken charge of the instance', async () => {
    proton.on(GetServiceInstanceCommand).resolves(instance());
    proton.on(ListTagsForResourceCommand).resolves({ tags: [{ key: REQUEST_TAG, value: 'r2' }] });
    await expect(handler.isComplete(complete('Update', { OldResourceProperties: props() }), context))
      .rejects.toThrow(/^instance beta of service orders: a later request \(r2\) has taken charge of it, so request r1 stops here/);
    expect(deployments()).toHaveLength(0);
  });

  test('Delete is complete once the instance is gone, and fails with Proton\'s message when its removal failed', async () => {
    proton.on(GetServiceInstanceCommand).rejectsOnce(notFound())
      .resolves(instance({ deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'stack deletion failed' }));
    await expect(handler.isComplete(complete('Delete'), context)).resolves.toEqual({ IsComplete: true });
    await expect(handler.isComplete(complete('Delete'), context)).rejects.toThrow(
      'Proton could not delete instance beta of service orders: stack deletion failed. Fix the cause and delete again, or give the instance removalPolicy RETAIN to leave it');
    expect(proton.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});
