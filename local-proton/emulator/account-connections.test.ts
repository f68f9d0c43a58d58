import {
  AcceptEnvironmentAccountConnectionCommand,
  ConflictException,
  CreateComponentCommand,
  CreateEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommandInput,
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  DeleteEnvironmentAccountConnectionCommand,
  DeleteEnvironmentCommand,
  GetEnvironmentAccountConnectionCommand,
  GetEnvironmentCommand,
  ListEnvironmentAccountConnectionsCommand,
  ListTagsForResourceCommand,
  paginateListEnvironmentAccountConnections,
  ProtonClient,
  RejectEnvironmentAccountConnectionCommand,
  ResourceNotFoundException,
  UpdateEnvironmentAccountConnectionCommand,
  UpdateEnvironmentCommand,
  UpdateEnvironmentTemplateVersionCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor, envBundleFiles, fastWaiter, tarGz } from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;
const ACCOUNT = '123456789012';
const MANAGEMENT = '210987654321';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/proton-environment`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SPEC = 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n';
let templateName: string;

beforeAll(async () => {
  proton = await ProtonEmulator.start({
    accountId: ACCOUNT, region: 'eu-west-1', registrationDelayMs: 10, deploymentDelayMs: 20, deleteDelayMs: 20,
  });
  client = clientFor(proton);
  // one published environment template for the environments that use connections
  templateName = 'connected-env';
  proton.s3.putObject('bundles', 'env.tar.gz', tarGz(envBundleFiles()));
  await client.send(new CreateEnvironmentTemplateCommand({ name: templateName }));
  await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName, source: { s3: { bucket: 'bundles', key: 'env.tar.gz' } } }));
  const version = { templateName, majorVersion: '1', minorVersion: '0' };
  await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), version);
  await client.send(new UpdateEnvironmentTemplateVersionCommand({ ...version, status: 'PUBLISHED' }));
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

afterEach(() => proton.faults.clear());

let counter = 0;
function unique(prefix: string): string {
  return `${prefix}-${++counter}`;
}

async function createConnection(input: Partial<CreateEnvironmentAccountConnectionCommandInput> = {}) {
  return (await client.send(new CreateEnvironmentAccountConnectionCommand({
    managementAccountId: MANAGEMENT, environmentName: unique('env'), roleArn: ROLE, ...input,
  }))).environmentAccountConnection!;
}

async function accepted(environmentName: string) {
  const c = await createConnection({ environmentName });
  return (await client.send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id! }))).environmentAccountConnection!;
}

describe('environment account connections', () => {
  test('create: PENDING, a uuid, the emulator as environment account; a client token replays, other parameters are refused', async () => {
    const environmentName = unique('env');
    const input = {
      managementAccountId: MANAGEMENT,
      environmentName,
      roleArn: ROLE,
      componentRoleArn: `arn:aws:iam::${ACCOUNT}:role/components`,
      clientToken: 'token-1',
      tags: [{ key: 'owner', value: 'network' }],
    };
    const created = (await client.send(new CreateEnvironmentAccountConnectionCommand(input))).environmentAccountConnection!;
    expect(created).toMatchObject({
      status: 'PENDING',
      managementAccountId: MANAGEMENT,
      environmentAccountId: ACCOUNT,
      environmentName,
      roleArn: ROLE,
      componentRoleArn: `arn:aws:iam::${ACCOUNT}:role/components`,
    });
    expect(created.id).toMatch(UUID);
    expect(created.arn).toBe(`arn:aws:proton:eu-west-1:${ACCOUNT}:environment-account-connection/${created.id}`);
    expect(created.requestedAt).toBeInstanceOf(Date);

    const replay = (await client.send(new CreateEnvironmentAccountConnectionCommand(input))).environmentAccountConnection!;
    expect(replay.id).toBe(created.id);
    await expect(client.send(new CreateEnvironmentAccountConnectionCommand({ ...input, roleArn: `arn:aws:iam::${ACCOUNT}:role/other` })))
      .rejects.toThrow(/IdempotentParameterMismatch/);
    // the SDK fills in a fresh client token when none is given: a second connection
    const other = await createConnection({ environmentName });
    expect(other.id).not.toBe(created.id);

    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: created.arn! }))).tags).toEqual([{ key: 'owner', value: 'network' }]);
    await expect(createConnection({ roleArn: undefined })).rejects.toThrow(/needs a role/);
    const codebuildOnly = await createConnection({ roleArn: undefined, codebuildRoleArn: `arn:aws:iam::${ACCOUNT}:role/codebuild` });
    expect(codebuildOnly).toMatchObject({ codebuildRoleArn: `arn:aws:iam::${ACCOUNT}:role/codebuild`, roleArn: '' });
  });

  test('accept: PENDING to CONNECTED (again: no change); reject: REJECTED, final', async () => {
    const c = await createConnection();
    const connected = (await client.send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id! }))).environmentAccountConnection!;
    expect(connected.status).toBe('CONNECTED');
    expect(connected.lastModifiedAt!.getTime()).toBeGreaterThanOrEqual(c.lastModifiedAt!.getTime());
    expect((await client.send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id! }))).environmentAccountConnection!.status).toBe('CONNECTED');

    const rejected = (await client.send(new RejectEnvironmentAccountConnectionCommand({ id: c.id! }))).environmentAccountConnection!;
    expect(rejected.status).toBe('REJECTED');
    expect((await client.send(new RejectEnvironmentAccountConnectionCommand({ id: c.id! }))).environmentAccountConnection!.status).toBe('REJECTED');
    await expect(client.send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id! }))).rejects.toThrow(/rejected/);
    await expect(client.send(new UpdateEnvironmentAccountConnectionCommand({ id: c.id!, roleArn: ROLE }))).rejects.toThrow(ValidationException);

    const pending = await createConnection();
    expect((await client.send(new RejectEnvironmentAccountConnectionCommand({ id: pending.id! }))).environmentAccountConnection!.status)
      .toBe('REJECTED');
    await expect(client.send(new AcceptEnvironmentAccountConnectionCommand({ id: '00000000-0000-4000-8000-000000000000' })))
      .rejects.toThrow(ResourceNotFoundException);
  });

  test('update the roles; delete is synchronous, a retry answers empty', async () => {
    const c = await createConnection();
    const updated = (await client.send(new UpdateEnvironmentAccountConnectionCommand({
      id: c.id!, roleArn: `arn:aws:iam::${ACCOUNT}:role/new`, codebuildRoleArn: `arn:aws:iam::${ACCOUNT}:role/cb`,
    }))).environmentAccountConnection!;
    expect(updated).toMatchObject({ roleArn: `arn:aws:iam::${ACCOUNT}:role/new`, codebuildRoleArn: `arn:aws:iam::${ACCOUNT}:role/cb`, status: 'PENDING' });

    const deleted = (await client.send(new DeleteEnvironmentAccountConnectionCommand({ id: c.id! }))).environmentAccountConnection!;
    expect(deleted.id).toBe(c.id);
    await expect(client.send(new GetEnvironmentAccountConnectionCommand({ id: c.id! }))).rejects.toThrow(ResourceNotFoundException);
    expect((await client.send(new DeleteEnvironmentAccountConnectionCommand({ id: c.id! }))).environmentAccountConnection).toBeUndefined();
    await expect(client.send(new DeleteEnvironmentAccountConnectionCommand({ id: '00000000-0000-4000-8000-00000000beef' })))
      .rejects.toThrow(ResourceNotFoundException);
  });

  test('list: requestedBy either side, filtered by environment name and statuses, paginated', async () => {
    const environmentName = unique('listed');
    const pending = await createConnection({ environmentName });
    const connected = await accepted(environmentName);
    const rejected = await createConnection({ environmentName });
    await client.send(new RejectEnvironmentAccountConnectionCommand({ id: rejected.id! }));

    for (const requestedBy of ['ENVIRONMENT_ACCOUNT', 'MANAGEMENT_ACCOUNT'] as const) {
      const all = await client.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy, environmentName }));
      expect(all.environmentAccountConnections!.map(c => c.id)).toEqual([pending.id, connected.id, rejected.id]);
    }
    const some = await client.send(new ListEnvironmentAccountConnectionsCommand({
      requestedBy: 'MANAGEMENT_ACCOUNT', environmentName, statuses: ['PENDING', 'REJECTED'],
    }));
    expect(some.environmentAccountConnections!.map(c => c.status)).toEqual(['PENDING', 'REJECTED']);

    const ids: string[] = [];
    for await (const page of paginateListEnvironmentAccountConnections({ client, pageSize: 1 }, { requestedBy: 'ENVIRONMENT_ACCOUNT', environmentName })) {
      ids.push(...page.environmentAccountConnections!.map(c => c.id!));
    }
    expect(ids).toEqual([pending.id, connected.id, rejected.id]);
  });
});

describe('environments provisioned through a connection', () => {
  const create = (name: string, environmentAccountConnectionId: string) => client.send(new CreateEnvironmentCommand({
    name, templateName, templateMajorVersion: '1', spec: SPEC, environmentAccountConnectionId,
  }));

  test('only a CONNECTED connection for that environment name; the connection in use cannot be rejected', async () => {
    const name = unique('env');
    const pending = await createConnection({ environmentName: name });
    await expect(create(name, pending.id!)).rejects.toThrow(/is PENDING: only a CONNECTED/);
    const forOther = await accepted(unique('env'));
    await expect(create(name, forOther.id!)).rejects.toThrow(/is for environment/);
    await expect(create(name, '00000000-0000-4000-8000-00000000cafe')).rejects.toThrow(ResourceNotFoundException);

    const connection = await accepted(name);
    const env = (await create(name, connection.id!)).environment!;
    expect(env).toMatchObject({ environmentAccountConnectionId: connection.id, environmentAccountId: ACCOUNT });
    expect(env.protonServiceRoleArn).toBeUndefined();
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });

    await expect(client.send(new RejectEnvironmentAccountConnectionCommand({ id: connection.id! })))
      .rejects.toThrow(new RegExp(`can't be rejected: environment '${name}' is connected to it`));
    await expect(client.send(new RejectEnvironmentAccountConnectionCommand({ id: connection.id! }))).rejects.toThrow(ConflictException);
    // an environment with a connection takes no service role, and no CodeBuild role: the connection's is used
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'NONE', protonServiceRoleArn: `arn:aws:iam::${ACCOUNT}:role/x` })))
      .rejects.toThrow(/don't include protonServiceRoleArn/);
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'NONE', codebuildRoleArn: `arn:aws:iam::${ACCOUNT}:role/x` })))
      .rejects.toThrow(/Proton uses the codebuildRoleArn of the connection, don't include codebuildRoleArn/);

    // components need the connection's componentRoleArn ("The environment account connection must have a componentRoleArn")
    const manifest = 'infrastructure:\n  templates:\n    - file: "c.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n';
    const component = () => client.send(new CreateComponentCommand({ name: unique('c'), environmentName: name, templateFile: 'Resources: {}\n', manifest }));
    await expect(component()).rejects.toThrow(/provisioned through environment account connection .*, which has no componentRoleArn/);
    await client.send(new UpdateEnvironmentAccountConnectionCommand({ id: connection.id!, componentRoleArn: `arn:aws:iam::${ACCOUNT}:role/components` }));
    expect((await component()).component!.environmentName).toBe(name);
  });

  test('a connection in use can be deleted (API reference); deployments then need a new accepted connection', async () => {
    const name = unique('env');
    const first = await accepted(name);
    await create(name, first.id!);
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });

    await client.send(new DeleteEnvironmentAccountConnectionCommand({ id: first.id! }));
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION' })))
      .rejects.toThrow(/no longer exists or isn't CONNECTED/);

    const second = await accepted(name);
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'NONE', environmentAccountConnectionId: second.id }));
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION' }));
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    expect((await client.send(new GetEnvironmentCommand({ name }))).environment).toMatchObject({
      deploymentStatus: 'SUCCEEDED', environmentAccountConnectionId: second.id,
    });

    // without a connection Proton can't remove the infrastructure: the delete fails
    await client.send(new DeleteEnvironmentAccountConnectionCommand({ id: second.id! }));
    await client.send(new DeleteEnvironmentCommand({ name }));
    let env = (await client.send(new GetEnvironmentCommand({ name }))).environment!;
    for (let i = 0; i < 100 && env.deploymentStatus === 'DELETE_IN_PROGRESS'; i++) {
      await new Promise(r => setTimeout(r, 10));
      env = (await client.send(new GetEnvironmentCommand({ name }))).environment!;
    }
    expect(env).toMatchObject({ deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: expect.stringContaining('no longer exists') });
  });
});
