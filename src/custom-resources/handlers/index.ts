import { ProtonClient, ProtonClientConfig } from '@aws-sdk/client-proton';
import { ResourceType } from '../contract';
import { acceptEnvironmentAccountConnectionHandler } from './account-connection';
import { accountSettingsHandler } from './account-settings';
import { componentHandler } from './component';
import { environmentHandler } from './environment';
import { environmentTemplateVersionHandler } from './environment-template-version';
import { repositoryHandler } from './repository';
import { RetryUntilDeadline } from './retry';
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

/** Time kept back from the Lambda's remaining time: retries stop then, so the handler can still answer. */
const RETRY_MARGIN_MS = 20_000;

/** When the running invocation's retries must stop (a container runs one invocation at a time). */
let retryDeadline = 0;

/**
 * How the handlers' Proton client retries: throttling until the invocation's deadline, with
 * backoff (see {@link RetryUntilDeadline} for why not the SDK's standard strategy).
 */
export function protonClientConfig(deadline: () => number = () => retryDeadline): ProtonClientConfig {
  return { retryStrategy: new RetryUntilDeadline(deadline) };
}

let client: ProtonClient | undefined;

/** One client per Lambda container (the endpoint comes from the environment, e.g. AWS_ENDPOINT_URL_PROTON). */
export function contextFor(lambdaContext: { getRemainingTimeInMillis(): number } | undefined): HandlerContext {
  const remainingTimeMs = () => lambdaContext?.getRemainingTimeInMillis() ?? 60_000;
  retryDeadline = Date.now() + remainingTimeMs() - RETRY_MARGIN_MS;
  client ??= new ProtonClient(protonClientConfig());
  return { proton: client, remainingTimeMs };
}

/** What may be logged of an event: never the ResponseURL, never property values (specs can hold secrets). */
export function describeEvent(event: { RequestType: string; ResourceType: string; LogicalResourceId: string; PhysicalResourceId?: string }): string {
  return `${event.RequestType} ${event.ResourceType} ${event.LogicalResourceId}${event.PhysicalResourceId ? ` (${event.PhysicalResourceId})` : ''}`;
}
