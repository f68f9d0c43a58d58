// This library: the same estate through its constructs (the compiled lib/, as a user's app loads the package). Names are
// generated, as the library advises at this scale: they share one grant, so the provider's policy does not grow with them.
const path = require('path');
const { App, Stack } = require('aws-cdk-lib');
const proton = require(path.join(__dirname, '..', '..', '..', 'lib'));
const estate = require('./estate');

const app = new App({ outdir: estate.outdir });
const stack = new Stack(app, 'Bench');
const envV1 = new proton.EnvironmentTemplate(stack, 'EnvTemplate', { templateName: 'bench-env' })
  .addVersion('V1', { bundle: proton.TemplateBundle.fromDirectory(estate.envBundle) });
const svcV1 = new proton.ServiceTemplate(stack, 'SvcTemplate', { templateName: 'bench-svc' })
  .addVersion('V1', { bundle: proton.TemplateBundle.fromDirectory(estate.serviceBundle), compatibleEnvironmentTemplates: [envV1] });
const protonServiceRole = new proton.ProtonServiceRole(stack, 'ProtonRole');
for (const i of estate.indexes) {
  const environment = new proton.Environment(stack, `Env${i}`, {
    templateVersion: envV1, spec: proton.Spec.fromObject({ vpc_cidr: estate.cidr(i) }), protonServiceRole,
  });
  new proton.Service(stack, `Svc${i}`, {
    templateVersion: svcV1,
    instances: [{ name: 'main', environment, spec: proton.Spec.fromObject({ port: 8080 }) }],
    repositoryConnectionArn: estate.connectionArn, repositoryId: 'my-org/orders', branchName: 'main',
  });
}
app.synth();
