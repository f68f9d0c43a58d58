import type { ProtonClient } from '@aws-sdk/client-proton';
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
