import * as fs from 'fs';
import * as path from 'path';
import { Faults, WorkflowFaultMethod } from './faults';
import { S3StandIn } from './s3';
import { ProtonServer } from './server';
import { EmulatorContext } from './state/context';

/**
 * One line of a journal: something that changed the emulator's state, at `at` (epoch ms), with the ids it handed
 * out. A request that succeeded (Get and List excluded), a numbered timer that fired (a deployment, registration,
 * delete or cancellation ending), an S3 object put, a workflow fault set.
 */
export type JournalEntry = { readonly at: number; readonly ids?: readonly string[] } & (
  | { readonly request: string; readonly input: Record<string, unknown> }
  | { readonly timer: number }
  | { readonly s3: { readonly bucket: string; readonly key: string; readonly body: string } }
  | { readonly fault: WorkflowFaultMethod; readonly args: unknown[] }
);

/** What a replay did. */
export interface ReplaySummary {
  readonly entries: number;
  /** Requests that failed when replayed (each one succeeded when it was recorded). */
  readonly failed: string[];
}

/**
 * The emulator's state across processes, as a journal of what changed it (`ProtonEmulatorOptions.journal`): a new
 * emulator replays the file, then appends to it. Emulator decision (Proton keeps its state in AWS): the state lives
 * in closures, timers and family objects, so replaying what changed it is simpler and more faithful than
 * serializing it. The replay is exact because the order is: each timer fires at its place among the requests (not
 * after its delay), with the time and the ids of the original.
 */
export class Journal {
  private ids: string[] = [];

  constructor(private readonly file: string) {}

  /** Replays the file, if any, into a new emulator's state; then records what changes it from now on. */
  async open(ctx: EmulatorContext, server: ProtonServer): Promise<ReplaySummary> {
    const entries = fs.existsSync(this.file)
      ? fs.readFileSync(this.file, 'utf-8').split('\n').filter(line => line.trim() !== '').map(line => JSON.parse(line) as JournalEntry)
      : [];
    const failed: string[] = [];
    ctx.scheduler.hold();
    for (const entry of entries) {
      ctx.beginReplay(entry.at, entry.ids ?? []);
      try {
        if ('request' in entry) {
          try {
            server.apply(entry.request, entry.input);
          } catch (e) {
            failed.push(`${entry.request}: ${(e as Error).message}`);
          }
        } else if ('timer' in entry) {
          await ctx.scheduler.fire(entry.timer);
        } else if ('s3' in entry) {
          ctx.s3.putObject(entry.s3.bucket, entry.s3.key, Buffer.from(entry.s3.body, 'base64'));
        } else {
          // JSON has no undefined: a null argument was an omitted one (`times`: every time).
          (ctx.faults[entry.fault] as (...args: unknown[]) => void)(...entry.args.map(a => a ?? undefined));
        }
      } finally {
        ctx.endReplay();
      }
    }
    ctx.transitions.clear();
    this.record(ctx, ctx.s3, ctx.faults, server);
    // Faults are the process's own: those of the runs replayed end here (and a later replay ends them here too).
    if (entries.length > 0) ctx.faults.clear();
    ctx.scheduler.release();
    return { entries: entries.length, failed };
  }

  private record(ctx: EmulatorContext, s3: S3StandIn, faults: Faults, server: ProtonServer): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    ctx.recordIds(id => this.ids.push(id));
    server.onChange = (request, input, at) => this.append({ request, input }, at);
    ctx.scheduler.onFired = (timer, at) => this.append({ timer }, at);
    s3.onPut = (bucket, key, body) => this.append({ s3: { bucket, key, body: body.toString('base64') } });
    faults.onChange = (fault, args) => this.append({ fault, args });
  }

  /** Appends `entry`, which began at `at` (the time its change saw), with the ids handed out since the last one. */
  private append(entry: Record<string, unknown>, at = Date.now()): void {
    const ids = this.ids.splice(0);
    fs.appendFileSync(this.file, `${JSON.stringify({ at, ...(ids.length > 0 ? { ids } : {}), ...entry })}\n`);
  }
}
