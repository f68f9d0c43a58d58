/**
 * Runs resource operations the way CloudFormation does: every operation whose prerequisites are
 * done starts at once, up to a concurrency limit.
 */
import { createHash } from 'crypto';

/** Tells running operations that CloudFormation stopped waiting for them. */
export class CancelSignal {
  public cancelled = false;
  public readonly whenCancelled: Promise<void>;
  private resolve!: () => void;

  constructor() {
    this.whenCancelled = new Promise(resolve => {
      this.resolve = resolve;
    });
  }

  public cancel(): void {
    this.cancelled = true;
    this.resolve();
  }
}

export interface ScheduleOptions {
  readonly maxConcurrency: number;
  /** Start ready operations in an order drawn from this seed instead of the order of `ids`. */
  readonly shuffleSeed?: number;
  /**
   * After the first failure, cancel the running operations and start no more (create/update and
   * delete of a stack). Otherwise a failure only holds back the operations that wait for it.
   */
  readonly cancelOnFailure: boolean;
}

export interface ScheduleResult {
  readonly failed: string[];
  /** Operations never started: they waited for a failed one, or a failure cancelled the run. */
  readonly notStarted: string[];
}

/** A fixed pseudo-random rank of the id for the seed. */
function seededRank(seed: number, id: string): number {
  return createHash('sha256').update(`${seed}:${id}`).digest().readUInt32BE(0);
}

/**
 * Run `run(id)` for every id once all of `waitsFor(id)` (among `ids`) succeeded. `run` answers
 * whether the operation succeeded; it gets the signal that a failure elsewhere cancelled the run.
 */
export function schedule(ids: string[], waitsFor: (id: string) => string[],
  run: (id: string, signal: CancelSignal) => Promise<boolean>, options: ScheduleOptions): Promise<ScheduleResult> {
  const index = new Map(ids.map((id, i) => [id, i]));
  const rank = (id: string) => (options.shuffleSeed === undefined ? index.get(id)! : seededRank(options.shuffleSeed, id));
  const prerequisites = new Map(ids.map(id => [id, waitsFor(id).filter(d => d !== id && index.has(d))]));
  const pending = new Set(ids);
  const succeeded = new Set<string>();
  const failed: string[] = [];
  const signal = new CancelSignal();
  let running = 0;

  return new Promise((resolve, reject) => {
    const pump = () => {
      while (!signal.cancelled && running < options.maxConcurrency) {
        const ready = [...pending].filter(id => prerequisites.get(id)!.every(d => succeeded.has(d)));
        if (ready.length === 0) break;
        const next = ready.reduce((a, b) => (rank(b) < rank(a) || (rank(b) === rank(a) && index.get(b)! < index.get(a)!) ? b : a));
        pending.delete(next);
        running++;
        run(next, signal).then(ok => {
          running--;
          if (ok) {
            succeeded.add(next);
          } else {
            failed.push(next);
            if (options.cancelOnFailure && !signal.cancelled) signal.cancel();
          }
          pump();
        }, reject);
      }
      if (running === 0) resolve({ failed, notStarted: [...pending] });
    };
    pump();
  });
}
