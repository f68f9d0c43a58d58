import { CfnOutput } from 'aws-cdk-lib';
import {
  AccountSettings, Environment, EnvironmentTemplate, Repository, RepositoryProvider,
  Service, ServiceSyncConfig, ServiceTemplate, Spec, TemplateBundle,
} from '../src';
import { ENV_BUNDLE, REPOSITORY_ID, SERVICE_BUNDLE, connectionArn, expectProton, integStack, integTest, provisioningRole } from './integ/fixtures';

// A platform team's whole estate in one stack: an environment template, beta and prod environments, the account
// settings Proton pipelines need, a service with an instance in each environment and its pipeline, and the repository
// its service sync config follows. Deploying needs the connection of CONNECTION_PARAMETER.
const { app, stack } = integStack('cdk-proton-integ-estate');
const envVersion = new EnvironmentTemplate(stack, 'VpcEnv', { templateName: 'integ-estate-vpc-env' })
  .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
const role = provisioningRole(stack);
const environment = (id: string, name: string, cidr: string) => new Environment(stack, id, {
  environmentName: name, templateVersion: envVersion, spec: Spec.fromObject({ vpc_cidr: cidr }), protonServiceRole: role,
});
const beta = environment('Beta', 'integ-estate-beta', '10.30.0.0/16');
const prod = environment('Prod', 'integ-estate-prod', '10.31.0.0/16');

// Proton provisions pipelines with the account's pipeline role (restored to the previous one on delete).
const settings = new AccountSettings(stack, 'Settings', { pipelineServiceRole: provisioningRole(stack, 'PipelineRole') });

const apiVersion = new ServiceTemplate(stack, 'ApiSvc', { templateName: 'integ-estate-api' })
  .addVersion('V1', { bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: [envVersion] });
const connection = connectionArn(stack);
const orders = new Service(stack, 'Orders', {
  serviceName: 'integ-estate-orders',
  templateVersion: apiVersion,
  instances: [
    { name: 'beta', environment: beta, spec: Spec.fromObject({ port: 8080 }) },
    { name: 'prod', environment: prod, spec: Spec.fromObject({ port: 80, desired_count: 2 }) },
  ],
  pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
  repositoryConnectionArn: connection,
  repositoryId: REPOSITORY_ID,
  branchName: 'main',
});
orders.node.addDependency(settings);
const repository = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: REPOSITORY_ID, connectionArn: connection });
new ServiceSyncConfig(stack, 'OrdersSync', { service: orders, repository, branch: 'main', filePath: 'proton/orders.yaml' });

new CfnOutput(stack, 'BetaVpcId', { value: beta.output('VpcId') });
new CfnOutput(stack, 'OrdersProdUrl', { value: orders.instance('prod').output('Url') });

const integ = integTest(app, 'Estate', stack);
for (const name of ['integ-estate-beta', 'integ-estate-prod']) {
  expectProton(integ, 'getEnvironment', { name }, { environment: { deploymentStatus: 'SUCCEEDED' } });
}
expectProton(integ, 'getService', { name: orders.serviceName }, { service: { status: 'ACTIVE', pipeline: { deploymentStatus: 'SUCCEEDED' } } });
for (const name of ['beta', 'prod']) {
  expectProton(integ, 'getServiceInstance', { serviceName: orders.serviceName, name }, { serviceInstance: { deploymentStatus: 'SUCCEEDED' } });
}
expectProton(integ, 'getServiceSyncConfig', { serviceName: orders.serviceName }, { serviceSyncConfig: { filePath: 'proton/orders.yaml' } });
