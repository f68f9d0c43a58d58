import { assembly, cases, failedSteps, FAST, fuzzedMessage, prng, RowCase, stepsOfRow } from './suite';
import type { ResourceReport } from '../../local-proton/local-cfn';
import { LocalProton } from '../../local-proton/local-proton';
import { ResourceType } from '../../src/custom-resources/contract';
import { synth, useLocalProton } from '../lifecycle/helpers';

let proton: LocalProton;
useLocalProton(FAST, (started) => { proton = started; }, () => {
  proton.emulator.timing.deploymentDelayMs = FAST.deploymentDelayMs;
});

/** CloudFormation's limit on a custom resource response (local-cfn fails a longer one). */
const RESPONSE_LIMIT = 4096;

/** Checks the failed step of the row's resource: Proton's message (its start) in the reason, all of it within the response. */
function expectProtonMessage(step: ResourceReport | undefined, message: string): void {
  expect(step).toBeDefined();
  expect(step!.status).toBe('FAILED');
  // The start of Proton's message (40 characters, whole).
  const lead = Array.from(message).slice(0, 40).join('');
  expect(step!.reason).toContain(lead);
  expect(step!.reason).not.toMatch(/Response object is too long/);
  const reason = step!.response!.Reason;
  expect(Buffer.byteLength(reason, 'utf8')).toBeLessThan(RESPONSE_LIMIT);
  // As local-cfn measured the Provider's response (JSON, all of it).
  expect(step!.responseBytes).toBeLessThanOrEqual(RESPONSE_LIMIT);
  // Cut on a character boundary: no half of a surrogate pair, no replacement character.
  expect(Buffer.from(reason, 'utf8').toString('utf8')).toBe(reason);
  expect(reason).not.toContain('\uFFFD');
}

/** The messages one row's failure is tried with: 100 KB, and a length drawn from the row's seed. */
function messages(c: RowCase, seed: number): string[] {
  const random = prng(seed);
  const lead = `Proton says ${c.p} failed:`;
  return [fuzzedMessage(random, lead, 100_000), fuzzedMessage(random, lead, 3_000 + Math.floor(random() * 97_000))];
}

/** Makes the row's create fail in Proton with `message`: its registration or deployment where it has one, else its first call. */
function failCreate(c: RowCase, message: string): void {
  const { registration, deployment } = c.row.faults;
  if (registration) proton.emulator.faults.failRegistration(registration(c.p), message);
  else if (deployment) proton.emulator.faults.failDeployment(deployment(c.p), message);
  else proton.emulator.faults.failNext(c.row.calls.create.operation, 'ValidationException', message, 1);
}

describe.each(cases('fl'))('%s', (type, c) => {
  test('Proton\'s failure of the create (100 KB and fuzzed status messages) fails the resource with Proton\'s message, within 4,096 bytes, and leaves nothing', async () => {
    const made = (await c.row.prepare?.(proton, c.p)) ?? {};
    for (const [i, message] of messages(c, 12 + Object.values(ResourceType).indexOf(type)).entries()) {
      proton.emulator.faults.clear();
      failCreate(c, message);
      const stackName = `${c.stackName}-${i}`;
      const report = await proton.deploy(synth(stackName, (stack) => c.row.build(stack, c.p, 1, made)), stackName);
      expect(report.status).toBe('ROLLBACK_COMPLETE');
      const step = report.resources.find((r) => r.type === c.type && r.action === 'CREATE');
      expectProtonMessage(step, message);
      proton.emulator.faults.clear();
      // The rollback removed what the failed create made (an acceptance leaves the connection as it was).
      expect(await c.row.state(proton.client, c.p, made)).toEqual(type === ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION ? 'PENDING' : undefined);
    }
  });
});

describe.each(cases('fd', (row) => row.faults.deletion !== undefined))('%s', (_type, c) => {
  test('a delete Proton ends DELETE_FAILED fails the delete with Proton\'s message within 4,096 bytes; deleted once the cause is gone', async () => {
    expect(failedSteps(await proton.deploy(assembly(c, 1, {}), c.stackName))).toEqual([]);
    const [message] = messages(c, 7);
    proton.emulator.faults.failDeletion(c.row.faults.deletion!(c.p), message);
    const report = await proton.destroy(c.stackName);
    expect(report.status).toBe('DELETE_FAILED');
    expectProtonMessage(report.resources.find((r) => r.type === c.type && r.status === 'FAILED'), message);

    proton.emulator.faults.clear();
    expect(failedSteps(await proton.destroy(c.stackName))).toEqual([]);
    expect(await c.row.state(proton.client, c.p, {})).toBeUndefined();
  });
});

/** Resolves once `check` holds (polled every 20 ms). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe.each(cases('fc', (row) => row.faults.cancel !== undefined))('%s', (_type, c) => {
  test('a deployment cancelled outside the stack during an update is deployed again; a cancellation Proton fails fails the update with its message', async () => {
    expect(failedSteps(await proton.deploy(assembly(c, 1, {}), c.stackName))).toEqual([]);
    const v1 = await c.row.state(proton.client, c.p, {});

    // Cancelled: the update deploys the stack's state again.
    proton.emulator.timing.deploymentDelayMs = 60_000;
    const updating = proton.deploy(assembly(c, 2, {}), c.stackName);
    await until(async () => String(await c.row.state(proton.client, c.p, {})).startsWith('IN_PROGRESS'));
    proton.emulator.timing.deploymentDelayMs = FAST.deploymentDelayMs;
    await c.row.faults.cancel!(proton.client, c.p);
    const updated = await updating;
    expect(failedSteps(updated)).toEqual([]);
    const v2 = await c.row.state(proton.client, c.p, {});
    expect(v2).toMatch(/^SUCCEEDED /);
    expect(v2).not.toEqual(v1);

    // The cancellation fails (the deployment ends FAILED with Proton's message): the update fails with it, and rolls back.
    const [message] = messages(c, 3);
    proton.emulator.faults.failCancellation(c.row.faults.deployment!(c.p), message);
    proton.emulator.timing.deploymentDelayMs = 60_000;
    const failing = proton.deploy(assembly(c, 1, {}), c.stackName);
    await until(async () => String(await c.row.state(proton.client, c.p, {})).startsWith('IN_PROGRESS'));
    proton.emulator.timing.deploymentDelayMs = FAST.deploymentDelayMs;
    await c.row.faults.cancel!(proton.client, c.p);
    const failed = await failing;
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expectProtonMessage(failed.resources.find((r) => r.type === c.type && r.action === 'UPDATE'), message);
    expect(stepsOfRow(failed, c)).toContain('ROLLBACK_UPDATE SUCCEEDED');
    expect(await c.row.state(proton.client, c.p, {})).toEqual(v2);
    proton.emulator.faults.clear();
    expect(failedSteps(await proton.destroy(c.stackName))).toEqual([]);
  });
});
