import {
  CreateServiceSyncConfigCommand,
  RepositoryProvider,
  TemplateType,
  CreateTemplateSyncConfigCommand,
  DeleteServiceSyncConfigCommand,
  DeleteTemplateSyncConfigCommand,
  UpdateServiceSyncConfigCommand,
  UpdateTemplateSyncConfigCommand,
} from '@aws-sdk/client-proton';
import { RemovableProperties, ServiceSyncConfigProperties, SyncedBranchProperties, TemplateSyncConfigProperties } from '../contract';
import { isNotFound } from './errors';
import { Delivered, enumProperty, optionalString, requiredString, retains } from './properties';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';

/** What differs between template and service sync configs: the key and the calls. */
interface SyncConfigApi<P> {
  /** The key: a new key is another sync config (a replacement). */
  key(props: Delivered<P>): string;
  create(props: Delivered<P>, context: HandlerContext): Promise<unknown>;
  update(props: Delivered<P>, context: HandlerContext): Promise<unknown>;
  delete(props: Delivered<P>, context: HandlerContext): Promise<unknown>;
}

/**
 * A sync config: created, updated in place (branch, repository, subdirectory or file path), deleted.
 * Create creates in onEvent: if it fails there, the framework answers a marker id and ignores the
 * rollback's Delete, which must not delete a sync config of the same key that is not ours. Update
 * and Delete make their calls in isComplete, so a call still throttled is "not yet" and the
 * framework tries again.
 */
export class SyncConfigHandler<P extends RemovableProperties> implements ResourceHandler {
  constructor(private readonly api: SyncConfigApi<P>) {}

  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    const props: Delivered<P> = event.ResourceProperties;
    if (event.RequestType === 'Create') await this.api.create(props, context);
    return { PhysicalResourceId: event.RequestType === 'Delete' ? event.PhysicalResourceId! : this.api.key(props) };
  }

  public async isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse> {
    const props: Delivered<P> = event.ResourceProperties;
    const key = this.api.key(props);
    switch (event.RequestType) {
      case 'Create':
        break;
      case 'Update':
        if (this.api.key(event.OldResourceProperties ?? {}) !== key) {
          await this.api.create(props, context);
        } else {
          await this.api.update(props, context);
        }
        break;
      case 'Delete':
        if (!retains(props) && event.PhysicalResourceId === key) {
          try {
            await this.api.delete(props, context);
          } catch (error) {
            if (!isNotFound(error)) throw error;
          }
        }
        break;
    }
    return { IsComplete: true };
  }
}

/** The repository branch a sync config follows, as both kinds of sync config name it in Proton. */
function syncedBranch(props: Delivered<SyncedBranchProperties>) {
  return {
    repositoryProvider: enumProperty(props, 'RepositoryProvider', Object.values(RepositoryProvider)),
    repositoryName: requiredString(props, 'RepositoryName'),
    branch: requiredString(props, 'Branch'),
  };
}

function templateSyncInput(props: Delivered<TemplateSyncConfigProperties>) {
  return {
    templateName: requiredString(props, 'TemplateName'),
    templateType: enumProperty(props, 'TemplateType', Object.values(TemplateType)),
    ...syncedBranch(props),
    subdirectory: optionalString(props, 'Subdirectory'),
  };
}

function serviceSyncInput(props: Delivered<ServiceSyncConfigProperties>) {
  return {
    serviceName: requiredString(props, 'ServiceName'),
    ...syncedBranch(props),
    filePath: requiredString(props, 'FilePath'),
  };
}

export const templateSyncConfigHandler = new SyncConfigHandler<TemplateSyncConfigProperties>({
  key: (props) => `${requiredString(props, 'TemplateType')}:${requiredString(props, 'TemplateName')}`,
  create: (props, context) => context.proton.send(new CreateTemplateSyncConfigCommand(templateSyncInput(props))),
  update: (props, context) => context.proton.send(new UpdateTemplateSyncConfigCommand(templateSyncInput(props))),
  delete: (props, context) => {
    const { templateName, templateType } = templateSyncInput(props);
    return context.proton.send(new DeleteTemplateSyncConfigCommand({ templateName, templateType }));
  },
});

export const serviceSyncConfigHandler = new SyncConfigHandler<ServiceSyncConfigProperties>({
  key: (props) => requiredString(props, 'ServiceName'),
  create: (props, context) => context.proton.send(new CreateServiceSyncConfigCommand(serviceSyncInput(props))),
  update: (props, context) => context.proton.send(new UpdateServiceSyncConfigCommand(serviceSyncInput(props))),
  delete: (props, context) => context.proton.send(new DeleteServiceSyncConfigCommand({ serviceName: requiredString(props, 'ServiceName') })),
});
