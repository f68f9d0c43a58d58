/**
 * The README's examples, one region per section, in one stack that synthesizes: each region uses
 * only what it or an earlier region defines (test/readme.test.ts checks that every TypeScript block
 * of the README is one of these regions, and synthesizes this stack).
 */
// #region imports
import { App, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AcceptEnvironmentAccountConnection, AccountSettings, ComponentManifest, ComponentSource, Component, Environment,
  EnvironmentAccountConnection, EnvironmentTemplate, EnvironmentTemplateVersion, ProtonInputs, ProtonProvider, ProtonServiceRole,
  ProtonTemplateStack,
  Repository, RepositoryProvider, Service, ServiceInstance, ServiceSyncConfig, ServiceTemplate, Spec, TemplateBundle,
  TemplateInput, TemplateSyncConfig,
} from 'cdk-proton';
import { Construct } from 'constructs';
import { environmentSpec } from './vpc-env-inputs.generated';
// #endregion

export class EstateStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const stack = this;

    // #region provider
    ProtonProvider.configure(stack, { totalTimeout: Duration.minutes(45) }); // before the stack's first Proton construct
    // #endregion

    // #region environment-template
    const vpcEnv = new EnvironmentTemplate(stack, 'VpcEnv', {
      templateName: 'vpc-env', // optional: a unique name is generated when omitted
      displayName: 'VPC environment',
    });
    const vpcEnvV1 = vpcEnv.addVersion('V1', { bundle: TemplateBundle.fromDirectory('templates/vpc-env/v1') });
    const auditors = new iam.Role(stack, 'Auditors', { assumedBy: new iam.AccountRootPrincipal() });
    vpcEnv.grantRead(auditors); // the template and its versions
    const shared = EnvironmentTemplate.fromEnvironmentTemplateName(stack, 'Shared', 'shared-vpc'); // made elsewhere
    // #endregion

    // #region template-version
    const hotfix = vpcEnv.addVersion('Hotfix', {
      bundle: TemplateBundle.fromDirectory('templates/vpc-env/v1'),
      majorVersion: '1', // the next minor version of 1.x
      description: 'The VPC template with the hotfix',
      publish: false, // a draft: not the recommended version
    });
    // #endregion

    // #region bundle-from-bucket
    const bundles = s3.Bucket.fromBucketName(stack, 'Bundles', 'my-proton-bundles');
    new EnvironmentTemplateVersion(stack, 'SharedV3', { template: shared, bundle: TemplateBundle.fromBucket(bundles, 'shared-vpc/v3.tar.gz') });
    // #endregion

    // #region environment
    // The role Proton provisions with: grant it what your templates create.
    const protonRole = new ProtonServiceRole(stack, 'ProtonRole');
    protonRole.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:*'], resources: ['*'] }));

    const beta = new Environment(stack, 'Beta', {
      environmentName: 'beta', // optional: generated when omitted
      templateVersion: vpcEnvV1, // pins the template, its major and minor version
      spec: Spec.fromObject({ vpc_cidr: '10.0.0.0/16', subnet_one_cidr: '10.0.0.0/24' }),
      protonServiceRole: protonRole, // AWS-managed provisioning
      componentRole: new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') }),
    });
    const prod = new Environment(stack, 'Prod', {
      environmentName: 'prod',
      templateVersion: vpcEnvV1,
      spec: Spec.fromFile('specs/prod.yaml'), // a whole spec document, relative to the project's root
      protonServiceRole: protonRole,
    });
    beta.output('VpcId'); // a token: the output's value after each deployment
    // #endregion

    // #region service-template
    const apiSvc = new ServiceTemplate(stack, 'ApiSvc', { templateName: 'api-svc' });
    // pipelineProvisioning: Provisioning.CUSTOMER_MANAGED for services without a Proton pipeline
    const apiSvcV1 = apiSvc.addVersion('V1', {
      bundle: TemplateBundle.fromDirectory('templates/api-svc/v1'),
      compatibleEnvironmentTemplates: [vpcEnvV1], // 1 to 10 environment template versions
      supportedComponentSources: [ComponentSource.DIRECTLY_DEFINED],
    });
    // #endregion

    // #region service
    const connectionArn = `arn:aws:codestar-connections:${stack.region}:${stack.account}:connection/orders`;
    const orders = new Service(stack, 'Orders', {
      serviceName: 'orders',
      templateVersion: apiSvcV1,
      instances: [{ name: 'beta', environment: beta, spec: Spec.fromObject({ port: 8080 }) }],
      pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) }, // templates with a pipeline only
      repositoryConnectionArn: connectionArn,
      repositoryId: 'my-org/orders',
      branchName: 'main',
    });
    orders.addInstance('prod', { environment: prod, spec: Spec.fromObject({ port: 80, desired_count: 3 }) });
    orders.instance('beta').output('Url');
    orders.pipelineOutput('PipelineUrl');
    // #endregion

    // #region service-instance
    new ServiceInstance(stack, 'PaymentsBeta', {
      service: Service.fromServiceName(stack, 'Payments', 'payments'), // a service another stack declares
      name: 'beta',
      environment: beta,
      spec: Spec.fromObject({ port: 8443 }),
    });
    // #endregion

    // #region account-settings
    const pipelineRole = new iam.Role(stack, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
    new AccountSettings(stack, 'ProtonSettings', { pipelineServiceRole: pipelineRole });
    // #endregion

    // #region repositories
    const repo = new Repository(stack, 'Repo', {
      provider: RepositoryProvider.GITHUB, // GITHUB | GITHUB_ENTERPRISE | BITBUCKET
      repositoryName: 'my-org/proton-templates',
      connectionArn,
    });
    new TemplateSyncConfig(stack, 'EnvSync', { template: vpcEnv, repository: repo, branch: 'main', subdirectory: 'vpc-env' });
    new ServiceSyncConfig(stack, 'OrdersSync', { service: orders, repository: repo, branch: 'main', filePath: 'proton-ops.yaml' });
    // #endregion

    // #region component
    new Component(stack, 'Bucket', {
      componentName: 'orders-bucket',
      serviceInstance: orders.instance('beta'), // or environment: beta (exactly one)
      manifest: ComponentManifest.fromFile('components/bucket/manifest.yaml'),
      templateFile: 'components/bucket/cloudformation.yaml',
    });
    // #endregion

    // #region typed-inputs
    // lib/vpc-env-inputs.generated.ts comes from `npx cdk-proton types templates/vpc-env/v1 --out lib/vpc-env-inputs.generated.ts`.
    new Environment(stack, 'Qa', {
      templateVersion: vpcEnvV1,
      spec: environmentSpec({ vpc_cidr: '10.3.0.0/16', subnet_one_cidr: '10.3.0.0/24' }), // a misspelt or mistyped input fails tsc
      protonServiceRole: protonRole,
    });
    // #endregion

    // #region stack-template
    // The template's infrastructure as a CDK stack: an app of its own, rendered into the bundle, never deployed by cdk deploy.
    const network = new ProtonTemplateStack('NetworkInfra');
    const vpc = new ec2.CfnVPC(network, 'Vpc', { cidrBlock: ProtonInputs.environment('vpc_cidr') }); // {{ environment.inputs.vpc_cidr }}
    new CfnOutput(network, 'VpcId', { value: vpc.ref }); // the template's output

    const networkV1 = new EnvironmentTemplate(stack, 'Network').addVersion('V1', {
      bundle: TemplateBundle.fromStack(network, {
        inputs: { vpc_cidr: TemplateInput.string({ defaultValue: '10.0.0.0/16', description: 'The VPC\'s range' }) },
      }),
    });
    new Environment(stack, 'Dev', {
      templateVersion: networkV1,
      spec: Spec.fromObject({ vpc_cidr: '10.2.0.0/16' }), // checked against the schema the inputs make
      protonServiceRole: protonRole,
    });
    // #endregion

    // #region adopt
    new Environment(stack, 'Legacy', {
      environmentName: 'legacy', // made in the console: taken over, not created
      template: shared,
      majorVersion: '2',
      minorVersion: '1',
      spec: Spec.fromFile('specs/legacy.yaml'),
      protonServiceRole: protonRole,
      adopt: true, // remove it once adopted: until then the stack never deletes the environment
    });
    // #endregion

    // #region retain
    new Environment(stack, 'Staging', {
      templateVersion: hotfix,
      spec: Spec.fromObject({}),
      protonServiceRole: protonRole,
      removalPolicy: RemovalPolicy.RETAIN, // left in Proton when the stack or the resource goes, without a Proton call
    });
    // #endregion
  }
}

/** Two accounts: the environment account requests a connection, the management account accepts it. */
export function connectedAccounts(app: App): void {
  const envAccountStack = new Stack(app, 'ProdAccount', { env: { account: '222222222222', region: 'us-east-1' } });
  const stack = new Stack(app, 'Management', { env: { account: '111111111111', region: 'us-east-1' } });
  const vpcEnvV1 = new EnvironmentTemplate(stack, 'VpcEnv', { templateName: 'vpc-env' })
    .addVersion('V1', { bundle: TemplateBundle.fromDirectory('templates/vpc-env/v1') });
  const connectionId = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'; // the id the environment account's stack outputs

  // #region account-connections
  // In the environment account's stack:
  const role = new ProtonServiceRole(envAccountStack, 'Role', { managementAccountId: '111111111111' });
  new EnvironmentAccountConnection(envAccountStack, 'Connection', {
    managementAccountId: '111111111111', environmentName: 'prod', role,
  });

  // In the management account's stack:
  const connection = EnvironmentAccountConnection.fromEnvironmentAccountConnectionId(stack, 'Requested', connectionId);
  new Environment(stack, 'Prod', {
    environmentName: 'prod',
    templateVersion: vpcEnvV1,
    spec: Spec.fromObject({}),
    environmentAccountConnection: new AcceptEnvironmentAccountConnection(stack, 'Accept', { connection }),
  });
  // #endregion
}
