import {
  CreateRepositoryCommand, DeleteRepositoryCommand, GetAccountSettingsCommand, ProtonClient, UpdateAccountSettingsCommand, ValidationException,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor } from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;
const SERVICE_ROLE = 'arn:aws:iam::123456789012:role/proton-pipeline';
const CODEBUILD_ROLE = 'arn:aws:iam::123456789012:role/proton-codebuild';
const REPOSITORY = { provider: 'GITHUB' as const, name: 'myorg/pipelines', branch: 'main' };
const CONNECTION = 'arn:aws:codestar-connections:eu-west-1:123456789012:connection/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

beforeAll(async () => {
  proton = await ProtonEmulator.start({ accountId: '123456789012', region: 'eu-west-1' });
  client = clientFor(proton);
  // "Link a pipeline repository to AWS Proton before you can use it for self-managed pipeline provisioning" (user guide)
  await client.send(new CreateRepositoryCommand({ provider: REPOSITORY.provider, name: REPOSITORY.name, connectionArn: CONNECTION }));
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

async function settings() {
  return (await client.send(new GetAccountSettingsCommand({}))).accountSettings;
}

describe('account settings', () => {
  test('one per emulator: empty at first, updated member by member, "" clears a role, delete… clears the repository', async () => {
    expect(await settings()).toEqual({});

    const updated = (await client.send(new UpdateAccountSettingsCommand({
      pipelineServiceRoleArn: SERVICE_ROLE, pipelineCodebuildRoleArn: CODEBUILD_ROLE, pipelineProvisioningRepository: REPOSITORY,
    }))).accountSettings;
    const repository = { ...REPOSITORY, arn: 'arn:aws:proton:eu-west-1:123456789012:repository/github:myorg/pipelines' };
    expect(updated).toEqual({
      pipelineServiceRoleArn: SERVICE_ROLE, pipelineCodebuildRoleArn: CODEBUILD_ROLE, pipelineProvisioningRepository: repository,
    });
    expect(await settings()).toEqual(updated);

    // members not sent stay as they are
    await client.send(new UpdateAccountSettingsCommand({ pipelineProvisioningRepository: { ...REPOSITORY, branch: 'release' } }));
    expect(await settings()).toMatchObject({ pipelineServiceRoleArn: SERVICE_ROLE, pipelineProvisioningRepository: { branch: 'release' } });

    // "To remove a previously configured ARN, specify an empty string"
    await client.send(new UpdateAccountSettingsCommand({ pipelineServiceRoleArn: '' }));
    expect(await settings()).toEqual({ pipelineCodebuildRoleArn: CODEBUILD_ROLE, pipelineProvisioningRepository: { ...repository, branch: 'release' } });
    await client.send(new UpdateAccountSettingsCommand({ pipelineCodebuildRoleArn: '', deletePipelineProvisioningRepository: true }));
    expect(await settings()).toEqual({});
    // deleting what isn't there is fine
    await client.send(new UpdateAccountSettingsCommand({ deletePipelineProvisioningRepository: true }));
    expect(await settings()).toEqual({});
  });

  test('the repository and its deletion together, and role ARNs that are not IAM role ARNs, are ValidationExceptions', async () => {
    const both = { pipelineProvisioningRepository: REPOSITORY, deletePipelineProvisioningRepository: true };
    await expect(client.send(new UpdateAccountSettingsCommand(both)))
      .rejects.toThrow(/either pipelineProvisioningRepository .* or deletePipelineProvisioningRepository .*, not both/);
    await expect(client.send(new UpdateAccountSettingsCommand({ pipelineServiceRoleArn: 'arn:aws:s3:::bucket' }))).rejects.toThrow(ValidationException);
    await expect(client.send(new UpdateAccountSettingsCommand({
      pipelineProvisioningRepository: { ...REPOSITORY, provider: 'GITLAB' as 'GITHUB' },
    }))).rejects.toThrow(/enum value set/);
    expect(await settings()).toEqual({});
    // false: nothing to delete
    await client.send(new UpdateAccountSettingsCommand({ pipelineProvisioningRepository: REPOSITORY, deletePipelineProvisioningRepository: false }));
    expect((await settings())!.pipelineProvisioningRepository).toMatchObject(REPOSITORY);
  });

  test('the pipeline provisioning repository must be linked with CreateRepository (any branch); unlinking it later keeps the setting', async () => {
    const other = { provider: 'BITBUCKET' as const, name: 'myorg/other-pipelines', branch: 'main' };
    const e = await client.send(new UpdateAccountSettingsCommand({ pipelineServiceRoleArn: SERVICE_ROLE, pipelineProvisioningRepository: other }))
      .catch(err => err);
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.message).toMatch(/repository BITBUCKET myorg\/other-pipelines isn't linked with Proton: link it with CreateRepository first/);
    // nothing of the request was applied
    expect((await settings())?.pipelineServiceRoleArn).toBeUndefined();
    // the same name with another provider is another repository
    await expect(client.send(new UpdateAccountSettingsCommand({ pipelineProvisioningRepository: { ...REPOSITORY, provider: 'GITHUB_ENTERPRISE' } })))
      .rejects.toThrow(/isn't linked/);

    await client.send(new CreateRepositoryCommand({ provider: other.provider, name: other.name, connectionArn: CONNECTION }));
    await client.send(new UpdateAccountSettingsCommand({ pipelineProvisioningRepository: { ...other, branch: 'any-branch' } }));
    await client.send(new DeleteRepositoryCommand({ provider: other.provider, name: other.name }));
    expect((await settings())?.pipelineProvisioningRepository).toEqual({
      ...other, branch: 'any-branch', arn: 'arn:aws:proton:eu-west-1:123456789012:repository/bitbucket:myorg/other-pipelines',
    });
    await client.send(new UpdateAccountSettingsCommand({ deletePipelineProvisioningRepository: true }));
  });

  test('each emulator (account and region) has its own settings', async () => {
    const other = await ProtonEmulator.start({ accountId: '222222222222', region: 'us-west-2' });
    const otherClient = clientFor(other);
    try {
      await client.send(new UpdateAccountSettingsCommand({ pipelineServiceRoleArn: SERVICE_ROLE }));
      expect((await otherClient.send(new GetAccountSettingsCommand({}))).accountSettings).toEqual({});
    } finally {
      otherClient.destroy();
      await other.stop();
    }
  });
});
