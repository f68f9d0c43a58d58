// AwsCustomResource: one SDK call per lifecycle event, written by the user (the bundles uploaded as assets).
const { App, Stack } = require('aws-cdk-lib');
const { CfnEnvironmentTemplate, CfnServiceTemplate } = require('aws-cdk-lib/aws-proton');
const { Asset } = require('aws-cdk-lib/aws-s3-assets');
const cr = require('aws-cdk-lib/custom-resources');
const estate = require('./estate');

const app = new App({ outdir: estate.outdir });
const stack = new Stack(app, 'Bench');
const policy = cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE });
const call = (id, name, create, update, remove, parameters, deleteParameters) => new cr.AwsCustomResource(stack, id, {
  onCreate: { service: 'Proton', action: create, parameters, physicalResourceId: cr.PhysicalResourceId.of(name) },
  onUpdate: update && { service: 'Proton', action: update, parameters, physicalResourceId: cr.PhysicalResourceId.of(name) },
  onDelete: { service: 'Proton', action: remove, parameters: deleteParameters },
  policy,
  installLatestAwsSdk: false,
});

new CfnEnvironmentTemplate(stack, 'EnvTemplate', { name: 'bench-env' });
new CfnServiceTemplate(stack, 'SvcTemplate', { name: 'bench-svc' });
const envBundle = new Asset(stack, 'EnvBundle', { path: estate.envBundle });
const svcBundle = new Asset(stack, 'SvcBundle', { path: estate.serviceBundle });
call('EnvV1', 'bench-env:1.0', 'CreateEnvironmentTemplateVersion', undefined, 'DeleteEnvironmentTemplateVersion',
  { templateName: 'bench-env', source: { s3: { bucket: envBundle.s3BucketName, key: envBundle.s3ObjectKey } } },
  { templateName: 'bench-env', majorVersion: '1', minorVersion: '0' });
call('SvcV1', 'bench-svc:1.0', 'CreateServiceTemplateVersion', undefined, 'DeleteServiceTemplateVersion', {
  templateName: 'bench-svc', source: { s3: { bucket: svcBundle.s3BucketName, key: svcBundle.s3ObjectKey } },
  compatibleEnvironmentTemplates: [{ templateName: 'bench-env', majorVersion: '1' }],
}, { templateName: 'bench-svc', majorVersion: '1', minorVersion: '0' });
for (const i of estate.indexes) {
  call(`Env${i}`, `env-${i}`, 'CreateEnvironment', 'UpdateEnvironment', 'DeleteEnvironment', {
    name: `env-${i}`, templateName: 'bench-env', templateMajorVersion: '1',
    spec: `proton: EnvironmentSpec\nspec:\n  vpc_cidr: ${estate.cidr(i)}\n`, protonServiceRoleArn: 'arn:aws:iam::111111111111:role/proton',
  }, { name: `env-${i}` });
  call(`Svc${i}`, `svc-${i}`, 'CreateService', 'UpdateService', 'DeleteService', {
    name: `svc-${i}`, templateName: 'bench-svc', templateMajorVersion: '1',
    spec: `proton: ServiceSpec\ninstances:\n  - name: main\n    environment: env-${i}\n    spec:\n      port: 8080\n`,
    repositoryConnectionArn: estate.connectionArn, repositoryId: 'my-org/orders', branchName: 'main',
  }, { name: `svc-${i}` });
}
app.synth();
