import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetEnvironmentCommand, GetEnvironmentTemplateCommand } from '@aws-sdk/client-proton';
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CliIo, main } from './main';
import { buildApp, Revision } from '../../examples/app';
import { EnvironmentTemplate } from '../../src';

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-cli-'));
});
afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function synth(revision: Revision, name: string): string {
  return buildApp({ revision, outdir: path.join(work, name) }).synth().directory;
}

/** One run of the command, as a new process would make it: what it printed (with when), and what `inspect` saw. */
async function run(argv: string[], check?: CliIo['inspect']) {
  const lines: Array<{ text: string; at: number }> = [];
  const io: CliIo = {
    out: text => lines.push({ text, at: Date.now() }),
    err: text => lines.push({ text, at: Date.now() }),
    cwd: work,
    inspect: check,
  };
  const code = await main(argv, io);
  return { code, text: lines.map(l => l.text).join('\n'), lines };
}

describe('cdk-proton', () => {
  test('deploy, update, a redeploy that changes nothing and destroy, each a new process on the state folder', async () => {
    // 1. Create, with progress printed while it runs.
    const created = await run(['deploy', synth('v1', 'out-1'), '--delay', '200'], async (_proton, [report]) => {
      expect(report.status).toBe('CREATE_COMPLETE');
    });
    expect(created.code).toBe(0);
    const firstStep = created.lines.find(l => /\| CREATE +SUCCEEDED \| VpcEnv\w+ \(EnvironmentTemplate\)/.test(l.text))!;
    const summary = created.lines.find(l => l.text.startsWith('ProtonPlatform: CREATE_COMPLETE'))!;
    expect(summary.at - firstStep.at).toBeGreaterThan(500);
    expect(created.text).toContain('ProtonPlatform.VpcEnvVersion = 1.0');
    expect(created.text).toContain('ProtonPlatform.OrdersBetaUrl = Url-orders-beta');
    expect(fs.existsSync(path.join(work, '.cdk-proton', 'proton.jsonl'))).toBe(true);

    // 2. Update from a new assembly, the first one gone: Proton still has the environments (replayed), so they are
    //    updated, not created, and the old template version is deleted with the code of the first deployment.
    fs.rmSync(path.join(work, 'out-1'), { recursive: true });
    const updated = await run(['deploy', synth('v1-revised', 'out-2')], async (proton, [report]) => {
      expect(report.status).toBe('UPDATE_COMPLETE');
      expect(proton.emulator.replayed?.failed).toEqual([]);
      expect(proton.emulator.log.count('CreateEnvironment')).toBe(0);
      expect(proton.emulator.log.count('UpdateEnvironment', input => input.deploymentType === 'MINOR_VERSION')).toBe(2);
      expect(report.resources.filter(r => r.action === 'CLEANUP_DELETE' && r.status === 'SUCCEEDED').map(r => r.type))
        .toContain('Custom::ProtonEnvironmentTemplateVersion');
    });
    expect(updated.code).toBe(0);
    expect(updated.text).toMatch(/\| UPDATE +SUCCEEDED \| Beta\w+ \(Environment\)/);
    expect(updated.text).toContain('ProtonPlatform.VpcEnvVersion = 1.1');

    // 3. Nothing changed: no call changes Proton.
    const unchanged = await run(['deploy', 'out-2'], async (proton, [report]) => {
      expect(report.reason).toBe('No updates are to be performed.');
      expect(proton.emulator.log.entries.filter(e => !/^(Get|List)/.test(e.operation))).toEqual([]);
    });
    expect(unchanged.code).toBe(0);
    expect(unchanged.text).toContain('Proton calls: none');
    // Only the assembly copy the stack runs from is kept.
    expect(fs.readdirSync(path.join(work, '.cdk-proton', 'assemblies'))).toHaveLength(1);

    // 4. Destroy: Proton's resources are gone, and so is the state folder.
    const destroyed = await run(['destroy', 'out-2'], async (proton, [report]) => {
      expect(report.status).toBe('DELETE_COMPLETE');
      await expect(proton.client.send(new GetEnvironmentCommand({ name: 'beta' }))).rejects.toThrow(/not found/i);
    });
    expect(destroyed.code).toBe(0);
    expect(destroyed.text).toMatch(/\| DELETE +SUCCEEDED \| Orders\w+ \(Service\)/);
    expect(fs.existsSync(path.join(work, '.cdk-proton'))).toBe(false);
  });

  test('--fail <construct path>=<message>: that deployment fails with the message, the stack rolls back, exit 1', async () => {
    const failed = await run(['deploy', synth('v1', 'cdk.out'), '--fail', 'Beta=VPC quota exceeded', '--state', 'rehearsal']);
    expect(failed.code).toBe(1);
    expect(failed.text).toContain('fault: deployments of beta fail with "VPC quota exceeded"');
    expect(failed.text).toMatch(/\| CREATE +FAILED +\| Beta\w+ \(Environment\).*\n.*VPC quota exceeded/);
    expect(failed.text).toContain('ProtonPlatform: ROLLBACK_COMPLETE');
    expect(failed.text).toContain('deploy failed');
    // The next deploy, without the fault, creates the stack again.
    expect((await run(['deploy', '--state', 'rehearsal'])).code).toBe(0);
    // On destroy, --fail fails the deletion (by logical id here): DELETE_FAILED, and a destroy without it goes on.
    const beta = Object.keys(JSON.parse(fs.readFileSync(path.join(work, 'cdk.out', 'ProtonPlatform.template.json'), 'utf-8')).Resources)
      .find(lid => lid.startsWith('Beta'))!;
    const stuck = await run(['destroy', '--state', 'rehearsal', '--fail', `${beta}=Stack in use`]);
    expect(stuck.code).toBe(1);
    expect(stuck.text).toContain('fault: deletions of beta fail with "Stack in use"');
    expect(stuck.text).toMatch(/ProtonPlatform: DELETE_FAILED.*Stack in use/);
    expect((await run(['destroy', '--state', 'rehearsal'])).code).toBe(0);
    expect(fs.existsSync(path.join(work, 'rehearsal'))).toBe(false);
  });

  test('--throttle and --duplicate-deliveries: the handlers ride them out', async () => {
    const asm = synth('v1', 'cdk.out');
    const deployed = await run(['deploy', asm, '--throttle', '0.2', '--duplicate-deliveries', '--delay', '10'], async proton => {
      expect(proton.emulator.log.entries.some(e => e.error === 'ThrottlingException')).toBe(true);
      expect((await proton.settle()).length).toBeGreaterThan(0);
    });
    expect(deployed.code).toBe(0);
    expect((await run(['destroy'])).code).toBe(0);
  });

  test('every stack with resources, in dependency order (or --stack), and destroy in reverse', async () => {
    const app = new App({ outdir: path.join(work, 'cdk.out') });
    new Stack(app, 'Empty');
    const templates = new Stack(app, 'Templates');
    new EnvironmentTemplate(templates, 'Network', { templateName: 'network' });
    const alerts = new Stack(app, 'Alerts');
    new sns.Topic(alerts, 'Topic');
    alerts.addDependency(templates);
    app.synth();

    const one = await run(['deploy', '--stack', 'Alerts']);
    expect(one.code).toBe(0);
    expect(one.text).not.toContain('Templates: deploying');
    const all = await run(['deploy'], async (proton, reports) => {
      expect(reports.map(r => [r.stackName, r.status])).toEqual([['Templates', 'CREATE_COMPLETE'], ['Alerts', 'CREATE_COMPLETE']]);
      await expect(proton.client.send(new GetEnvironmentTemplateCommand({ name: 'network' }))).resolves.toBeDefined();
    });
    expect(all.code).toBe(0);
    expect(all.text).not.toContain('Empty');
    const destroyed = await run(['destroy'], (_proton, reports) => {
      expect(reports.map(r => [r.stackName, r.status])).toEqual([['Alerts', 'DELETE_COMPLETE'], ['Templates', 'DELETE_COMPLETE']]);
    });
    expect(destroyed.code).toBe(0);
  });

  test.each([
    [[], 'a command is needed'],
    [['launch'], "unknown command 'launch'"],
    [['deploy', '--bogus'], "unknown option '--bogus'"],
    [['deploy', '--throttle', '2'], '--throttle takes a fraction from 0 to 1'],
    [['deploy', '--fail'], '--fail needs a value'],
    [['deploy', 'nowhere'], 'no cloud assembly in'],
    [['deploy', 'cdk.out', '--stack', 'Nope'], "no stack 'Nope'"],
  ])('bad usage %j exits 2 with the usage text', async (argv, message) => {
    synth('v1', 'cdk.out');
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.text).toContain(message);
    expect(result.text).toContain('usage: cdk-proton deploy [cdk.out] [options]');
    expect(fs.existsSync(path.join(work, '.cdk-proton'))).toBe(false);
  });

  test('--help prints the usage and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.text).toContain('--duplicate-deliveries');
  });
});
