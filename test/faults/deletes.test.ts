import { assembly, cases, deployed, failedSteps, FAST, stepsOfRow, succeeded } from './suite';
import { LocalProton } from '../../local-proton/local-proton';
import { ResourceType } from '../../src/custom-resources/contract';
import { useLocalProton } from '../lifecycle/helpers';

let proton: LocalProton;
useLocalProton(FAST, (started) => { proton = started; }, () => {
  Object.assign(proton.emulator.timing, FAST);
});

describe.each(cases('dl'))('%s', (type, c) => {
  test('a Delete of a resource already gone from Proton (deleted behind CloudFormation\'s back) succeeds, and so does the stack\'s destroy', async () => {
    const made = (await c.row.prepare?.(proton, c.p)) ?? {};
    const app = assembly(c, 1, made);
    expect(failedSteps(await proton.deploy(app, c.stackName))).toEqual([]);
    // The resource is removed outside the stack: by a Delete CloudFormation knows nothing of.
    const { logicalId } = deployed(proton, c);
    const outside = await proton.cfn.invokeCustomResource(app, c.stackName, logicalId, { RequestType: 'Delete' });
    expect([outside.status, outside.reason]).toEqual(['SUCCEEDED', undefined]);
    const gone = type === ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION ? 'CONNECTED' : undefined;
    expect(await c.row.state(proton.client, c.p, made)).toEqual(gone);

    const destroyed = await proton.destroy(c.stackName);
    expect(failedSteps(destroyed)).toEqual([]);
    expect(stepsOfRow(destroyed, c)).toEqual(['DELETE SUCCEEDED']);
    expect(await c.row.state(proton.client, c.p, made)).toEqual(gone);
  });
});

// Rows whose create goes on in Proton after onEvent (a registration or a deployment): a Delete can arrive meanwhile,
// as the rollback's Delete of a Create CloudFormation cancelled does while that Create's execution still polls.
describe.each(cases('dr', (row) => row.faults.registration !== undefined || row.faults.deployment !== undefined))('%s', (_type, c) => {
  test('a Delete arriving while Proton still creates the resource waits it out and deletes it; the Create\'s execution does not bring it back', async () => {
    const app = assembly(c, 1, {});
    expect(failedSteps(await proton.deploy(app, c.stackName))).toEqual([]);
    const { logicalId, properties } = deployed(proton, c);
    // Out of Proton again, so that a Create of the stack's resource can run while the stack stands.
    expect((await proton.cfn.invokeCustomResource(app, c.stackName, logicalId, { RequestType: 'Delete' })).status).toBe('SUCCEEDED');

    Object.assign(proton.emulator.timing, { registrationDelayMs: 2_000, deploymentDelayMs: 2_000 });
    const create = {
      RequestType: 'Create',
      RequestId: 'late-create',
      StackId: proton.cfn.readState(c.stackName)!.stackId,
      LogicalResourceId: logicalId,
      ResourceType: c.type,
      ResourceProperties: properties,
    };
    const { PhysicalResourceId } = await proton.onEventOnly(c.stackName, create) as { PhysicalResourceId: string };
    const creates = succeeded(proton, c.row.calls.create, c.p);
    expect(await c.row.state(proton.client, c.p, {})).toMatch(/IN_PROGRESS/);

    const removed = await proton.cfn.invokeCustomResource(app, c.stackName, logicalId, { RequestType: 'Delete', PhysicalResourceId });
    expect([removed.status, removed.reason]).toEqual(['SUCCEEDED', undefined]);
    expect(await c.row.state(proton.client, c.p, {})).toBeUndefined();

    // The Create's execution polls on: it fails on the resource being gone (CloudFormation ignores it), and creates nothing.
    await expect(proton.isCompleteOnly(c.stackName, { ...create, PhysicalResourceId })).rejects.toThrow(/ was not found$| is gone: a later request deleted it/);
    expect(succeeded(proton, c.row.calls.create, c.p)).toBe(creates);
    expect(await c.row.state(proton.client, c.p, {})).toBeUndefined();
    expect(failedSteps(await proton.destroy(c.stackName))).toEqual([]);
  });
});
