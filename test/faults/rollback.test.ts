import { CreateEnvironmentTemplateCommand } from '@aws-sdk/client-proton';
import { Stack } from 'aws-cdk-lib';
import { CfnEnvironmentTemplate } from 'aws-cdk-lib/aws-proton';
import { IConstruct } from 'constructs';
import { assembly, cases, failedSteps, FAST, RowCase, stepsOfRow, succeeded } from './suite';
import { LocalProton } from '../../local-proton/local-proton';
import { synth, useLocalProton } from '../lifecycle/helpers';

let proton: LocalProton;
useLocalProton(FAST, (started) => { proton = started; });

/**
 * The row's stack with `build`'s form of the resource, and a resource CloudFormation fails to create once the row's
 * change succeeded: a native environment template of a name Proton already holds (CreateEnvironmentTemplate's conflict).
 */
async function withTripwire(c: RowCase, build: (stack: Stack) => IConstruct): Promise<string> {
  const name = `${c.p}-taken`;
  await proton.client.send(new CreateEnvironmentTemplateCommand({ name }));
  return synth(c.stackName, (stack) => {
    const changed = build(stack);
    new CfnEnvironmentTemplate(stack, 'Tripwire', { name }).node.addDependency(changed);
  });
}

describe.each(cases('ru', (row) => row.calls.update !== undefined))('%s', (_type, c) => {
  test('an update a later resource fails is rolled back: Proton is back on the first form, and the stack destroys', async () => {
    const made = (await c.row.prepare?.(proton, c.p)) ?? {};
    expect(failedSteps(await proton.deploy(assembly(c, 1, made), c.stackName))).toEqual([]);
    await proton.settle();
    const first = await c.row.state(proton.client, c.p, made);
    const before = proton.emulator.log.entries.length;

    const report = await proton.deploy(await withTripwire(c, (stack) => c.row.build(stack, c.p, 2, made)), c.stackName);
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.reason).toMatch(/already exists/);
    expect(stepsOfRow(report, c)).toEqual(['UPDATE SUCCEEDED', 'ROLLBACK_UPDATE SUCCEEDED']);
    await proton.settle();
    // The change reached Proton, and so did its undoing.
    expect(succeeded(proton, c.row.calls.update!, c.p, before)).toBe(2);
    expect(await c.row.state(proton.client, c.p, made)).toEqual(first);

    expect(failedSteps(await proton.destroy(c.stackName))).toEqual([]);
  });
});

describe.each(cases('rr', (row) => row.replacement !== undefined))('%s', (_type, c) => {
  test('a replacement a later resource fails is rolled back: the new resource is deleted, the old one is intact', async () => {
    const replacement = c.row.replacement!;
    const made = (await c.row.prepare?.(proton, c.p)) ?? {};
    expect(failedSteps(await proton.deploy(assembly(c, 1, made), c.stackName))).toEqual([]);
    await proton.settle();
    const first = await c.row.state(proton.client, c.p, made);
    expect(first).toBeDefined();

    const report = await proton.deploy(await withTripwire(c, (stack) => replacement.build(stack, c.p, made)), c.stackName);
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(stepsOfRow(report, c)).toEqual(['REPLACE SUCCEEDED', 'ROLLBACK_DELETE SUCCEEDED']);
    await proton.settle();
    expect(await c.row.state(proton.client, c.p, made)).toEqual(first);
    expect(await replacement.state(proton.client, c.p)).toEqual(replacement.kept?.state);

    if (replacement.kept) {
      // What Proton kept is taken over by the next deployment of the replacement, as `kept.why` says.
      const replaced = await proton.deploy(synth(c.stackName, (stack) => replacement.build(stack, c.p, made)), c.stackName);
      expect(failedSteps(replaced)).toEqual([]);
      expect(stepsOfRow(replaced, c)).toEqual(['REPLACE SUCCEEDED', 'CLEANUP_DELETE SUCCEEDED']);
    }
    expect(failedSteps(await proton.destroy(c.stackName))).toEqual([]);
  });
});
