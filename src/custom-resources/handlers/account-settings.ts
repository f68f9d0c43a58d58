import { GetAccountSettingsCommand, RepositoryProvider, UpdateAccountSettingsCommand, UpdateAccountSettingsInput } from '@aws-sdk/client-proton';
import { AccountSettingsProperties } from '../contract';
import { ProtonResourceError } from './errors';
import { Delivered, enumProperty, optionalObject, optionalString, requiredString, retains } from './properties';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';

/** The settings as found before the stack changed them; restored on delete. */
interface FoundSettings {
  readonly pipelineServiceRoleArn: string;
  readonly pipelineCodebuildRoleArn: string;
  readonly pipelineProvisioningRepository?: { provider: RepositoryProvider; name: string; branch: string };
}

const PREFIX = 'proton-account-settings:';

/** Two sets of settings that say the same: the roles, and the repository's provider, name and branch. */
function sameSettings(a: UpdateAccountSettingsInput, b: UpdateAccountSettingsInput): boolean {
  const repository = (r: UpdateAccountSettingsInput['pipelineProvisioningRepository']) => r && `${r.provider}:${r.name}@${r.branch}`;
  return (a.pipelineServiceRoleArn ?? '') === (b.pipelineServiceRoleArn ?? '') && (a.pipelineCodebuildRoleArn ?? '') === (b.pipelineCodebuildRoleArn ?? '')
    && repository(a.pipelineProvisioningRepository) === repository(b.pipelineProvisioningRepository);
}

/**
 * The physical id carries the settings found at create time (Proton has no delete for account
 * settings: deleting the resource restores them), so a Delete needs nothing else.
 */
export function physicalIdFor(found: FoundSettings): string {
  return PREFIX + Buffer.from(JSON.stringify(found)).toString('base64url');
}

export function foundIn(physicalId: string | undefined): FoundSettings | undefined {
  if (!physicalId?.startsWith(PREFIX)) return undefined;
  return JSON.parse(Buffer.from(physicalId.slice(PREFIX.length), 'base64url').toString('utf8'));
}

function desiredSettings(props: Delivered<AccountSettingsProperties>): UpdateAccountSettingsInput {
  const repository = optionalObject(props, 'PipelineProvisioningRepository');
  const pipelineProvisioningRepository = repository && {
    provider: enumProperty(repository, 'provider', Object.values(RepositoryProvider)),
    name: requiredString(repository, 'name'),
    branch: requiredString(repository, 'branch'),
  };
  return {
    pipelineServiceRoleArn: optionalString(props, 'PipelineServiceRoleArn') ?? '',
    pipelineCodebuildRoleArn: optionalString(props, 'PipelineCodebuildRoleArn') ?? '',
    ...(pipelineProvisioningRepository ? { pipelineProvisioningRepository } : {}),
  };
}

/**
 * Proton's per-account pipeline settings: set on create and update, restored to what was found on delete.
 * onEvent only reads (on Create: the settings found, which name the resource); isComplete writes. A Create
 * delivered again after the first delivery's onEvent (CloudFormation retries when the framework failed
 * before its wait started) then finds the same settings and names the same resource; and a write still
 * throttled is "not yet": the framework tries again.
 */
export class AccountSettingsHandler implements ResourceHandler {
  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    if (event.RequestType !== 'Create') {
      return { PhysicalResourceId: event.PhysicalResourceId! };
    }
    desiredSettings(event.ResourceProperties);
    return { PhysicalResourceId: physicalIdFor(await this.read(context)) };
  }

  /** The settings Proton has, in the physical id's form. */
  private async read(context: HandlerContext): Promise<FoundSettings> {
    const current = (await context.proton.send(new GetAccountSettingsCommand({}))).accountSettings ?? {};
    return {
      pipelineServiceRoleArn: current.pipelineServiceRoleArn ?? '',
      pipelineCodebuildRoleArn: current.pipelineCodebuildRoleArn ?? '',
      pipelineProvisioningRepository: current.pipelineProvisioningRepository && {
        provider: current.pipelineProvisioningRepository.provider!,
        name: current.pipelineProvisioningRepository.name!,
        branch: current.pipelineProvisioningRepository.branch!,
      },
    };
  }

  public async isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse> {
    const found = foundIn(event.PhysicalResourceId);
    const wantsRepository = !!optionalObject<AccountSettingsProperties, 'PipelineProvisioningRepository'>(event.ResourceProperties, 'PipelineProvisioningRepository');
    switch (event.RequestType) {
      case 'Create': {
        // Account settings carry no tag to say which request last wrote them: compare with what this Create found
        // instead. A second execution of the Create (a duplicate delivery) that runs late must not write over a
        // later request's settings, nor write the same ones twice.
        const desired = desiredSettings(event.ResourceProperties);
        const current = await this.read(context);
        if (sameSettings(current, desired)) break;
        if (found && !sameSettings(current, found)) {
          throw new ProtonResourceError('the account settings changed after this Create read them (a later request, or someone outside '
            + 'the stack), so it does not write over them: deploy again to apply the stack\'s settings');
        }
        await this.apply(desired, !wantsRepository && !!found?.pipelineProvisioningRepository, context);
        break;
      }
      case 'Update':
        await this.apply(desiredSettings(event.ResourceProperties), !wantsRepository
          && !!optionalObject<AccountSettingsProperties, 'PipelineProvisioningRepository'>(event.OldResourceProperties ?? {}, 'PipelineProvisioningRepository'),
        context);
        break;
      case 'Delete':
        if (found && !retains<AccountSettingsProperties>(event.ResourceProperties)) {
          await this.apply({
            pipelineServiceRoleArn: found.pipelineServiceRoleArn,
            pipelineCodebuildRoleArn: found.pipelineCodebuildRoleArn,
            ...(found.pipelineProvisioningRepository ? { pipelineProvisioningRepository: found.pipelineProvisioningRepository } : {}),
          }, !found.pipelineProvisioningRepository, context);
        }
        break;
    }
    return { IsComplete: true };
  }

  private async apply(settings: UpdateAccountSettingsInput, deleteRepository: boolean, context: HandlerContext): Promise<void> {
    await context.proton.send(new UpdateAccountSettingsCommand({
      ...settings,
      ...(deleteRepository && !settings.pipelineProvisioningRepository ? { deletePipelineProvisioningRepository: true } : {}),
    }));
  }
}

export const accountSettingsHandler = new AccountSettingsHandler();
