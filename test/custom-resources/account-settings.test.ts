import { GetAccountSettingsCommand, UpdateAccountSettingsCommand } from '@aws-sdk/client-proton';
import { accessDenied, context, Delivered, isCompleteRequest, onEventRequest, onEventThenIsComplete, proton, RequestParts } from './handler-context';
import { AccountSettingsProperties, ResourceType } from '../../src/custom-resources/contract';
import { accountSettingsHandler, foundIn, physicalIdFor } from '../../src/custom-resources/handlers/account-settings';
import type { OnEventRequest } from '../../src/custom-resources/handlers/types';

const OLD_ROLE = 'arn:aws:iam::111111111111:role/old';
const NEW_ROLE = 'arn:aws:iam::111111111111:role/new';
const REPOSITORY = { provider: 'GITHUB', name: 'org/r', branch: 'main' } as const;

const props = (overrides: Delivered<AccountSettingsProperties> = {}) => ({ PipelineServiceRoleArn: NEW_ROLE, RemovalPolicy: 'delete', ...overrides });
const event = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<AccountSettingsProperties> = {}) =>
  onEventRequest(type, ResourceType.ACCOUNT_SETTINGS, props(), extra);
const run = (request: OnEventRequest) => onEventThenIsComplete(accountSettingsHandler, request);
/** The inputs of every UpdateAccountSettings call so far. */
const updates = () => proton.commandCalls(UpdateAccountSettingsCommand).map((c) => c.args[0].input);

test('the physical id carries the settings found, and Delete restores them', async () => {
  proton.on(GetAccountSettingsCommand).resolves({
    accountSettings: { pipelineServiceRoleArn: 'arn:aws:iam::111111111111:role/old', pipelineProvisioningRepository: { arn: 'a', provider: 'GITHUB', name: 'org/r', branch: 'main' } },
  });
  // onEvent only reads: a Create delivered again before isComplete ran finds the same settings.
  await accountSettingsHandler.onEvent(event('Create'), context);
  expect(proton.commandCalls(UpdateAccountSettingsCommand)).toHaveLength(0);
  const created = await run(event('Create'));
  expect(foundIn(created.PhysicalResourceId)).toEqual({
    pipelineServiceRoleArn: 'arn:aws:iam::111111111111:role/old',
    pipelineCodebuildRoleArn: '',
    pipelineProvisioningRepository: { provider: 'GITHUB', name: 'org/r', branch: 'main' },
  });
  // The stack declares no repository: the one found is removed while the stack owns the settings.
  expect(proton.commandCalls(UpdateAccountSettingsCommand)[0].args[0].input).toEqual({
    pipelineServiceRoleArn: 'arn:aws:iam::111111111111:role/new', pipelineCodebuildRoleArn: '', deletePipelineProvisioningRepository: true,
  });
  await run(event('Delete', { PhysicalResourceId: created.PhysicalResourceId }));
  expect(proton.commandCalls(UpdateAccountSettingsCommand)[1].args[0].input).toEqual({
    pipelineServiceRoleArn: 'arn:aws:iam::111111111111:role/old',
    pipelineCodebuildRoleArn: '',
    pipelineProvisioningRepository: { provider: 'GITHUB', name: 'org/r', branch: 'main' },
  });
});

test('Delete makes no call when retained or for an id it did not make', async () => {
  const id = physicalIdFor({ pipelineServiceRoleArn: '', pipelineCodebuildRoleArn: '' });
  await run(event('Delete', { PhysicalResourceId: id, ResourceProperties: { RemovalPolicy: 'retain' } }));
  await run(event('Delete', { PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }));
  expect(proton.calls()).toHaveLength(0);
});

test('Create over an account without settings names them empty, sets the declared ones, and removes no repository', async () => {
  proton.on(GetAccountSettingsCommand).resolves({});
  const created = await run(event('Create', { ResourceProperties: props({ PipelineCodebuildRoleArn: 'arn:aws:iam::111111111111:role/build' }) }));
  expect(foundIn(created.PhysicalResourceId)).toEqual({ pipelineServiceRoleArn: '', pipelineCodebuildRoleArn: '' });
  expect(updates()).toEqual([{ pipelineServiceRoleArn: NEW_ROLE, pipelineCodebuildRoleArn: 'arn:aws:iam::111111111111:role/build' }]);
});

test('Create rejects a repository of an unknown provider before reading anything', async () => {
  await expect(accountSettingsHandler.onEvent(event('Create', {
    ResourceProperties: props({ PipelineProvisioningRepository: { ...REPOSITORY, provider: 'GITLAB' } }),
  }), context)).rejects.toThrow(/^property provider must be one of .*GITHUB.* \(got "GITLAB"\)$/);
  expect(proton.calls()).toHaveLength(0);
});

test('onEvent of an Update or a Delete changes nothing and keeps the physical id', async () => {
  const id = physicalIdFor({ pipelineServiceRoleArn: OLD_ROLE, pipelineCodebuildRoleArn: '' });
  await expect(accountSettingsHandler.onEvent(event('Update', { PhysicalResourceId: id, OldResourceProperties: props() }), context))
    .resolves.toEqual({ PhysicalResourceId: id });
  await expect(accountSettingsHandler.onEvent(event('Delete', { PhysicalResourceId: id }), context)).resolves.toEqual({ PhysicalResourceId: id });
  expect(proton.calls()).toHaveLength(0);
});

test('Update sets the declared repository, and removes it only when the old properties declared one', async () => {
  const id = physicalIdFor({ pipelineServiceRoleArn: OLD_ROLE, pipelineCodebuildRoleArn: '' });
  const withRepository = props({ PipelineProvisioningRepository: REPOSITORY });
  const update = (now: Delivered<AccountSettingsProperties>, old: Delivered<AccountSettingsProperties>) =>
    accountSettingsHandler.isComplete(isCompleteRequest('Update', ResourceType.ACCOUNT_SETTINGS, now, { PhysicalResourceId: id, OldResourceProperties: old }), context);
  await update(withRepository, props());
  await update(props(), withRepository);
  await update(props({ PipelineServiceRoleArn: '' }), props());
  expect(updates()).toEqual([
    { pipelineServiceRoleArn: NEW_ROLE, pipelineCodebuildRoleArn: '', pipelineProvisioningRepository: REPOSITORY },
    { pipelineServiceRoleArn: NEW_ROLE, pipelineCodebuildRoleArn: '', deletePipelineProvisioningRepository: true },
    // "" clears a setting.
    { pipelineServiceRoleArn: '', pipelineCodebuildRoleArn: '' },
  ]);
});

test('Delete of settings found without a repository removes the one the stack set', async () => {
  const id = physicalIdFor({ pipelineServiceRoleArn: OLD_ROLE, pipelineCodebuildRoleArn: '' });
  const request = isCompleteRequest('Delete', ResourceType.ACCOUNT_SETTINGS, props({ PipelineProvisioningRepository: REPOSITORY }), { PhysicalResourceId: id });
  await expect(accountSettingsHandler.isComplete(request, context)).resolves.toEqual({ IsComplete: true });
  expect(updates()).toEqual([{ pipelineServiceRoleArn: OLD_ROLE, pipelineCodebuildRoleArn: '', deletePipelineProvisioningRepository: true }]);
});

test('a write Proton refuses fails isComplete with its message', async () => {
  proton.on(UpdateAccountSettingsCommand).rejects(accessDenied('not authorized to perform proton:UpdateAccountSettings'));
  proton.on(GetAccountSettingsCommand).resolves({ accountSettings: { pipelineServiceRoleArn: OLD_ROLE } });
  const id = physicalIdFor({ pipelineServiceRoleArn: OLD_ROLE, pipelineCodebuildRoleArn: '' });
  await expect(accountSettingsHandler.isComplete(isCompleteRequest('Create', ResourceType.ACCOUNT_SETTINGS, props(), { PhysicalResourceId: id }), context))
    .rejects.toThrow('not authorized to perform proton:UpdateAccountSettings');
});

describe('a Create delivered twice, whose second execution runs late', () => {
  const found = { pipelineServiceRoleArn: OLD_ROLE, pipelineCodebuildRoleArn: '' };
  const createComplete = () => accountSettingsHandler.isComplete(
    isCompleteRequest('Create', ResourceType.ACCOUNT_SETTINGS, props(), { PhysicalResourceId: physicalIdFor(found) }), context);

  test('finds the settings it declares already written, and writes nothing', async () => {
    proton.on(GetAccountSettingsCommand).resolves({ accountSettings: { pipelineServiceRoleArn: NEW_ROLE } });
    expect(await createComplete()).toEqual({ IsComplete: true });
    expect(updates()).toEqual([]);
  });

  test('finds settings a later request wrote, and fails without writing over them', async () => {
    const later = 'arn:aws:iam::111111111111:role/later';
    proton.on(GetAccountSettingsCommand).resolves({ accountSettings: { pipelineServiceRoleArn: later } });
    await expect(createComplete()).rejects.toThrow(/the account settings changed after this Create read them/);
    expect(updates()).toEqual([]);
  });
});
