import { isConflict, isNotFound, ProtonResourceError } from './errors';

/**
 * Sends a change; false when Proton refuses it as busy (a conflict: a deployment runs), for the next poll to send
 * again. Quiet: the callers say why a conflict is expected.
 */
export async function sendUnlessBusy(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (!isConflict(error)) throw error;
    return false;
  }
}

/** Sends a deployment of `what`; one already in progress (a conflict) is waited out by the next poll, not failed. */
export async function deployUnlessBusy(what: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (!isConflict(error)) throw error;
    console.log(`${what} is busy, deploying later: ${(error as Error).message}`);
  }
}

/**
 * Sends the delete of `what` (e.g. "environment beta"). Gone already is done; a conflict while `busy()` says the
 * resource changes by itself (a deployment in progress) is left to the next poll, which deletes after it; any
 * other conflict fails, naming the resource and Proton's reason.
 */
export async function deleteUnlessBusy(what: string, send: () => Promise<unknown>, busy: () => Promise<boolean>,
  attempts: number = 2): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (isNotFound(error)) return;
    if (isConflict(error)) {
      if (await busy()) return;
      // The resource may have stopped changing between Proton's refusal and the read (a create that just ended):
      // send the delete once more before calling the conflict Proton's reason.
      if (attempts > 1) return deleteUnlessBusy(what, send, busy, attempts - 1);
      throw new ProtonResourceError(`Proton refuses to delete ${what}: ${(error as Error).message}`);
    }
    throw error;
  }
}
