/**
 * How the handlers' Proton client retries: throttling and transient errors, with exponential
 * backoff and full jitter, until the invocation's deadline.
 *
 * Why not the SDK's standard strategy (`@smithy/core` retry, StandardRetryStrategy): it gives up
 * after `maxAttempts`, and it keeps a retry quota per client (500 tokens, 5 spent per throttled
 * retry, 1 back per success without a retry) that refuses any retry once spent. Under sustained
 * throttling the quota of a warm Lambda container's client drains and every throttled call then
 * fails at once, failing the resource. Proton documents no rate limit to stay under; a Lambda has
 * its own deadline, so the deadline is the bound.
 */

import { isConnectionError } from './errors';

/** The SDK's retry token, as its retry middleware reads it. */
interface Token {
  getRetryCount(): number;
  /** Milliseconds the middleware waits before the next attempt. */
  getRetryDelay(): number;
}

/** The SDK's classification of a failed attempt (with the attempt's error). */
interface ErrorInfo {
  readonly errorType: 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';
  readonly retryAfterHint?: Date;
  readonly error?: unknown;
}

/**
 * Retries of a call whose connection fails (refused, reset, unresolved): a few, not until the deadline. A
 * connection that fails again and again is an endpoint gone (Proton's end of support), not a throttle: the
 * handler answers within seconds, with a reason, instead of after the Lambda's whole time.
 */
export const MAX_CONNECTION_RETRIES = 3;

/** The first delay's bound; each retry doubles it, up to {@link MAX_DELAY_MS}. */
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

const token = (count: number, delay: number): Token => ({ getRetryCount: () => count, getRetryDelay: () => delay });

/** A retry strategy (the SDK's RetryStrategyV2 shape) with no quota and no attempt limit, bounded by `deadline`. */
export class RetryUntilDeadline {
  public readonly mode = 'standard';

  /** @param deadline the time (ms since the epoch) after which no retry may start */
  constructor(private readonly deadline: () => number) {}

  public async acquireInitialRetryToken(): Promise<Token> {
    return token(0, 0);
  }

  /** The next attempt's token; throwing makes the SDK throw the attempt's error. */
  public async refreshRetryTokenForRetry(previous: Token, errorInfo: ErrorInfo): Promise<Token> {
    if (errorInfo.errorType !== 'THROTTLING' && errorInfo.errorType !== 'TRANSIENT') {
      throw new Error('not a retryable error');
    }
    const count = previous.getRetryCount();
    if (isConnectionError(errorInfo.error) && count >= MAX_CONNECTION_RETRIES) {
      throw new Error('the connection keeps failing');
    }
    let delay = Math.floor(Math.random() * Math.min(BASE_DELAY_MS * 2 ** count, MAX_DELAY_MS));
    if (errorInfo.retryAfterHint) delay = Math.max(delay, errorInfo.retryAfterHint.getTime() - Date.now());
    if (Date.now() + delay > this.deadline()) {
      throw new Error('no time left to retry');
    }
    return token(count + 1, delay);
  }

  public recordSuccess(): void {
    // No quota to refill.
  }
}
