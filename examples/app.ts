import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Spec, TemplateBundle } from '../src';

/** The bundle revisions the demo deploys one after the other: the second is a compatible change (a new minor version). */
export const REVISIONS = ['v1', 'v1-revised'] as const;
export type Revision = (typeof REVISIONS)[number];

/**
 * A platform team's Proton estate: an environment template with a version registered from a local
 * bundle, and a beta environment deployed from it.
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
  const beta = new Environment(stack, 'Beta', {
    environmentName: 'beta',
    templateVersion: version,
    spec: Spec.fromObject({ vpc_cidr: '10.0.0.0/16', subnet_one_cidr: '10.0.0.0/24' }),
    protonServiceRole: protonRole,
  });

  new CfnOutput(stack, 'VpcEnvVersion', { value: `${version.majorVersion}.${version.minorVersion}` });
  new CfnOutput(stack, 'BetaVpcId', { value: beta.output('VpcId') });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
