import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GetEnvironmentTemplateVersionCommand } from '@aws-sdk/client-proton';
import { App, Stack } from 'aws-cdk-lib';
import { LocalProton } from './local-proton';
import { EnvironmentTemplate, TemplateBundle } from '../src';

const ENV_BUNDLE = path.join(__dirname, '..', 'test', 'fixtures', 'env-bundle');

let proton: LocalProton;
beforeAll(async () => {
  proton = await LocalProton.start({ registrationDelayMs: 20 });
});
afterAll(async () => proton.stop());

function versionApp(stackName: string): string {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'local-proton-')) });
  new EnvironmentTemplate(new Stack(app, stackName), 'Env', { templateName: 'lp-env' })
    .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  return app.synth().directory;
}

test('each handler call is signed as its function\'s role, the harness client as the administrator', async () => {
  const report = await proton.deploy(versionApp('LocalProtonSelf'), 'LocalProtonSelf');
  expect(report.status).toBe('CREATE_COMPLETE');

  const [create] = proton.emulator.log.ofOperation('CreateEnvironmentTemplateVersion');
  expect(create.principal).toMatch(/^arn:aws:sts::111111111111:assumed-role\/LocalProtonSelf-cdkprotonProtonProviderRole[^/]+\/LocalProtonSelf-/);
  expect(create.authorization?.map((check) => `${check.action} ${check.decision}`)).toContain('proton:CreateEnvironmentTemplateVersion Allow');

  await proton.client.send(new GetEnvironmentTemplateVersionCommand({ templateName: 'lp-env', majorVersion: '1', minorVersion: '0' }));
  const [harness] = proton.emulator.log.ofOperation('GetEnvironmentTemplateVersion').slice(-1);
  expect(harness.principal).not.toMatch(/assumed-role/);
  // The administrator's checks all pass and are left out of the decisions the least-privilege audit reads.
  expect(proton.emulator.iam.decisions.filter((d) => d.principal === harness.principal)).toEqual([]);
  expect(proton.emulator.iam.decisions.filter((d) => d.principal === create.principal).length).toBeGreaterThan(0);

  expect((await proton.destroy('LocalProtonSelf')).status).toBe('DELETE_COMPLETE');
  expect(proton.deniedCalls()).toEqual([]);
});
