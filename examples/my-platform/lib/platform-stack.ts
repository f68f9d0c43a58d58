import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Spec, TemplateBundle } from 'cdk-proton';
import { Construct } from 'constructs';

export class PlatformStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // An environment template, and its first version registered from the bundle in templates/.
    const vpcEnv = new EnvironmentTemplate(this, 'VpcEnv', { templateName: 'vpc-env', displayName: 'VPC environment' });
    const vpcEnvV1 = vpcEnv.addVersion('V1', {
      // Relative to the project's root (where cdk.json is): the CDK CLI runs the app from there.
      bundle: TemplateBundle.fromDirectory('templates/vpc-env/v1'),
    });

    // The role Proton provisions environments with: grant it what your templates create.
    const protonRole = new ProtonServiceRole(this, 'ProtonRole');

    const beta = new Environment(this, 'Beta', {
      environmentName: 'beta',
      templateVersion: vpcEnvV1,
      spec: Spec.fromObject({ vpc_cidr: '10.0.0.0/16', subnet_one_cidr: '10.0.0.0/24' }),
      protonServiceRole: protonRole,
    });

    new CfnOutput(this, 'TemplateVersion', { value: `${vpcEnvV1.majorVersion}.${vpcEnvV1.minorVersion}` });
    new CfnOutput(this, 'BetaVpcId', { value: beta.output('VpcId') });
  }
}
