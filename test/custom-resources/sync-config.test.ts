import {
  CreateServiceSyncConfigCommand,
  CreateTemplateSyncConfigCommand,
  DeleteServiceSyncConfigCommand,
  DeleteTemplateSyncConfigCommand,
  UpdateServiceSyncConfigCommand,
  UpdateTemplateSyncConfigCommand,
} from '@aws-sdk/client-proton';
import { accessDenied, conflict, context, Delivered, notFound, onEventRequest, onEventThenIsComplete, proton, RequestParts } from './handler-context';
import { ResourceType, ServiceSyncConfigProperties, TemplateSyncConfigProperties } from '../../src/custom-resources/contract';
import { serviceSyncConfigHandler, templateSyncConfigHandler } from '../../src/custom-resources/handlers/sync-config';
import type { OnEventRequest } from '../../src/custom-resources/handlers/types';

describe('template sync config', () => {
  const props = (overrides: Delivered<TemplateSyncConfigProperties> = {}) => ({
    TemplateName: 'vpc-env',
    TemplateType: 'ENVIRONMENT',
    RepositoryProvider: 'GITHUB',
    RepositoryName: 'my-org/templates',
    Branch: 'main',
    Subdirectory: 'vpc-env',
    RemovalPolicy: 'delete',
    ...overrides,
  });
  const event = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<TemplateSyncConfigProperties> = {}) =>
    onEventRequest(type, ResourceType.TEMPLATE_SYNC_CONFIG, props(), extra);
  const run = (request: OnEventRequest) => onEventThenIsComplete(templateSyncConfigHandler, request);
  const INPUT = { templateName: 'vpc-env', templateType: 'ENVIRONMENT', repositoryProvider: 'GITHUB', repositoryName: 'my-org/templates', branch: 'main', subdirectory: 'vpc-env' };

  test('Create creates the sync config in onEvent and answers its key, type and template name', async () => {
    await expect(templateSyncConfigHandler.onEvent(event('Create'), context)).resolves.toEqual({ PhysicalResourceId: 'ENVIRONMENT:vpc-env' });
    expect(proton.commandCalls(CreateTemplateSyncConfigCommand).map((c) => c.args[0].input)).toEqual([INPUT]);
  });

  test('Create\'s isComplete makes no call: the sync config exists once onEvent answered', async () => {
    await run(event('Create'));
    expect(proton.calls()).toHaveLength(1);
  });

  test('a failed Create fails with Proton\'s message (the framework ignores the Delete that follows)', async () => {
    proton.on(CreateTemplateSyncConfigCommand).rejects(conflict('a sync config for template vpc-env already exists'));
    await expect(templateSyncConfigHandler.onEvent(event('Create'), context)).rejects.toThrow('a sync config for template vpc-env already exists');
  });

  test('Update of the same template changes the sync config in place, in isComplete', async () => {
    const update = event('Update', { PhysicalResourceId: 'ENVIRONMENT:vpc-env', ResourceProperties: props({ Branch: 'release', Subdirectory: undefined }), OldResourceProperties: props() });
    await expect(templateSyncConfigHandler.onEvent(update, context)).resolves.toEqual({ PhysicalResourceId: 'ENVIRONMENT:vpc-env' });
    expect(proton.calls()).toHaveLength(0);
    await run(update);
    expect(proton.commandCalls(UpdateTemplateSyncConfigCommand).map((c) => c.args[0].input)).toEqual([{ ...INPUT, branch: 'release', subdirectory: undefined }]);
    expect(proton.commandCalls(CreateTemplateSyncConfigCommand)).toHaveLength(0);
  });

  test('Update to another template creates a sync config there under the new key (a replacement)', async () => {
    const out = await run(event('Update', { PhysicalResourceId: 'ENVIRONMENT:vpc-env', ResourceProperties: props({ TemplateName: 'ecs-env' }), OldResourceProperties: props() }));
    expect(out).toEqual({ PhysicalResourceId: 'ENVIRONMENT:ecs-env' });
    expect(proton.commandCalls(CreateTemplateSyncConfigCommand)[0].args[0].input).toEqual({ ...INPUT, templateName: 'ecs-env' });
    expect(proton.commandCalls(UpdateTemplateSyncConfigCommand)).toHaveLength(0);
  });

  test('Delete deletes the sync config by template name and type, tolerating one already gone', async () => {
    proton.on(DeleteTemplateSyncConfigCommand).rejects(notFound());
    await expect(run(event('Delete', { PhysicalResourceId: 'ENVIRONMENT:vpc-env' }))).resolves.toEqual({ PhysicalResourceId: 'ENVIRONMENT:vpc-env' });
    expect(proton.commandCalls(DeleteTemplateSyncConfigCommand).map((c) => c.args[0].input)).toEqual([{ templateName: 'vpc-env', templateType: 'ENVIRONMENT' }]);
  });

  test('Delete fails with Proton\'s message on errors other than gone', async () => {
    proton.on(DeleteTemplateSyncConfigCommand).rejects(accessDenied());
    await expect(run(event('Delete', { PhysicalResourceId: 'ENVIRONMENT:vpc-env' }))).rejects.toThrow('not authorized');
  });

  test('Delete makes no call when retained, or for an id that is not its key (a failed Create)', async () => {
    await run(event('Delete', { PhysicalResourceId: 'ENVIRONMENT:vpc-env', ResourceProperties: props({ RemovalPolicy: 'retain' }) }));
    await run(event('Delete', { PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }));
    await run(event('Delete', { PhysicalResourceId: 'ENVIRONMENT:ecs-env' }));
    expect(proton.calls()).toHaveLength(0);
  });

  test('rejects a template type Proton does not have, before any call', async () => {
    await expect(templateSyncConfigHandler.onEvent(event('Create', { ResourceProperties: props({ TemplateType: 'PIPELINE' }) }), context))
      .rejects.toThrow(/^property TemplateType must be one of ENVIRONMENT, SERVICE \(got "PIPELINE"\)$/);
    expect(proton.calls()).toHaveLength(0);
  });
});

describe('service sync config', () => {
  const props = (overrides: Delivered<ServiceSyncConfigProperties> = {}) => ({
    ServiceName: 'orders',
    RepositoryProvider: 'GITHUB',
    RepositoryName: 'my-org/orders',
    Branch: 'main',
    FilePath: 'proton/spec.yaml',
    RemovalPolicy: 'delete',
    ...overrides,
  });
  const event = (type: 'Create' | 'Update' | 'Delete', extra: RequestParts<ServiceSyncConfigProperties> = {}) =>
    onEventRequest(type, ResourceType.SERVICE_SYNC_CONFIG, props(), extra);
  const run = (request: OnEventRequest) => onEventThenIsComplete(serviceSyncConfigHandler, request);
  const INPUT = { serviceName: 'orders', repositoryProvider: 'GITHUB', repositoryName: 'my-org/orders', branch: 'main', filePath: 'proton/spec.yaml' };

  test('Create creates it under the service\'s name; Update changes it in place; Delete deletes it by the service\'s name', async () => {
    await expect(run(event('Create'))).resolves.toEqual({ PhysicalResourceId: 'orders' });
    await run(event('Update', { PhysicalResourceId: 'orders', ResourceProperties: props({ FilePath: 'spec.yaml' }), OldResourceProperties: props() }));
    await run(event('Delete', { PhysicalResourceId: 'orders' }));
    expect(proton.commandCalls(CreateServiceSyncConfigCommand).map((c) => c.args[0].input)).toEqual([INPUT]);
    expect(proton.commandCalls(UpdateServiceSyncConfigCommand).map((c) => c.args[0].input)).toEqual([{ ...INPUT, filePath: 'spec.yaml' }]);
    expect(proton.commandCalls(DeleteServiceSyncConfigCommand).map((c) => c.args[0].input)).toEqual([{ serviceName: 'orders' }]);
  });

  test('Update to another service creates a sync config for it; a Delete whose id is not the declared service makes no call', async () => {
    const out = await run(event('Update', { PhysicalResourceId: 'orders', ResourceProperties: props({ ServiceName: 'billing' }), OldResourceProperties: props() }));
    expect(out).toEqual({ PhysicalResourceId: 'billing' });
    expect(proton.commandCalls(CreateServiceSyncConfigCommand)[0].args[0].input).toEqual({ ...INPUT, serviceName: 'billing' });
    await run(event('Delete', { PhysicalResourceId: 'orders', ResourceProperties: props({ ServiceName: 'billing' }) }));
    expect(proton.commandCalls(DeleteServiceSyncConfigCommand)).toHaveLength(0);
  });

  test('fails without a file path, before any call', async () => {
    await expect(serviceSyncConfigHandler.onEvent(event('Create', { ResourceProperties: props({ FilePath: undefined }) }), context))
      .rejects.toThrow('property FilePath is required');
    expect(proton.calls()).toHaveLength(0);
  });
});
