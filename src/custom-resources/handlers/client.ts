import { ProtonClient, ProtonClientConfig } from '@aws-sdk/client-proton';
import { RetryUntilDeadline } from './retry';
import type { HandlerContext } from './types';

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
