/** Timing helpers of the benchmark: whole processes, alternated, medians. */
import { spawnSync } from 'child_process';

/** Wall time of one whole `node` process running `args`, in seconds; throws if it fails. */
export function timeProcess(args: string[], env: Record<string, string> = {}): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${run.stderr}`);
  return seconds;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Runs each of `ways` `rounds` times, alternating (round 1: a b c, round 2: b c a, ...), so that a machine slowing down
 * or speeding up weighs on all of them alike. Answers the median of each.
 */
export function alternate<K extends string>(ways: Record<K, () => number>, rounds: number): Record<K, number> {
  const keys = Object.keys(ways) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[(round + j) % keys.length];
      samples[key].push(ways[key]());
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(samples[k])])) as Record<K, number>;
}
