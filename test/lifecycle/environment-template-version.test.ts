import * as fs from 'fs';
import * as path from 'path';
import { DeleteEnvironmentCommand, GetEnvironmentTemplateCommand } from '@aws-sdk/client-proton';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { stepsOf, synth, useLocalProton, versionsOf } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Spec, TemplateBundle } from '../../src';
import { bundleCopy, ENV_BUNDLE } from '../constructs/helpers';

const VERSION = 'Custom::ProtonEnvironmentTemplateVersion';
const STACK = 'Lifecycle';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 50 }, (started) => { proton = started; });

/** An app with one template and one version of the given bundle. */
function envApp(templateName: string, bundleDir: string, stackName = STACK): string {
  return synth(stackName, (stack) => {
    new EnvironmentTemplate(stack, 'Env', { templateName }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundleDir) });
  });
}

function versionLogicalId(stackName: string): string {
  const state = proton.cfn.readState(stackName)!;
  return Object.keys(state.resources).find((id) => state.resources[id].type === VERSION)!;
}

function versionStep(report: { resources: any[] }, action: string) {
  return report.resources.find((r) => r.type === VERSION && r.action === action);
}

describe('environment template version lifecycle', () => {
  const name = 'lifecycle-env';
  const changedBundle = bundleCopy((d) => fs.appendFileSync(path.join(d, 'infrastructure', 'cloudformation.yaml'), '# v1.1\n'));
  let assembly: string;

  let createRequestId: string;

  test('create registers, waits for and publishes version 1.0', async () => {
    assembly = envApp(name, ENV_BUNDLE);
    const report = await proton.deploy(assembly, STACK);
    expect(report.status).toBe('CREATE_COMPLETE');
    const create = versionStep(report, 'CREATE');
    expect(create.attributes).toMatchObject({ MajorVersion: '1', MinorVersion: '0' });
    createRequestId = create.requestId;
    expect(await versionsOf(proton.client, name)).toEqual({ '1.0': 'PUBLISHED' });
    const template = await proton.client.send(new GetEnvironmentTemplateCommand({ name }));
    expect(template.environmentTemplate?.recommendedVersion).toBe('1.0');
    expect(proton.emulator.log.count('CreateEnvironmentTemplateVersion')).toBe(1);
  });

  test('the same create event replayed registers no second version', async () => {
    const logicalId = versionLogicalId(STACK);
    const replay = await proton.cfn.invokeCustomResource(assembly, STACK, logicalId, { RequestType: 'Create', RequestId: createRequestId });
    expect(replay.status).toBe('SUCCEEDED');
    expect(replay.physicalId).toBe(`${name}:1.0`);
    expect(proton.emulator.log.count('CreateEnvironmentTemplateVersion')).toBe(1);
    expect(await versionsOf(proton.client, name)).toEqual({ '1.0': 'PUBLISHED' });
  });

  test('a changed bundle registers a new minor version and the superseded one is deleted in cleanup', async () => {
    assembly = envApp(name, changedBundle);
    const report = await proton.deploy(assembly, STACK);
    expect(report.status).toBe('UPDATE_COMPLETE');
    const update = versionStep(report, 'REPLACE');
    expect(update.physicalId).toBe(`${name}:1.1`);
    expect(update.attributes).toMatchObject({ MajorVersion: '1', MinorVersion: '1' });
    expect(versionStep(report, 'CLEANUP_DELETE')).toMatchObject({ physicalId: `${name}:1.0`, status: 'SUCCEEDED' });
    expect(await versionsOf(proton.client, name)).toEqual({ 1.1: 'PUBLISHED' });
  });

  test('a redeploy with nothing changed makes no Proton call', async () => {
    const report = await proton.deploy(envApp(name, changedBundle), STACK);
    expect(stepsOf(report, VERSION)).toEqual(['NO_CHANGE SUCCEEDED']);
    expect(proton.emulator.log.entries).toHaveLength(0);
  });

  test('destroy deletes the version, then the template', async () => {
    const report = await proton.destroy(STACK);
    expect(report.status).toBe('DELETE_COMPLETE');
    await expect(proton.client.send(new GetEnvironmentTemplateCommand({ name }))).rejects.toThrow(/not found|does not exist/i);
    const order = proton.emulator.log.entries.map((e) => e.operation).filter((op) => op.startsWith('Delete'));
    expect(order).toEqual(['DeleteEnvironmentTemplateVersion', 'DeleteEnvironmentTemplate']);
  });

  test('deleting a version that is already gone succeeds', async () => {
    const other = envApp('lifecycle-gone', ENV_BUNDLE);
    await proton.deploy(other, STACK);
    const logicalId = versionLogicalId(STACK);
    const first = await proton.cfn.invokeCustomResource(other, STACK, logicalId, { RequestType: 'Delete' });
    const second = await proton.cfn.invokeCustomResource(other, STACK, logicalId, { RequestType: 'Delete' });
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await versionsOf(proton.client, 'lifecycle-gone')).toEqual({});
    expect((await proton.destroy(STACK)).status).toBe('DELETE_COMPLETE');
  });
});

describe('failures', () => {
  test('a bundle Proton refuses fails the deployment with Proton\'s message, within 4096 bytes, and leaves no version', async () => {
    const message = `infrastructure/cloudformation.yaml: ${'the template is not valid. '.repeat(400)}`;
    proton.emulator.faults.failRegistration('refused-env', message);
    const report = await proton.deploy(envApp('refused-env', ENV_BUNDLE, 'Refused'), 'Refused');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    const failed = report.resources.find((r) => r.type === VERSION && r.status === 'FAILED')!;
    expect(failed.reason).toMatch(/^Proton could not register environment template version refused-env:1\.0: infrastructure\/cloudformation\.yaml: the template is not valid\./);
    expect(failed.reason).toMatch(/\[truncated\]$/);
    expect(failed.responseBytes).toBeLessThan(4096);
    await expect(versionsOf(proton.client, 'refused-env')).rejects.toThrow(); // the template was rolled back too
    expect(proton.emulator.log.count('DeleteEnvironmentTemplateVersion')).toBeGreaterThanOrEqual(1);
  });

  test('a bundle from a bucket that is not a valid bundle fails with Proton\'s message', async () => {
    proton.emulator.s3.putObject('my-bundles', 'broken.tar.gz', Buffer.from('not a tar.gz'));
    const assembly = synth('Broken', (stack) => {
      const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'my-bundles');
      new EnvironmentTemplate(stack, 'Env', { templateName: 'broken-env' })
        .addVersion('V1', { bundle: TemplateBundle.fromBucket(bucket, 'broken.tar.gz') });
    });
    const report = await proton.deploy(assembly, 'Broken');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    const failed = report.resources.find((r) => r.type === VERSION && r.status === 'FAILED')!;
    expect(failed.reason).toMatch(/^Proton could not register environment template version broken-env:1\.0: /);
  });

  test('a failed update rolls back to the versions it replaced, and the next deployment registers nothing twice', async () => {
    const good = 'rollback-good';
    const bad = 'rollback-bad';
    const build = (bundle: string) => synth('Rollback', (stack) => {
      new EnvironmentTemplate(stack, 'Good', { templateName: good }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle) });
      new EnvironmentTemplate(stack, 'Bad', { templateName: bad }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle) });
    });
    expect((await proton.deploy(build(ENV_BUNDLE), 'Rollback')).status).toBe('CREATE_COMPLETE');

    proton.emulator.faults.failRegistration(bad, 'the new schema is not backward compatible');
    const changed = bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# changed\n'));
    const report = await proton.deploy(build(changed), 'Rollback');
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(report.reason).toMatch(/not backward compatible/);
    const versionIds = () => Object.values(proton.cfn.readState('Rollback')!.resources)
      .filter((r) => r.type === VERSION).map((r) => r.physicalId).sort();
    expect(versionIds()).toEqual([`${bad}:1.0`, `${good}:1.0`]);
    // The failed version is gone; the good template's new version was published, so it is its
    // recommended version and Proton refuses to delete it while 1.0 exists: it stays, unused.
    expect(await versionsOf(proton.client, bad)).toEqual({ '1.0': 'PUBLISHED' });
    expect(await versionsOf(proton.client, good)).toEqual({ '1.0': 'PUBLISHED', '1.1': 'PUBLISHED' });

    // Fixed and deployed again: the good template takes over 1.1 instead of registering a duplicate.
    proton.emulator.faults.clear();
    proton.emulator.log.clear();
    const retry = await proton.deploy(build(changed), 'Rollback');
    expect(retry.status).toBe('UPDATE_COMPLETE');
    expect(proton.emulator.log.count('CreateEnvironmentTemplateVersion', (input) => input.templateName === good)).toBe(0);
    expect(await versionsOf(proton.client, good)).toEqual({ 1.1: 'PUBLISHED' });
    expect(Object.values(await versionsOf(proton.client, bad))).toEqual(['PUBLISHED']);
    expect((await proton.destroy('Rollback')).status).toBe('DELETE_COMPLETE');
  });

  test('with 30% of calls throttled, create, update and destroy still succeed', async () => {
    proton.emulator.faults.throttleFraction = 0.3;
    const changed = bundleCopy((d) => fs.appendFileSync(path.join(d, 'infrastructure', 'cloudformation.yaml'), '# throttled\n'));
    expect((await proton.deploy(envApp('throttled-env', ENV_BUNDLE, 'Throttled'), 'Throttled')).status).toBe('CREATE_COMPLETE');
    expect((await proton.deploy(envApp('throttled-env', changed, 'Throttled'), 'Throttled')).status).toBe('UPDATE_COMPLETE');
    expect(await versionsOf(proton.client, 'throttled-env')).toEqual({ 1.1: 'PUBLISHED' });
    expect((await proton.destroy('Throttled')).status).toBe('DELETE_COMPLETE');
    const throttled = proton.emulator.log.entries.filter((e) => e.error === 'ThrottlingException').length;
    expect(throttled).toBeGreaterThan(0);
  });
});

describe('majorVersion', () => {
  test('a version with the majorVersion of an existing major registers the next minor of it', async () => {
    const assembly = synth('Hotfix', (stack) => {
      const template = new EnvironmentTemplate(stack, 'Env', { templateName: 'hotfix-env' });
      template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      template.addVersion('Hotfix', { bundle: TemplateBundle.fromDirectory(bundleCopy((d) => fs.appendFileSync(path.join(d, 'infrastructure', 'cloudformation.yaml'), '# hotfix\n'))), majorVersion: '1' });
    });
    const report = await proton.deploy(assembly, 'Hotfix');
    expect(report.status).toBe('CREATE_COMPLETE');
    expect(await versionsOf(proton.client, 'hotfix-env')).toEqual({ '1.0': 'PUBLISHED', '1.1': 'PUBLISHED' });
    const hotfix = report.resources.find((r) => r.type === VERSION && r.logicalId.startsWith('EnvHotfix'))!;
    expect(hotfix.attributes).toMatchObject({ MajorVersion: '1', MinorVersion: '1' });
    expect((await proton.destroy('Hotfix')).status).toBe('DELETE_COMPLETE');
  });

  test('majorVersion set to the next major on a deployed version starts that major', async () => {
    const build = (bundle: string, majorVersion?: string) => synth('NextMajor', (stack) => {
      new EnvironmentTemplate(stack, 'Env', { templateName: 'next-major-env' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle), majorVersion });
    });
    expect((await proton.deploy(build(ENV_BUNDLE), 'NextMajor')).status).toBe('CREATE_COMPLETE');
    const changed = bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# v2\n'));
    const report = await proton.deploy(build(changed, '2'), 'NextMajor');
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(versionStep(report, 'REPLACE')).toMatchObject({ physicalId: 'next-major-env:2.0' });
    expect(await versionsOf(proton.client, 'next-major-env')).toEqual({ '2.0': 'PUBLISHED' });
    expect((await proton.destroy('NextMajor')).status).toBe('DELETE_COMPLETE');
  });

  test('a version that started the next major, its create replayed, registers nothing new', async () => {
    const assembly = synth('StartMajor', (stack) => {
      const template = new EnvironmentTemplate(stack, 'Env', { templateName: 'start-major-env' });
      template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      template.addVersion('V2', { bundle: TemplateBundle.fromDirectory(bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# v2\n'))), majorVersion: '2' });
    });
    const report = await proton.deploy(assembly, 'StartMajor');
    expect(report.status).toBe('CREATE_COMPLETE');
    expect(await versionsOf(proton.client, 'start-major-env')).toEqual({ '1.0': 'PUBLISHED', '2.0': 'PUBLISHED' });
    const v2 = report.resources.find((r) => r.type === VERSION && r.logicalId.startsWith('EnvV2'))!;
    expect(v2.physicalId).toBe('start-major-env:2.0');

    // Proton started 2.0 for a request without majorVersion; the replay finds 2.0 there and must not register 2.1.
    const replay = await proton.cfn.invokeCustomResource(assembly, 'StartMajor', v2.logicalId, { RequestType: 'Create', RequestId: v2.requestId });
    expect(replay.status).toBe('SUCCEEDED');
    expect(replay.physicalId).toBe('start-major-env:2.0');
    expect(await versionsOf(proton.client, 'start-major-env')).toEqual({ '1.0': 'PUBLISHED', '2.0': 'PUBLISHED' });
    expect((await proton.destroy('StartMajor')).status).toBe('DELETE_COMPLETE');
  });

  test('a majorVersion that does not exist and is not the next one fails naming the version, the value and the fix', async () => {
    const assembly = synth('NoMajor', (stack) => {
      const template = new EnvironmentTemplate(stack, 'Env', { templateName: 'no-major-env' });
      template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      template.addVersion('V5', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), majorVersion: '5' });
    });
    const report = await proton.deploy(assembly, 'NoMajor');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    const failed = report.resources.find((r) => r.type === VERSION && r.status === 'FAILED')!;
    expect(failed.reason).toMatch(/environment template version EnvV5\w* of template no-major-env: majorVersion "5" does not exist \(the template has major version 1\): give an existing major version, "2" to start the next one, or no majorVersion/);
    expect(proton.emulator.log.count('CreateEnvironmentTemplateVersion', (input) => input.majorVersion === '5')).toBe(0);
  });
});

describe('destroy of a template with several versions', () => {
  const twoMajors = (stackName: string, templateName: string, ordered: boolean) => synth(stackName, (stack) => {
    const template = new EnvironmentTemplate(stack, 'Env', { templateName });
    const v1 = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    const v2 = template.addVersion('V2', { bundle: TemplateBundle.fromDirectory(bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# v2\n'))) });
    if (ordered) v2.node.addDependency(v1);
  });

  test('the recommended version, deleted while an older one exists, is removed after it and the template is deleted', async () => {
    // V2 (2.0, recommended) depends on V1 (1.0): CloudFormation deletes 2.0 first, which Proton refuses while 1.0 exists.
    expect((await proton.deploy(twoMajors('Recommended', 'recommended-env', true), 'Recommended')).status).toBe('CREATE_COMPLETE');
    expect(await versionsOf(proton.client, 'recommended-env')).toEqual({ '1.0': 'PUBLISHED', '2.0': 'PUBLISHED' });
    const report = await proton.destroy('Recommended');
    expect(report.status).toBe('DELETE_COMPLETE');
    await expect(proton.client.send(new GetEnvironmentTemplateCommand({ name: 'recommended-env' }))).rejects.toThrow(/not found/);
  });

  test('two versions of different majors deleted in parallel both succeed, whichever Proton answers first', async () => {
    // CloudFormation deletes V1 (1.0) and V2 (2.0, recommended) in parallel: each order of completion can happen.
    for (const first of ['V2', 'V1', 'both']) {
      const stackName = `Parallel${first}`;
      const templateName = `parallel-env-${first.toLowerCase()}`;
      const assembly = twoMajors(stackName, templateName, false);
      expect((await proton.deploy(assembly, stackName)).status).toBe('CREATE_COMPLETE');
      const resources = proton.cfn.readState(stackName)!.resources;
      const idOf = (version: string) => Object.keys(resources).find((id) => resources[id].type === VERSION && id.startsWith(`Env${version}`))!;
      const remove = (version: string) => proton.cfn.invokeCustomResource(assembly, stackName, idOf(version), { RequestType: 'Delete' });
      const results = first === 'both'
        ? await Promise.all([remove('V1'), remove('V2')])
        : [await remove(first), await remove(first === 'V1' ? 'V2' : 'V1')];
      expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(await versionsOf(proton.client, templateName)).toEqual({});
      expect((await proton.destroy(stackName)).status).toBe('DELETE_COMPLETE');
      await expect(proton.client.send(new GetEnvironmentTemplateCommand({ name: templateName }))).rejects.toThrow(/not found/);
    }
  });

  test('a version deleted while an environment being deleted still uses it waits for it, then is deleted', async () => {
    const assembly = synth('InUse', (stack) => {
      const template = new EnvironmentTemplate(stack, 'Env', { templateName: 'in-use-env' });
      const v1 = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      new Environment(stack, 'Dev', { environmentName: 'in-use-dev', templateVersion: v1, spec: Spec.fromObject({}), protonServiceRole: new ProtonServiceRole(stack, 'Role') });
    });
    expect((await proton.deploy(assembly, 'InUse')).status).toBe('CREATE_COMPLETE');
    proton.emulator.timing.deleteDelayMs = 1500;
    try {
      // CloudFormation deletes the version while the environment's own delete is still running.
      await proton.client.send(new DeleteEnvironmentCommand({ name: 'in-use-dev' }));
      const deleted = await proton.cfn.invokeCustomResource(assembly, 'InUse', versionLogicalId('InUse'), { RequestType: 'Delete' });
      expect(deleted.status).toBe('SUCCEEDED');
      expect(await versionsOf(proton.client, 'in-use-env')).toEqual({});
    } finally {
      proton.emulator.timing.deleteDelayMs = 50;
    }
    expect((await proton.destroy('InUse')).status).toBe('DELETE_COMPLETE');
  });

  test('a published version left behind by a rolled-back update is removed when the stack is destroyed', async () => {
    const build = (bundle: string) => synth('LeftBehind', (stack) => {
      new EnvironmentTemplate(stack, 'Good', { templateName: 'left-good' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle) });
      new EnvironmentTemplate(stack, 'Bad', { templateName: 'left-bad' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle) });
    });
    expect((await proton.deploy(build(ENV_BUNDLE), 'LeftBehind')).status).toBe('CREATE_COMPLETE');
    proton.emulator.faults.failRegistration('left-bad', 'the new schema is not backward compatible');
    const changed = bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# changed\n'));
    expect((await proton.deploy(build(changed), 'LeftBehind')).status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(await versionsOf(proton.client, 'left-good')).toEqual({ '1.0': 'PUBLISHED', '1.1': 'PUBLISHED' });

    const report = await proton.destroy('LeftBehind');
    expect(report.status).toBe('DELETE_COMPLETE');
    await expect(proton.client.send(new GetEnvironmentTemplateCommand({ name: 'left-good' }))).rejects.toThrow(/not found/);
  });
  test('a version registered by an update CloudFormation cancelled is removed when the stack is destroyed', async () => {
    const build = (bundle: string, badMajor?: string) => synth('Cancelled', (stack) => {
      new EnvironmentTemplate(stack, 'Good', { templateName: 'cancelled-good' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle) });
      new EnvironmentTemplate(stack, 'Bad', { templateName: 'cancelled-bad' })
        .addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle), majorVersion: badMajor });
    });
    expect((await proton.deploy(build(ENV_BUNDLE), 'Cancelled')).status).toBe('CREATE_COMPLETE');
    // The bad version fails at once (a major version that does not exist) while the good one still registers:
    // CloudFormation cancels the good update and rolls it back in place; its execution goes on and publishes 1.1.
    const changed = bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# cancelled\n'));
    const report = await proton.deploy(build(changed, '9'), 'Cancelled');
    expect(report.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    await proton.settle();
    expect(await versionsOf(proton.client, 'cancelled-good')).toEqual({ '1.0': 'PUBLISHED', '1.1': 'PUBLISHED' });

    expect((await proton.destroy('Cancelled')).status).toBe('DELETE_COMPLETE');
    await expect(proton.client.send(new GetEnvironmentTemplateCommand({ name: 'cancelled-good' }))).rejects.toThrow(/not found/);
  });
  test('a version registered by a create CloudFormation cancelled is removed by the rollback', async () => {
    const assembly = synth('CancelledCreate', (stack) => {
      new EnvironmentTemplate(stack, 'Good', { templateName: 'cancelled-create-good' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      new EnvironmentTemplate(stack, 'Bad', { templateName: 'cancelled-create-bad' })
        .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), majorVersion: '9' });
    });
    // The bad version fails at once; the good one's create is cancelled while it registers, and the
    // rollback's Delete carries an id CloudFormation made up.
    const report = await proton.deploy(assembly, 'CancelledCreate');
    expect(report.status).toBe('ROLLBACK_COMPLETE');
    await proton.settle();
    await expect(proton.client.send(new GetEnvironmentTemplateCommand({ name: 'cancelled-create-good' }))).rejects.toThrow(/not found/);
  });
});
