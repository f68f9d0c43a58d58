import { createHash } from 'crypto';
import type { ProtonClient } from '@aws-sdk/client-proton';
import { clientTokenFor } from './template-version';
import type { OnEventRequest } from './types';
import type { SdkWaiter } from './waiting';

/**
 * A waiter (for `waitWithin`) that polls while a resource's status is one of `busy` and returns at the first
 * other status, whatever it is, or once the resource is gone: the caller reads the state again and acts on it.
 * Proton's "Deployed" waiters accept only SUCCEEDED and FAILED, so on CANCELLED (or DELETE_*) they would poll
 * until their whole wait is up.
 */
export function untilNotBusy<I>(status: (client: ProtonClient, input: I) => Promise<string | undefined>,
  busy: ReadonlySet<string>): SdkWaiter<I> {
  return async ({ client, maxWaitTime, minDelay = 1, maxDelay = 10 }, input) => {
    const deadline = Date.now() + maxWaitTime * 1000;
    for (let delay = minDelay; ; delay = Math.min(maxDelay, delay * 2)) {
      const now = await status(client, input);
      if (now === undefined || !busy.has(now)) return now;
      if (Date.now() + delay * 1000 > deadline) {
        throw Object.assign(new Error(`still ${now} after ${maxWaitTime} s`), { name: 'TimeoutError' });
      }
      await new Promise((resolve) => setTimeout(resolve, delay * 1000));
    }
  };
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
