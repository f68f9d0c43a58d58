import type { ProtonClient } from '@aws-sdk/client-proton';
import type { HandlerContext } from './types';

/** Time kept back from the Lambda's remaining time to answer the framework. */
const SAFETY_MARGIN_MS = 20_000;
/**
 * The longest one isComplete invocation waits; the framework polls again after it. Short, because
 * a waiter retries on every error it has no acceptor for (the resource gone, access denied): an
 * execution CloudFormation stopped waiting for learns within a minute, from the plain Get of its
 * next invocation, that a rollback deleted its resource or removed its grants.
 */
const MAX_WAIT_SECONDS = 60;
/**
 * Proton's waiters default to maxDelay 4999 s and give up as soon as their next random delay
 * would pass the deadline: an explicit, small maxDelay keeps them polling until maxWaitTime.
 * 3 s rather than 10 s: the stack hears of Proton's end in 1.5 s (median; p95 3 s) instead of 4 to 6 s, for about 20 reads
 * per minute of waiting instead of 10 (BENCHMARKS.md).
 */
export const WAITER_MIN_DELAY_SECONDS = 1;
export const WAITER_MAX_DELAY_SECONDS = 3;

export type SdkWaiter<I> = (
  params: { client: ProtonClient; maxWaitTime: number; minDelay?: number; maxDelay?: number },
  input: I,
) => Promise<unknown>;

/** How a bounded wait ended: the waiter's success, its failure state, or out of time for now. */
export type WaitOutcome = 'success' | 'failure' | 'pending';

/**
 * Runs an SDK waiter within this invocation's time. A timeout is not an error: the framework
 * calls isComplete again. A failure is reported, not thrown: the waiter's own error message is
 * the whole last response as JSON, so callers build the reason from Proton's status message.
 */
export async function waitWithin<I>(waiter: SdkWaiter<I>, input: I, context: HandlerContext): Promise<WaitOutcome> {
  const maxWaitTime = Math.min(MAX_WAIT_SECONDS, Math.floor((context.remainingTimeMs() - SAFETY_MARGIN_MS) / 1000));
  if (maxWaitTime <= WAITER_MIN_DELAY_SECONDS) {
    return 'pending';
  }
  try {
    await waiter(
      { client: context.proton, maxWaitTime, minDelay: WAITER_MIN_DELAY_SECONDS, maxDelay: WAITER_MAX_DELAY_SECONDS },
      input,
    );
    return 'success';
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError') return 'pending';
    // The waiter rejects with a plain Error whose message is the JSON of its last result.
    const state = parseWaiterState((error as Error).message);
    if (state === 'FAILURE') return 'failure';
    throw error;
  }
}

function parseWaiterState(message: string): string | undefined {
  try {
    return JSON.parse(message).state;
  } catch {
    return undefined;
  }
}
