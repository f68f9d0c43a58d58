import { EnvironmentTemplate, TemplateBundle } from '../src';
import { ENV_BUNDLE, expectProton, integStack, integTest } from './integ/fixtures';

// An environment template with one version registered from a local bundle and published.
const { app, stack } = integStack('cdk-proton-integ-environment-template');
const template = new EnvironmentTemplate(stack, 'VpcEnv', {
  templateName: 'integ-vpc-env',
  displayName: 'Integ VPC environment',
  description: 'cdk-proton integ test',
});
const version = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), description: 'the first version' });

const integ = integTest(app, 'EnvironmentTemplate', stack);
expectProton(integ, 'getEnvironmentTemplate', { name: template.templateName }, { environmentTemplate: { name: 'integ-vpc-env' } });
expectProton(integ, 'getEnvironmentTemplateVersion', {
  templateName: template.templateName,
  majorVersion: version.majorVersion,
  minorVersion: version.minorVersion,
}, { environmentTemplateVersion: { status: 'PUBLISHED' } });
