import { CreateRepositoryCommand, DeleteRepositoryCommand } from '@aws-sdk/client-proton';
import { conflict, notFound, onEventRequest, onEventThenIsComplete, proton, RequestParts } from './handler-context';
import { RepositoryProperties, ResourceType } from '../../src/custom-resources/contract';
import { repositoryHandler as handler } from '../../src/custom-resources/handlers/repository';
import type { OnEventRequest } from '../../src/custom-resources/handlers/types';

const props = (connection = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/a') => ({
  Provider: 'GITHUB', Name: 'my-org/templates', ConnectionArn: connection, RemovalPolicy: 'delete',
});
const event = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<RepositoryProperties> = {}) =>
  onEventRequest(type, ResourceType.REPOSITORY, props(), extra);
const run = (request: OnEventRequest) => onEventThenIsComplete(handler, request);

test('a new connection links the same repository anew', async () => {
  const out = await run(event('Update', {
    PhysicalResourceId: 'GITHUB:my-org/templates', ResourceProperties: props('arn:aws:codestar-connections:us-east-1:111111111111:connection/b'), OldResourceProperties: props(),
  }));
  expect(out).toEqual({ PhysicalResourceId: 'GITHUB:my-org/templates' });
  expect(proton.commandCalls(DeleteRepositoryCommand)).toHaveLength(1);
  expect(proton.commandCalls(CreateRepositoryCommand)[0].args[0].input.connectionArn).toMatch(/connection\/b$/);
});

test('a link Proton refuses to remove (in use) fails with the reason and the fix', async () => {
  proton.on(DeleteRepositoryCommand).rejects(conflict('a template sync config uses it'));
  await expect(run(event('Update', {
    PhysicalResourceId: 'GITHUB:my-org/templates', ResourceProperties: props('arn:aws:codestar-connections:us-east-1:111111111111:connection/b'), OldResourceProperties: props(),
  }))).rejects.toThrow(/repository GITHUB:my-org\/templates: a new connection or encryption key needs the link made anew, and Proton refuses to remove it: a template sync config uses it\. Remove what uses it/);
  expect(proton.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
});

test('Delete removes only the link, tolerating one already gone', async () => {
  proton.on(DeleteRepositoryCommand).rejects(notFound());
  await expect(run(event('Delete', { PhysicalResourceId: 'GITHUB:my-org/templates' }))).resolves.toEqual({ PhysicalResourceId: 'GITHUB:my-org/templates' });
});
