import * as fs from 'fs';
import * as path from 'path';
import {
  GetEnvironmentCommand, ListEnvironmentOutputsCommand, ListEnvironmentsCommand, UpdateEnvironmentCommand,
} from '@aws-sdk/client-proton';
import { Stack } from 'aws-cdk-lib';
import { synth, useLocalProton, versionsOf } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import {
  AcceptEnvironmentAccountConnection, Environment, EnvironmentAccountConnection, EnvironmentTemplate, ProtonServiceRole, Spec, TemplateBundle,
} from '../../src';
import { bundleCopy, ENV_BUNDLE } from '../constructs/helpers';

const ENV = 'Custom::ProtonEnvironment';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 30, deploymentDelayMs: 50, deleteDelayMs: 50 }, (started) => { proton = started; });

interface EnvOptions {
  readonly name: string;
  readonly templateName: string;
  readonly inputs?: Record<string, unknown>;
  readonly bundle?: string;
  readonly outputs?: string[];
}

/** A stack with an environment template, its version and one environment of it. */
function envStack(stack: Stack, options: EnvOptions) {
  const template = new EnvironmentTemplate(stack, 'Template', { templateName: options.templateName });
  const version = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(options.bundle ?? ENV_BUNDLE) });
  const env = new Environment(stack, 'Env', {
    environmentName: options.name,
    templateVersion: version,
    spec: Spec.fromObject(options.inputs ?? { vpc_cidr: '10.0.0.0/16' }),
    protonServiceRole: new ProtonServiceRole(stack, 'ProtonRole'),
  });
  for (const key of options.outputs ?? []) env.output(key);
  return env;
}


const deploy = (stackName: string, options: EnvOptions) => proton.deploy(synth(stackName, (s) => envStack(s, options)), stackName);
const getEnv = async (name: string) => (await proton.client.send(new GetEnvironmentCommand({ name }))).environment!;
const envStep = (report: { resources: any[] }, action: string) => report.resources.find((r) => r.type === ENV && r.action === action);
const updateTypes = () => proton.emulator.log.ofOperation('UpdateEnvironment').filter((e) => e.status === 200).map((e) => e.input.deploymentType);

describe('environment lifecycle', () => {
  const options: EnvOptions = { name: 'beta', templateName: 'env-lifecycle', outputs: ['VpcId'] };
  let assembly: string;
  let createRequestId: string;

  test('create deploys the environment and returns the outputs the app references', async () => {
    assembly = synth('Envs', (s) => envStack(s, options));
    const report = await proton.deploy(assembly, 'Envs');
    expect(report.status).toBe('CREATE_COMPLETE');
    const created = envStep(report, 'CREATE');
    createRequestId = created.requestId;
    const outputs = (await proton.client.send(new ListEnvironmentOutputsCommand({ environmentName: 'beta' }))).outputs!;
    const vpcId = outputs.find((o) => o.key === 'VpcId')!.valueString;
    expect(created.attributes).toEqual({ 'Arn': expect.stringMatching(/:environment\/beta$/), 'Outputs.VpcId': vpcId });
    expect(Object.keys(created.attributes).filter((k) => k.startsWith('Outputs.'))).toEqual(['Outputs.VpcId']);
    expect(await getEnv('beta')).toMatchObject({ deploymentStatus: 'SUCCEEDED', templateMajorVersion: '1', templateMinorVersion: '0' });
  });

  test('the same create event replayed deploys no second environment', async () => {
    const logicalId = Object.entries(proton.cfn.readState('Envs')!.resources).find(([, r]) => r.type === ENV)![0];
    const replay = await proton.cfn.invokeCustomResource(assembly, 'Envs', logicalId, { RequestType: 'Create', RequestId: createRequestId });
    expect(replay.status).toBe('SUCCEEDED');
    expect(replay.physicalId).toBe('beta');
    const all = (await proton.client.send(new ListEnvironmentsCommand({}))).environments!.filter((e) => e.name === 'beta');
    expect(all).toHaveLength(1);
  });

  test('a new spec redeploys the current version (CURRENT_VERSION)', async () => {
    const report = await deploy('Envs', { ...options, inputs: { vpc_cidr: '10.1.0.0/16' } });
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(updateTypes()).toEqual(['CURRENT_VERSION']);
    expect((await getEnv('beta')).spec).toContain('10.1.0.0/16');
  });

  test('a new bundle moves the environment to the new minor version (MINOR_VERSION), and the old version is deleted', async () => {
    const bundle = bundleCopy((d) => fs.appendFileSync(path.join(d, 'infrastructure', 'cloudformation.yaml'), '# 1.1\n'));
    const report = await deploy('Envs', { ...options, inputs: { vpc_cidr: '10.1.0.0/16' }, bundle });
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(updateTypes()).toEqual(['MINOR_VERSION']);
    expect(await getEnv('beta')).toMatchObject({ templateMinorVersion: '1', deploymentStatus: 'SUCCEEDED' });
    expect(await versionsOf(proton.client, 'env-lifecycle')).toEqual({ 1.1: 'PUBLISHED' });
  });

  test('destroy deletes the environment, waiting until Proton has removed it, then its template', async () => {
    const report = await proton.destroy('Envs');
    expect(report.status).toBe('DELETE_COMPLETE');
    await expect(getEnv('beta')).rejects.toThrow();
    const deletes = proton.emulator.log.entries.map((e) => e.operation).filter((op) => op.startsWith('Delete'));
    expect(deletes).toEqual(['DeleteEnvironment', 'DeleteEnvironmentTemplateVersion', 'DeleteEnvironmentTemplate']);
  });

  test('deleting an environment that is already gone succeeds', async () => {
    const stack = 'Gone';
    const goneAssembly = synth(stack, (s) => envStack(s, { name: 'gone', templateName: 'env-gone' }));
    await proton.deploy(goneAssembly, stack);
    const logicalId = Object.entries(proton.cfn.readState(stack)!.resources).find(([, r]) => r.type === ENV)![0];
    const first = await proton.cfn.invokeCustomResource(goneAssembly, stack, logicalId, { RequestType: 'Delete' });
    const second = await proton.cfn.invokeCustomResource(goneAssembly, stack, logicalId, { RequestType: 'Delete' });
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    await expect(getEnv('gone')).rejects.toThrow();
    expect((await proton.destroy(stack)).status).toBe('DELETE_COMPLETE');
  });
});

describe('environment failures', () => {
  test('a failed deployment fails the stack with Proton\'s message, and the rollback removes the environment', async () => {
    proton.emulator.faults.failDeployment('broken', 'Resource handler returned message: "The maximum number of VPCs has been reached."');
    const report = await deploy('Broken', { name: 'broken', templateName: 'env-broken' });
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    const failed = report.resources.find((r) => r.type === ENV && r.status === 'FAILED')!;
    expect(failed.reason).toBe('Proton could not deploy environment broken: Resource handler returned message: "The maximum number of VPCs has been reached."');
    expect(failed.responseBytes).toBeLessThan(4096);
    await expect(getEnv('broken')).rejects.toThrow();
  });

  test('an output Proton does not have fails with the outputs it has', async () => {
    const report = await deploy('NoOutput', { name: 'no-output', templateName: 'env-no-output', outputs: ['ClusterArn'] });
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    expect(report.reason).toMatch(/environment no-output has no output ClusterArn: its outputs are .*VpcId/);
  });

  test('a deployment already in progress is waited out, then the stack\'s spec is deployed', async () => {
    const options: EnvOptions = { name: 'busy', templateName: 'env-busy' };
    expect((await deploy('Busy', options)).status).toBe('CREATE_COMPLETE');
    proton.emulator.timing.deploymentDelayMs = 1500;
    // Someone else deploys the environment out of band.
    await proton.client.send(new UpdateEnvironmentCommand({
      name: 'busy', deploymentType: 'CURRENT_VERSION', spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.9.0.0/16\n',
    }));
    proton.emulator.timing.deploymentDelayMs = 50;
    const report = await deploy('Busy', { ...options, inputs: { vpc_cidr: '10.2.0.0/16' } });
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(proton.emulator.log.ofOperation('UpdateEnvironment').some((e) => e.error === 'ConflictException')).toBe(true);
    expect(await getEnv('busy')).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('10.2.0.0/16') });
    expect((await proton.destroy('Busy')).status).toBe('DELETE_COMPLETE');
  });

  test('a rollback restores the previous spec', async () => {
    const build = (cidr: string, badBundle: string) => synth('Restore', (stack) => {
      envStack(stack, { name: 'restore', templateName: 'env-restore', inputs: { vpc_cidr: cidr } });
      // A second template whose new version Proton refuses: it fails the update after the environment moved.
      const other = new EnvironmentTemplate(stack, 'Other', { templateName: 'env-restore-other' });
      const v = other.addVersion('V1', { bundle: TemplateBundle.fromDirectory(badBundle) });
      v.node.addDependency(stack.node.findChild('Env'));
    });
    expect((await proton.deploy(build('10.0.0.0/16', ENV_BUNDLE), 'Restore')).status).toBe('CREATE_COMPLETE');
    proton.emulator.faults.failRegistration('env-restore-other', 'schema is not backward compatible');
    const changed = bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# changed\n'));
    const report = await proton.deploy(build('10.3.0.0/16', changed), 'Restore');
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.resources.filter((r) => r.type === ENV).map((r) => `${r.action} ${r.status}`)).toEqual(['UPDATE SUCCEEDED', 'ROLLBACK_UPDATE SUCCEEDED']);
    expect(updateTypes()).toEqual(['CURRENT_VERSION', 'CURRENT_VERSION']);
    expect(await getEnv('restore')).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('10.0.0.0/16') });
    expect((await proton.destroy('Restore')).status).toBe('DELETE_COMPLETE');
  });

  test('a rollback after CloudFormation stopped waiting cancels the running deployment and deploys the previous spec', async () => {
    const options: EnvOptions = { name: 'stuck', templateName: 'env-stuck' };
    const assembly = synth('Stuck', (s) => envStack(s, options));
    expect((await proton.deploy(assembly, 'Stuck')).status).toBe('CREATE_COMPLETE');
    const state = proton.cfn.readState('Stuck')!;
    const [logicalId, resource] = Object.entries(state.resources).find(([, r]) => r.type === ENV)!;
    const previous = resource.properties;
    const next = { ...previous, Spec: previous.Spec.replace('10.0.0.0/16', '10.5.0.0/16') };

    // The forward update starts a long deployment; CloudFormation gives up waiting for it.
    proton.emulator.timing.deploymentDelayMs = 60_000;
    await proton.onEventOnly('Stuck', {
      RequestType: 'Update',
      RequestId: 'forward',
      StackId: state.stackId,
      LogicalResourceId: logicalId,
      ResourceType: ENV,
      PhysicalResourceId: 'stuck',
      ResourceProperties: next,
      OldResourceProperties: previous,
    });
    expect((await getEnv('stuck')).deploymentStatus).toBe('IN_PROGRESS');
    proton.emulator.timing.deploymentDelayMs = 50;

    // The rollback Update goes back to the previous properties.
    const rollback = await proton.cfn.invokeCustomResource(assembly, 'Stuck', logicalId, {
      RequestType: 'Update', ResourceProperties: previous, OldResourceProperties: next,
    });
    expect(rollback.status).toBe('SUCCEEDED');
    expect(proton.emulator.log.count('CancelEnvironmentDeployment')).toBe(1);
    expect(await getEnv('stuck')).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('10.0.0.0/16') });
    expect((await proton.destroy('Stuck')).status).toBe('DELETE_COMPLETE');
  });

  test('the execution of an update CloudFormation gave up on stops once the rollback took over: the environment stays on the rollback\'s spec', async () => {
    const assembly = synth('Abandoned', (s) => envStack(s, { name: 'abandoned', templateName: 'env-abandoned' }));
    expect((await proton.deploy(assembly, 'Abandoned')).status).toBe('CREATE_COMPLETE');
    const state = proton.cfn.readState('Abandoned')!;
    const [logicalId, resource] = Object.entries(state.resources).find(([, r]) => r.type === ENV)!;
    const previous = resource.properties;
    const next = { ...previous, Spec: previous.Spec.replace('10.0.0.0/16', '10.6.0.0/16') };
    const forward = {
      RequestType: 'Update',
      RequestId: 'forward',
      StackId: state.stackId,
      LogicalResourceId: logicalId,
      ResourceType: ENV,
      PhysicalResourceId: 'abandoned',
      ResourceProperties: next,
      OldResourceProperties: previous,
    };

    // The forward update starts deploying B; CloudFormation stops waiting and rolls back to A.
    proton.emulator.timing.deploymentDelayMs = 60_000;
    await proton.onEventOnly('Abandoned', forward);
    proton.emulator.timing.deploymentDelayMs = 50;
    const rollback = await proton.cfn.invokeCustomResource(assembly, 'Abandoned', logicalId, {
      RequestType: 'Update', ResourceProperties: previous, OldResourceProperties: next,
    });
    expect(rollback.status).toBe('SUCCEEDED');
    const updatesBefore = proton.emulator.log.count('UpdateEnvironment');

    // The forward request's execution polls once more: it must not deploy B over the rollback.
    await expect(proton.isCompleteOnly('Abandoned', forward)).rejects.toThrow(/a later request \(.+\) has taken charge of it, so request forward stops here/);
    expect(proton.emulator.log.count('UpdateEnvironment')).toBe(updatesBefore);
    expect(await getEnv('abandoned')).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: expect.stringContaining('10.0.0.0/16') });
    expect((await proton.destroy('Abandoned')).status).toBe('DELETE_COMPLETE');
  });

  test('a Create CloudFormation cancelled when a sibling failed is deleted by the rollback\'s Delete, whose id CloudFormation made up', async () => {
    // The cancelled Create's execution goes on after the rollback; its waiter's calls are denied once the rollback removed
    // the provider's policy, which is how it ends (within one isComplete invocation's wait).
    // The environment deploys for 12 s: the sibling fails while it deploys, also when a loaded machine and the waiters' jitter delay that failure.
    const local = await LocalProton.start({ registrationDelayMs: 300, deploymentDelayMs: 12_000, deleteDelayMs: 50, expectDenials: true });
    try {
      local.emulator.faults.failRegistration('env-cancel-other', 'schema is not valid');
      const report = await local.deploy(synth('Cancelled', (stack) => {
        envStack(stack, { name: 'cancelled', templateName: 'env-cancel' });
        // Fails while the environment deploys: CloudFormation cancels the environment's Create and rolls back.
        new EnvironmentTemplate(stack, 'Other', { templateName: 'env-cancel-other' })
          .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) }).node.addDependency(stack.node.findChild('Template'));
      }), 'Cancelled');
      expect(report.status).toBe('ROLLBACK_COMPLETE');
      const cancelled = report.resources.find((r) => r.type === ENV && r.action === 'CREATE')!;
      expect(cancelled).toMatchObject({ status: 'FAILED', reason: 'Resource creation cancelled' });
      const rollbackDelete = report.resources.find((r) => r.type === ENV && r.action === 'ROLLBACK_DELETE')!;
      expect(rollbackDelete).toMatchObject({ status: 'SUCCEEDED', physicalId: expect.stringMatching(/^Cancelled-Env[0-9A-F]+-[A-Z0-9]{12}$/) });
      // The environment the cancelled Create made is gone, and so is its template: nothing of the stack is left in Proton.
      await expect(local.client.send(new GetEnvironmentCommand({ name: 'cancelled' }))).rejects.toThrow(/not found/);
      await expect(versionsOf(local.client, 'env-cancel')).rejects.toThrow(/not found/);
      await local.settle();
      expect(new Set(local.deniedCalls())).toEqual(new Set(['proton:GetEnvironment on arn:aws:proton:us-east-1:111111111111:environment/cancelled']));
    } finally {
      await local.stop();
    }
  }, 240_000);

  test('the rollback of a major version upgrade fails saying what to do: Proton deploys only a higher major version', async () => {
    const build = (version: 'V1' | 'V2', failing: boolean) => synth('MajorBack', (stack) => {
      const template = new EnvironmentTemplate(stack, 'Template', { templateName: 'env-major' });
      const v1 = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      // Its own bundle: a second major version of the template.
      const v2 = version === 'V2' ? template.addVersion('V2', {
        bundle: TemplateBundle.fromDirectory(bundleCopy((d) => fs.appendFileSync(
          path.join(d, 'schema', 'schema.yaml'), '# v2\n'))),
      }) : undefined;
      const env = new Environment(stack, 'Env', {
        environmentName: 'major-back',
        templateVersion: v2 ?? v1,
        spec: Spec.fromObject({ vpc_cidr: '10.0.0.0/16' }),
        protonServiceRole: new ProtonServiceRole(stack, 'ProtonRole'),
      });
      if (failing) {
        // Fails once the environment has moved to major version 2: CloudFormation rolls the environment back to 1.
        new EnvironmentTemplate(stack, 'Other', { templateName: 'env-major-other' })
          .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) }).node.addDependency(env);
      }
    });
    expect((await proton.deploy(build('V1', false), 'MajorBack')).status).toBe('CREATE_COMPLETE');
    proton.emulator.faults.failRegistration('env-major-other', 'schema is not valid');
    const report = await proton.deploy(build('V2', true), 'MajorBack');
    expect(report.status).toBe('UPDATE_ROLLBACK_FAILED');
    expect(report.resources.filter((r) => r.type === ENV).map((r) => `${r.action} ${r.status}`)).toEqual(['UPDATE SUCCEEDED', 'ROLLBACK_UPDATE FAILED']);
    const rollback = report.resources.find((r) => r.type === ENV && r.action === 'ROLLBACK_UPDATE')!;
    expect(rollback.reason).toMatch(/^environment major-back runs major version 2 and Proton deploys only a higher major version, so it cannot go back to 1\. /);
    expect(rollback.reason).toContain('continue-update-rollback');
    // No request Proton would refuse was sent, and the environment is where the failed update left it.
    expect(proton.emulator.log.entries.filter((e) => e.operation === 'UpdateEnvironment' && e.error)).toEqual([]);
    expect(await getEnv('major-back')).toMatchObject({ templateMajorVersion: '2', deploymentStatus: 'SUCCEEDED' });
  });

  test('unpinning the minor version deploys nothing when the pinned one is the recommended one, and moves to the recommended one otherwise', async () => {
    const build = (minorVersion: string | undefined, secondMinor: boolean) => synth('Unpin', (stack) => {
      const template = new EnvironmentTemplate(stack, 'Template', { templateName: 'env-unpin' });
      const v1 = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      if (secondMinor) {
        template.addVersion('V1b', {
          bundle: TemplateBundle.fromDirectory(bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# 1.1\n'))),
          majorVersion: '1',
        }).node.addDependency(v1);
      }
      new Environment(stack, 'Env', {
        environmentName: 'unpin',
        template,
        majorVersion: '1',
        minorVersion,
        spec: Spec.fromObject({ vpc_cidr: '10.0.0.0/16' }),
        protonServiceRole: new ProtonServiceRole(stack, 'ProtonRole'),
      }).node.addDependency(v1);
    });
    expect((await proton.deploy(build('0', false), 'Unpin')).status).toBe('CREATE_COMPLETE');
    const unpinned = await proton.deploy(build(undefined, false), 'Unpin');
    expect(unpinned.resources.filter((r) => r.status === 'FAILED').map((r) => r.reason)).toEqual([]);
    expect(unpinned.status).toBe('UPDATE_COMPLETE');
    expect(await getEnv('unpin')).toMatchObject({ templateMinorVersion: '0', deploymentStatus: 'SUCCEEDED' });

    // Pinned to 1.0 again while 1.1 is the recommended version: unpinning moves it to 1.1.
    expect((await proton.deploy(build('0', true), 'Unpin')).status).toBe('UPDATE_COMPLETE');
    proton.emulator.log.clear();
    expect((await proton.deploy(build(undefined, true), 'Unpin')).status).toBe('UPDATE_COMPLETE');
    expect(updateTypes()).toEqual(['MINOR_VERSION']);
    expect(await getEnv('unpin')).toMatchObject({ templateMinorVersion: '1', deploymentStatus: 'SUCCEEDED' });
    expect((await proton.destroy('Unpin')).status).toBe('DELETE_COMPLETE');
  });

  test('with 30% of calls throttled, create, update and destroy still succeed', async () => {
    proton.emulator.faults.throttleFraction = 0.3;
    const options: EnvOptions = { name: 'throttled', templateName: 'env-throttled', outputs: ['VpcId'] };
    expect((await deploy('ThrottledEnv', options)).status).toBe('CREATE_COMPLETE');
    expect((await deploy('ThrottledEnv', { ...options, inputs: { vpc_cidr: '10.4.0.0/16' } })).status).toBe('UPDATE_COMPLETE');
    expect((await proton.destroy('ThrottledEnv')).status).toBe('DELETE_COMPLETE');
    expect(proton.emulator.log.entries.filter((e) => e.error === 'ThrottlingException').length).toBeGreaterThan(0);
  });
});

describe('environment account connections', () => {
  test('a two-stack app: the environment account requests, the management account accepts and deploys through it', async () => {
    const envAccountAssembly = synth('EnvironmentAccount', (stack) => {
      const role = new ProtonServiceRole(stack, 'Role', { managementAccountId: proton.emulator.accountId });
      new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: proton.emulator.accountId, environmentName: 'remote', role });
    });
    const requested = await proton.deploy(envAccountAssembly, 'EnvironmentAccount');
    expect(requested.status).toBe('CREATE_COMPLETE');
    const connectionId = requested.resources.find((r) => r.type === 'AWS::Proton::EnvironmentAccountConnection')!.attributes!.Id;

    const management = synth('Management', (stack) => {
      const template = new EnvironmentTemplate(stack, 'Template', { templateName: 'env-remote' });
      const version = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      const connection = EnvironmentAccountConnection.fromEnvironmentAccountConnectionId(stack, 'Requested', connectionId);
      new Environment(stack, 'Env', {
        environmentName: 'remote',
        templateVersion: version,
        spec: Spec.fromObject({}),
        environmentAccountConnection: new AcceptEnvironmentAccountConnection(stack, 'Accept', { connection }),
      });
    });
    const report = await proton.deploy(management, 'Management');
    expect(report.status).toBe('CREATE_COMPLETE');
    expect(await getEnv('remote')).toMatchObject({ environmentAccountConnectionId: connectionId, deploymentStatus: 'SUCCEEDED' });

    expect((await proton.destroy('Management')).status).toBe('DELETE_COMPLETE');
    expect((await proton.destroy('EnvironmentAccount')).status).toBe('DELETE_COMPLETE');
  });
});
