import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CancelComponentDeploymentCommand, CancelEnvironmentDeploymentCommand, CancelServiceInstanceDeploymentCommand,
  CreateEnvironmentAccountConnectionCommand, GetAccountSettingsCommand, GetComponentCommand, GetEnvironmentAccountConnectionCommand,
  GetEnvironmentCommand, GetRepositoryCommand, GetServiceInstanceCommand, GetServiceSyncConfigCommand, GetTemplateSyncConfigCommand,
  ListEnvironmentTemplateVersionsCommand, ListServiceTemplateVersionsCommand, ListTagsForResourceCommand, ProtonClient,
} from '@aws-sdk/client-proton';
import { Stack, Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { serviceInstanceKey } from '../../local-proton/emulator';
import type { LocalProton } from '../../local-proton/local-proton';
import {
  AcceptEnvironmentAccountConnection, AccountSettings, Component, ComponentManifest, ComponentSource, Environment, EnvironmentAccountConnection,
  EnvironmentTemplate, ProtonServiceRole, Repository, RepositoryProvider, Service, ServiceInstance, ServiceSyncConfig, ServiceTemplate,
  Spec, TemplateBundle, TemplateSyncConfig,
} from '../../src';
import { ResourceType, ResourceTypeName } from '../../src/custom-resources/contract';
import { COMPONENT_DIR, ENV_BUNDLE, SERVICE_BUNDLE } from '../constructs/helpers';
import { basePlatform, CONNECTION, SERVICE_REPOSITORY } from '../lifecycle/helpers';

/** The variants a row builds: its first form, and the change an update deploys. */
export type Variant = 1 | 2;

/** One Proton call of the request log, with a filter on its input naming the row's resource. */
export interface Call {
  readonly operation: string;
  readonly where: (input: Record<string, unknown>, p: string) => boolean;
  /**
   * Each accepted call starts a deployment, unless it repeats a client token. Otherwise the same input sent again
   * changes nothing (a setting, a tag, a create or delete Proton answers by name).
   */
  readonly deploys?: true;
}

/** The names a row's asynchronous Proton work is faulted under (`proton.emulator.faults.*`). */
export interface RowFaults {
  /** `failRegistration`: the template whose versions end REGISTRATION_FAILED. */
  readonly registration?: (p: string) => string;
  /** `failDeployment` / `failCancellation`: the key of the deployment the resource makes. */
  readonly deployment?: (p: string) => string;
  /** `failDeletion`: the key of the asynchronous delete the resource makes. */
  readonly deletion?: (p: string) => string;
  /** Cancels the resource's deployment in progress, as someone outside the stack would (rows with a deployment). */
  readonly cancel?: (client: ProtonClient, p: string) => Promise<unknown>;
}

export interface FaultRow {
  /**
   * Adds a minimal platform and the resource to the stack, named after `p` (unique per test); `variant` 2 is the change
   * an update deploys. Answers the resource's construct.
   */
  readonly build: (stack: Stack, p: string, variant: Variant, made: Made) => IConstruct;
  /** What the row needs made in Proton before its stack deploys (the connection an acceptance accepts). */
  readonly prepare?: (proton: LocalProton, p: string) => Promise<Made>;
  /** What Proton holds of the resource, differing between the variants; `undefined` when Proton has none. */
  readonly state: (client: ProtonClient, p: string, made: Made) => Promise<unknown>;
  /** The mutating calls that create, change and delete it (`update` absent: the row has no update). */
  readonly calls: { readonly create: Call; readonly update?: Call; readonly delete?: Call };
  /** Why the row has no update (variant 2 is the same as 1). */
  readonly noUpdate?: string;
  readonly faults: RowFaults;
}

/** What `prepare` made. */
export type Made = Record<string, string>;

/** Hides what fails quietly: an undefined answer for Proton's ResourceNotFoundException. */
async function orUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') return undefined;
    throw e;
  }
}

const named = (key: string, name: (p: string) => string) => (input: Record<string, unknown>, p: string) => input[key] === name(p);

const envTemplate = (p: string) => `${p}-env`;
const svcTemplate = (p: string) => `${p}-svc`;
const envName = (p: string) => `${p}-dev`;
const svcName = (p: string) => `${p}-orders`;
const componentName = (p: string) => `${p}-bucket`;
const repoName = (p: string) => `my-org/${p}-templates`;

/** A template file whose content depends on the variant (a redeploy of the component). */
function componentTemplate(variant: Variant): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fault-component-')), 'cloudformation.yaml');
  fs.writeFileSync(file, `${fs.readFileSync(path.join(COMPONENT_DIR, 'cloudformation.yaml'), 'utf8')}# variant ${variant}\n`);
  return file;
}

/** A service with instance `beta` in environment `<p>-dev` (no pipeline). */
function servicePlatform(stack: Stack, p: string, port: number, componentSources?: ComponentSource[]) {
  const platform = basePlatform(stack, { prefix: p, environments: ['dev'], componentRole: componentSources !== undefined, componentSources });
  const service = new Service(stack, 'Service', {
    serviceName: svcName(p),
    templateVersion: platform.svcV1,
    ...SERVICE_REPOSITORY,
    instances: [{ name: 'beta', environment: platform.environments.dev, spec: Spec.fromObject({ port }) }],
  });
  return { ...platform, service };
}

const templateVersions = async (client: ProtonClient, kind: 'env' | 'svc', templateName: string) => {
  const out = kind === 'env'
    ? await orUndefined(() => client.send(new ListEnvironmentTemplateVersionsCommand({ templateName })))
    : await orUndefined(() => client.send(new ListServiceTemplateVersionsCommand({ templateName })));
  const versions = out?.templateVersions ?? [];
  return versions.length === 0 ? undefined
    : Object.fromEntries(versions.map((v) => [`${v.majorVersion}.${v.minorVersion}`, `${v.status} ${v.description ?? ''}`]));
};

const instanceSpec = async (client: ProtonClient, serviceName: string, name: string) => {
  const instance = (await orUndefined(() => client.send(new GetServiceInstanceCommand({ serviceName, name }))))?.serviceInstance;
  return instance && `${instance.deploymentStatus} ${instance.spec}`;
};

export const ROWS: Record<ResourceTypeName, FaultRow> = {
  [ResourceType.ENVIRONMENT_TEMPLATE_VERSION]: {
    build: (stack, p, variant) => new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: envTemplate(p) })
      .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), description: `variant ${variant}` }),
    state: (client, p) => templateVersions(client, 'env', envTemplate(p)),
    calls: {
      create: { operation: 'CreateEnvironmentTemplateVersion', where: named('templateName', envTemplate) },
      update: { operation: 'UpdateEnvironmentTemplateVersion', where: named('templateName', envTemplate) },
      delete: { operation: 'DeleteEnvironmentTemplateVersion', where: named('templateName', envTemplate) },
    },
    faults: { registration: envTemplate },
  },
  [ResourceType.SERVICE_TEMPLATE_VERSION]: {
    build: (stack, p, variant) => {
      const envV1 = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: envTemplate(p) })
        .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
      return new ServiceTemplate(stack, 'SvcTemplate', { templateName: svcTemplate(p) }).addVersion('V1', {
        bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: [envV1], description: `variant ${variant}`,
      });
    },
    state: (client, p) => templateVersions(client, 'svc', svcTemplate(p)),
    calls: {
      create: { operation: 'CreateServiceTemplateVersion', where: named('templateName', svcTemplate) },
      update: { operation: 'UpdateServiceTemplateVersion', where: named('templateName', svcTemplate) },
      delete: { operation: 'DeleteServiceTemplateVersion', where: named('templateName', svcTemplate) },
    },
    faults: { registration: svcTemplate },
  },
  [ResourceType.ENVIRONMENT]: {
    build: (stack, p, variant) => {
      const { envV1, protonServiceRole } = basePlatform(stack, { prefix: p });
      return new Environment(stack, 'Env-dev', {
        environmentName: envName(p), templateVersion: envV1, spec: Spec.fromObject({ vpc_cidr: `10.${variant}.0.0/16` }), protonServiceRole,
      });
    },
    state: async (client, p) => {
      const env = (await orUndefined(() => client.send(new GetEnvironmentCommand({ name: envName(p) }))))?.environment;
      return env && `${env.deploymentStatus} ${env.spec}`;
    },
    calls: {
      create: { operation: 'CreateEnvironment', where: named('name', envName) },
      update: { operation: 'UpdateEnvironment', where: named('name', envName), deploys: true },
      delete: { operation: 'DeleteEnvironment', where: named('name', envName) },
    },
    faults: {
      deployment: envName,
      deletion: envName,
      cancel: (client, p) => client.send(new CancelEnvironmentDeploymentCommand({ environmentName: envName(p) })),
    },
  },
  [ResourceType.SERVICE]: {
    build: (stack, p, variant) => servicePlatform(stack, p, 8080 + variant).service,
    state: (client, p) => instanceSpec(client, svcName(p), 'beta'),
    calls: {
      create: { operation: 'CreateService', where: named('name', svcName) },
      update: { operation: 'UpdateServiceInstance', where: (input, p) => input.serviceName === svcName(p) && input.name === 'beta', deploys: true },
      delete: { operation: 'DeleteService', where: named('name', svcName) },
    },
    faults: {
      deployment: (p) => serviceInstanceKey(svcName(p), 'beta'),
      deletion: svcName,
      cancel: (client, p) => client.send(new CancelServiceInstanceDeploymentCommand({ serviceName: svcName(p), serviceInstanceName: 'beta' })),
    },
  },
  [ResourceType.SERVICE_INSTANCE]: {
    build: (stack, p, variant) => {
      const { service, environments } = servicePlatform(stack, p, 8080);
      return new ServiceInstance(stack, 'ProdInstance', {
        service, name: 'prod', environment: environments.dev, spec: Spec.fromObject({ port: 9090 + variant }),
      });
    },
    state: (client, p) => instanceSpec(client, svcName(p), 'prod'),
    calls: {
      create: { operation: 'CreateServiceInstance', where: (input, p) => input.serviceName === svcName(p) && input.name === 'prod' },
      update: { operation: 'UpdateServiceInstance', where: (input, p) => input.serviceName === svcName(p) && input.name === 'prod', deploys: true },
      // Removed from its service by an UpdateService whose spec lacks it.
      delete: { operation: 'UpdateService', where: named('name', svcName) },
    },
    faults: {
      deployment: (p) => serviceInstanceKey(svcName(p), 'prod'),
      deletion: (p) => serviceInstanceKey(svcName(p), 'prod'),
      cancel: (client, p) => client.send(new CancelServiceInstanceDeploymentCommand({ serviceName: svcName(p), serviceInstanceName: 'prod' })),
    },
  },
  [ResourceType.ACCOUNT_SETTINGS]: {
    build: (stack, p, variant) => {
      const repo = new Repository(stack, 'Pipelines', { provider: RepositoryProvider.GITHUB, repositoryName: repoName(p), connectionArn: CONNECTION });
      const settings = new AccountSettings(stack, 'Settings', {
        pipelineServiceRole: new ProtonServiceRole(stack, 'PipelineRole'),
        pipelineProvisioningRepository: repo.branch(variant === 1 ? 'main' : 'release'),
      });
      settings.node.addDependency(repo);
      return settings;
    },
    state: async (client, p) => {
      const settings = (await client.send(new GetAccountSettingsCommand({}))).accountSettings;
      const repo = settings?.pipelineProvisioningRepository;
      return repo?.name === repoName(p) ? `${repo.name}@${repo.branch}` : undefined;
    },
    calls: {
      create: { operation: 'UpdateAccountSettings', where: (input, p) => (input.pipelineProvisioningRepository as any)?.name === repoName(p) },
      update: { operation: 'UpdateAccountSettings', where: (input, p) => (input.pipelineProvisioningRepository as any)?.name === repoName(p) },
    },
    faults: {},
  },
  [ResourceType.REPOSITORY]: {
    build: (stack, p, variant) => {
      const repo = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: repoName(p), connectionArn: CONNECTION });
      Tags.of(repo).add('variant', `${variant}`);
      return repo;
    },
    state: async (client, p) => {
      const repo = (await orUndefined(() => client.send(new GetRepositoryCommand({ provider: 'GITHUB', name: repoName(p) }))))?.repository;
      if (!repo) return undefined;
      const tags = (await client.send(new ListTagsForResourceCommand({ resourceArn: repo.arn! }))).tags ?? [];
      return `${repo.name} variant=${tags.find((t) => t.key === 'variant')?.value}`;
    },
    calls: {
      create: { operation: 'CreateRepository', where: named('name', repoName) },
      update: { operation: 'TagResource', where: (input, p) => String(input.resourceArn).endsWith(repoName(p)) },
      delete: { operation: 'DeleteRepository', where: named('name', repoName) },
    },
    faults: {},
  },
  [ResourceType.TEMPLATE_SYNC_CONFIG]: {
    build: (stack, p, variant) => {
      const template = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: envTemplate(p) });
      const repository = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: repoName(p), connectionArn: CONNECTION });
      return new TemplateSyncConfig(stack, 'EnvSync', { template, repository, branch: variant === 1 ? 'main' : 'release', subdirectory: 'vpc-env' });
    },
    state: async (client, p) => {
      const config = (await orUndefined(() => client.send(new GetTemplateSyncConfigCommand({ templateName: envTemplate(p), templateType: 'ENVIRONMENT' }))))
        ?.templateSyncConfig;
      return config && `${config.repositoryName}@${config.branch}`;
    },
    calls: {
      create: { operation: 'CreateTemplateSyncConfig', where: named('templateName', envTemplate) },
      update: { operation: 'UpdateTemplateSyncConfig', where: named('templateName', envTemplate) },
      delete: { operation: 'DeleteTemplateSyncConfig', where: named('templateName', envTemplate) },
    },
    faults: {},
  },
  [ResourceType.SERVICE_SYNC_CONFIG]: {
    build: (stack, p, variant) => {
      const { service } = servicePlatform(stack, p, 8080);
      const repository = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: repoName(p), connectionArn: CONNECTION });
      return new ServiceSyncConfig(stack, 'OrdersSync', { service, repository, branch: variant === 1 ? 'main' : 'release', filePath: 'proton-ops.yaml' });
    },
    state: async (client, p) => {
      const config = (await orUndefined(() => client.send(new GetServiceSyncConfigCommand({ serviceName: svcName(p) }))))?.serviceSyncConfig;
      return config && `${config.repositoryName}@${config.branch}`;
    },
    calls: {
      create: { operation: 'CreateServiceSyncConfig', where: named('serviceName', svcName) },
      update: { operation: 'UpdateServiceSyncConfig', where: named('serviceName', svcName) },
      delete: { operation: 'DeleteServiceSyncConfig', where: named('serviceName', svcName) },
    },
    faults: {},
  },
  [ResourceType.COMPONENT]: {
    build: (stack, p, variant) => {
      const { service } = servicePlatform(stack, p, 8080, [ComponentSource.DIRECTLY_DEFINED]);
      return new Component(stack, 'Bucket', {
        componentName: componentName(p),
        serviceInstance: service.instance('beta'),
        manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
        templateFile: componentTemplate(variant),
        description: `variant ${variant}`,
      });
    },
    state: async (client, p) => {
      const component = (await orUndefined(() => client.send(new GetComponentCommand({ name: componentName(p) }))))?.component;
      return component && `${component.deploymentStatus} ${component.description}`;
    },
    calls: {
      create: { operation: 'CreateComponent', where: named('name', componentName) },
      update: { operation: 'UpdateComponent', where: (input, p) => input.name === componentName(p) && input.deploymentType !== undefined && input.serviceName !== '', deploys: true },
      delete: { operation: 'DeleteComponent', where: named('name', componentName) },
    },
    faults: {
      deployment: componentName,
      deletion: componentName,
      cancel: (client, p) => client.send(new CancelComponentDeploymentCommand({ componentName: componentName(p) })),
    },
  },
  [ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION]: {
    prepare: async (proton, p) => {
      const out = await proton.client.send(new CreateEnvironmentAccountConnectionCommand({
        managementAccountId: proton.emulator.accountId,
        environmentName: `${p}-remote`,
        roleArn: `arn:aws:iam::${proton.emulator.accountId}:role/${p}-remote`,
      }));
      return { connectionId: out.environmentAccountConnection!.id! };
    },
    build: (stack, _p, _variant, made) => new AcceptEnvironmentAccountConnection(stack, 'Accept', {
      connection: EnvironmentAccountConnection.fromEnvironmentAccountConnectionId(stack, 'Requested', made.connectionId),
    }),
    state: async (client, _p, made) => {
      const connection = (await orUndefined(() => client.send(new GetEnvironmentAccountConnectionCommand({ id: made.connectionId }))))
        ?.environmentAccountConnection;
      return connection?.status;
    },
    calls: {
      create: { operation: 'AcceptEnvironmentAccountConnection', where: (input, _p) => input.id !== undefined },
    },
    noUpdate: 'an acceptance has one property, the connection: another connection is another acceptance',
    faults: {},
  },
};

/** The rows as `[type, row]` pairs, for `describe.each`. */
export const ROW_LIST = Object.entries(ROWS) as Array<[ResourceTypeName, FaultRow]>;
