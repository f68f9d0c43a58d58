import {
  CancelEnvironmentDeploymentCommand,
  CreateEnvironmentCommand,
  DeleteEnvironmentCommand,
  GetEnvironmentCommand,
  ListEnvironmentOutputsCommand,
  ListTagsForResourceCommand,
  UpdateEnvironmentCommand,
} from '@aws-sdk/client-proton';
import { conflict, context, Delivered, isCompleteRequest, notFound, onEventRequest, proton, RequestParts } from './handler-context';
import { EnvironmentProperties, ResourceType } from '../../src/custom-resources/contract';
import { deploymentTypeFor, environmentHandler as handler } from '../../src/custom-resources/handlers/environment';
import { OWNER_TAG, ownerTag } from '../../src/custom-resources/handlers/ownership';
import { REQUEST_TAG } from '../../src/custom-resources/handlers/takeover';

const SPEC = 'proton: "EnvironmentSpec"\nspec:\n  vpc_cidr: "10.0.0.0/16"\n';
const ROLE = 'arn:aws:iam::111111111111:role/proton';

const props = (overrides: Delivered<EnvironmentProperties> = {}) => ({
  Name: 'beta',
  TemplateName: 'vpc-env',
  TemplateMajorVersion: '1',
  TemplateMinorVersion: '0',
  Spec: SPEC,
  ProtonServiceRoleArn: ROLE,
  RemovalPolicy: 'delete',
  ...overrides,
});

const event = (requestType: 'Create' | 'Update' | 'Delete', extra: RequestParts<EnvironmentProperties> = {}) =>
  onEventRequest(requestType, ResourceType.ENVIRONMENT, props(), extra);

function environment(overrides: Record<string, any> = {}) {
  return {
    environment: {
      name: 'beta',
      arn: 'arn:aws:proton:us-east-1:111111111111:environment/beta',
      templateName: 'vpc-env',
      templateMajorVersion: '1',
      templateMinorVersion: '0',
      spec: SPEC,
      deploymentStatus: 'SUCCEEDED',
      ...overrides,
    },
  } as any;
}

beforeEach(() => {
  // No later request has taken charge of the environment (see takeover.ts).
  proton.on(ListTagsForResourceCommand).resolves({ tags: [] });
});

test('deploymentTypeFor picks the deployment a change needs', () => {
  const base = { majorVersion: '1', minorVersion: '0', spec: 'a' };
  const want = (d: Record<string, any>) => ({ ...base, ...d }) as any;
  expect(deploymentTypeFor(base, want({ spec: 'b' }), true)).toBe('CURRENT_VERSION');
  expect(deploymentTypeFor(base, want({ minorVersion: '1', spec: 'b' }), true)).toBe('MINOR_VERSION');
  expect(deploymentTypeFor(base, want({ majorVersion: '2', minorVersion: undefined }), true)).toBe('MAJOR_VERSION');
  expect(deploymentTypeFor(base, want({}), true)).toBe('NONE');
  // Declared "recommended minor" after a pinned one: move; against Proton's state, any minor will do.
  expect(deploymentTypeFor(base, want({ minorVersion: undefined }), true)).toBe('MINOR_VERSION');
  expect(deploymentTypeFor(base, want({ minorVersion: undefined }), false)).toBe('NONE');
});

describe('onEvent', () => {
  test('Create deploys the environment and answers its name', async () => {
    proton.on(CreateEnvironmentCommand).resolves(environment({ deploymentStatus: 'IN_PROGRESS' }));
    expect(await handler.onEvent(event('Create'), context)).toEqual({ PhysicalResourceId: 'beta' });
    expect(proton.commandCalls(CreateEnvironmentCommand)[0].args[0].input).toEqual({
      name: 'beta',
      templateName: 'vpc-env',
      templateMajorVersion: '1',
      templateMinorVersion: '0',
      spec: SPEC,
      protonServiceRoleArn: ROLE,
      // Which CloudFormation resource made it: a digest of the stack id and the logical id.
      tags: [{ key: OWNER_TAG, value: expect.stringMatching(/^[0-9a-f]{64}$/) }, { key: REQUEST_TAG, value: 'r1' }],
    });
  });

  test('pinning the minor version the environment already runs (the rollback of an unpin) deploys no MINOR_VERSION', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment({ templateMinorVersion: '0' }));
    proton.on(UpdateEnvironmentCommand).resolves(environment());
    const unpinned = props({ TemplateMinorVersion: undefined });
    await handler.onEvent(event('Update', { PhysicalResourceId: 'beta', ResourceProperties: props(), OldResourceProperties: unpinned }), context);
    expect(proton.commandCalls(UpdateEnvironmentCommand).map((c) => c.args[0].input.deploymentType)).toEqual(['NONE']);
  });

  test.each([
    ['deletes the environment its Create made, tagged as this resource\'s', true, 1],
    ['leaves alone an environment of that name that is not this resource\'s', false, 0],
  ])('a Delete with an id CloudFormation made up (the Create never answered) %s', async (_what, owned, deletes) => {
    proton.on(GetEnvironmentCommand).resolves(environment());
    proton.on(ListTagsForResourceCommand).resolves({ tags: owned ? [ownerTag(event('Delete'))] : [{ key: OWNER_TAG, value: 'someone-else' }] });
    proton.on(DeleteEnvironmentCommand).resolves({});
    const madeUp = event('Delete', { PhysicalResourceId: 'stack-Beta-ABCDEFGHIJKL' });
    expect(await handler.onEvent(madeUp, context)).toEqual({ PhysicalResourceId: 'stack-Beta-ABCDEFGHIJKL' });
    expect(proton.commandCalls(DeleteEnvironmentCommand)).toHaveLength(deletes);
  });

  test.each([
    ['a new spec', { Spec: 'proton: EnvironmentSpec\nspec: {}\n' }, { deploymentType: 'CURRENT_VERSION', spec: 'proton: EnvironmentSpec\nspec: {}\n' }],
    ['a new minor version', { TemplateMinorVersion: '1' }, { deploymentType: 'MINOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '1', spec: SPEC }],
    ['a new major version', { TemplateMajorVersion: '2', TemplateMinorVersion: '0' }, { deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2', templateMinorVersion: '0' }],
    ['a new description', { Description: 'now described' }, { deploymentType: 'NONE', description: 'now described', spec: undefined }],
  ])('Update with %s deploys what it needs', async (_what, change, expected) => {
    proton.on(GetEnvironmentCommand).resolves(environment());
    proton.on(UpdateEnvironmentCommand).resolves(environment());
    const out = await handler.onEvent(event('Update', { PhysicalResourceId: 'beta', ResourceProperties: props(change), OldResourceProperties: props() }), context);
    expect(out).toEqual({ PhysicalResourceId: 'beta' });
    const input = proton.commandCalls(UpdateEnvironmentCommand)[0].args[0].input;
    expect(input).toMatchObject({ name: 'beta', protonServiceRoleArn: ROLE, ...expected });
    if (expected.deploymentType === 'CURRENT_VERSION') {
      expect(input.templateMajorVersion).toBeUndefined();
      expect(input.templateMinorVersion).toBeUndefined();
    }
  });

  test('Update waits out a deployment already in progress instead of failing', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment({ deploymentStatus: 'IN_PROGRESS', spec: 'someone else\'s' }));
    proton.on(UpdateEnvironmentCommand).rejects(conflict('deployment in progress'));
    await expect(handler.onEvent(event('Update', { PhysicalResourceId: 'beta', ResourceProperties: props({ Spec: 'new' }), OldResourceProperties: props() }), context))
      .resolves.toEqual({ PhysicalResourceId: 'beta' });
    expect(proton.commandCalls(CancelEnvironmentDeploymentCommand)).toHaveLength(0);
  });

  test('a rollback Update cancels the deployment it undoes', async () => {
    // The failed update deployed spec "new"; the rollback goes back to SPEC while it still runs.
    proton.on(GetEnvironmentCommand).resolves(environment({ deploymentStatus: 'IN_PROGRESS', spec: 'new' }));
    await handler.onEvent(event('Update', { PhysicalResourceId: 'beta', ResourceProperties: props(), OldResourceProperties: props({ Spec: 'new' }) }), context);
    expect(proton.commandCalls(CancelEnvironmentDeploymentCommand)[0].args[0].input).toEqual({ environmentName: 'beta' });
    expect(proton.commandCalls(UpdateEnvironmentCommand)).toHaveLength(0);
  });

  test('Update to another template with the same name fails with the reason and the fix', async () => {
    await expect(handler.onEvent(event('Update', { PhysicalResourceId: 'beta', ResourceProperties: props({ TemplateName: 'other' }), OldResourceProperties: props() }), context))
      .rejects.toThrow(/environment beta: a new template \(vpc-env to other\) replaces the environment, and the new one needs a name of its own: change environmentName too/);
  });

  test('Update with a new name creates the replacement', async () => {
    proton.on(CreateEnvironmentCommand).resolves(environment({ name: 'beta2' }));
    const out = await handler.onEvent(event('Update', {
      PhysicalResourceId: 'beta', ResourceProperties: props({ Name: 'beta2', TemplateName: 'other' }), OldResourceProperties: props(),
    }), context);
    expect(out).toEqual({ PhysicalResourceId: 'beta2' });
  });

  test('Delete tolerates an environment already gone, and makes no call when retained', async () => {
    proton.on(DeleteEnvironmentCommand).rejects(notFound());
    await expect(handler.onEvent(event('Delete', { PhysicalResourceId: 'beta' }), context)).resolves.toEqual({ PhysicalResourceId: 'beta' });
    proton.reset();
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'beta', ResourceProperties: props({ RemovalPolicy: 'retain' }) }), context);
    expect(proton.calls()).toHaveLength(0);
  });

  test('Delete fails with Proton\'s message when something still uses the environment', async () => {
    proton.on(DeleteEnvironmentCommand).rejects(conflict('service orders still uses it'));
    proton.on(GetEnvironmentCommand).resolves(environment());
    await expect(handler.onEvent(event('Delete', { PhysicalResourceId: 'beta' }), context))
      .rejects.toThrow('Proton refuses to delete environment beta: service orders still uses it');
  });
});

describe('isComplete', () => {
  const complete = (requestType: 'Create' | 'Update' | 'Delete' = 'Create', extra: RequestParts<EnvironmentProperties> = {}) =>
    isCompleteRequest(requestType, ResourceType.ENVIRONMENT, props(), { PhysicalResourceId: 'beta', ...extra });

  test('returns only the outputs the app references, read from every page', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment());
    proton.on(ListEnvironmentOutputsCommand)
      .resolvesOnce({ outputs: [{ key: 'VpcId', valueString: 'vpc-1' }, { key: 'Unused', valueString: 'x'.repeat(3000) }], nextToken: 'page2' })
      .resolvesOnce({ outputs: [{ key: 'SubnetId', valueString: 'subnet-1' }] });
    const out = await handler.isComplete(complete('Create', { ResourceProperties: props({ Outputs: ['SubnetId', 'VpcId'] }) }), context);
    expect(out).toEqual({
      IsComplete: true,
      Data: { 'Arn': 'arn:aws:proton:us-east-1:111111111111:environment/beta', 'Outputs.SubnetId': 'subnet-1', 'Outputs.VpcId': 'vpc-1' },
    });
  });

  test('fails naming the outputs Proton has when a referenced one is missing', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment());
    proton.on(ListEnvironmentOutputsCommand).resolves({ outputs: [{ key: 'VpcId', valueString: 'vpc-1' }] });
    await expect(handler.isComplete(complete('Create', { ResourceProperties: props({ Outputs: ['ClusterArn'] }) }), context))
      .rejects.toThrow('environment beta has no output ClusterArn: its outputs are VpcId');
  });

  test('fails with Proton\'s deployment message', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'CREATE_FAILED: VPC limit exceeded' }));
    await expect(handler.isComplete(complete(), context)).rejects.toThrow('Proton could not deploy environment beta: CREATE_FAILED: VPC limit exceeded');
  });

  test('starts the deployment once Proton is no longer busy or after a cancellation', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment({ deploymentStatus: 'CANCELLED', spec: 'new' }));
    proton.on(UpdateEnvironmentCommand).resolves(environment());
    expect(await handler.isComplete(complete('Update'), context)).toEqual({ IsComplete: false });
    expect(proton.commandCalls(UpdateEnvironmentCommand)[0].args[0].input).toMatchObject({ deploymentType: 'CURRENT_VERSION', spec: SPEC });
  });

  test('is not complete while cancelling', async () => {
    proton.on(GetEnvironmentCommand).resolves(environment({ deploymentStatus: 'CANCELLING' }));
    expect(await handler.isComplete(complete(), context)).toEqual({ IsComplete: false });
    expect(proton.commandCalls(UpdateEnvironmentCommand)).toHaveLength(0);
  });

  test('Delete polls until the environment is gone, and fails with Proton\'s message', async () => {
    const del = complete('Delete');
    proton.on(GetEnvironmentCommand).resolvesOnce(environment({ deploymentStatus: 'DELETE_IN_PROGRESS' }))
      .rejectsOnce(notFound())
      .resolvesOnce(environment({ deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'stack deletion failed' }));
    expect(await handler.isComplete(del, context)).toEqual({ IsComplete: false });
    expect(await handler.isComplete(del, context)).toEqual({ IsComplete: true });
    await expect(handler.isComplete(del, context)).rejects.toThrow('Proton could not delete environment beta: stack deletion failed');
  });
});

test('after a cancellation that restored the declared spec, the spec is deployed again', async () => {
  proton.on(GetEnvironmentCommand).resolves(environment({ deploymentStatus: 'CANCELLED' }));
  proton.on(UpdateEnvironmentCommand).resolves(environment());
  const out = await handler.isComplete(isCompleteRequest('Update', ResourceType.ENVIRONMENT, props(), { PhysicalResourceId: 'beta' }), context);
  expect(out).toEqual({ IsComplete: false });
  expect(proton.commandCalls(UpdateEnvironmentCommand)[0].args[0].input).toMatchObject({ deploymentType: 'CURRENT_VERSION', spec: SPEC });
});
