import { RetryUntilDeadline } from '../../src/custom-resources/handlers/retry';

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
