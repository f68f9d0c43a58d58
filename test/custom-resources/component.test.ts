import {
  CreateComponentCommand,
  DeleteComponentCommand,
  GetComponentCommand,
  ListComponentOutputsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateComponentCommand,
} from '@aws-sdk/client-proton';
import { conflict, context, Delivered, isCompleteRequest, notFound, onEventRequest, proton, RequestParts } from './handler-context';
import { ComponentProperties, ResourceType } from '../../src/custom-resources/contract';
import { clientTokenFor, requestTokenPrefix } from '../../src/custom-resources/handlers/client-tokens';
import { componentHandler as handler } from '../../src/custom-resources/handlers/component';
import { OWNER_TAG, ownerTag } from '../../src/custom-resources/handlers/ownership';
import { CREATE_DEFERRED, REQUEST_TAG } from '../../src/custom-resources/handlers/takeover';

const ARN = 'arn:aws:proton:us-east-1:111111111111:component/orders-bucket';
const MANIFEST = 'infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n';
const TEMPLATE_FILE = 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n';

const props = (overrides: Delivered<ComponentProperties> = {}) => ({
  Name: 'orders-bucket',
  ServiceName: 'orders',
  ServiceInstanceName: 'beta',
  Manifest: MANIFEST,
  TemplateFile: TEMPLATE_FILE,
  Tags: [{ key: 'team', value: 'a' }],
  RemovalPolicy: 'delete',
  ...overrides,
});
const event = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<ComponentProperties> = {}) =>
  onEventRequest(type, ResourceType.COMPONENT, props(), extra);
const complete = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<ComponentProperties> = {}) =>
  isCompleteRequest(type, ResourceType.COMPONENT, props(), { PhysicalResourceId: 'orders-bucket', ...extra });
/** A token of a deployment this test's requests (RequestId r1) sent. */
const OUR_TOKEN = `${requestTokenPrefix(event('Create'))}-deployment`;

/** GetComponent's answer: the component attached to instance beta of service orders, deployed by this request. */
const component = (overrides: Record<string, any> = {}) => ({
  component: {
    name: 'orders-bucket',
    arn: ARN,
    serviceName: 'orders',
    serviceInstanceName: 'beta',
    environmentName: 'beta',
    deploymentStatus: 'SUCCEEDED',
    lastClientRequestToken: OUR_TOKEN,
    lastAttemptedDeploymentId: 'd1',
    ...overrides,
  } as any,
});
const updates = () => proton.commandCalls(UpdateComponentCommand).map((c) => c.args[0].input);

beforeEach(() => {
  // No later request has taken charge of the component (see takeover.ts).
  proton.on(ListTagsForResourceCommand).resolves({ tags: [] });
});

describe('onEvent', () => {
  test('Create attaches the component to its instance, with a token of the request and the owner and request tags', async () => {
    await expect(handler.onEvent(event('Create'), context)).resolves.toEqual({ PhysicalResourceId: 'orders-bucket' });
    // A replayed request carries the same token: Proton answers it with the first one's component.
    await handler.onEvent(event('Create'), context);
    const inputs = proton.commandCalls(CreateComponentCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      name: 'orders-bucket',
      serviceName: 'orders',
      serviceInstanceName: 'beta',
      manifest: MANIFEST,
      templateFile: TEMPLATE_FILE,
      clientToken: clientTokenFor(event('Create')),
      tags: [{ key: 'team', value: 'a' }, ownerTag(event('Create')), { key: REQUEST_TAG, value: 'r1' }],
    });
    expect(inputs[1].clientToken).toBe(inputs[0].clientToken);
  });

  test('Create of a component of an environment names the environment, not an instance', async () => {
    await handler.onEvent(event('Create', { ResourceProperties: props({ ServiceName: undefined, ServiceInstanceName: undefined, EnvironmentName: 'beta' }) }), context);
    const input = proton.commandCalls(CreateComponentCommand)[0].args[0].input;
    expect(input).toMatchObject({ environmentName: 'beta' });
    expect(input).not.toHaveProperty('serviceName');
  });

  test('Create while the instance deploys is left to isComplete, which creates it once it can', async () => {
    proton.on(CreateComponentCommand).rejectsOnce(conflict('service instance beta is deploying'));
    const out = await handler.onEvent(event('Create'), context);
    expect(out).toEqual({ PhysicalResourceId: 'orders-bucket', Data: { [CREATE_DEFERRED]: 'true' } });
    proton.on(GetComponentCommand).rejects(notFound());
    await expect(handler.isComplete(complete('Create', { Data: out.Data }), context)).resolves.toEqual({ IsComplete: false });
    expect(proton.commandCalls(CreateComponentCommand)).toHaveLength(2);
  });

  test('Create fails with Proton\'s message on errors other than busy', async () => {
    proton.on(CreateComponentCommand).rejects(notFound('service instance beta of service orders not found'));
    await expect(handler.onEvent(event('Create'), context)).rejects.toThrow('service instance beta of service orders not found');
  });

  test('Update with a new template file takes charge of the component and deploys it; a new description alone deploys nothing', async () => {
    // Last deployed by an earlier request.
    proton.on(GetComponentCommand).resolves(component({ lastClientRequestToken: 'earlier-request-deployment' }));
    await handler.onEvent(event('Update', { PhysicalResourceId: 'orders-bucket', ResourceProperties: props({ TemplateFile: 'Resources: {}\n' }), OldResourceProperties: props() }), context);
    await handler.onEvent(event('Update', { PhysicalResourceId: 'orders-bucket', ResourceProperties: props({ Description: 'exports' }), OldResourceProperties: props() }), context);
    expect(proton.commandCalls(TagResourceCommand)[0].args[0].input).toEqual({ resourceArn: ARN, tags: [{ key: REQUEST_TAG, value: 'r1' }] });
    expect(updates()).toEqual([
      {
        name: 'orders-bucket',
        deploymentType: 'CURRENT_VERSION',
        description: '',
        templateFile: 'Resources: {}\n',
        serviceSpec: undefined,
        serviceName: 'orders',
        serviceInstanceName: 'beta',
        clientToken: expect.stringMatching(new RegExp(`^${requestTokenPrefix(event('Update'))}-`)),
      },
      { name: 'orders-bucket', deploymentType: 'NONE', description: 'exports', clientToken: expect.any(String) },
    ]);
  });

  test('an Update replayed after it deployed the component (its token on the component) deploys nothing again', async () => {
    proton.on(GetComponentCommand).resolves(component({ lastClientRequestToken: `${requestTokenPrefix(event('Update'))}-deployment` }));
    await handler.onEvent(event('Update', { PhysicalResourceId: 'orders-bucket', ResourceProperties: props({ TemplateFile: 'Resources: {}\n' }), OldResourceProperties: props() }), context);
    expect(updates()).toEqual([]);
  });

  test('Update applies the tag changes: TagResource for new values, UntagResource for keys removed', async () => {
    proton.on(GetComponentCommand).resolves(component());
    await handler.onEvent(event('Update', {
      PhysicalResourceId: 'orders-bucket',
      ResourceProperties: props({ Tags: [{ key: 'team', value: 'b' }] }),
      OldResourceProperties: props({ Tags: [{ key: 'team', value: 'a' }, { key: 'cost', value: 'c1' }] }),
    }), context);
    expect(proton.commandCalls(UntagResourceCommand).map((c) => c.args[0].input)).toEqual([{ resourceArn: ARN, tagKeys: ['cost'] }]);
    expect(proton.commandCalls(TagResourceCommand).map((c) => c.args[0].input.tags)).toEqual([[{ key: REQUEST_TAG, value: 'r1' }], [{ key: 'team', value: 'b' }]]);
  });

  test('renaming a component attached to an instance fails with the reason and the fix, and creates nothing', async () => {
    await expect(handler.onEvent(event('Update', { PhysicalResourceId: 'orders-bucket', ResourceProperties: props({ Name: 'orders-exports' }), OldResourceProperties: props() }), context))
      .rejects.toThrow(/^component orders-bucket is attached to instance beta of service orders, which takes one component: renaming it \(to orders-exports\) would need two/);
    expect(proton.commandCalls(CreateComponentCommand)).toHaveLength(0);
  });

  test('a new manifest under the same name fails with the fix; under a new name it creates the replacement', async () => {
    const environmentComponent = (overrides: Delivered<ComponentProperties>) =>
      props({ ServiceName: undefined, ServiceInstanceName: undefined, EnvironmentName: 'beta', ...overrides });
    await expect(handler.onEvent(event('Update', {
      PhysicalResourceId: 'orders-bucket', ResourceProperties: environmentComponent({ Manifest: `${MANIFEST}# v2\n` }), OldResourceProperties: environmentComponent({}),
    }), context)).rejects.toThrow('component orders-bucket: a new manifest or environment replaces the component, and the new one needs a name of its own');
    const out = await handler.onEvent(event('Update', {
      PhysicalResourceId: 'orders-bucket', ResourceProperties: environmentComponent({ Name: 'shared-two' }), OldResourceProperties: environmentComponent({}),
    }), context);
    expect(out).toEqual({ PhysicalResourceId: 'shared-two' });
    expect(proton.commandCalls(CreateComponentCommand)[0].args[0].input).toMatchObject({ name: 'shared-two', environmentName: 'beta' });
  });

  test('Delete detaches an attached component first, and deletes a detached one', async () => {
    proton.on(GetComponentCommand).resolvesOnce(component()).resolves(component({ serviceName: undefined, serviceInstanceName: undefined }));
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'orders-bucket' }), context);
    expect(updates()).toEqual([{ name: 'orders-bucket', deploymentType: 'CURRENT_VERSION', serviceName: '', serviceInstanceName: '', clientToken: expect.any(String) }]);
    expect(proton.commandCalls(DeleteComponentCommand)).toHaveLength(0);
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'orders-bucket' }), context);
    expect(proton.commandCalls(DeleteComponentCommand).map((c) => c.args[0].input)).toEqual([{ name: 'orders-bucket' }]);
  });

  test('Delete of a component still deploying sends nothing: isComplete detaches or deletes it once it is not', async () => {
    proton.on(GetComponentCommand).resolves(component({ deploymentStatus: 'IN_PROGRESS' }));
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'orders-bucket' }), context);
    expect(updates()).toHaveLength(0);
    expect(proton.commandCalls(DeleteComponentCommand)).toHaveLength(0);
  });

  test('Delete makes no call when retained, tolerates a component already gone, and leaves alone one that is not this resource\'s', async () => {
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'orders-bucket', ResourceProperties: props({ RemovalPolicy: 'retain' }) }), context);
    expect(proton.calls()).toHaveLength(0);
    proton.on(GetComponentCommand).rejects(notFound());
    await expect(handler.onEvent(event('Delete', { PhysicalResourceId: 'orders-bucket' }), context)).resolves.toEqual({ PhysicalResourceId: 'orders-bucket' });
    // An id CloudFormation made up (the Create never answered): the component of that name is someone else's.
    proton.on(GetComponentCommand).resolves(component({ serviceName: undefined }));
    proton.on(ListTagsForResourceCommand).resolves({ tags: [{ key: OWNER_TAG, value: 'someone-else' }] });
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'stack-Resource-ABCDEFGHIJKL' }), context);
    expect(proton.commandCalls(DeleteComponentCommand)).toHaveLength(0);
    expect(proton.commandCalls(UpdateComponentCommand)).toHaveLength(0);
  });
});

describe('isComplete', () => {
  test('is complete once this request\'s deployment succeeded, with the referenced outputs', async () => {
    proton.on(GetComponentCommand).resolves(component());
    proton.on(ListComponentOutputsCommand).resolves({ outputs: [{ key: 'BucketName', valueString: 'orders-bucket-1' }, { key: 'Unused', valueString: 'x' }] });
    await expect(handler.isComplete(complete('Create', { ResourceProperties: props({ Outputs: ['BucketName'] }) }), context)).resolves.toEqual({
      IsComplete: true, Data: { 'Arn': ARN, 'Outputs.BucketName': 'orders-bucket-1' },
    });
    expect(updates()).toHaveLength(0);
  });

  test('deploys the declared state when the last deployment is not this request\'s (Proton was busy when onEvent asked)', async () => {
    proton.on(GetComponentCommand).resolves(component({ lastClientRequestToken: 'someone-else' }));
    await expect(handler.isComplete(complete('Create'), context)).resolves.toEqual({ IsComplete: false });
    expect(updates()).toEqual([expect.objectContaining({ deploymentType: 'CURRENT_VERSION', templateFile: TEMPLATE_FILE, serviceInstanceName: 'beta' })]);
  });

  test('deploys again after this request\'s deployment was cancelled, with a token of its own', async () => {
    proton.on(GetComponentCommand).resolves(component({ deploymentStatus: 'CANCELLED' }));
    await expect(handler.isComplete(complete('Update', { OldResourceProperties: props() }), context)).resolves.toEqual({ IsComplete: false });
    const token = updates()[0].clientToken;
    expect(token).toMatch(new RegExp(`^${requestTokenPrefix(event('Update'))}-`));
    expect(token).not.toBe(OUR_TOKEN);
  });

  test('is not complete while a deployment runs and this invocation has no time left to wait', async () => {
    proton.on(GetComponentCommand).resolves(component({ deploymentStatus: 'IN_PROGRESS' }));
    await expect(handler.isComplete(complete('Create'), { ...context, remainingTimeMs: () => 15_000 })).resolves.toEqual({ IsComplete: false });
    expect(updates()).toHaveLength(0);
  });

  test('fails with Proton\'s deployment message', async () => {
    proton.on(GetComponentCommand).resolves(component({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'Bucket name already exists' }));
    await expect(handler.isComplete(complete('Create'), context)).rejects.toThrow('Proton could not deploy component orders-bucket (FAILED): Bucket name already exists');
  });

  test('stops, changing nothing, once a later request has taken charge of the component', async () => {
    proton.on(GetComponentCommand).resolves(component());
    proton.on(ListTagsForResourceCommand).resolves({ tags: [{ key: REQUEST_TAG, value: 'r2' }] });
    await expect(handler.isComplete(complete('Update', { OldResourceProperties: props() }), context))
      .rejects.toThrow(/^component orders-bucket: a later request \(r2\) has taken charge of it, so request r1 stops here and changes nothing more/);
    expect(updates()).toHaveLength(0);
  });

  test('a component gone that onEvent created was deleted by a later request: fails, and does not create it again', async () => {
    proton.on(GetComponentCommand).rejects(notFound());
    await expect(handler.isComplete(complete('Create'), context)).rejects.toThrow(/^component orders-bucket is gone: a later request deleted it/);
    expect(proton.commandCalls(CreateComponentCommand)).toHaveLength(0);
  });

  test('Delete is complete once the component is gone, and fails with Proton\'s message when its delete failed', async () => {
    proton.on(GetComponentCommand).rejectsOnce(notFound())
      .resolves(component({ serviceName: undefined, deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'bucket not empty' }));
    await expect(handler.isComplete(complete('Delete'), context)).resolves.toEqual({ IsComplete: true });
    await expect(handler.isComplete(complete('Delete'), context)).rejects.toThrow('Proton could not delete component orders-bucket: bucket not empty');
  });

  test('Delete deletes the component once detached, and is not complete until it is gone', async () => {
    proton.on(GetComponentCommand).resolves(component({ serviceName: undefined, serviceInstanceName: undefined }));
    await expect(handler.isComplete(complete('Delete'), context)).resolves.toEqual({ IsComplete: false });
    expect(proton.commandCalls(DeleteComponentCommand)).toHaveLength(1);
  });
});
