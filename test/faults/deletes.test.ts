import { assembly, cases, deployed, failedSteps, FAST, stepsOfRow } from './suite';
import { LocalProton } from '../../local-proton/local-proton';
import { ResourceType } from '../../src/custom-resources/contract';
import { useLocalProton } from '../lifecycle/helpers';

let proton: LocalProton;
useLocalProton(FAST, (started) => { proton = started; });

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
