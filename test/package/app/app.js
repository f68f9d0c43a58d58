// A user's app in plain JavaScript, with cdk-proton as installed from the package (test/package/package.test.ts).
const path = require('path');
const { App, CfnOutput, Stack } = require('aws-cdk-lib');
const { Environment, EnvironmentTemplate, ProtonServiceRole, Spec, TemplateBundle } = require('cdk-proton');

const app = new App();
const stack = new Stack(app, 'PackagedApp');
const template = new EnvironmentTemplate(stack, 'Network', { templateName: 'network' });
const version = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(path.join(__dirname, 'templates', 'network')) });
const dev = new Environment(stack, 'Dev', {
  environmentName: 'dev',
  templateVersion: version,
  spec: Spec.fromObject({ vpc_cidr: '10.9.0.0/16' }),
  protonServiceRole: new ProtonServiceRole(stack, 'ProtonRole'),
});
new CfnOutput(stack, 'DevVpcId', { value: dev.output('VpcId') });
app.synth();
