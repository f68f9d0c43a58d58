import { AcceptEnvironmentAccountConnectionCommand, GetEnvironmentAccountConnectionCommand } from '@aws-sdk/client-proton';
import { accessDenied, context, isCompleteRequest, notFound, onEventRequest, proton, RequestParts } from './handler-context';
import { AcceptEnvironmentAccountConnectionProperties, ResourceType } from '../../src/custom-resources/contract';
import { acceptEnvironmentAccountConnectionHandler } from '../../src/custom-resources/handlers/account-connection';
import type { ResourceHandler } from '../../src/custom-resources/handlers/types';

// As the dispatcher sees it: its isComplete takes the request like every handler's.
const handler: ResourceHandler = acceptEnvironmentAccountConnectionHandler;
const ID = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

const event = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<AcceptEnvironmentAccountConnectionProperties> = {}) =>
  onEventRequest(type, ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION, { ConnectionId: ID }, extra);
const connection = (status: string) => ({ environmentAccountConnection: { id: ID, status } as any });

test('Create accepts a pending connection and answers its id', async () => {
  proton.on(GetEnvironmentAccountConnectionCommand).resolves(connection('PENDING'));
  await expect(handler.onEvent(event('Create'), context)).resolves.toEqual({ PhysicalResourceId: ID });
  expect(proton.commandCalls(GetEnvironmentAccountConnectionCommand)[0].args[0].input).toEqual({ id: ID });
  expect(proton.commandCalls(AcceptEnvironmentAccountConnectionCommand).map((c) => c.args[0].input)).toEqual([{ id: ID }]);
});

test('a connection already connected (a replayed Create, or accepted by hand) is not accepted again', async () => {
  proton.on(GetEnvironmentAccountConnectionCommand).resolves(connection('CONNECTED'));
  await expect(handler.onEvent(event('Create'), context)).resolves.toEqual({ PhysicalResourceId: ID });
  expect(proton.commandCalls(AcceptEnvironmentAccountConnectionCommand)).toHaveLength(0);
});

test('Update to another connection accepts that one and answers its id (a replacement)', async () => {
  proton.on(GetEnvironmentAccountConnectionCommand).resolves(connection('PENDING'));
  const out = await handler.onEvent(event('Update', {
    PhysicalResourceId: 'old-connection', ResourceProperties: { ConnectionId: 'new-connection' }, OldResourceProperties: { ConnectionId: 'old-connection' },
  }), context);
  expect(out).toEqual({ PhysicalResourceId: 'new-connection' });
  expect(proton.commandCalls(AcceptEnvironmentAccountConnectionCommand)[0].args[0].input).toEqual({ id: 'new-connection' });
});

test('a rejected connection fails with the reason and the fix, and is not accepted', async () => {
  proton.on(GetEnvironmentAccountConnectionCommand).resolves(connection('REJECTED'));
  await expect(handler.onEvent(event('Create'), context)).rejects.toThrow(
    `environment account connection ${ID} is REJECTED: a rejected connection cannot be accepted, create a new one in the environment account`);
  expect(proton.commandCalls(AcceptEnvironmentAccountConnectionCommand)).toHaveLength(0);
});

test('Proton\'s errors reach CloudFormation as they are', async () => {
  proton.on(GetEnvironmentAccountConnectionCommand).rejects(notFound(`connection ${ID} not found`));
  await expect(handler.onEvent(event('Create'), context)).rejects.toThrow(`connection ${ID} not found`);
  proton.on(GetEnvironmentAccountConnectionCommand).resolves(connection('PENDING'));
  proton.on(AcceptEnvironmentAccountConnectionCommand).rejects(accessDenied());
  await expect(handler.onEvent(event('Create'), context)).rejects.toThrow('not authorized');
});

test('Delete makes no call (Proton\'s only way back, a rejection, is final) and keeps the physical id', async () => {
  await expect(handler.onEvent(event('Delete', { PhysicalResourceId: ID }), context)).resolves.toEqual({ PhysicalResourceId: ID });
  await handler.onEvent(event('Delete', { PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }), context);
  expect(proton.calls()).toHaveLength(0);
});

test('fails without a connection id, before any call', async () => {
  await expect(handler.onEvent(event('Create', { ResourceProperties: { ConnectionId: '' } }), context)).rejects.toThrow('property ConnectionId is required');
  expect(proton.calls()).toHaveLength(0);
});

test('isComplete is complete at once: accepting is synchronous', async () => {
  const request = isCompleteRequest('Create', ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION, { ConnectionId: ID }, { PhysicalResourceId: ID });
  await expect(handler.isComplete(request, context)).resolves.toEqual({ IsComplete: true });
  expect(proton.calls()).toHaveLength(0);
});
