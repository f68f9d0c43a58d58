import { CreateRepositoryCommand, DeleteRepositoryCommand, GetRepositoryCommand, RepositoryProvider } from '@aws-sdk/client-proton';
import { RepositoryProperties } from '../contract';
import { isConflict, isNotFound, ProtonResourceError, unlessNotFound } from './errors';
import { Delivered, enumProperty, optionalString, Owned, owned, requiredString } from './properties';
import { syncTags } from './tags';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';

interface DesiredRepository extends Owned {
  readonly provider: RepositoryProvider;
  readonly name: string;
  readonly connectionArn: string;
  readonly encryptionKey?: string;
}

function desiredRepository(props: Delivered<RepositoryProperties>): DesiredRepository {
  return {
    provider: enumProperty(props, 'Provider', Object.values(RepositoryProvider)),
    name: requiredString(props, 'Name'),
    connectionArn: requiredString(props, 'ConnectionArn'),
    encryptionKey: optionalString(props, 'EncryptionKey'),
    ...owned(props),
  };
}

const physicalIdOf = (r: DesiredRepository) => `${r.provider}:${r.name}`;

/**
 * Links a repository to Proton. Proton has no update for repositories: a change of the provider or
 * name links another repository (a replacement), a new connection or encryption key links the same
 * one anew, tags change in place (TagResource / UntagResource) and a removal policy is ours alone.
 * Deleting removes only the link.
 *
 * Create links in onEvent: if it fails there, the framework answers a marker id and ignores the
 * rollback's Delete, which must not unlink a link of the same name that is not ours. Update and
 * Delete make their calls in isComplete, so a call still throttled is "not yet" and the framework
 * tries again.
 */
export class RepositoryHandler implements ResourceHandler {
  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    const desired = desiredRepository(event.ResourceProperties);
    if (event.RequestType === 'Create') await this.link(desired, context);
    return { PhysicalResourceId: event.RequestType === 'Delete' ? event.PhysicalResourceId! : physicalIdOf(desired) };
  }

  public async isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse> {
    const desired = desiredRepository(event.ResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        break;
      case 'Update': {
        const previous = desiredRepository(event.OldResourceProperties ?? {});
        if (physicalIdOf(previous) !== physicalIdOf(desired)) {
          await this.link(desired, context);
        } else if (previous.connectionArn !== desired.connectionArn || previous.encryptionKey !== desired.encryptionKey) {
          await this.relink(previous, desired, context);
        } else {
          // Tags or removal policy: unlinking would fail while sync configs use the link, and is not needed.
          const key = { provider: desired.provider, name: desired.name };
          const found = await unlessNotFound(context.proton.send(new GetRepositoryCommand(key)));
          if (found) await syncTags(found.repository!.arn!, previous.tags, desired.tags, context);
          else await this.link(desired, context);
        }
        break;
      }
      case 'Delete':
        if (!desired.retain && event.PhysicalResourceId === physicalIdOf(desired)) await this.unlink(desired, context);
        break;
    }
    return { IsComplete: true };
  }

  /** CreateRepository is idempotent: linking the same repository again answers the existing link. */
  private async link(desired: DesiredRepository, context: HandlerContext): Promise<void> {
    await context.proton.send(new CreateRepositoryCommand({
      provider: desired.provider,
      name: desired.name,
      connectionArn: desired.connectionArn,
      encryptionKey: desired.encryptionKey,
      tags: desired.tags.length > 0 ? desired.tags : undefined,
    }));
  }

  /** Same repository, new connection or key: Proton can only link it anew. */
  private async relink(previous: DesiredRepository, desired: DesiredRepository, context: HandlerContext): Promise<void> {
    try {
      await this.unlink(previous, context);
    } catch (error) {
      if (!isConflict(error)) throw error;
      throw new ProtonResourceError(`repository ${physicalIdOf(desired)}: a new connection or encryption key needs the link made `
        + `anew, and Proton refuses to remove it: ${(error as Error).message}. Remove what uses it (sync configs) first, then change it`);
    }
    await this.link(desired, context);
  }

  private async unlink(desired: DesiredRepository, context: HandlerContext): Promise<void> {
    try {
      await context.proton.send(new DeleteRepositoryCommand({ provider: desired.provider, name: desired.name }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

export const repositoryHandler = new RepositoryHandler();
