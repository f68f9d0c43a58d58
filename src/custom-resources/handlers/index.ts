import { ResourceType } from '../contract';
import { acceptEnvironmentAccountConnectionHandler } from './account-connection';
import { accountSettingsHandler } from './account-settings';
import { componentHandler } from './component';
import { environmentHandler } from './environment';
import { environmentTemplateVersionHandler } from './environment-template-version';
import { withRemovalPolicy } from './removal';
import { repositoryHandler } from './repository';
import { serviceHandler } from './service';
import { serviceInstanceHandler } from './service-instance';
import { serviceTemplateVersionHandler } from './service-template-version';
import { serviceSyncConfigHandler, templateSyncConfigHandler } from './sync-config';
import type { ResourceHandler } from './types';

const HANDLERS: Record<string, ResourceHandler> = {
  [ResourceType.ENVIRONMENT_TEMPLATE_VERSION]: environmentTemplateVersionHandler,
  [ResourceType.SERVICE_TEMPLATE_VERSION]: serviceTemplateVersionHandler,
  [ResourceType.ENVIRONMENT]: environmentHandler,
  [ResourceType.SERVICE]: serviceHandler,
  [ResourceType.SERVICE_INSTANCE]: serviceInstanceHandler,
  [ResourceType.ACCOUNT_SETTINGS]: accountSettingsHandler,
  [ResourceType.REPOSITORY]: repositoryHandler,
  [ResourceType.TEMPLATE_SYNC_CONFIG]: templateSyncConfigHandler,
  [ResourceType.SERVICE_SYNC_CONFIG]: serviceSyncConfigHandler,
  [ResourceType.COMPONENT]: componentHandler,
  [ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION]: acceptEnvironmentAccountConnectionHandler,
};

export function handlerFor(resourceType: string): ResourceHandler {
  const handler = HANDLERS[resourceType];
  if (!handler) {
    throw new Error(`no handler for resource type "${resourceType}": known types are ${Object.keys(HANDLERS).join(', ')}`);
  }
  return withRemovalPolicy(handler);
}
