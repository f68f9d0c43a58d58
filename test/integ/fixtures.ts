import * as path from 'path';
import { IntegTest, ExpectedResult, IApiCall } from '@aws-cdk/integ-tests-alpha';
import { App, CfnResource, CustomResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Spec, TemplateBundle } from '../../src';

/** The template bundles and the component the unit and lifecycle tests use. */
const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const ENV_BUNDLE = path.join(FIXTURES, 'env-bundle');
export const SERVICE_BUNDLE = path.join(FIXTURES, 'service-bundle');
export const COMPONENT_DIR = path.join(FIXTURES, 'component');
/** The service bundle without `pipeline_infrastructure/`, for templates whose services have no Proton pipeline. */
export const INSTANCE_ONLY_BUNDLE = path.join(__dirname, 'instance-bundle');

/**
 * The SSM parameter holding the ARN of a CodeStar connection to the repositories of the integ tests. Proton needs a
 * real, available connection; read at deploy time, it keeps the account's ARN out of the committed snapshots.
 */
export const CONNECTION_PARAMETER = '/cdk-proton/integ/codestar-connection-arn';

/** The repository the pipelines and sync configs of the integ tests read (through CONNECTION_PARAMETER's connection). */
export const REPOSITORY_ID = 'cdk-proton/cdk-proton-integ';

export function connectionArn(scope: Construct): string {
  return ssm.StringParameter.valueForStringParameter(scope, CONNECTION_PARAMETER);
}

/** The app and stack of one integ test; the stack is env-agnostic, so the snapshot holds no account or region. */
export function integStack(name: string): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, name) };
}

/** The integ test of `stack`: its snapshot holds templates only (no update workflow, so no copy of the assets). */
export function integTest(app: App, name: string, stack: Stack): IntegTest {
  return new IntegTest(app, name, {
    testCases: [stack],
    stackUpdateWorkflow: false,
  });
}

/**
 * Once the test stack has deployed, calls Proton's `api` and expects an answer like `expected`.
 * The assertion's `salt` is `Date.now()` by default, so every synth would differ from the snapshot:
 * a fixed one keeps it stable (a test deployment creates the assertion anew anyway).
 */
export function expectProton(integ: IntegTest, api: string, parameters: Record<string, unknown>, expected: Record<string, unknown>): IApiCall {
  const call = integ.assertions.awsApiCall('Proton', api, parameters);
  call.expect(ExpectedResult.objectLike(expected));
  const resource = call.node.defaultChild as CustomResource;
  (resource.node.defaultChild as CfnResource).addPropertyOverride('salt', 'cdk-proton-integ');
  return call;
}

/**
 * The role Proton provisions the fixture bundles with: the stacks Proton deploys and what the fixtures create
 * (a VPC, a log group, buckets). `ProtonServiceRole` itself has no permissions.
 */
export function provisioningRole(stack: Stack, id = 'ProtonRole'): ProtonServiceRole {
  const role = new ProtonServiceRole(stack, id);
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['cloudformation:*'],
    resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: 'AWSProton-*' })],
  }));
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:DescribeVpcs', 'ec2:ModifyVpcAttribute', 'ec2:CreateTags', 'ec2:DeleteTags',
      'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:DescribeLogGroups', 'logs:PutRetentionPolicy', 'logs:TagResource',
      's3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketTagging', 's3:GetBucketLocation'],
    resources: ['*'],
  }));
  return role;
}

/** An environment template `<prefix>-vpc-env` with version V1 of ENV_BUNDLE, and environment `<prefix>-env` of it. */
export function environmentPlatform(stack: Stack, prefix: string, options: { componentRole?: iam.IRole } = {}) {
  const envTemplate = new EnvironmentTemplate(stack, 'VpcEnv', { templateName: `${prefix}-vpc-env` });
  const envVersion = envTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  const role = provisioningRole(stack);
  const environment = new Environment(stack, 'Env', {
    environmentName: `${prefix}-env`,
    templateVersion: envVersion,
    spec: Spec.fromObject({ vpc_cidr: '10.20.0.0/16' }),
    protonServiceRole: role,
    componentRole: options.componentRole,
  });
  return { envTemplate, envVersion, role, environment };
}
