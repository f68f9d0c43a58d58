import { MAX_CONNECTION_RETRIES, RetryUntilDeadline } from '../../src/custom-resources/handlers/retry';

const throttled = { errorType: 'THROTTLING' as const };

test('throttling is retried with a growing, bounded delay, without a quota, until the deadline', async () => {
  const strategy = new RetryUntilDeadline(() => Date.now() + 60_000);
  let token = await strategy.acquireInitialRetryToken();
  for (let i = 0; i < 200; i++) token = await strategy.refreshRetryTokenForRetry(token, throttled);
  expect(token.getRetryCount()).toBe(200);
  expect(token.getRetryDelay()).toBeLessThanOrEqual(5_000);
});

test('no retry past the deadline, and none for a client error', async () => {
  const late = new RetryUntilDeadline(() => Date.now() - 1);
  await expect(late.refreshRetryTokenForRetry(await late.acquireInitialRetryToken(), throttled)).rejects.toThrow(/no time left/);
  const strategy = new RetryUntilDeadline(() => Date.now() + 60_000);
  await expect(strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(), { errorType: 'CLIENT_ERROR' }))
    .rejects.toThrow(/not a retryable error/);
});

test('a failing connection is retried a few times only, not until the deadline', async () => {
  const strategy = new RetryUntilDeadline(() => Date.now() + 600_000);
  const refused = { errorType: 'TRANSIENT' as const, error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) };
  let token = await strategy.acquireInitialRetryToken();
  for (let i = 0; i < MAX_CONNECTION_RETRIES; i++) token = await strategy.refreshRetryTokenForRetry(token, refused);
  await expect(strategy.refreshRetryTokenForRetry(token, refused)).rejects.toThrow(/connection keeps failing/);
  // A throttle at the same count is still retried.
  expect((await strategy.refreshRetryTokenForRetry(token, throttled)).getRetryCount()).toBe(MAX_CONNECTION_RETRIES + 1);
});
