import * as path from 'path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { EnvironmentTemplate, TemplateBundle } from '../src';

/** The bundle revisions the demo deploys one after the other: the second is a compatible change (a new minor version). */
export const REVISIONS = ['v1', 'v1-revised'] as const;
export type Revision = (typeof REVISIONS)[number];

/** A platform team's Proton estate: one environment template with one version, registered from a local bundle. */
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

  new CfnOutput(stack, 'VpcEnvVersion', { value: `${version.majorVersion}.${version.minorVersion}` });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
