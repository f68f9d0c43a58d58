import { ProtonClient } from '@aws-sdk/client-proton';
import { ResourceType } from '../contract';
import { acceptEnvironmentAccountConnectionHandler } from './account-connection';
import { accountSettingsHandler } from './account-settings';
import { componentHandler } from './component';
import { environmentHandler } from './environment';
import { environmentTemplateVersionHandler } from './environment-template-version';
import { repositoryHandler } from './repository';
import { serviceHandler } from './service';
import { serviceInstanceHandler } from './service-instance';
import { serviceTemplateVersionHandler } from './service-template-version';
import { serviceSyncConfigHandler, templateSyncConfigHandler } from './sync-config';
import type { HandlerContext, ResourceHandler } from './types';

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
  return handler;
}

/**
 * Throttling is retried by the SDK with backoff; Proton has no documented rate limit, so allow
 * more attempts than the SDK's default of 3 before a deployment fails on it.
 */
const MAX_ATTEMPTS = 10;

let client: ProtonClient | undefined;

/** One client per Lambda container (the endpoint comes from the environment, e.g. AWS_ENDPOINT_URL_PROTON). */
export function contextFor(lambdaContext: { getRemainingTimeInMillis(): number } | undefined): HandlerContext {
  client ??= new ProtonClient({ maxAttempts: MAX_ATTEMPTS });
  return {
    proton: client,
    remainingTimeMs: () => lambdaContext?.getRemainingTimeInMillis() ?? 60_000,
  };
}

/** What may be logged of an event: never the ResponseURL, never property values (specs can hold secrets). */
export function describeEvent(event: { RequestType: string; ResourceType: string; LogicalResourceId: string; PhysicalResourceId?: string }): string {
  return `${event.RequestType} ${event.ResourceType} ${event.LogicalResourceId}${event.PhysicalResourceId ? ` (${event.PhysicalResourceId})` : ''}`;
}
