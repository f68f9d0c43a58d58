import {
  ConflictException,
  CreateEnvironmentTemplateCommand,
  CreateRepositoryCommand,
  CreateServiceSyncConfigCommand,
  CreateTemplateSyncConfigCommand,
  DeleteRepositoryCommand,
  DeleteServiceSyncConfigCommand,
  DeleteTemplateSyncConfigCommand,
  GetEnvironmentCommand,
  GetRepositoryCommand,
  ListTagsForResourceCommand,
  paginateListRepositories,
  ProtonClient,
  ResourceNotFoundException,
  UpdateEnvironmentCommand,
  ValidationException,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import {
  activeService, clientFor, CONNECTION_ARN, deployedEnvironment, publishedEnvironmentTemplate, publishedServiceTemplate,
} from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;

beforeAll(async () => {
  proton = await ProtonEmulator.start({ accountId: '123456789012', region: 'eu-west-1', registrationDelayMs: 5, deploymentDelayMs: 10 });
  client = clientFor(proton);
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

let counter = 0;
function unique(prefix: string): string {
  return `${prefix}-${++counter}`;
}

describe('repositories', () => {
  test('CreateRepository links a repository: ARN repository/<provider lower case>:<name>, Get, tags, and the same name at another provider is another link', async () => {
    const name = `myorg/${unique('templates')}`;
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/abcd';
    const created = (await client.send(new CreateRepositoryCommand({
      provider: 'GITHUB', name, connectionArn: CONNECTION_ARN, encryptionKey: key, tags: [{ key: 'team', value: 'platform' }],
    }))).repository!;
    expect(created).toEqual({
      arn: `arn:aws:proton:eu-west-1:123456789012:repository/github:${name}`,
      provider: 'GITHUB',
      name,
      connectionArn: CONNECTION_ARN,
      encryptionKey: key,
    });
    expect((await client.send(new GetRepositoryCommand({ provider: 'GITHUB', name }))).repository).toEqual(created);
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: created.arn }))).tags).toEqual([{ key: 'team', value: 'platform' }]);

    const enterprise = (await client.send(new CreateRepositoryCommand({ provider: 'GITHUB_ENTERPRISE', name, connectionArn: CONNECTION_ARN }))).repository!;
    expect(enterprise.arn).toBe(`arn:aws:proton:eu-west-1:123456789012:repository/github_enterprise:${name}`);
    await expect(client.send(new GetRepositoryCommand({ provider: 'BITBUCKET', name }))).rejects.toThrow(ResourceNotFoundException);
  });

  test('a repeated CreateRepository answers the link for the same parameters, IdempotentParameterMismatch for others', async () => {
    const name = `myorg/${unique('infra')}`;
    const input = { provider: 'BITBUCKET' as const, name, connectionArn: CONNECTION_ARN };
    const first = (await client.send(new CreateRepositoryCommand(input))).repository!;
    expect((await client.send(new CreateRepositoryCommand(input))).repository).toEqual(first);

    const other = await client.send(new CreateRepositoryCommand({
      ...input, connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/other',
    })).catch(e => e);
    expect(other).toBeInstanceOf(ValidationException);
    expect(other.message).toMatch(/^IdempotentParameterMismatch: repository BITBUCKET myorg\/infra-\d+ is already linked with different parameters/);
    await expect(client.send(new CreateRepositoryCommand({ ...input, tags: [{ key: 'a', value: 'b' }] }))).rejects.toThrow(/IdempotentParameterMismatch/);

    const all = [];
    for await (const page of paginateListRepositories({ client, pageSize: 1 }, {})) all.push(...page.repositories!);
    expect(all.filter(r => r.name === name)).toEqual([{ arn: first.arn, provider: 'BITBUCKET', name, connectionArn: CONNECTION_ARN }]);
  });

  test('the name must be <owner>/<repo> (model pattern) and the connection an AWS CodeStar (CodeConnections) connection', async () => {
    await expect(client.send(new CreateRepositoryCommand({ provider: 'GITHUB', name: 'no-owner', connectionArn: CONNECTION_ARN })))
      .rejects.toThrow(/Value 'no-owner' at 'name' failed to satisfy constraint/);
    await expect(client.send(new CreateRepositoryCommand({
      provider: 'GITHUB', name: 'myorg/app', connectionArn: 'arn:aws:iam::123456789012:role/not-a-connection',
    }))).rejects.toThrow(/connectionArn must be the ARN of an AWS CodeStar connection/);
    const renamed = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222';
    expect((await client.send(new CreateRepositoryCommand({ provider: 'GITHUB', name: `myorg/${unique('app')}`, connectionArn: renamed }))).repository!
      .connectionArn).toBe(renamed);
  });

  test('DeleteRepository removes the link and answers it; a retry answers {}; a link never made is not found', async () => {
    const name = `myorg/${unique('gone')}`;
    const created = (await client.send(new CreateRepositoryCommand({ provider: 'GITHUB', name, connectionArn: CONNECTION_ARN }))).repository!;
    expect((await client.send(new DeleteRepositoryCommand({ provider: 'GITHUB', name }))).repository).toEqual(created);
    await expect(client.send(new GetRepositoryCommand({ provider: 'GITHUB', name }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new ListTagsForResourceCommand({ resourceArn: created.arn }))).rejects.toThrow(ResourceNotFoundException);
    expect((await client.send(new DeleteRepositoryCommand({ provider: 'GITHUB', name }))).repository).toBeUndefined();
    await expect(client.send(new DeleteRepositoryCommand({ provider: 'GITHUB', name: 'myorg/never' }))).rejects.toThrow(ResourceNotFoundException);
    // linked again: a new link
    expect((await client.send(new CreateRepositoryCommand({ provider: 'GITHUB', name, connectionArn: CONNECTION_ARN }))).repository).toEqual(created);
  });

  test('a repository a template or service sync config uses can\'t be unlinked (ConflictException) until the config is deleted', async () => {
    const name = `myorg/${unique('synced')}`;
    const repo = { repositoryProvider: 'GITHUB' as const, repositoryName: name, branch: 'main' };
    await client.send(new CreateRepositoryCommand({ provider: 'GITHUB', name, connectionArn: CONNECTION_ARN }));
    const envTemplate = unique('env-tmpl');
    await client.send(new CreateEnvironmentTemplateCommand({ name: envTemplate }));
    await client.send(new CreateTemplateSyncConfigCommand({ templateName: envTemplate, templateType: 'ENVIRONMENT', ...repo }));

    const blocked = await client.send(new DeleteRepositoryCommand({ provider: 'GITHUB', name })).catch(e => e);
    expect(blocked).toBeInstanceOf(ConflictException);
    expect(blocked.message).toContain(`the template sync config of ENVIRONMENT template '${envTemplate}' uses it`);
    await client.send(new DeleteTemplateSyncConfigCommand({ templateName: envTemplate, templateType: 'ENVIRONMENT' }));

    // a service sync config blocks it the same way
    const platform = unique('plat');
    await publishedEnvironmentTemplate(proton, client, platform);
    await publishedServiceTemplate(proton, client, `${platform}-svc`, { environmentTemplate: platform });
    await deployedEnvironment(client, `${platform}-dev`, platform);
    await activeService(client, `${platform}-api`, `${platform}-svc`, []);
    await client.send(new CreateServiceSyncConfigCommand({ serviceName: `${platform}-api`, ...repo, filePath: 'proton-ops.yaml' }));
    await expect(client.send(new DeleteRepositoryCommand({ provider: 'GITHUB', name })))
      .rejects.toThrow(`the service sync config of service '${platform}-api' uses it`);
    await client.send(new DeleteServiceSyncConfigCommand({ serviceName: `${platform}-api` }));

    expect((await client.send(new DeleteRepositoryCommand({ provider: 'GITHUB', name }))).repository?.name).toBe(name);
  });

  test('a self-managed environment\'s provisioningRepository must be linked, at create and at update', async () => {
    const template = unique('pr-env');
    await publishedEnvironmentTemplate(proton, client, template);
    const infra = `myorg/${unique('infra')}`;
    const other = `myorg/${unique('infra')}`;
    const selfManaged = { protonServiceRoleArn: undefined, provisioningRepository: { provider: 'GITHUB' as const, name: infra, branch: 'main' } };
    await expect(deployedEnvironment(client, unique('env'), template, selfManaged)).rejects.toThrow(/repository GITHUB myorg\/infra-\d+ isn't linked/);
    await client.send(new CreateRepositoryCommand({ provider: 'GITHUB', name: infra, connectionArn: CONNECTION_ARN }));
    const name = unique('env');
    await deployedEnvironment(client, name, template, selfManaged);

    const moved = { name, deploymentType: 'NONE' as const, provisioningRepository: { provider: 'GITHUB' as const, name: other, branch: 'main' } };
    await expect(client.send(new UpdateEnvironmentCommand(moved))).rejects.toThrow(ValidationException);
    await client.send(new CreateRepositoryCommand({ provider: 'GITHUB', name: other, connectionArn: CONNECTION_ARN }));
    await client.send(new UpdateEnvironmentCommand(moved));
    expect((await client.send(new GetEnvironmentCommand({ name }))).environment!.provisioningRepository).toEqual({
      provider: 'GITHUB', name: other, branch: 'main', arn: `arn:aws:proton:eu-west-1:123456789012:repository/github:${other}`,
    });
  });
});
