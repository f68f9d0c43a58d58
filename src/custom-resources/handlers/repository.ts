import { CreateRepositoryCommand, DeleteRepositoryCommand } from '@aws-sdk/client-proton';
import { RemovalMode } from '../contract';
import { isConflict, isNotFound, ProtonResourceError } from './errors';
import { optionalString, requiredString, tagList } from './properties';
import type { HandlerContext, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';

interface DesiredRepository {
  readonly provider: string;
  readonly name: string;
  readonly connectionArn: string;
  readonly encryptionKey?: string;
  readonly tags: Array<{ key: string; value: string }>;
  readonly retain: boolean;
}

function desiredRepository(props: Record<string, any>): DesiredRepository {
  return {
    provider: requiredString(props, 'Provider'),
    name: requiredString(props, 'Name'),
    connectionArn: requiredString(props, 'ConnectionArn'),
    encryptionKey: optionalString(props, 'EncryptionKey'),
    tags: tagList(props, 'Tags'),
    retain: optionalString(props, 'RemovalPolicy') === RemovalMode.RETAIN,
  };
}

const physicalIdOf = (r: DesiredRepository) => `${r.provider}:${r.name}`;

/**
 * Links a repository to Proton. Proton has no update for repositories: a change of the provider or
 * name links another repository (a replacement), any other change links the same one again.
 * Deleting removes only the link.
 */
export class RepositoryHandler implements ResourceHandler {
  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    const desired = desiredRepository(event.ResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        await this.link(desired, context);
        return { PhysicalResourceId: physicalIdOf(desired) };
      case 'Update': {
        const previous = desiredRepository(event.OldResourceProperties ?? {});
        if (physicalIdOf(previous) === physicalIdOf(desired)) {
          // Same repository, new connection or key: Proton can only link it anew.
          try {
            await this.unlink(previous, context);
          } catch (error) {
            if (!isConflict(error)) throw error;
            throw new ProtonResourceError(`repository ${physicalIdOf(desired)}: a new connection or encryption key needs the link made `
              + `anew, and Proton refuses to remove it: ${(error as Error).message}. Remove what uses it (sync configs) first, then change it`);
          }
        }
        await this.link(desired, context);
        return { PhysicalResourceId: physicalIdOf(desired) };
      }
      case 'Delete':
        if (!desired.retain && event.PhysicalResourceId === physicalIdOf(desired)) await this.unlink(desired, context);
        return { PhysicalResourceId: event.PhysicalResourceId! };
    }
  }

  public async isComplete(): Promise<IsCompleteResponse> {
    return { IsComplete: true };
  }

  /** CreateRepository is idempotent: linking the same repository again answers the existing link. */
  private async link(desired: DesiredRepository, context: HandlerContext): Promise<void> {
    await context.proton.send(new CreateRepositoryCommand({
      provider: desired.provider as any,
      name: desired.name,
      connectionArn: desired.connectionArn,
      encryptionKey: desired.encryptionKey,
      tags: desired.tags.length > 0 ? desired.tags : undefined,
    }));
  }

  private async unlink(desired: DesiredRepository, context: HandlerContext): Promise<void> {
    try {
      await context.proton.send(new DeleteRepositoryCommand({ provider: desired.provider as any, name: desired.name }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

export const repositoryHandler = new RepositoryHandler();
