import { assembly, cases, failedSteps, FAST, RowCase } from './suite';
import { LocalProton } from '../../local-proton/local-proton';
import { ResourceType } from '../../src/custom-resources/contract';

/**
 * The throttling item for one fraction of throttled calls: every row's create, update and delete against one LocalProton
 * whose every request, the test's own reads included, is throttled at that fraction. The rows run side by side, all
 * started at once (their time goes to the SDK's backoff, not to the CPU); each row's test reports its own outcome.
 */
export function throttlingSuite(fraction: number, tag: string): void {
  let proton: LocalProton;
  const outcomes = new Map<string, Promise<unknown>>();
  beforeAll(async () => {
    proton = await LocalProton.start(FAST);
    proton.emulator.faults.throttleFraction = fraction;
    // Each row's outcome: undefined, or what failed (kept until its test reads it, so that no rejection goes unhandled).
    for (const [type, c] of cases(tag)) outcomes.set(type, lifecycle(c).then(() => undefined, (error: unknown) => error ?? 'failed'));
  });
  afterAll(async () => {
    await Promise.all(outcomes.values());
    await proton?.stop();
  });

  /** Calls of the handlers (not of the test's administrator) that Proton throttled. */
  const throttledHandlerCalls = () => proton.emulator.log.entries.filter((e) => e.error === 'ThrottlingException' && e.principal !== undefined
    && !e.principal.endsWith(':root')).length;

  async function lifecycle(c: RowCase): Promise<void> {
    const made = (await c.row.prepare?.(proton, c.p)) ?? {};
    const created = await proton.deploy(assembly(c, 1, made), c.stackName);
    expect(failedSteps(created)).toEqual([]);
    expect(created.status).toBe('CREATE_COMPLETE');
    const v1 = await c.row.state(proton.client, c.p, made);
    expect(v1).toBeDefined();
    if (c.row.calls.update) {
      const updated = await proton.deploy(assembly(c, 2, made), c.stackName);
      expect(failedSteps(updated)).toEqual([]);
      expect(updated.status).toBe('UPDATE_COMPLETE');
      expect(await c.row.state(proton.client, c.p, made)).not.toEqual(v1);
    }
    const destroyed = await proton.destroy(c.stackName);
    expect(failedSteps(destroyed)).toEqual([]);
    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(throttledHandlerCalls()).toBeGreaterThan(0);
    // An acceptance is not undone (Proton has no call for it).
    expect(await c.row.state(proton.client, c.p, made)).toEqual(c.type === ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION ? 'CONNECTED' : undefined);
  }

  describe.each(cases(tag))('%s', (type) => {
    test(`with ${fraction * 100}% of calls throttled, create, update and delete complete`, async () => {
      const failure = await outcomes.get(type);
      if (failure !== undefined) throw failure;
    }, 240_000);
  });
}
