import { ComponentSource, EnvironmentTemplate, ServiceTemplate, TemplateBundle } from '../src';
import { ENV_BUNDLE, SERVICE_BUNDLE, expectProton, integStack, integTest } from './integ/fixtures';

// A service template with a pipeline and one version, compatible with an environment template's version.
const { app, stack } = integStack('cdk-proton-integ-service-template');
const envVersion = new EnvironmentTemplate(stack, 'VpcEnv', { templateName: 'integ-st-vpc-env' })
  .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
const template = new ServiceTemplate(stack, 'ApiSvc', { templateName: 'integ-api-svc', displayName: 'Integ API service' });
const version = template.addVersion('V1', {
  bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE),
  compatibleEnvironmentTemplates: [envVersion],
  supportedComponentSources: [ComponentSource.DIRECTLY_DEFINED],
});

const integ = integTest(app, 'ServiceTemplate', stack);
expectProton(integ, 'getServiceTemplate', { name: template.templateName }, { serviceTemplate: { name: 'integ-api-svc' } });
expectProton(integ, 'getServiceTemplateVersion', {
  templateName: template.templateName,
  majorVersion: version.majorVersion,
  minorVersion: version.minorVersion,
}, {
  serviceTemplateVersion: {
    status: 'PUBLISHED',
    compatibleEnvironmentTemplates: [{ templateName: 'integ-st-vpc-env', majorVersion: '1' }],
    supportedComponentSources: ['DIRECTLY_DEFINED'],
  },
});
