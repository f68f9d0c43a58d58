import { GetAccountSettingsCommand, ProtonClient, UpdateAccountSettingsCommand, ValidationException } from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor } from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;
const SERVICE_ROLE = 'arn:aws:iam::123456789012:role/proton-pipeline';
const CODEBUILD_ROLE = 'arn:aws:iam::123456789012:role/proton-codebuild';
const REPOSITORY = { provider: 'GITHUB' as const, name: 'myorg/pipelines', branch: 'main' };

beforeAll(async () => {
  proton = await ProtonEmulator.start({ accountId: '123456789012', region: 'eu-west-1' });
  client = clientFor(proton);
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
