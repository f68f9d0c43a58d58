import {
  ConflictException,
  CreateEnvironmentTemplateCommand,
  CreateRepositoryCommand,
  CreateServiceSyncConfigCommand,
  CreateServiceTemplateCommand,
  CreateTemplateSyncConfigCommand,
  DeleteServiceSyncConfigCommand,
  DeleteTemplateSyncConfigCommand,
  GetServiceInstanceSyncStatusCommand,
  GetServiceSyncBlockerSummaryCommand,
  GetServiceSyncConfigCommand,
  GetTemplateSyncConfigCommand,
  GetTemplateSyncStatusCommand,
  ProtonClient,
  ResourceNotFoundException,
  UpdateServiceSyncBlockerCommand,
  UpdateServiceSyncConfigCommand,
  UpdateTemplateSyncConfigCommand,
  ValidationException,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import {
  activeService, clientFor, CONNECTION_ARN, deployedEnvironment, publishedEnvironmentTemplate, publishedServiceTemplate,
} from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;

/** Linked repositories. */
const TEMPLATES = { repositoryProvider: 'GITHUB' as const, repositoryName: 'myorg/templates' };
const OTHER = { repositoryProvider: 'BITBUCKET' as const, repositoryName: 'myorg/other' };
const NOT_LINKED = { repositoryProvider: 'GITHUB' as const, repositoryName: 'myorg/not-linked' };
/** An environment template and a service template, both named `shared`; a platform with service `api` (instance `dev-api`). */
const SHARED = 'shared';
const ENV_TEMPLATE = 'web-env';
const SERVICE = 'api';
const INSTANCE = 'dev-api';

beforeAll(async () => {
  proton = await ProtonEmulator.start({ registrationDelayMs: 5, deploymentDelayMs: 10 });
  client = clientFor(proton);
  for (const r of [TEMPLATES, OTHER]) {
    await client.send(new CreateRepositoryCommand({ provider: r.repositoryProvider, name: r.repositoryName, connectionArn: CONNECTION_ARN }));
  }
  await client.send(new CreateEnvironmentTemplateCommand({ name: SHARED }));
  await client.send(new CreateServiceTemplateCommand({ name: SHARED }));
  await publishedEnvironmentTemplate(proton, client, ENV_TEMPLATE);
  await publishedServiceTemplate(proton, client, 'web-svc', { environmentTemplate: ENV_TEMPLATE });
  await deployedEnvironment(client, 'dev', ENV_TEMPLATE);
  await activeService(client, SERVICE, 'web-svc', [{ name: INSTANCE, environment: 'dev' }]);
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

describe('template sync configs', () => {
  test('keyed by template name and type: create, get, update (the whole configuration), delete (answers it; a retry {})', async () => {
    const env = (await client.send(new CreateTemplateSyncConfigCommand({
      templateName: SHARED, templateType: 'ENVIRONMENT', ...TEMPLATES, branch: 'main',
    }))).templateSyncConfig;
    expect(env).toEqual({ templateName: SHARED, templateType: 'ENVIRONMENT', ...TEMPLATES, branch: 'main' });
    // the service template of the same name is another key
    const svc = (await client.send(new CreateTemplateSyncConfigCommand({
      templateName: SHARED, templateType: 'SERVICE', ...OTHER, branch: 'dev', subdirectory: 'templates',
    }))).templateSyncConfig;
    expect(svc).toEqual({ templateName: SHARED, templateType: 'SERVICE', ...OTHER, branch: 'dev', subdirectory: 'templates' });
    expect((await client.send(new GetTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'ENVIRONMENT' }))).templateSyncConfig).toEqual(env);
    expect((await client.send(new GetTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'SERVICE' }))).templateSyncConfig).toEqual(svc);

    // Update: branch, repository and subdirectory; an omitted subdirectory is removed
    const updated = (await client.send(new UpdateTemplateSyncConfigCommand({
      templateName: SHARED, templateType: 'ENVIRONMENT', ...OTHER, branch: 'release', subdirectory: 'envs',
    }))).templateSyncConfig;
    expect(updated).toEqual({ templateName: SHARED, templateType: 'ENVIRONMENT', ...OTHER, branch: 'release', subdirectory: 'envs' });
    await client.send(new UpdateTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'SERVICE', ...OTHER, branch: 'dev' }));
    expect((await client.send(new GetTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'SERVICE' }))).templateSyncConfig)
      .toEqual({ templateName: SHARED, templateType: 'SERVICE', ...OTHER, branch: 'dev' });
    await expect(client.send(new UpdateTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'ENVIRONMENT', ...NOT_LINKED, branch: 'main' })))
      .rejects.toThrow(/repository GITHUB myorg\/not-linked isn't linked with Proton/);
    await expect(client.send(new UpdateTemplateSyncConfigCommand({ templateName: ENV_TEMPLATE, templateType: 'ENVIRONMENT', ...OTHER, branch: 'main' })))
      .rejects.toThrow(ResourceNotFoundException);

    expect((await client.send(new DeleteTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'ENVIRONMENT' }))).templateSyncConfig)
      .toEqual(updated);
    await expect(client.send(new GetTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'ENVIRONMENT' })))
      .rejects.toThrow(`The ENVIRONMENT template ${SHARED} has no template sync config`);
    expect((await client.send(new DeleteTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'ENVIRONMENT' }))).templateSyncConfig)
      .toBeUndefined();
    await expect(client.send(new DeleteTemplateSyncConfigCommand({ templateName: ENV_TEMPLATE, templateType: 'SERVICE' })))
      .rejects.toThrow(ResourceNotFoundException);
    // the other key is untouched
    expect((await client.send(new GetTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'SERVICE' }))).templateSyncConfig?.branch).toBe('dev');
    await client.send(new DeleteTemplateSyncConfigCommand({ templateName: SHARED, templateType: 'SERVICE' }));
  });

  test('the template must exist and the repository be linked; a repeated create is idempotent until the config is updated', async () => {
    const missing = await client.send(new CreateTemplateSyncConfigCommand({
      templateName: 'web-svc', templateType: 'ENVIRONMENT', ...TEMPLATES, branch: 'main',
    })).catch(e => e);
    expect(missing).toBeInstanceOf(ValidationException); // the model gives CreateTemplateSyncConfig no ResourceNotFoundException
    expect(missing.message).toMatch(/The environment template web-svc doesn't exist/);
    await expect(client.send(new CreateTemplateSyncConfigCommand({ templateName: ENV_TEMPLATE, templateType: 'ENVIRONMENT', ...NOT_LINKED, branch: 'main' })))
      .rejects.toThrow(/isn't linked with Proton: link it with CreateRepository first/);

    const input = { templateName: 'web-svc', templateType: 'SERVICE' as const, ...TEMPLATES, branch: 'main' };
    const first = (await client.send(new CreateTemplateSyncConfigCommand(input))).templateSyncConfig;
    expect((await client.send(new CreateTemplateSyncConfigCommand(input))).templateSyncConfig).toEqual(first);
    await expect(client.send(new CreateTemplateSyncConfigCommand({ ...input, branch: 'other' }))).rejects.toThrow(/^IdempotentParameterMismatch/);
    await client.send(new UpdateTemplateSyncConfigCommand({ ...input, branch: 'release' }));
    await expect(client.send(new CreateTemplateSyncConfigCommand(input))).rejects.toThrow(ConflictException);
    await client.send(new DeleteTemplateSyncConfigCommand({ templateName: 'web-svc', templateType: 'SERVICE' }));
    // deleted: created anew
    expect((await client.send(new CreateTemplateSyncConfigCommand(input))).templateSyncConfig).toEqual(first);
    await client.send(new DeleteTemplateSyncConfigCommand({ templateName: 'web-svc', templateType: 'SERVICE' }));
  });

  test('GetTemplateSyncStatus: SUCCEEDED for a major version the template has, INITIATED for another; no config: not found', async () => {
    const key = { templateName: ENV_TEMPLATE, templateType: 'ENVIRONMENT' as const };
    await expect(client.send(new GetTemplateSyncStatusCommand({ ...key, templateVersion: '1' }))).rejects.toThrow(ResourceNotFoundException);
    await client.send(new CreateTemplateSyncConfigCommand({ ...key, ...TEMPLATES, branch: 'main', subdirectory: 'templates' }));

    const synced = await client.send(new GetTemplateSyncStatusCommand({ ...key, templateVersion: '1' }));
    const revision = { ...TEMPLATES, branch: 'main', directory: `templates/${ENV_TEMPLATE}/v1`, sha: expect.stringMatching(/^[0-9a-f]{40}$/) };
    expect(synced.desiredState).toEqual(revision);
    expect(synced.latestSync).toMatchObject({ status: 'SUCCEEDED', target: ENV_TEMPLATE, initialRevision: revision, targetRevision: revision });
    expect(synced.latestSync!.events!.map(e => e.type)).toEqual(['INITIATED', 'SUCCEEDED']);
    expect(synced.latestSuccessfulSync).toMatchObject({ status: 'SUCCEEDED' });

    const pending = await client.send(new GetTemplateSyncStatusCommand({ ...key, templateVersion: '2' }));
    expect(pending.desiredState?.directory).toBe(`templates/${ENV_TEMPLATE}/v2`);
    expect(pending.latestSync).toMatchObject({ status: 'INITIATED', events: [expect.objectContaining({ type: 'INITIATED' })] });
    expect(pending.latestSuccessfulSync).toBeUndefined();
    await client.send(new DeleteTemplateSyncConfigCommand(key));
  });
});

describe('service sync configs', () => {
  test('keyed by service name: the service must exist and the repository be linked; create, get, update, delete', async () => {
    const config = { serviceName: SERVICE, ...TEMPLATES, branch: 'main', filePath: 'config/proton-ops.yaml' };
    await expect(client.send(new CreateServiceSyncConfigCommand({ ...config, serviceName: 'nope' }))).rejects.toThrow(/The service nope doesn't exist/);
    await expect(client.send(new CreateServiceSyncConfigCommand({ ...config, ...NOT_LINKED }))).rejects.toThrow(ValidationException);
    await expect(client.send(new GetServiceSyncConfigCommand({ serviceName: SERVICE }))).rejects.toThrow(ResourceNotFoundException);

    expect((await client.send(new CreateServiceSyncConfigCommand(config))).serviceSyncConfig).toEqual(config);
    expect((await client.send(new CreateServiceSyncConfigCommand(config))).serviceSyncConfig).toEqual(config); // idempotent
    await expect(client.send(new CreateServiceSyncConfigCommand({ ...config, branch: 'dev' }))).rejects.toThrow(/^IdempotentParameterMismatch/);
    expect((await client.send(new GetServiceSyncConfigCommand({ serviceName: SERVICE }))).serviceSyncConfig).toEqual(config);

    const updated = { serviceName: SERVICE, ...OTHER, branch: 'release', filePath: 'ops/proton-ops.yaml' };
    expect((await client.send(new UpdateServiceSyncConfigCommand(updated))).serviceSyncConfig).toEqual(updated);
    expect((await client.send(new GetServiceSyncConfigCommand({ serviceName: SERVICE }))).serviceSyncConfig).toEqual(updated);
    await expect(client.send(new CreateServiceSyncConfigCommand(config))).rejects.toThrow(ConflictException); // updated since
    await expect(client.send(new UpdateServiceSyncConfigCommand({ ...updated, ...NOT_LINKED }))).rejects.toThrow(/isn't linked/);
    await expect(client.send(new UpdateServiceSyncConfigCommand({ ...updated, serviceName: 'nope' }))).rejects.toThrow(ResourceNotFoundException);

    expect((await client.send(new DeleteServiceSyncConfigCommand({ serviceName: SERVICE }))).serviceSyncConfig).toEqual(updated);
    expect((await client.send(new DeleteServiceSyncConfigCommand({ serviceName: SERVICE }))).serviceSyncConfig).toBeUndefined();
    await expect(client.send(new DeleteServiceSyncConfigCommand({ serviceName: 'nope' }))).rejects.toThrow(ResourceNotFoundException);
  });

  test('GetServiceInstanceSyncStatus follows the instance\'s deployment; sync blockers: an empty summary, none to update', async () => {
    const status = { serviceName: SERVICE, serviceInstanceName: INSTANCE };
    await expect(client.send(new GetServiceInstanceSyncStatusCommand(status))).rejects.toThrow(/has no service sync config/);
    await client.send(new CreateServiceSyncConfigCommand({ serviceName: SERVICE, ...TEMPLATES, branch: 'main', filePath: 'config/proton-ops.yaml' }));
    const synced = await client.send(new GetServiceInstanceSyncStatusCommand(status));
    expect(synced.desiredState).toMatchObject({ ...TEMPLATES, branch: 'main', directory: 'config' });
    expect(synced.latestSync).toMatchObject({ status: 'SUCCEEDED', target: INSTANCE });
    expect(synced.latestSuccessfulSync).toMatchObject({ status: 'SUCCEEDED' });
    await expect(client.send(new GetServiceInstanceSyncStatusCommand({ ...status, serviceInstanceName: 'nope' }))).rejects.toThrow(ResourceNotFoundException);

    expect((await client.send(new GetServiceSyncBlockerSummaryCommand({ serviceName: SERVICE }))).serviceSyncBlockerSummary)
      .toEqual({ serviceName: SERVICE, latestBlockers: [] });
    expect((await client.send(new GetServiceSyncBlockerSummaryCommand(status))).serviceSyncBlockerSummary)
      .toEqual({ serviceName: SERVICE, serviceInstanceName: INSTANCE, latestBlockers: [] });
    await expect(client.send(new GetServiceSyncBlockerSummaryCommand({ serviceName: 'nope' }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new GetServiceSyncBlockerSummaryCommand({ ...status, serviceInstanceName: 'nope' }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new UpdateServiceSyncBlockerCommand({ id: 'blocker-1', resolvedReason: 'fixed' }))).rejects.toThrow(ResourceNotFoundException);
    await client.send(new DeleteServiceSyncConfigCommand({ serviceName: SERVICE }));
  });
});
