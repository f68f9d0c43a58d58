import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, CfnResource, CustomResource, Duration, Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Workspace } from './helpers';
import { CREATE_FAILED_PHYSICAL_ID_MARKER, NativeResourceHandler, TemplateValidationError } from './index';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let ws: Workspace;
beforeEach(() => {
  ws = new Workspace();
});
afterEach(async () => {
  await ws.dispose();
});

describe('create', () => {
  test('deploys custom resources in dependency order with real CloudFormation events', async () => {
    // Template order is C, B, A; dependencies are A <- B (GetAtt) <- C (DependsOn).
    const asm = ws.synth('Stack1', ({ stack, resource }) => {
      const c = resource('C');
      const b = resource('B', { Upstream: Fn.getAtt('A', 'Value').toString(), Completed: Fn.getAtt('A', 'Completed').toString() });
      c.node.addDependency(b);
      resource('A', { Num: 42, Flag: true, Nested: { List: [1, false, 'x'] }, DataValue: 'from-a', PollsUntilComplete: 3 });
      new CfnOutput(stack, 'AValue', { value: Fn.getAtt('A', 'Value').toString() });
    });

    const report = await ws.cfn().deploy(asm, 'Stack1');

    expect(report.status).toBe('CREATE_COMPLETE');
    expect(ws.onEvents()).toEqual(['Create A', 'Create B', 'Create C']);
    const [a, b] = ws.calls().filter(c => c.handler === 'onEvent');

    // The event: every scalar a string, the CloudFormation fields present.
    expect(a.event).toMatchObject({
      RequestType: 'Create',
      LogicalResourceId: 'A',
      ResourceType: 'Custom::Thing',
      StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:111111111111:stack\/Stack1\/[0-9a-f-]{36}$/),
      RequestId: expect.stringMatching(UUID),
      ResponseURL: expect.stringMatching(/^https:\/\/cloudformation-custom-resource-response-useast1\.s3\.us-east-1\.amazonaws\.com\/.*X-Amz-Signature=/),
      ServiceToken: expect.stringMatching(/^arn:aws:lambda:us-east-1:111111111111:function:Stack1-Providerframework/),
    });
    expect(a.event.PhysicalResourceId).toBeUndefined();
    expect(a.event.OldResourceProperties).toBeUndefined();
    expect(a.event.ResourceProperties).toEqual({
      ServiceToken: a.event.ServiceToken,
      Num: '42',
      Flag: 'true',
      Nested: { List: ['1', 'false', 'x'] },
      DataValue: 'from-a',
      PollsUntilComplete: '3',
    });

    // The handler ran with the function's environment, handlerEnv and a real Lambda context.
    expect(a.functionEnv).toBe('from-function');
    expect(a.extraEnv).toBe('extra');
    expect(a.region).toBe('us-east-1');
    expect(a.remainingMs).toBeGreaterThan(25_000);
    expect(a.remainingMs).toBeLessThanOrEqual(30_000);
    expect(process.env.FUNCTION_ENV).toBeUndefined();
    expect(process.env.CALLS_FILE).toBeUndefined();

    // isComplete was polled until complete, with the onEvent result merged into the event.
    const polls = ws.calls().filter(c => c.handler === 'isComplete' && c.event.LogicalResourceId === 'A');
    expect(polls).toHaveLength(3);
    for (const poll of polls) {
      expect(poll.event).toMatchObject({ RequestId: a.event.RequestId, PhysicalResourceId: a.event.RequestId, Data: { Value: 'from-a' } });
    }
    const aReport = report.resources.find(r => r.logicalId === 'A')!;
    expect(aReport.invocations!.map(i => i.handler)).toEqual(['onEvent', 'isComplete', 'isComplete', 'isComplete']);

    // Data from onEvent and isComplete both reach the dependent resource through Fn::GetAtt.
    expect(b.event.ResourceProperties).toMatchObject({ Upstream: 'from-a', Completed: 'yes' });
    expect(aReport).toMatchObject({
      action: 'CREATE',
      status: 'SUCCEEDED',
      physicalId: a.event.RequestId,
      attributes: { Value: 'from-a', Completed: 'yes', Polls: '3' },
      requestId: a.event.RequestId,
    });
    expect(report.outputs).toEqual({ AValue: 'from-a' });

    // Simulated resources were "created" before the custom resources that depend on them.
    const order = report.resources.map(r => r.logicalId);
    const onEventFn = order.findIndex(id => id.startsWith('OnEventHandler') && !id.includes('Role'));
    expect(onEventFn).toBeGreaterThanOrEqual(0);
    expect(onEventFn).toBeLessThan(order.indexOf('A'));
  });

  test('simulated resources get plausible ids, Ref values and ARNs', async () => {
    const asm = ws.synth('Sim', ({ stack, resource, onEvent }) => {
      const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      const named = new iam.Role(stack, 'Named', { roleName: 'explicit-name', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      resource('Probe', {
        RoleName: role.roleName,
        RoleArn: role.roleArn,
        NamedArn: named.roleArn,
        FunctionArn: onEvent.functionArn,
        Sub: Fn.sub('${AWS::Partition}:${AWS::Region}:${AWS::AccountId}:${AWS::StackName}:${AWS::URLSuffix}'),
      });
    });
    await ws.cfn().deploy(asm, 'Sim');
    const props = ws.calls()[0].event.ResourceProperties;
    expect(props.RoleName).toMatch(/^Sim-MyRole[0-9A-F]{8}-[A-Z0-9]{12}$/);
    expect(props.RoleArn).toBe(`arn:aws:iam::111111111111:role/${props.RoleName}`);
    expect(props.NamedArn).toBe('arn:aws:iam::111111111111:role/explicit-name');
    expect(props.FunctionArn).toMatch(/^arn:aws:lambda:us-east-1:111111111111:function:Sim-OnEventHandler[0-9A-F]{8}-[A-Z0-9]{12}$/);
    expect(props.Sub).toBe('aws:us-east-1:111111111111:Sim:amazonaws.com');
  });

  test('IAM\'s policy size quotas fail the resource as IAM does: a managed policy over 6,144 characters without white space', async () => {
    const statements = (count: number) => Array.from({ length: count }, (_, i) => ({
      Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${String(i).padStart(4, '0')}/key`,
    }));
    // Each statement is 85 characters: 71 of them fit (6,073 with the document around them), 72 do not (6,158).
    const policyStack = (count: number) => ws.synth('Quota', ({ stack, resource }) => {
      const policy = new iam.CfnManagedPolicy(stack, 'Policy', { policyDocument: { Version: '2012-10-17', Statement: statements(count) } });
      resource('After').node.addDependency(policy);
    });
    expect((await ws.cfn().deploy(policyStack(71), 'Quota')).status).toBe('CREATE_COMPLETE');

    const report = await ws.cfn().deploy(policyStack(72), 'Quota');
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.resources.find((r) => r.logicalId === 'Policy' && r.action === 'UPDATE'))
      .toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/^Cannot exceed quota for PolicySize: 6144 /) });
  });

  test('a failing create gets no Delete, the resources created before it are deleted', async () => {
    const asm = ws.synth('Fail1', ({ resource }) => {
      const a = resource('A');
      const f = resource('F', { FailOn: 'Create' });
      f.node.addDependency(a);
    });
    const report = await ws.cfn().deploy(asm, 'Fail1');

    expect(report.status).toBe('ROLLBACK_COMPLETE');
    expect(report.reason).toContain('boom on Create of F');
    expect(ws.onEvents()).toEqual(['Create A', 'Create F', 'Delete A']);
    const f = report.resources.find(r => r.logicalId === 'F' && r.action === 'CREATE')!;
    expect(f).toMatchObject({ status: 'FAILED', reason: 'boom on Create of F' });
    // The framework's answer: the marker id, and the Reason with the log group and stack trace.
    expect(f.response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER });
    expect(f.response!.Reason).toMatch(/^boom on Create of F\n\nLogs: \/aws\/lambda\/Fail1-OnEventHandler.*\n\n\s+at .*\/var\/task\/index\.js/);
    // CloudFormation still deletes it; the framework acknowledges without calling the handler.
    expect(report.resources.find(r => r.logicalId === 'F' && r.action === 'ROLLBACK_DELETE'))
      .toMatchObject({ status: 'SUCCEEDED', physicalId: CREATE_FAILED_PHYSICAL_ID_MARKER, invocations: [] });
    expect(report.resources.find(r => r.logicalId === 'A' && r.action === 'ROLLBACK_DELETE')).toMatchObject({ status: 'SUCCEEDED' });

    // The next deploy starts over (new stack), like the CDK CLI does after ROLLBACK_COMPLETE.
    const fixed = ws.synth('Fail1', ({ resource }) => {
      resource('A');
    });
    ws.clearCalls();
    const again = await ws.cfn().deploy(fixed, 'Fail1');
    expect(again.status).toBe('CREATE_COMPLETE');
    expect(again.stackId).not.toBe(report.stackId);
    expect(ws.onEvents()).toEqual(['Create A']);
  });

  test('a create failing in isComplete is deleted with the id onEvent returned', async () => {
    const asm = ws.synth('Fail2', ({ resource }) => {
      resource('G', { PhysicalId: 'g-1', FailIsCompleteOn: 'Create' });
    });
    const report = await ws.cfn().deploy(asm, 'Fail2');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    expect(report.reason).toContain('isComplete failed for G');
    expect(ws.onEvents()).toEqual(['Create G', 'Delete G']);
    expect(ws.calls().filter(c => c.handler === 'onEvent')[1].event).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: 'g-1' });
  });

  test('isComplete is polled until the Provider totalTimeout, then "Operation timed out"', async () => {
    const asm = ws.synth('Slow', ({ resource }) => {
      resource('S', { NeverCompleteOn: 'Create' });
    }, { queryInterval: Duration.seconds(1), totalTimeout: Duration.seconds(3) });
    const report = await ws.cfn().deploy(asm, 'Slow');

    const s = report.resources.find(r => r.logicalId === 'S' && r.action === 'CREATE')!;
    expect(s).toMatchObject({ status: 'FAILED', reason: 'Operation timed out' });
    expect(s.response).toMatchObject({ Status: 'FAILED', Reason: 'Operation timed out' });
    // One immediate call and MaxAttempts (= 3 s / 1 s) retries.
    expect(ws.calls().filter(c => c.handler === 'isComplete' && c.event.RequestType === 'Create')).toHaveLength(4);
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    // onEvent had succeeded: the Delete reaches the handler with the RequestId as physical id.
    const [create, del] = ws.calls().filter(c => c.handler === 'onEvent');
    expect(del.event).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: create.event.RequestId });
  });

  test('a response over 4096 bytes fails with "Response object is too long."', async () => {
    const asm = ws.synth('Big', ({ resource }) => {
      const fits = resource('Fits', { BigData: 3000 });
      resource('Big', { BigData: 5000 }).node.addDependency(fits);
    });
    const report = await ws.cfn().deploy(asm, 'Big');

    const fits = report.resources.find(r => r.logicalId === 'Fits' && r.action === 'CREATE')!;
    expect(fits.status).toBe('SUCCEEDED');
    expect(fits.responseBytes).toBeGreaterThan(3000);
    expect(fits.responseBytes).toBeLessThanOrEqual(4096);
    const big = report.resources.find(r => r.logicalId === 'Big' && r.action === 'CREATE')!;
    expect(big).toMatchObject({ status: 'FAILED', reason: 'Response object is too long.' });
    expect(big.responseBytes).toBeGreaterThan(4096);
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    // CloudFormation could not read the response: its Delete carries an id it made up.
    const deleteBig = ws.calls().find(c => c.handler === 'onEvent' && c.event.RequestType === 'Delete' && c.event.LogicalResourceId === 'Big')!;
    expect(deleteBig.event.PhysicalResourceId).toMatch(/^Big-Big-[A-Z0-9]{12}$/);
  });

  test('a failure reason over 4096 bytes also fails with "Response object is too long."', async () => {
    const asm = ws.synth('BigErr', ({ resource }) => {
      resource('E', { FailOn: 'Create', BigError: 5000 });
    });
    const report = await ws.cfn().deploy(asm, 'BigErr');
    const e = report.resources.find(r => r.logicalId === 'E' && r.action === 'CREATE')!;
    expect(e).toMatchObject({ status: 'FAILED', reason: 'Response object is too long.' });
    expect(e.response!.Reason.length).toBeGreaterThan(5000);
  });

  test('a handler running past its function timeout fails the resource', async () => {
    const asm = ws.synth('Timeout', ({ stack, provider }) => {
      const fn = stack.node.findChild('OnEventHandler').node.defaultChild as CfnResource;
      fn.addPropertyOverride('Timeout', 1);
      new CustomResource(stack, 'T', { serviceToken: provider.serviceToken, properties: { SleepMs: 3000 } });
    });
    const report = await ws.cfn().deploy(asm, 'Timeout');
    const t = report.resources.find(r => r.logicalId === 'T' && r.action === 'CREATE')!;
    expect(t.status).toBe('FAILED');
    expect(t.reason).toMatch(/Task timed out after 1\.00 seconds$/);
    expect(t.durationMs).toBeLessThan(2500);
  });

  test('each step says when it ended: after its request, once its response was received', async () => {
    const asm = ws.synth('Ended', ({ stack, provider }) => {
      new CustomResource(stack, 'S', { serviceToken: provider.serviceToken, properties: { SleepMs: 300 } });
    });
    const before = Date.now();
    const report = await ws.cfn().deploy(asm, 'Ended');
    const s = report.resources.find(r => r.logicalId === 'S' && r.action === 'CREATE')!;
    expect(s.status).toBe('SUCCEEDED');
    expect(s.durationMs).toBeGreaterThanOrEqual(300);
    expect(s.endedAt.getTime() - s.durationMs).toBeGreaterThanOrEqual(before);
    expect(s.endedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  test('onProgress is told each step as it ends, while the deployment still runs', async () => {
    const asm = ws.synth('Progress', ({ stack, provider }) => {
      const fast = new CustomResource(stack, 'Fast', { serviceToken: provider.serviceToken, properties: { SleepMs: 0 } });
      const slow = new CustomResource(stack, 'Slow', { serviceToken: provider.serviceToken, properties: { SleepMs: 300 } });
      slow.node.addDependency(fast);
    });
    const told: Array<{ stack: string; logicalId: string; action: string; at: number }> = [];
    const report = await ws.cfn({ onProgress: (stack, step) => told.push({ stack, logicalId: step.logicalId, action: step.action, at: Date.now() }) })
      .deploy(asm, 'Progress');
    const ended = Date.now();
    expect(told.map(t => t.logicalId)).toEqual(report.resources.map(r => r.logicalId));
    const fast = told.find(t => t.logicalId === 'Fast')!;
    expect(fast).toMatchObject({ stack: 'Progress', action: 'CREATE' });
    expect(ended - fast.at).toBeGreaterThanOrEqual(300);
  });

  test('a file asset is published byte for byte to its bucket and key', async () => {
    const file = path.join(ws.root, 'bundle.tar.gz');
    const bytes = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x10, 0x80, 0x7f]);
    fs.writeFileSync(file, bytes);
    const published: Array<{ bucket: string; key: string; body: Buffer }> = [];
    const asm = ws.synth('Assets', ({ stack, resource }) => {
      const asset = new s3assets.Asset(stack, 'Bundle', { path: file });
      resource('UsesAsset', { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey });
    });
    await ws.cfn({ publishFileAsset: (bucket, key, body) => void published.push({ bucket, key, body }) }).deploy(asm, 'Assets');

    const props = ws.calls()[0].event.ResourceProperties;
    expect(props.Bucket).toBe('cdk-hnb659fds-assets-111111111111-us-east-1');
    expect(props.Key).toMatch(/^[0-9a-f]{64}\.gz$/);
    const bundle = published.find(p => p.key === props.Key)!;
    expect(bundle.bucket).toBe(props.Bucket);
    expect(bundle.body.equals(bytes)).toBe(true);
    // Folder assets (the handler code) are run from the assembly, not published.
    expect(published.every(p => !p.key.endsWith('.zip'))).toBe(true);
  });

  test('an invalid template is rejected before anything is deployed', async () => {
    const asm = ws.synth('Invalid', ({ resource }) => {
      resource('X', { Missing: Fn.getAtt('DoesNotExist', 'Arn').toString() });
    });
    await expect(ws.cfn().deploy(asm, 'Invalid')).rejects.toThrow(TemplateValidationError);
    expect(ws.calls()).toEqual([]);
    expect(ws.cfn().readState('Invalid')).toBeUndefined();
  });

  test('a custom resource that does not return an attribute the template uses fails', async () => {
    const asm = ws.synth('Attr', ({ resource }) => {
      resource('A');
      resource('B', { Needs: Fn.getAtt('A', 'NotThere').toString() });
    });
    const report = await ws.cfn().deploy(asm, 'Attr');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    expect(report.resources.find(r => r.logicalId === 'A' && r.action === 'CREATE'))
      .toMatchObject({ status: 'FAILED', reason: expect.stringContaining("Vendor response doesn't contain NotThere key") });
    // A was created by the handler: CloudFormation deletes it with its id.
    expect(ws.onEvents()).toEqual(['Create A', 'Delete A']);
  });
});

describe('update', () => {
  test('unchanged properties send nothing, changed ones send Update with OldResourceProperties; state survives instances', async () => {
    const v1 = ws.synth('Upd', ({ resource }) => {
      resource('A', { Value: 1 });
      resource('B', { Value: 'same' });
    });
    const first = await ws.cfn().deploy(v1, 'Upd');
    const aId = first.resources.find(r => r.logicalId === 'A')!.physicalId!;
    expect(fs.existsSync(path.join(ws.stateDir, 'Upd.json'))).toBe(true);

    ws.clearCalls();
    const v2 = ws.synth('Upd', ({ resource }) => {
      resource('A', { Value: 2 });
      resource('B', { Value: 'same' });
    });
    // A new instance: everything it knows comes from the state file.
    const report = await ws.cfn().deploy(v2, 'Upd');

    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(report.stackId).toBe(first.stackId);
    expect(ws.onEvents()).toEqual(['Update A']);
    const update = ws.calls()[0].event;
    expect(update).toMatchObject({
      RequestType: 'Update',
      PhysicalResourceId: aId,
      ResourceProperties: { Value: '2' },
      OldResourceProperties: { Value: '1' },
    });
    expect(report.resources.find(r => r.logicalId === 'B')).toMatchObject({ action: 'NO_CHANGE', status: 'SUCCEEDED' });

    // The same template again: no request at all.
    ws.clearCalls();
    const noop = await ws.cfn().deploy(v2, 'Upd');
    expect(ws.calls()).toEqual([]);
    expect(noop.reason).toBe('No updates are to be performed.');
    expect(noop.resources.every(r => r.action === 'NO_CHANGE')).toBe(true);
  });

  test('a replacement deletes the old id in the cleanup phase, after every other update', async () => {
    const v1 = ws.synth('Repl', ({ resource }) => {
      const a = resource('A', { PhysicalId: 'a-1' });
      resource('D', { Upstream: a.ref });
      resource('Removed', { FailOn: 'Delete' });
      resource('Gone');
    });
    await ws.cfn().deploy(v1, 'Repl');
    ws.clearCalls();

    const v2 = ws.synth('Repl', ({ resource }) => {
      const a = resource('A', { PhysicalId: 'a-2' });
      resource('D', { Upstream: a.ref });
    });
    const report = await ws.cfn().deploy(v2, 'Repl');

    expect(ws.onEvents()).toEqual(['Update A', 'Update D', 'Delete Gone', 'Delete Removed', 'Delete A']);
    const calls = ws.calls().filter(c => c.handler === 'onEvent');
    expect(calls[1].event).toMatchObject({ ResourceProperties: { Upstream: 'a-2' }, OldResourceProperties: { Upstream: 'a-1' } });
    expect(calls[4].event).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: 'a-1', ResourceProperties: { PhysicalId: 'a-1' } });
    // Gone and Removed are independent: they are deleted at once, and the report lists them as they end.
    const steps = report.resources.map(r => `${r.action} ${r.logicalId} ${r.status}`).filter(s => !s.includes('NO_CHANGE'));
    expect(steps.slice(0, 2)).toEqual(['REPLACE A SUCCEEDED', 'UPDATE D SUCCEEDED']);
    expect(steps.slice(2, 4).sort()).toEqual(['CLEANUP_DELETE Gone SUCCEEDED', 'CLEANUP_DELETE Removed FAILED']);
    expect(steps[4]).toBe('CLEANUP_DELETE A SUCCEEDED');
    // A failing cleanup delete is abandoned: the stack succeeds and forgets the resource.
    expect(report.status).toBe('UPDATE_COMPLETE');
    const state = ws.cfn().readState('Repl')!;
    expect(Object.keys(state.resources)).not.toContain('Removed');
    expect(state.resources.A.physicalId).toBe('a-2');
  });

  test('a failing update rolls back: Updates with the old properties, new resources deleted', async () => {
    const v1 = ws.synth('Rb', ({ resource }) => {
      resource('A', { Value: 1 });
      resource('B', { Value: 1 });
    });
    await ws.cfn().deploy(v1, 'Rb');
    ws.clearCalls();

    const v2 = ws.synth('Rb', ({ resource }) => {
      const a = resource('A', { Value: 2 });
      const n = resource('N', { Upstream: a.ref });
      const b = resource('B', { Value: 2, FailOn: 'Update' });
      b.node.addDependency(n);
    });
    const report = await ws.cfn().deploy(v2, 'Rb');

    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.reason).toContain('boom on Update of B');
    expect(ws.onEvents()).toEqual(['Update A', 'Create N', 'Update B', 'Update A', 'Update B', 'Delete N']);
    const calls = ws.calls().filter(c => c.handler === 'onEvent');
    expect(calls[3].event).toMatchObject({ ResourceProperties: { Value: '1' }, OldResourceProperties: { Value: '2' } });
    expect(calls[4].event.ResourceProperties).toEqual({ ServiceToken: expect.any(String), Value: '1' });
    expect(calls[4].event.OldResourceProperties).toEqual({ ServiceToken: expect.any(String), Value: '2', FailOn: 'Update' });
    expect(report.resources.map(r => `${r.action} ${r.logicalId} ${r.status}`)).toEqual(expect.arrayContaining([
      'UPDATE B FAILED', 'ROLLBACK_UPDATE A SUCCEEDED', 'ROLLBACK_UPDATE B SUCCEEDED', 'ROLLBACK_DELETE N SUCCEEDED',
    ]));

    // The persisted stack is the old one: deploying v1 again changes nothing.
    ws.clearCalls();
    const again = await ws.cfn().deploy(v1, 'Rb');
    expect(ws.calls()).toEqual([]);
    expect(again.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  });

  test('a failure after a replacement deletes the new id in rollback cleanup', async () => {
    const v1 = ws.synth('RbRepl', ({ resource }) => {
      resource('A', { PhysicalId: 'a-1' });
      resource('B', { Value: 1 });
    });
    await ws.cfn().deploy(v1, 'RbRepl');
    ws.clearCalls();
    const v2 = ws.synth('RbRepl', ({ resource }) => {
      const a = resource('A', { PhysicalId: 'a-2' });
      resource('B', { Value: 2, FailOn: 'Update' }).node.addDependency(a);
    });
    const report = await ws.cfn().deploy(v2, 'RbRepl');
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(ws.onEvents()).toEqual(['Update A', 'Update B', 'Update B', 'Delete A']);
    const del = ws.calls().filter(c => c.handler === 'onEvent')[3].event;
    expect(del).toMatchObject({ PhysicalResourceId: 'a-2', ResourceProperties: { PhysicalId: 'a-2' } });
    expect(ws.cfn().readState('RbRepl')!.resources.A.physicalId).toBe('a-1');
  });
});

describe('destroy', () => {
  test('deletes in reverse dependency order, from a new instance', async () => {
    const asm = ws.synth('Del', ({ resource }) => {
      const a = resource('A', { PhysicalId: 'a' });
      const b = resource('B', { PhysicalId: 'b', Upstream: a.ref });
      resource('C', { PhysicalId: 'c' }).node.addDependency(b);
    });
    await ws.cfn().deploy(asm, 'Del');
    ws.clearCalls();

    const report = await ws.cfn().destroy('Del');
    expect(report.status).toBe('DELETE_COMPLETE');
    expect(ws.onEvents()).toEqual(['Delete C', 'Delete B', 'Delete A']);
    expect(ws.calls().filter(c => c.handler === 'onEvent')[1].event).toMatchObject({
      RequestType: 'Delete',
      PhysicalResourceId: 'b',
      ResourceProperties: { PhysicalId: 'b', Upstream: 'a' },
    });
    // The Provider's functions are deleted after the custom resources using them.
    const order = report.resources.map(r => r.logicalId);
    expect(order.indexOf('A')).toBeLessThan(order.findIndex(id => id.startsWith('OnEventHandler')));
    expect(ws.cfn().readState('Del')).toBeUndefined();
    expect((await ws.cfn().destroy('Del')).reason).toBe('Stack Del does not exist');
  });

  test('a failing delete leaves the stack in DELETE_FAILED with what remains', async () => {
    const asm = ws.synth('DelFail', ({ resource }) => {
      const a = resource('A');
      resource('B', { FailOn: 'Delete', Upstream: a.ref });
    });
    await ws.cfn().deploy(asm, 'DelFail');
    ws.clearCalls();
    const report = await ws.cfn().destroy('DelFail');
    expect(report.status).toBe('DELETE_FAILED');
    // A is still needed by B: not deleted.
    expect(ws.onEvents()).toEqual(['Delete B']);
    expect(Object.keys(ws.cfn().readState('DelFail')!.resources)).toEqual(expect.arrayContaining(['A', 'B']));
    await expect(ws.cfn().deploy(asm, 'DelFail')).rejects.toThrow(/DELETE_FAILED/);

    // DeleteStack's RetainResources: the failed resource is left behind, the rest deleted.
    ws.clearCalls();
    const retained = await ws.cfn().destroy('DelFail', { retainResources: ['B'] });
    expect(retained.status).toBe('DELETE_COMPLETE');
    expect(ws.onEvents()).toEqual(['Delete A']);
    expect(retained.resources.find((r) => r.logicalId === 'B')).toMatchObject({ status: 'SUCCEEDED', reason: 'Retained (RetainResources)' });
  });

  test('RetainResources is refused for a stack that is not in DELETE_FAILED, as CloudFormation refuses it', async () => {
    const asm = ws.synth('Healthy', ({ resource }) => {
      resource('A');
    });
    await ws.cfn().deploy(asm, 'Healthy');
    await expect(ws.cfn().destroy('Healthy', { retainResources: ['A'] })).rejects.toThrow(/only be specified when the stack Healthy is in DELETE_FAILED state/);
    expect((await ws.cfn().destroy('Healthy')).status).toBe('DELETE_COMPLETE');
  });
});

describe('native resources and replay hooks', () => {
  test('native handlers get typed properties; a new physical id is a replacement', async () => {
    const calls: string[] = [];
    const native: NativeResourceHandler = {
      create: async (props, ctx) => {
        calls.push(`create ${ctx.logicalId} ${JSON.stringify(props)}`);
        return { physicalId: `tmpl-${props.Name}`, attributes: { Arn: `arn:aws:proton:us-east-1:111111111111:environment-template/${props.Name}` } };
      },
      update: async (id, props, old, ctx) => {
        calls.push(`update ${ctx.logicalId} ${id} ${old.Name}->${props.Name}`);
        return { physicalId: `tmpl-${props.Name}`, attributes: { Arn: `arn:aws:proton:us-east-1:111111111111:environment-template/${props.Name}` } };
      },
      delete: async (id, _props, ctx) => {
        calls.push(`delete ${ctx.logicalId} ${id} ${ctx.action}`);
      },
    };
    const build = (name: string) => ws.synth('Native', ({ stack, resource }) => {
      const t = new CfnResource(stack, 'Template', { type: 'AWS::Proton::EnvironmentTemplate', properties: { Name: name, Count: 2 } });
      resource('User', { TemplateArn: t.getAtt('Arn').toString() });
    });
    const cfn = ws.cfn({ nativeResources: { 'AWS::Proton::EnvironmentTemplate': native } });
    await cfn.deploy(build('one'), 'Native');
    expect(calls).toEqual(['create Template {"Name":"one","Count":2}']);
    expect(ws.calls()[0].event.ResourceProperties.TemplateArn).toBe('arn:aws:proton:us-east-1:111111111111:environment-template/one');

    const report = await cfn.deploy(build('two'), 'Native');
    expect(calls.slice(1)).toEqual(['update Template tmpl-one one->two', 'delete Template tmpl-one CLEANUP_DELETE']);
    expect(report.resources.find(r => r.logicalId === 'Template' && r.action === 'REPLACE')).toMatchObject({ physicalId: 'tmpl-two' });
    expect(ws.onEvents()).toEqual(['Create User', 'Update User']);
  });

  test('requestIdFor chooses RequestIds; invokeCustomResource replays a request without touching the state', async () => {
    const asm = ws.synth('Replay', ({ resource }) => {
      resource('A', { Value: 1 });
    });
    const cfn = ws.cfn();
    await cfn.deploy(asm, 'Replay', { requestIdFor: (lid, type) => (lid === 'A' ? `fixed-${type}` : undefined) });
    expect(ws.calls()[0].event.RequestId).toBe('fixed-Create');
    const stateBefore = fs.readFileSync(path.join(ws.stateDir, 'Replay.json'), 'utf8');

    // CloudFormation retrying the same Create: the same RequestId twice.
    const first = await cfn.invokeCustomResource(asm, 'Replay', 'A', { RequestType: 'Create', RequestId: 'retry-1' });
    const second = await cfn.invokeCustomResource(asm, 'Replay', 'A', { RequestType: 'Create', RequestId: 'retry-1' });
    expect(first).toMatchObject({ status: 'SUCCEEDED', physicalId: 'retry-1' });
    expect(second.event).toMatchObject({ RequestType: 'Create', RequestId: 'retry-1', ResourceProperties: { Value: '1' } });
    expect(second.invocations.map(i => i.handler)).toEqual(['onEvent', 'isComplete']);

    // A Delete for the framework's marker id never reaches the handler.
    ws.clearCalls();
    const marker = await cfn.invokeCustomResource(asm, 'Replay', 'A', { RequestType: 'Delete', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID_MARKER });
    expect(marker.status).toBe('SUCCEEDED');
    expect(ws.calls()).toEqual([]);

    // An Update with explicit properties is stringified like CloudFormation does.
    const upd = await cfn.invokeCustomResource(asm, 'Replay', 'A', { RequestType: 'Update', ResourceProperties: { Value: 3 } });
    expect(upd.event).toMatchObject({ PhysicalResourceId: 'fixed-Create', ResourceProperties: { Value: '3' }, OldResourceProperties: { Value: '1' } });
    expect(fs.readFileSync(path.join(ws.stateDir, 'Replay.json'), 'utf8')).toBe(stateBefore);
  });
});

describe('parallel operations', () => {
  test('independent resources are created at the same time', async () => {
    // Each onEvent waits for the other's: both succeed only if they overlap.
    const asm = ws.synth('Par', ({ resource }) => {
      resource('A', { AwaitOnEventOf: 'B' });
      resource('B', { AwaitOnEventOf: 'A' });
    });
    const report = await ws.cfn().deploy(asm, 'Par');
    expect(report.status).toBe('CREATE_COMPLETE');
    // One at a time, the first would wait in vain.
    ws.clearCalls();
    const serial = await ws.cfn({ maxConcurrency: 1 }).deploy(ws.synth('Serial', ({ resource }) => {
      resource('A', { AwaitOnEventOf: 'B', AwaitMs: 200 });
      resource('B', { AwaitOnEventOf: 'A', AwaitMs: 200 });
    }), 'Serial');
    expect(serial.reason).toContain('A waited in vain for the onEvent of B');
  });

  test('dependencies are respected under every shuffle seed; seeds change the order of the rest', async () => {
    const asm = ws.synth('Shuffle', ({ resource }) => {
      const a = resource('A');
      resource('B', { Upstream: a.ref });
      resource('C').node.addDependency(a);
      resource('D');
      resource('E');
    });
    const orders = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) {
      const cfn = ws.cfn({ shuffleSeed: seed, maxConcurrency: seed % 2 === 0 ? 1 : 8 });
      ws.clearCalls();
      expect((await cfn.deploy(asm, 'Shuffle')).status).toBe('CREATE_COMPLETE');
      const created = ws.calls();
      const lastOfA = created.map(c => c.event.LogicalResourceId).lastIndexOf('A');
      for (const dependent of ['B', 'C']) {
        expect(created.findIndex(c => c.event.LogicalResourceId === dependent)).toBeGreaterThan(lastOfA);
      }
      if (seed % 2 === 0) orders.add(ws.onEvents().join());

      ws.clearCalls();
      expect((await cfn.destroy('Shuffle')).status).toBe('DELETE_COMPLETE');
      const deletes = ws.onEvents();
      expect(deletes.indexOf('Delete A')).toBeGreaterThan(Math.max(deletes.indexOf('Delete B'), deletes.indexOf('Delete C')));
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  test('liveResources shows what exists at the moment of a call', async () => {
    const seen: string[][] = [];
    const cfn = ws.cfn({
      nativeResources: {
        'Test::Probe': {
          create: async (_props, ctx) => {
            seen.push([...cfn.liveResources(ctx.stackName)!.keys()].filter(lid => /^(Before|Probe|After)$/.test(lid)));
            return { physicalId: 'probe', attributes: {} };
          },
          update: async () => ({ physicalId: 'probe', attributes: {} }),
          delete: async (_id, _props, ctx) => {
            seen.push([...cfn.liveResources(ctx.stackName)!.keys()].filter(lid => /^(Before|Probe|After)$/.test(lid)));
          },
        },
      },
    });
    const asm = ws.synth('Live', ({ stack }) => {
      const before = new CfnResource(stack, 'Before', { type: 'AWS::IAM::Policy' });
      const probe = new CfnResource(stack, 'Probe', { type: 'Test::Probe' });
      probe.addDependency(before);
      new CfnResource(stack, 'After', { type: 'AWS::IAM::Policy' }).addDependency(probe);
    });
    await cfn.deploy(asm, 'Live');
    expect([...cfn.liveResources('Live')!.keys()]).toEqual(expect.arrayContaining(['Before', 'Probe', 'After']));
    await cfn.destroy('Live');
    // During the create, After did not exist yet; during the delete, it was already gone.
    expect(seen).toEqual([['Before'], ['Before', 'Probe']]);
    expect(cfn.liveResources('Live')).toBeUndefined();
  });

  test('functionEnv adds variables per function, after handlerEnv', async () => {
    const asked: any[] = [];
    const cfn = ws.cfn({ functionEnv: fn => (asked.push(fn), { EXTRA_ENV: `for ${fn.logicalId}` }) });
    await cfn.deploy(ws.synth('FnEnv', ({ resource }) => {
      resource('A');
    }), 'FnEnv');
    const onEventId = Object.keys(cfn.readState('FnEnv')!.resources).find(lid => /^OnEventHandler[0-9A-F]{8}$/.test(lid))!;
    expect(ws.calls()[0].extraEnv).toBe(`for ${onEventId}`);
    expect(asked[0]).toEqual({
      stackName: 'FnEnv',
      logicalId: onEventId,
      functionName: expect.stringMatching(/^FnEnv-OnEventHandler/),
      roleArn: expect.stringMatching(/^arn:aws:iam::111111111111:role\/FnEnv-OnEventHandlerServiceRole/),
    });
  });
});

describe('abandoned executions', () => {
  // S polls isComplete 11 times (10 s / 1 s), 20 ms apart; F fails once S has started.
  const cancelApp = (stackName: string) => ws.synth(stackName, ({ resource }) => {
    resource('S', { NeverCompleteOn: 'Create' });
    resource('F', { AwaitOnEventOf: 'S', FailOn: 'Create' });
  });

  test('a sibling failure cancels a custom resource in progress; its execution goes on next to the rollback', async () => {
    const cfn = ws.cfn({ pollIntervalMs: 20 });
    const report = await cfn.deploy(cancelApp('Cancel'), 'Cancel');

    expect(report.status).toBe('ROLLBACK_COMPLETE');
    expect(report.reason).toBe('The following resource(s) failed to create: [F]. boom on Create of F');
    const steps = report.resources.filter(r => ['S', 'F'].includes(r.logicalId)).map(r => `${r.action} ${r.logicalId} ${r.status} ${r.reason ?? ''}`);
    expect(steps.slice(0, 2)).toEqual(['CREATE F FAILED boom on Create of F', 'CREATE S FAILED Resource creation cancelled']);
    // CloudFormation never got S's answer: its rollback Delete carries an id CloudFormation made up.
    const s = report.resources.find(r => r.logicalId === 'S' && r.action === 'CREATE')!;
    expect(s.physicalId).toMatch(/^Cancel-S-[A-Z0-9]{12}$/);
    expect(s.response).toBeUndefined();
    expect(report.resources.find(r => r.logicalId === 'S' && r.action === 'ROLLBACK_DELETE'))
      .toMatchObject({ status: 'SUCCEEDED', physicalId: s.physicalId });

    const [abandoned, ...others] = await cfn.settle();
    expect(others).toEqual([]);
    expect(abandoned).toMatchObject({
      stackName: 'Cancel',
      logicalId: 'S',
      requestType: 'Create',
      requestId: s.requestId,
      reason: 'Resource creation cancelled',
      response: { Status: 'FAILED', Reason: 'Operation timed out', PhysicalResourceId: s.requestId },
    });
    expect(abandoned.invocations.filter(i => i.handler === 'isComplete')).toHaveLength(11);
    expect(abandoned.invocationsBeforeAbandoned).toBeLessThan(abandoned.invocations.length);
    // It kept calling isComplete after the rollback's own Delete of S.
    const calls = ws.calls();
    const rollbackDelete = calls.findIndex(c => c.handler === 'onEvent' && c.event.RequestType === 'Delete' && c.event.LogicalResourceId === 'S');
    expect(calls.findIndex((c, i) => i > rollbackDelete && c.handler === 'isComplete' && c.event.RequestId === s.requestId)).toBeGreaterThan(0);
    expect(await cfn.settle()).toEqual([]);
  });

  test('a cancelled Update is rolled back with an Update to the old properties', async () => {
    const cfn = ws.cfn({ pollIntervalMs: 20 });
    await cfn.deploy(ws.synth('CancelUpd', ({ resource }) => {
      resource('S', { Value: 1 });
      resource('F', { Value: 1 });
    }), 'CancelUpd');
    ws.clearCalls();
    const report = await cfn.deploy(ws.synth('CancelUpd', ({ resource }) => {
      resource('S', { Value: 2, NeverCompleteOn: 'Update' });
      resource('F', { Value: 2, AwaitOnEventOf: 'S', FailOn: 'Update' });
    }), 'CancelUpd');

    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.resources.find(r => r.logicalId === 'S' && r.action === 'UPDATE'))
      .toMatchObject({ status: 'FAILED', reason: 'Resource update cancelled' });
    const rollback = ws.calls().filter(c => c.handler === 'onEvent' && c.event.LogicalResourceId === 'S')[1].event;
    expect(rollback).toMatchObject({
      RequestType: 'Update',
      ResourceProperties: { Value: '1' },
      OldResourceProperties: { Value: '2', NeverCompleteOn: 'Update' },
    });
    const [abandoned] = await cfn.settle();
    expect(abandoned).toMatchObject({ logicalId: 'S', requestType: 'Update', reason: 'Resource update cancelled', response: { Reason: 'Operation timed out' } });
  });

  test('abandonedExecutions "stop" ends the execution when CloudFormation stops waiting', async () => {
    const cfn = ws.cfn({ pollIntervalMs: 20, abandonedExecutions: 'stop' });
    await cfn.deploy(cancelApp('Stop'), 'Stop');
    const [abandoned] = await cfn.settle();
    expect(abandoned.response).toBeUndefined();
    // At most the isComplete call running when it was stopped.
    expect(abandoned.invocations.length - abandoned.invocationsBeforeAbandoned).toBeLessThanOrEqual(1);
  });

  test('after ServiceTimeout CloudFormation stops waiting, the execution does not', async () => {
    const cfn = ws.cfn({ pollIntervalMs: 5 });
    const report = await cfn.deploy(ws.synth('Svc', ({ resource }) => {
      resource('S', { NeverCompleteOn: 'Create', ServiceTimeout: 3 });
    }), 'Svc');
    const s = report.resources.find(r => r.logicalId === 'S' && r.action === 'CREATE')!;
    expect(s).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('CloudFormation did not receive a response') });
    const [abandoned] = await cfn.settle();
    expect(abandoned).toMatchObject({ logicalId: 'S', response: { Reason: 'Operation timed out' } });
    // onEvent, then isComplete at 0, 1 and 2 s of virtual time; past 3 s CloudFormation gave up. 11 isComplete calls in all.
    expect(abandoned.invocationsBeforeAbandoned).toBe(4);
    expect(abandoned.invocations.filter(i => i.handler === 'isComplete')).toHaveLength(11);
  });

  test('duplicateDeliveries hands every request to the Provider twice with the same RequestId; the first response counts', async () => {
    const cfn = ws.cfn({ pollIntervalMs: 5, duplicateDeliveries: true });
    const app = (value: number) => ws.synth('Twice', ({ resource }) => {
      resource('A', { Value: value, PollsUntilComplete: 2 });
    });
    expect((await cfn.deploy(app(1), 'Twice')).status).toBe('CREATE_COMPLETE');
    expect((await cfn.deploy(app(2), 'Twice')).status).toBe('UPDATE_COMPLETE');
    expect((await cfn.destroy('Twice')).status).toBe('DELETE_COMPLETE');
    const abandoned = await cfn.settle();

    const onEvents = ws.calls().filter(c => c.handler === 'onEvent');
    expect(onEvents.map(c => c.event.RequestType)).toEqual(['Create', 'Create', 'Update', 'Update', 'Delete', 'Delete']);
    for (const [first, second] of [[0, 1], [2, 3], [4, 5]]) {
      expect(onEvents[second].event.RequestId).toBe(onEvents[first].event.RequestId);
      expect(onEvents[second].event.ResponseURL).toBe(onEvents[first].event.ResponseURL);
    }
    expect(new Set(onEvents.map(c => c.event.RequestId)).size).toBe(3);
    // The execution whose response CloudFormation did not take ran to its own end.
    expect(abandoned.map(a => `${a.requestType} ${a.reason} ${a.response?.Status}`)).toEqual([
      'Create Duplicate delivery: CloudFormation took the response of the other one SUCCESS',
      'Update Duplicate delivery: CloudFormation took the response of the other one SUCCESS',
      'Delete Duplicate delivery: CloudFormation took the response of the other one SUCCESS',
    ]);
  });

  test('an error from the user isComplete fails at once, a timed out isComplete too', async () => {
    const report = await ws.cfn().deploy(ws.synth('IsErr', ({ resource }) => {
      resource('E', { FailIsCompleteOn: 'Create' });
    }), 'IsErr');
    const e = report.resources.find(r => r.logicalId === 'E' && r.action === 'CREATE')!;
    expect(e).toMatchObject({ status: 'FAILED', reason: 'isComplete failed for E' });
    expect(e.invocations!.map(i => i.handler)).toEqual(['onEvent', 'isComplete']);

    // Lambda reports a function timeout as a FunctionError: not retried either.
    const t = (await ws.cfn().deploy(ws.synth('IsTimeout', ({ stack, resource }) => {
      (stack.node.findChild('IsCompleteHandler').node.defaultChild as CfnResource).addPropertyOverride('Timeout', 1);
      resource('T', { IsCompleteSleepMs: 1500 });
    }), 'IsTimeout')).resources.find(r => r.logicalId === 'T' && r.action === 'CREATE')!;
    expect(t).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/Task timed out after 1\.00 seconds$/) });
    expect(t.invocations!.map(i => i.handler)).toEqual(['onEvent', 'isComplete']);
  });
});
