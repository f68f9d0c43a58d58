import { Template } from 'aws-cdk-lib/assertions';
import { CONNECTION_ARN, firstResource, newStack, protonPolicyStatements, servicePlatform } from './helpers';
import { Repository, RepositoryProvider, ServiceSyncConfig, TemplateSyncConfig } from '../../src';

describe('Repository and sync configs', () => {
  test('links a repository, syncs a template and a service from it, and passes the connection to Proton only', () => {
    const stack = newStack();
    const { envTemplate, environment, service } = servicePlatform(stack);
    const orders = service('Orders', { serviceName: 'orders', instances: [{ name: 'beta', environment: environment('Beta', { environmentName: 'beta' }) }] });
    const repo = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/proton-templates', connectionArn: CONNECTION_ARN });
    new TemplateSyncConfig(stack, 'EnvSync', { template: envTemplate, repository: repo, branch: 'main', subdirectory: 'vpc-env' });
    new ServiceSyncConfig(stack, 'OrdersSync', { service: orders, repository: repo, branch: 'main', filePath: 'proton-ops.yaml' });

    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::ProtonRepository', { Provider: 'GITHUB', Name: 'my-org/proton-templates', ConnectionArn: CONNECTION_ARN });
    t.hasResourceProperties('Custom::ProtonTemplateSyncConfig', {
      TemplateName: 'vpc-env', TemplateType: 'ENVIRONMENT', RepositoryProvider: 'GITHUB', RepositoryName: 'my-org/proton-templates', Branch: 'main', Subdirectory: 'vpc-env',
    });
    t.hasResourceProperties('Custom::ProtonServiceSyncConfig', { ServiceName: 'orders', FilePath: 'proton-ops.yaml', Branch: 'main' });
    const sync = firstResource(t, 'Custom::ProtonTemplateSyncConfig');
    expect(sync.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Repo/), expect.stringMatching(/^VpcEnv/)]));
    const statements: any[] = protonPolicyStatements(t);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'codestar-connections:PassConnection',
      Resource: CONNECTION_ARN,
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
    expect(() => new Repository(stack, 'Bad', { provider: RepositoryProvider.GITHUB, repositoryName: 'no-owner', connectionArn: CONNECTION_ARN }))
      .toThrow(/repositoryName "no-owner" is not "owner\/repository"/);
  });
});
