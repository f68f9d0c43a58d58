import * as path from 'path';
import { CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Component, ComponentManifest, ComponentSource, Provisioning, Service, ServiceTemplate, TemplateBundle } from '../src';
import { COMPONENT_DIR, INSTANCE_ONLY_BUNDLE, environmentPlatform, expectProton, integStack, integTest } from './integ/fixtures';

// A directly defined component attached to a service instance: the environment has a component role
// and the service template version accepts directly defined components.
const { app, stack } = integStack('cdk-proton-integ-component');
const componentRole = new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
componentRole.addToPolicy(new iam.PolicyStatement({
  actions: ['cloudformation:*'],
  resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'AWSProton-*' })],
}));
componentRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketTagging'], resources: ['*'] }));
const { envVersion, environment } = environmentPlatform(stack, 'integ-cmp', { componentRole });
const template = new ServiceTemplate(stack, 'ApiSvc', { templateName: 'integ-cmp-api', pipelineProvisioning: Provisioning.CUSTOMER_MANAGED });
const version = template.addVersion('V1', {
  bundle: TemplateBundle.fromDirectory(INSTANCE_ONLY_BUNDLE),
  compatibleEnvironmentTemplates: [envVersion],
  supportedComponentSources: [ComponentSource.DIRECTLY_DEFINED],
});
const service = new Service(stack, 'Orders', { serviceName: 'integ-cmp-orders', templateVersion: version, instances: [{ name: 'beta', environment }] });
const bucket = new Component(stack, 'Bucket', {
  componentName: 'integ-cmp-bucket',
  serviceInstance: service.instance('beta'),
  manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
  templateFile: path.join(COMPONENT_DIR, 'cloudformation.yaml'),
});
new CfnOutput(stack, 'BucketName', { value: bucket.output('BucketName') });

const integ = integTest(app, 'Component', stack);
expectProton(integ, 'getComponent', { name: bucket.componentName }, {
  component: { name: 'integ-cmp-bucket', serviceName: 'integ-cmp-orders', serviceInstanceName: 'beta', deploymentStatus: 'SUCCEEDED' },
});
