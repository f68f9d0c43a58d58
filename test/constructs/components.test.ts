import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { COMPONENT_DIR, ENV_BUNDLE, newStack, protonPolicyStatements, SERVICE_BUNDLE } from './helpers';
import {
  Component, ComponentManifest, ComponentSource, Environment, EnvironmentTemplate, ProtonServiceRole, Repository, RepositoryProvider, Service,
  ServiceSyncConfig, ServiceTemplate, Spec, TemplateBundle, TemplateSyncConfig,
} from '../../src';

const REPO = { repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc', repositoryId: 'my-org/orders', branchName: 'main' };
const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc';

function platform(stack: Stack, options: { componentRole?: boolean; sources?: ComponentSource[] } = {}) {
  const envTemplate = new EnvironmentTemplate(stack, 'VpcEnv', { templateName: 'vpc-env' });
  const envV1 = envTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  const componentRole = options.componentRole === false ? undefined : new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
  const beta = new Environment(stack, 'Beta', {
    environmentName: 'beta', templateVersion: envV1, spec: Spec.fromObject({}), protonServiceRole: new ProtonServiceRole(stack, 'Role'), componentRole,
  });
  const svcTemplate = new ServiceTemplate(stack, 'Api', { templateName: 'api-svc' });
  const svcV1 = svcTemplate.addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE),
    compatibleEnvironmentTemplates: [envV1],
    supportedComponentSources: options.sources ?? [ComponentSource.DIRECTLY_DEFINED],
  });
  const orders = new Service(stack, 'Orders', { serviceName: 'orders', templateVersion: svcV1, ...REPO, instances: [{ name: 'beta', environment: beta }] });
  return { envTemplate, svcTemplate, beta, orders };
}

const manifest = () => ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml'));
const templateFile = path.join(COMPONENT_DIR, 'cloudformation.yaml');

describe('Component', () => {
  test('attaches to a service instance with its manifest, template file and service spec', () => {
    const stack = newStack();
    const { orders } = platform(stack);
    const bucket = new Component(stack, 'Bucket', {
      componentName: 'orders-bucket', serviceInstance: orders.instance('beta'), manifest: manifest(), templateFile, spec: Spec.fromObject({ retention_days: 7 }),
    });
    const name = bucket.output('BucketName');
    const props = Object.values(Template.fromStack(stack).findResources('Custom::ProtonComponent'))[0].Properties;
    expect(props).toMatchObject({
      Name: 'orders-bucket',
      ServiceName: 'orders',
      ServiceInstanceName: 'beta',
      Outputs: ['BucketName'],
      ServiceSpec: 'proton: "ServiceSpec"\ninstances:\n  - name: "beta"\n    spec:\n      retention_days: 7\n',
    });
    expect(props.Manifest).toContain('template_language: cloudformation');
    expect(props.TemplateFile).toContain('AWS::S3::Bucket');
    expect(props.EnvironmentName).toBeUndefined();
    expect(stack.resolve(name)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Bucket/), 'Outputs.BucketName'] });
  });

  test('attaches to an environment', () => {
    const stack = newStack();
    const { beta } = platform(stack);
    new Component(stack, 'Shared', { environment: beta, manifest: manifest(), templateFile });
    Template.fromStack(stack).hasResourceProperties('Custom::ProtonComponent', { EnvironmentName: 'beta' });
  });

  test('fails at synth on what the app shows Proton would refuse', () => {
    const stack = newStack();
    const { beta, orders } = platform(stack);
    expect(() => new Component(stack, 'Both', { environment: beta, serviceInstance: orders.instance('beta'), manifest: manifest(), templateFile }))
      .toThrow(/TestStack\/Both: give exactly one of serviceInstance/);
    expect(() => new Component(stack, 'Spec', { environment: beta, manifest: manifest(), templateFile, spec: Spec.fromObject({}) }))
      .toThrow(/spec gives service inputs, which only a component attached to a service instance has/);
    expect(() => new Component(stack, 'Big', { environment: beta, manifest: ComponentManifest.fromString('x'.repeat(1025)), templateFile }))
      .toThrow(/the component manifest is 1025 characters, Proton takes 1 to 1024/);
    expect(() => new Component(stack, 'NoFile', { environment: beta, manifest: manifest(), templateFile: '/nonexistent.yaml' }))
      .toThrow(/templateFile \/nonexistent.yaml does not exist/);

    const noRole = newStack('NoRole');
    const { beta: betaWithoutRole } = platform(noRole, { componentRole: false });
    expect(() => new Component(noRole, 'C', { environment: betaWithoutRole, manifest: manifest(), templateFile }))
      .toThrow(/environment NoRole\/Beta has no componentRole, so Proton cannot deploy components in it/);

    const noSource = newStack('NoSource');
    const { orders: ordersWithoutSource } = platform(noSource, { sources: [] });
    expect(() => new Component(noSource, 'C', { serviceInstance: ordersWithoutSource.instance('beta'), manifest: manifest(), templateFile }))
      .toThrow(/the service template version of NoSource\/Orders does not list DIRECTLY_DEFINED in supportedComponentSources/);
  });
});

describe('Repository and sync configs', () => {
  test('links a repository, syncs a template and a service from it, and passes the connection to Proton only', () => {
    const stack = newStack();
    const { envTemplate, orders } = platform(stack);
    const repo = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/proton-templates', connectionArn: CONNECTION });
    new TemplateSyncConfig(stack, 'EnvSync', { template: envTemplate, repository: repo, branch: 'main', subdirectory: 'vpc-env' });
    new ServiceSyncConfig(stack, 'OrdersSync', { service: orders, repository: repo, branch: 'main', filePath: 'proton-ops.yaml' });

    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::ProtonRepository', { Provider: 'GITHUB', Name: 'my-org/proton-templates', ConnectionArn: CONNECTION });
    t.hasResourceProperties('Custom::ProtonTemplateSyncConfig', {
      TemplateName: 'vpc-env', TemplateType: 'ENVIRONMENT', RepositoryProvider: 'GITHUB', RepositoryName: 'my-org/proton-templates', Branch: 'main', Subdirectory: 'vpc-env',
    });
    t.hasResourceProperties('Custom::ProtonServiceSyncConfig', { ServiceName: 'orders', FilePath: 'proton-ops.yaml', Branch: 'main' });
    const sync = Object.values(t.findResources('Custom::ProtonTemplateSyncConfig'))[0];
    expect(sync.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Repo/), expect.stringMatching(/^VpcEnv/)]));
    const statements: any[] = protonPolicyStatements(t);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'codestar-connections:PassConnection',
      Resource: CONNECTION,
      Condition: { StringEquals: { 'codestar-connections:PassedToService': 'proton.amazonaws.com' } },
    }));
    expect(repo.branch('main')).toEqual({ provider: 'GITHUB', name: 'my-org/proton-templates', branch: 'main' });
  });

  test('imports a linked repository and refuses names that are not owner/repository', () => {
    const stack = newStack();
    const imported = Repository.fromRepositoryName(stack, 'R', RepositoryProvider.BITBUCKET, 'team/infra');
    expect(stack.resolve(imported.repositoryArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:111111111111:repository/bitbucket:team/infra']],
    });
    expect(() => new Repository(stack, 'Bad', { provider: RepositoryProvider.GITHUB, repositoryName: 'no-owner', connectionArn: CONNECTION }))
      .toThrow(/repositoryName "no-owner" is not "owner\/repository"/);
  });
});
