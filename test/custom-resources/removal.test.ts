import { ListEnvironmentOutputsCommand } from '@aws-sdk/client-proton';
import { accessDenied, context, onEventRequest, proton } from './handler-context';
import { ResourceType } from '../../src/custom-resources/contract';
import { handlerFor } from '../../src/custom-resources/handlers';
import { isConnectionError, isProtonUnavailable } from '../../src/custom-resources/handlers/errors';
import { onlyRemovalPolicyChanged } from '../../src/custom-resources/handlers/removal';

const ENV = {
  Name: 'beta',
  TemplateName: 'vpc-env',
  TemplateMajorVersion: '1',
  TemplateMinorVersion: '0',
  Spec: 'proton: EnvironmentSpec\nspec: {}\n',
  ProtonServiceRoleArn: 'arn:aws:iam::111111111111:role/proton',
  RemovalPolicy: 'delete',
};
const refused = () => Object.assign(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:4566'), { $metadata: {} });

beforeEach(() => proton.reset());

test('a Delete of a retained resource makes no Proton call, in onEvent and isComplete', async () => {
  const event = onEventRequest('Delete', ResourceType.ENVIRONMENT, { ...ENV, RemovalPolicy: 'retain' }, { PhysicalResourceId: 'beta' });
  const handler = handlerFor(ResourceType.ENVIRONMENT);
  expect(await handler.onEvent(event, context)).toEqual({ PhysicalResourceId: 'beta' });
  expect(await handler.isComplete({ ...event, PhysicalResourceId: 'beta' }, context)).toEqual({ IsComplete: true });
  expect(proton.calls()).toHaveLength(0);
});

test('a removal-policy-only Update without referenced outputs answers the attributes without a Proton call', async () => {
  const event = onEventRequest('Update', ResourceType.ENVIRONMENT, { ...ENV, RemovalPolicy: 'retain' },
    { PhysicalResourceId: 'beta', OldResourceProperties: ENV });
  const answer = await handlerFor(ResourceType.ENVIRONMENT).onEvent(event, context);
  expect(answer).toEqual({ PhysicalResourceId: 'beta', Data: { Arn: 'arn:aws:proton:us-east-1:111111111111:environment/beta' } });
  expect(await handlerFor(ResourceType.ENVIRONMENT).isComplete({ ...event, ...answer }, context)).toEqual({ IsComplete: true });
  expect(proton.calls()).toHaveLength(0);
});

test('a removal-policy-only Update of a version answers its numbers and ARN from its physical id', async () => {
  const props = { TemplateName: 'vpc-env', Bundle: 'x', RemovalPolicy: 'retain' } as any;
  const event = onEventRequest('Update', ResourceType.ENVIRONMENT_TEMPLATE_VERSION, props,
    { PhysicalResourceId: 'vpc-env:2.3', OldResourceProperties: { ...props, RemovalPolicy: 'delete' } });
  expect((await handlerFor(ResourceType.ENVIRONMENT_TEMPLATE_VERSION).onEvent(event, context)).Data).toEqual({
    MajorVersion: '2', MinorVersion: '3', Arn: 'arn:aws:proton:us-east-1:111111111111:environment-template/vpc-env:2.3',
  });
});

test('a removal-policy-only Update that reads outputs asks Proton; when Proton refuses, it answers what follows from the event', async () => {
  const withOutputs = { ...ENV, Outputs: ['VpcId'] } as any;
  proton.onAnyCommand().rejects(accessDenied('end of support'));
  const event = onEventRequest('Update', ResourceType.ENVIRONMENT, { ...withOutputs, RemovalPolicy: 'retain' },
    { PhysicalResourceId: 'beta', OldResourceProperties: withOutputs });
  const answer = await handlerFor(ResourceType.ENVIRONMENT).onEvent(event, context);
  expect(answer.Data).toEqual({ Arn: 'arn:aws:proton:us-east-1:111111111111:environment/beta' });
  expect(proton.calls().length).toBeGreaterThan(0);
  expect(proton.commandCalls(ListEnvironmentOutputsCommand)).toHaveLength(0);
});

test('any other change is not removal-only, and fails with Proton unavailable, naming the resource', async () => {
  const event = onEventRequest('Update', ResourceType.ENVIRONMENT, { ...ENV, RemovalPolicy: 'retain', Spec: 'proton: EnvironmentSpec\nspec: {a: 1}\n' },
    { PhysicalResourceId: 'beta', OldResourceProperties: ENV });
  expect(onlyRemovalPolicyChanged(event)).toBe(false);
  proton.onAnyCommand().rejects(refused());
  await expect(handlerFor(ResourceType.ENVIRONMENT).onEvent(event, context))
    .rejects.toThrow('Custom::ProtonEnvironment Resource (beta): Proton does not answer (Error: AWS SDK error wrapper for Error: connect ECONNREFUSED');
  // A Create or Update refused access keeps AWS's message, which names what to grant.
  proton.reset();
  proton.onAnyCommand().rejects(accessDenied('User: x is not authorized to perform: proton:UpdateEnvironment'));
  await expect(handlerFor(ResourceType.ENVIRONMENT).onEvent(event, context)).rejects.toThrow(/^User: x is not authorized/);
});

test('a Delete Proton refuses says how to leave the resource behind; other errors pass unchanged', async () => {
  const event = onEventRequest('Delete', ResourceType.ENVIRONMENT, ENV, { PhysicalResourceId: 'beta' });
  proton.onAnyCommand().rejects(accessDenied('end of support'));
  await expect(handlerFor(ResourceType.ENVIRONMENT).onEvent(event, context)).rejects.toThrow(
    'Custom::ProtonEnvironment Resource (beta) cannot be deleted: Proton does not answer (AccessDeniedException: end of support). To leave it '
    + 'behind in Proton: delete the stack again retaining it (aws cloudformation delete-stack --stack-name s --retain-resources Resource); '
    + 'or, before deleting the stack, set removalPolicy: RemovalPolicy.RETAIN on its construct, deploy, then delete the stack');
  proton.reset();
  proton.onAnyCommand().rejects(Object.assign(new Error('boom'), { name: 'InternalServerException', $metadata: { httpStatusCode: 500 } }));
  await expect(handlerFor(ResourceType.ENVIRONMENT).onEvent(event, context)).rejects.toThrow(/^boom$/);
});

test('connection errors: by code, by the SDK wrapper\'s message, by cause; never an answer with an HTTP status', () => {
  expect(isConnectionError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
  expect(isConnectionError(refused())).toBe(true);
  expect(isConnectionError(new Error('outer', { cause: Object.assign(new Error('y'), { code: 'ENOTFOUND' }) }))).toBe(true);
  expect(isConnectionError(Object.assign(new Error('ECONNRESET'), { $metadata: { httpStatusCode: 500 } }))).toBe(false);
  expect(isProtonUnavailable(accessDenied())).toBe(true);
  expect(isProtonUnavailable(new Error('validation'))).toBe(false);
});

describe('adopted resources', () => {
  test('a Delete of a resource the stack adopts makes no Proton call, like a retained one', async () => {
    const event = onEventRequest('Delete', ResourceType.ENVIRONMENT, { ...ENV, Adopt: 'true' } as any, { PhysicalResourceId: 'beta' });
    expect(await handlerFor(ResourceType.ENVIRONMENT).onEvent(event, context)).toEqual({ PhysicalResourceId: 'beta' });
    expect(proton.calls()).toHaveLength(0);
  });

  test('removing adopt (with a template version\'s AdoptSchema) is a hand-over that asks Proton nothing; any other change is not', async () => {
    const version = { TemplateName: 'vpc-env', MajorVersion: '1', SourceBucket: 'b', SourceKey: 'k', Publish: 'true', RemovalPolicy: 'delete' } as any;
    const handOver = onEventRequest('Update', ResourceType.ENVIRONMENT_TEMPLATE_VERSION, version,
      { PhysicalResourceId: 'vpc-env:1.0', OldResourceProperties: { ...version, Adopt: 'true', AdoptSchema: 'schema: {}' } });
    expect(onlyRemovalPolicyChanged(handOver)).toBe(true);
    const changed = onEventRequest('Update', ResourceType.ENVIRONMENT, { ...ENV, Description: 'new' } as any,
      { PhysicalResourceId: 'beta', OldResourceProperties: { ...ENV, Adopt: 'true' } });
    expect(onlyRemovalPolicyChanged(changed)).toBe(false);
  });
});
