import { assembly, cases, deployed, failedSteps, FAST, succeeded } from './suite';
import { LocalProton } from '../../local-proton/local-proton';
import { ResourceType } from '../../src/custom-resources/contract';
import { useLocalProton } from '../lifecycle/helpers';

let proton: LocalProton;
useLocalProton({
  ...FAST,
  // Every custom resource request is handed to its Provider twice, with the same RequestId and ResponseURL.
  duplicateDeliveries: true,
  // The delivery CloudFormation did not take may still run once destroy removed the provider's policy: its denied calls
  // change nothing. Each test checks that none was denied before its destroy.
  expectDenials: true,
}, (started) => { proton = started; });

describe.each(cases('rp'))('%s', (_type, c) => {
  test('a Create, Update and Delete each delivered twice, and the Create and Update replayed with their RequestId, make one Proton resource and one change', async () => {
    const made = (await c.row.prepare?.(proton, c.p)) ?? {};
    const { create, update, delete: remove } = c.row.calls;
    const log = proton.emulator.log.entries;
    const denied = proton.emulator.iam.denied.length;

    const first = assembly(c, 1, made);
    const created = await proton.deploy(first, c.stackName);
    expect(failedSteps(created)).toEqual([]);
    await proton.settle();
    expect(succeeded(proton, create, c.p)).toBe(1);
    const v1 = await c.row.state(proton.client, c.p, made);
    expect(v1).toBeDefined();

    // The framework retried: the same Create again, with its RequestId.
    const { logicalId, properties: v1Properties, physicalId } = deployed(proton, c);
    const createStep = created.resources.find((r) => r.logicalId === logicalId && r.action === 'CREATE')!;
    const again = await proton.cfn.invokeCustomResource(first, c.stackName, logicalId, { RequestType: 'Create', RequestId: createStep.requestId });
    expect([again.status, again.reason]).toEqual(['SUCCEEDED', undefined]);
    // Account settings are named by the settings found before the first write: a Create replayed after that write
    // finds other ones. CloudFormation keeps the id of the first response it got; what counts is that nothing changed.
    if (c.type !== ResourceType.ACCOUNT_SETTINGS) expect(again.physicalId).toBe(physicalId);
    expect(succeeded(proton, create, c.p)).toBe(1);
    expect(await c.row.state(proton.client, c.p, made)).toEqual(v1);

    if (update) {
      const second = assembly(c, 2, made);
      const beforeUpdate = log.length;
      const updated = await proton.deploy(second, c.stackName);
      expect(failedSteps(updated)).toEqual([]);
      expect(updated.status).toBe('UPDATE_COMPLETE');
      await proton.settle();
      const v2 = await c.row.state(proton.client, c.p, made);
      expect(v2).not.toEqual(v1);
      expect(succeeded(proton, update, c.p, beforeUpdate)).toBe(1);

      const updateStep = updated.resources.find((r) => r.logicalId === logicalId && r.action === 'UPDATE')!;
      const replayed = await proton.cfn.invokeCustomResource(second, c.stackName, logicalId, {
        RequestType: 'Update', RequestId: updateStep.requestId, OldResourceProperties: v1Properties,
      });
      expect([replayed.status, replayed.reason]).toEqual(['SUCCEEDED', undefined]);
      expect(succeeded(proton, update, c.p, beforeUpdate)).toBe(1);
      expect(await c.row.state(proton.client, c.p, made)).toEqual(v2);
    }

    expect(proton.deniedCalls().slice(denied)).toEqual([]);
    const beforeDestroy = log.length;
    const destroyed = await proton.destroy(c.stackName);
    expect(failedSteps(destroyed)).toEqual([]);
    await proton.settle();
    if (remove) expect(succeeded(proton, remove, c.p, beforeDestroy)).toBe(1);
    // An acceptance is not undone (Proton has no call for it): the connection stays CONNECTED.
    expect(await c.row.state(proton.client, c.p, made)).toEqual(c.type === ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION ? 'CONNECTED' : undefined);
  });
});
