import { CfnOutput } from 'aws-cdk-lib';
import { Provisioning, Service, ServiceTemplate, Spec, TemplateBundle } from '../src';
import { INSTANCE_ONLY_BUNDLE, environmentPlatform, expectProton, integStack, integTest } from './integ/fixtures';

// A service with one instance in an environment. Its template has no Proton pipeline, so that the test
// needs no repository connection (integ.estate.ts deploys a service with a pipeline).
const { app, stack } = integStack('cdk-proton-integ-service');
const { envVersion, environment } = environmentPlatform(stack, 'integ-svc');
const template = new ServiceTemplate(stack, 'ApiSvc', { templateName: 'integ-svc-api', pipelineProvisioning: Provisioning.CUSTOMER_MANAGED });
const version = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(INSTANCE_ONLY_BUNDLE), compatibleEnvironmentTemplates: [envVersion] });
const service = new Service(stack, 'Orders', {
  serviceName: 'integ-svc-orders',
  templateVersion: version,
  instances: [{ name: 'beta', environment, spec: Spec.fromObject({ port: 8080 }) }],
});
new CfnOutput(stack, 'BetaUrl', { value: service.instance('beta').output('Url') });

const integ = integTest(app, 'Service', stack);
expectProton(integ, 'getService', { name: service.serviceName }, { service: { name: 'integ-svc-orders', status: 'ACTIVE' } });
expectProton(integ, 'getServiceInstance', { serviceName: service.serviceName, name: 'beta' }, {
  serviceInstance: { name: 'beta', environmentName: 'integ-svc-env', deploymentStatus: 'SUCCEEDED' },
});
