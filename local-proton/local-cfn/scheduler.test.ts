import { CancelSignal, schedule } from './scheduler';

const tick = (ms = 1) => new Promise(resolve => setTimeout(resolve, ms));

/** Runs every id through `schedule`, recording starts and ends. */
async function trace(ids: string[], deps: Record<string, string[]>, options: { maxConcurrency: number; shuffleSeed?: number },
  outcome: (id: string, signal: CancelSignal) => Promise<boolean> = async () => {
    await tick();
    return true;
  }) {
  const events: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const result = await schedule(ids, id => deps[id] ?? [], async (id, signal) => {
    events.push(`start ${id}`);
    maxRunning = Math.max(maxRunning, ++running);
    const ok = await outcome(id, signal);
    running--;
    events.push(`end ${id}`);
    return ok;
  }, { cancelOnFailure: true, ...options });
  return { events, maxRunning, starts: events.filter(e => e.startsWith('start')).map(e => e.slice(6)), ...result };
}

test('independent operations run together, up to maxConcurrency', async () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  expect((await trace(ids, {}, { maxConcurrency: 10 })).maxRunning).toBe(5);
  expect((await trace(ids, {}, { maxConcurrency: 2 })).maxRunning).toBe(2);
  // One at a time, without a seed: the order of the ids.
  expect((await trace(ids, {}, { maxConcurrency: 1 })).starts).toEqual(ids);
});

test('an operation starts only after everything it waits for ended, under every seed', async () => {
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const deps = { b: ['a'], d: ['b', 'c'], f: ['e', 'x-not-scheduled'] };
  const orders = new Set<string>();
  for (let seed = 0; seed < 30; seed++) {
    const { events, starts } = await trace(ids, deps, { maxConcurrency: seed % 3 + 1, shuffleSeed: seed });
    for (const [id, waits] of Object.entries(deps)) {
      for (const w of waits.filter(x => ids.includes(x))) expect(events.indexOf(`start ${id}`)).toBeGreaterThan(events.indexOf(`end ${w}`));
    }
    expect(starts.sort()).toEqual(ids);
    if (seed % 3 === 0) orders.add((await trace(ids, deps, { maxConcurrency: 1, shuffleSeed: seed })).starts.join());
  }
  // The seed changes the order, and the same seed gives the same order.
  expect(orders.size).toBeGreaterThan(1);
  const again = async () => (await trace(ids, deps, { maxConcurrency: 1, shuffleSeed: 7 })).starts;
  expect(await again()).toEqual(await again());
});

test('the first failure cancels the running operations and starts no more', async () => {
  const result = await trace(['slow', 'fails', 'after', 'independent'], { after: ['fails'] }, { maxConcurrency: 2 }, async (id, signal) => {
    if (id === 'fails') return false;
    await signal.whenCancelled;
    return !signal.cancelled;
  });
  expect(result.events).toEqual(['start slow', 'start fails', 'end fails', 'end slow']);
  expect(result.failed).toEqual(['fails', 'slow']);
  expect(result.notStarted.sort()).toEqual(['after', 'independent']);
});

test('without cancelOnFailure, a failure holds back only what waits for it', async () => {
  const result = await schedule(['a', 'b', 'c', 'd'], id => ({ b: ['a'], c: ['b'] } as Record<string, string[]>)[id] ?? [],
    async id => id !== 'a', { maxConcurrency: 4, cancelOnFailure: false });
  expect(result).toEqual({ failed: ['a'], notStarted: ['b', 'c'] });
});
