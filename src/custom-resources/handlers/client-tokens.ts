import { createHash } from 'crypto';
import type { OnEventRequest } from './types';

/**
 * A client token from the CloudFormation request: CloudFormation reuses the RequestId when it
 * retries a request, so a replayed event gets Proton's original answer instead of a new resource.
 */
export function clientTokenFor(event: OnEventRequest): string {
  return createHash('sha256').update(`${event.StackId}\n${event.LogicalResourceId}\n${event.RequestId}`).digest('hex');
}

/** What Proton reports of a resource's deployments. */
export interface DeploymentHistory {
  readonly lastAttemptedDeploymentId?: string;
  readonly lastDeploymentAttemptedAt?: Date;
}

/** The part of every client token of this request's deployments that says they are this request's. */
export function requestTokenPrefix(event: OnEventRequest): string {
  return clientTokenFor(event).slice(0, 40);
}

/**
 * The client token of one deployment step (`step`: the deployment type, or what it does) of this request. It is
 * derived from the request and from the resource's last attempted deployment as Proton reports it before the
 * step is sent: a replay of the step (same RequestId; the send may not have arrived, so Proton still reports
 * the same deployment) gets the same token, and Proton does not deploy twice; a second deployment of the same
 * request (after the first was cancelled, Proton reports that one as the last attempted) gets a new one, so
 * Proton does not answer it with the cancelled one's result.
 */
export function deploymentToken(event: OnEventRequest, history: DeploymentHistory, step: string): string {
  const last = history.lastAttemptedDeploymentId ?? history.lastDeploymentAttemptedAt?.toISOString() ?? '';
  return `${requestTokenPrefix(event)}-${createHash('sha256').update(`${last}\n${step}`).digest('hex').slice(0, 23)}`;
}
