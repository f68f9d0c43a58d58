import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Service, ServiceTemplate, Spec, TemplateBundle } from '../src';

/** The bundle revisions the demo deploys one after the other: the second is a compatible change (a new minor version). */
export const REVISIONS = ['v1', 'v1-revised'] as const;
export type Revision = (typeof REVISIONS)[number];

/**
 * A platform team's Proton estate: an environment template with a version registered from a local
 * bundle, beta and prod environments deployed from it, and an API service with one instance in
 * each environment and its pipeline.
 */
export function buildApp(options: { outdir?: string; revision?: Revision } = {}): App {
  const app = new App({ outdir: options.outdir });
  const revision = options.revision ?? (app.node.tryGetContext('revision') as Revision | undefined) ?? 'v1';
  const stack = new Stack(app, 'ProtonPlatform');

  const vpcEnv = new EnvironmentTemplate(stack, 'VpcEnv', {
    templateName: 'vpc-env',
    displayName: 'VPC environment',
    description: 'A shared VPC that services deploy into',
  });
  const version = vpcEnv.addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(path.join(__dirname, 'templates', 'vpc-env', revision)),
    description: 'VPC with one public subnet',
  });

  // The role Proton provisions the environment's VPC with (grant it what the template creates).
  const protonRole = new ProtonServiceRole(stack, 'ProtonRole');
  const environment = (id: string, name: string, cidr: string) => new Environment(stack, id, {
    environmentName: name,
    templateVersion: version,
    spec: Spec.fromObject({ vpc_cidr: cidr, subnet_one_cidr: cidr.replace('.0.0/16', '.0.0/24') }),
    protonServiceRole: protonRole,
  });
  const beta = environment('Beta', 'beta', '10.0.0.0/16');
  const prod = environment('Prod', 'prod', '10.1.0.0/16');

  const apiTemplate = new ServiceTemplate(stack, 'ApiSvc', { templateName: 'api-svc', displayName: 'API service' });
  const apiV1 = apiTemplate.addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(path.join(__dirname, 'templates', 'api-svc', 'v1')),
    compatibleEnvironmentTemplates: [version],
  });
  const orders = new Service(stack, 'Orders', {
    serviceName: 'orders',
    templateVersion: apiV1,
    instances: [
      // The second revision changes beta's port: only that instance is redeployed.
      { name: 'beta', environment: beta, spec: Spec.fromObject({ port: revision === 'v1' ? 8080 : 8081 }) },
      { name: 'prod', environment: prod, spec: Spec.fromObject({ port: 80, desired_count: 3 }) },
    ],
    pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
    // The repository the pipeline builds, through a CodeStar connection.
    repositoryConnectionArn: `arn:aws:codestar-connections:${stack.region}:${stack.account}:connection/orders`,
    repositoryId: 'my-org/orders',
    branchName: 'main',
  });

  new CfnOutput(stack, 'VpcEnvVersion', { value: `${version.majorVersion}.${version.minorVersion}` });
  new CfnOutput(stack, 'BetaVpcId', { value: beta.output('VpcId') });
  new CfnOutput(stack, 'OrdersBetaUrl', { value: orders.instance('beta').output('Url') });
  new CfnOutput(stack, 'OrdersProdUrl', { value: orders.instance('prod').output('Url') });
  new CfnOutput(stack, 'OrdersPipelineUrl', { value: orders.pipelineOutput('PipelineUrl') });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
