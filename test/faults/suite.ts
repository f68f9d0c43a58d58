import { Call, FaultRow, Made, ROW_LIST, Variant } from './rows';
import type { StackReport } from '../../local-proton/local-cfn';
import type { LocalProton } from '../../local-proton/local-proton';
import type { ResourceTypeName } from '../../src/custom-resources/contract';
import { synth } from '../lifecycle/helpers';

/** The emulator's timing for the fault suite: short, so that every row runs in seconds. */
export const FAST = { registrationDelayMs: 20, deploymentDelayMs: 30, deleteDelayMs: 30, cancelDelayMs: 20 } as const;

/** One row of the table under test, with the names its test uses. */
export interface RowCase {
  readonly type: ResourceTypeName;
  readonly row: FaultRow;
  /** The prefix of every name in its stack: unique per test file and row. */
  readonly p: string;
  readonly stackName: string;
}

/** The rows as cases of one test file: `tag` (letters) keeps names apart from the file's other items. */
export function cases(tag: string, filter: (row: FaultRow) => boolean = () => true): Array<[ResourceTypeName, RowCase]> {
  return ROW_LIST
    .map(([type, row], i): [ResourceTypeName, RowCase] => [type, { type, row, p: `${tag}${i}`, stackName: `Fault-${tag}${i}` }])
    .filter(([, c]) => filter(c.row));
}

/** Synthesizes the row's stack in `variant`. */
export function assembly(c: RowCase, variant: Variant, made: Made): string {
  return synth(c.stackName, (stack) => c.row.build(stack, c.p, variant, made));
}

/**
 * The changes Proton made for calls of the request log matching `call` for the row's names: the distinct calls it
 * accepted. A call repeated with the same client token is Proton's idempotent replay of the first, not a second
 * change; so is a call that does not deploy (`deploys`) repeated with the same input. `since`: from that entry of the log on (`log.entries.length`
 * when the phase started).
 */
export function succeeded(proton: LocalProton, call: Call, p: string, since = 0): number {
  const accepted = proton.emulator.log.entries.slice(since)
    .filter((e) => e.operation === call.operation && e.status === 200 && e.error === undefined && call.where(e.input, p));
  return new Set(accepted.map((e, i) => {
    if (typeof e.input.clientToken === 'string') return e.input.clientToken;
    return call.deploys ? i : JSON.stringify(e.input);
  })).size;
}

/** The logical id of the row's resource in its deployed stack, and its properties as deployed. */
export function deployed(proton: LocalProton, c: RowCase): { logicalId: string; properties: Record<string, any>; physicalId: string } {
  const entry = Object.entries(proton.cfn.readState(c.stackName)!.resources).find(([, r]) => r.type === c.type);
  if (!entry) throw new Error(`no ${c.type} in stack ${c.stackName}`);
  return { logicalId: entry[0], properties: entry[1].properties, physicalId: entry[1].physicalId };
}

/** The steps of the row's resource, as `action status` strings. */
export function stepsOfRow(report: StackReport, c: RowCase): string[] {
  return report.resources.filter((r) => r.type === c.type).map((r) => `${r.action} ${r.status}`);
}

/** The steps that did not succeed, as `action logicalId: reason` strings (an empty list reads well in a failure). */
export function failedSteps(report: StackReport): string[] {
  return report.resources.filter((r) => r.status !== 'SUCCEEDED').map((r) => `${r.action} ${r.logicalId}: ${r.reason}`);
}

/** A deterministic pseudo-random generator (Park-Miller), for the fuzzed messages. */
export function prng(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

/** Characters of 1 to 4 bytes in UTF-8, so that a cut in the middle of one shows. */
const ALPHABET = ['a', 'Z', ' ', '\u00e9', '\u00df', '\u20ac', '\u4e2d', '\u{1F680}', '\u{1F4A5}', '"', '\\', '\n'];

/** A message of about `length` characters drawn from `random`, starting with `lead` (what the test looks for). */
export function fuzzedMessage(random: () => number, lead: string, length: number): string {
  const chars = [lead];
  for (let i = lead.length; i < length; i++) chars.push(ALPHABET[Math.floor(random() * ALPHABET.length)]);
  return chars.join('');
}
