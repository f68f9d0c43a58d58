import type { ProtonClient } from '@aws-sdk/client-proton';
import { DEPLOYMENT_RUNNING } from './deployment-states';
import { goneUnlessDeferred, stopIfTakenOver } from './takeover';
import type { HandlerContext, IsCompleteRequest } from './types';
import { SdkWaiter, waitWithin } from './waiting';

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

/** A resource with a deployment status (a component, a service instance). */
type Deployed = { readonly arn?: string; readonly deploymentStatus?: string };

/**
 * The resource `read` returns (undefined when there is none) once its status is not one of `busy`; 'pending' when
 * this invocation's time is up first. Waits only while the status can still change by itself. `current`: the
 * resource as the caller has just read it.
 */
export async function settled<R extends Deployed>(read: () => Promise<R | undefined>, busy: ReadonlySet<string>,
  context: HandlerContext, current?: R): Promise<R | undefined | 'pending'> {
  const resource = current ?? await read();
  if (!resource || !busy.has(resource.deploymentStatus!)) return resource;
  const status = async () => (await read())?.deploymentStatus;
  if (await waitWithin(untilNotBusy(status, busy), undefined, context) === 'pending') return 'pending';
  return read();
}

/** How isComplete reads the resource, and creates it when onEvent left that to it. */
export interface DeployedAccess<R> {
  read(): Promise<R | undefined>;
  create(): Promise<unknown>;
}

/**
 * The first steps of isComplete for a Create or an Update of `what`: the resource once no deployment of it runs,
 * or undefined to poll again (created just now, as onEvent deferred; gone while waited for; out of time).
 * Fails when a later request deleted the resource or took charge of it.
 */
export async function readyToReconcile<R extends Deployed>(event: IsCompleteRequest, what: string, access: DeployedAccess<R>,
  context: HandlerContext): Promise<R | undefined> {
  const current = await access.read();
  if (!current) {
    goneUnlessDeferred(event, what);
    await access.create();
    return undefined;
  }
  await stopIfTakenOver(current.arn!, event, what, context);
  const resource = await settled(access.read, DEPLOYMENT_RUNNING, context, current);
  return resource === 'pending' ? undefined : resource;
}
