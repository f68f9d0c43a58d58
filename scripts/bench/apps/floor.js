// The floor: bare custom resources a user writes by hand (CfnResource), nothing but the resources.
const { App, CfnResource, Stack } = require('aws-cdk-lib');
const { CfnEnvironmentTemplate, CfnServiceTemplate } = require('aws-cdk-lib/aws-proton');
const estate = require('./estate');

const app = new App({ outdir: estate.outdir });
const stack = new Stack(app, 'Bench');
const serviceToken = 'arn:aws:lambda:us-east-1:111111111111:function:proton-resources';
const resource = (id, type, properties) => new CfnResource(stack, id, { type, properties: { ServiceToken: serviceToken, ...properties } });

new CfnEnvironmentTemplate(stack, 'EnvTemplate', { name: 'bench-env' });
new CfnServiceTemplate(stack, 'SvcTemplate', { name: 'bench-svc' });
resource('EnvV1', 'Custom::EnvironmentTemplateVersion', { TemplateName: 'bench-env', Bucket: 'bench-bundles', Key: 'env.tar.gz' });
resource('SvcV1', 'Custom::ServiceTemplateVersion', {
  TemplateName: 'bench-svc', Bucket: 'bench-bundles', Key: 'svc.tar.gz', CompatibleEnvironmentTemplates: [{ templateName: 'bench-env', majorVersion: '1' }],
});
for (const i of estate.indexes) {
  resource(`Env${i}`, 'Custom::Environment', {
    Name: `env-${i}`, TemplateName: 'bench-env', TemplateMajorVersion: '1',
    Spec: `proton: EnvironmentSpec\nspec:\n  vpc_cidr: ${estate.cidr(i)}\n`, ProtonServiceRoleArn: 'arn:aws:iam::111111111111:role/proton',
  });
  resource(`Svc${i}`, 'Custom::Service', {
    Name: `svc-${i}`, TemplateName: 'bench-svc', TemplateMajorVersion: '1',
    Spec: `proton: ServiceSpec\ninstances:\n  - name: main\n    environment: env-${i}\n    spec:\n      port: 8080\n`,
    RepositoryConnectionArn: estate.connectionArn, RepositoryId: 'my-org/orders', BranchName: 'main',
  });
}
app.synth();
