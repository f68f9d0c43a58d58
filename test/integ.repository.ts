import { RepositoryProvider, Repository, ServiceTemplate, TemplateSyncConfig } from '../src';
import { REPOSITORY_ID, connectionArn, expectProton, integStack, integTest } from './integ/fixtures';

// A repository linked to Proton through a CodeStar connection, and a template sync config that registers a service
// template's versions from it. Deploying needs the connection (see CONNECTION_PARAMETER).
const { app, stack } = integStack('cdk-proton-integ-repository');
const repository = new Repository(stack, 'Templates', {
  provider: RepositoryProvider.GITHUB,
  repositoryName: REPOSITORY_ID,
  connectionArn: connectionArn(stack),
});
const template = new ServiceTemplate(stack, 'SyncedSvc', { templateName: 'integ-repo-synced-svc' });
new TemplateSyncConfig(stack, 'Sync', { template, repository, branch: 'main', subdirectory: 'templates/synced-svc' });

const integ = integTest(app, 'Repository', stack);
expectProton(integ, 'getRepository', { provider: 'GITHUB', name: repository.repositoryName }, {
  repository: { name: REPOSITORY_ID, provider: 'GITHUB' },
});
expectProton(integ, 'getTemplateSyncConfig', { templateName: template.templateName, templateType: 'SERVICE' }, {
  templateSyncConfig: { branch: 'main', repositoryName: REPOSITORY_ID, subdirectory: 'templates/synced-svc' },
});
