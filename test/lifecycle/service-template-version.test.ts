import * as fs from 'fs';
import * as path from 'path';
import { GetServiceTemplateCommand, GetServiceTemplateVersionCommand, ListServiceTemplateVersionsCommand } from '@aws-sdk/client-proton';
import { synth, useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import { ComponentSource, EnvironmentTemplate, ServiceTemplate, TemplateBundle } from '../../src';
import { bundleCopy, ENV_BUNDLE, SERVICE_BUNDLE } from '../constructs/helpers';

const VERSION = 'Custom::ProtonServiceTemplateVersion';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 30 }, (started) => { proton = started; });

describe('service template version', () => {
  /** Environment templates a and b, and a service template version compatible with those named. */
  const app = (compatible: Array<'a' | 'b'>, sources?: ComponentSource[]) => synth('SvcVersions', (stack) => {
    const envs = {
      a: new EnvironmentTemplate(stack, 'EnvA', { templateName: 'compat-env-a' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) }),
      b: new EnvironmentTemplate(stack, 'EnvB', { templateName: 'compat-env-b' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) }),
    };
    new ServiceTemplate(stack, 'Svc', { templateName: 'compat-svc' }).addVersion('V1', {
      bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE),
      compatibleEnvironmentTemplates: compatible.map((name) => envs[name]),
      supportedComponentSources: sources,
    });
  });
  const version = async () => (await proton.client.send(new GetServiceTemplateVersionCommand({
    templateName: 'compat-svc', majorVersion: '1', minorVersion: '0',
  }))).serviceTemplateVersion!;

  test('changed compatibleEnvironmentTemplates and supportedComponentSources are updated in place', async () => {
    expect((await proton.deploy(app(['a']), 'SvcVersions')).status).toBe('CREATE_COMPLETE');

    proton.emulator.log.clear();
    const report = await proton.deploy(app(['a', 'b'], [ComponentSource.DIRECTLY_DEFINED]), 'SvcVersions');
    expect(report.status).toBe('UPDATE_COMPLETE');
    expect(report.resources.find((r) => r.type === VERSION)).toMatchObject({ action: 'UPDATE', physicalId: 'compat-svc:1.0' });
    expect(proton.emulator.log.count('CreateServiceTemplateVersion')).toBe(0);
    expect(await version()).toMatchObject({
      compatibleEnvironmentTemplates: [{ templateName: 'compat-env-a', majorVersion: '1' }, { templateName: 'compat-env-b', majorVersion: '1' }],
      supportedComponentSources: ['DIRECTLY_DEFINED'],
    });

    // Back again: one environment template, no component sources.
    expect((await proton.deploy(app(['b']), 'SvcVersions')).status).toBe('UPDATE_COMPLETE');
    const back = await version();
    expect(back.compatibleEnvironmentTemplates).toEqual([{ templateName: 'compat-env-b', majorVersion: '1' }]);
    expect(back.supportedComponentSources ?? []).toEqual([]);
    expect(proton.emulator.log.count('CreateServiceTemplateVersion')).toBe(0);
    expect((await proton.destroy('SvcVersions')).status).toBe('DELETE_COMPLETE');
  });
  test('destroy deletes every version of a service template, the recommended one first in CloudFormation\'s order, then the template', async () => {
    const assembly = synth('SvcMajors', (stack) => {
      const env = new EnvironmentTemplate(stack, 'Env', { templateName: 'majors-env' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      const template = new ServiceTemplate(stack, 'Svc', { templateName: 'majors-svc' });
      const v1 = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: [env] });
      const v2 = template.addVersion('V2', {
        bundle: TemplateBundle.fromDirectory(bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# v2\n'), SERVICE_BUNDLE)),
        compatibleEnvironmentTemplates: [env],
      });
      v2.node.addDependency(v1); // 2.0, the recommended version, is deleted first: Proton refuses it while 1.0 exists.
    });
    expect((await proton.deploy(assembly, 'SvcMajors')).status).toBe('CREATE_COMPLETE');
    const majors = await proton.client.send(new ListServiceTemplateVersionsCommand({ templateName: 'majors-svc' }));
    expect(majors.templateVersions!.map((v) => `${v.majorVersion}.${v.minorVersion}`).sort()).toEqual(['1.0', '2.0']);
    expect((await proton.destroy('SvcMajors')).status).toBe('DELETE_COMPLETE');
    await expect(proton.client.send(new GetServiceTemplateCommand({ name: 'majors-svc' }))).rejects.toThrow(/not found/);
  });
});
