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
import * as YAML from 'yaml';
import { serviceInstanceKey } from '../../local-proton/emulator';
import type { LocalProton } from '../../local-proton/local-proton';
import {
  AcceptEnvironmentAccountConnection, AccountSettings, Component, ComponentManifest, ComponentSource, Environment, EnvironmentAccountConnection,
  EnvironmentTemplate, ProtonServiceRole, Repository, RepositoryProvider, Service, ServiceInstance, ServiceSyncConfig, ServiceTemplate,
  Spec, TemplateBundle, TemplateSyncConfig,
} from '../../src';
import { ResourceType, ResourceTypeName } from '../../src/custom-resources/contract';
import { bundleCopy, COMPONENT_DIR, ENV_BUNDLE, SERVICE_BUNDLE } from '../constructs/helpers';
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
  /** A change CloudFormation deploys as a replacement of the resource (absent: `noReplacement` says why). */
  readonly replacement?: Replacement;
  readonly noReplacement?: string;
  readonly faults: RowFaults;
}

/** A change that replaces the resource: a new name, a new bundle. */
export interface Replacement {
  /** The row's stack with the replacing form of the resource (otherwise as variant 1). */
  readonly build: (stack: Stack, p: string, made: Made) => IConstruct;
  /** What Proton holds of the new resource; `undefined` when Proton has none. */
  readonly state: (client: ProtonClient, p: string) => Promise<unknown>;
  /** What Proton keeps of the new resource once a rollback deleted it, and why; absent: nothing. */
  readonly kept?: { readonly state: unknown; readonly why: string };
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
/** The name a replacement takes instead of `name(p)`. */
const renamed = (name: (p: string) => string) => (p: string) => `${name(p)}-new`;

/** A copy of `bundle` with a changed infrastructure file: registered as a new minor version. */
function changedBundle(bundle: string): string {
  return bundleCopy((d) => fs.appendFileSync(path.join(d, 'schema', 'schema.yaml'), '# replaced\n'), bundle);
}

/** Proton keeps a rolled-back minor version: its delete is refused while it is the recommended one. */
const KEPT_MINOR_VERSION = {
  state: 'PUBLISHED variant 1',
  why: 'Proton refuses to delete the recommended minor version while 1.0 exists; the next deployment of the bundle takes it over',
};

/** A template file whose content depends on the variant (a redeploy of the component). */
function componentTemplate(variant: Variant): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fault-component-')), 'cloudformation.yaml');
  fs.writeFileSync(file, `${fs.readFileSync(path.join(COMPONENT_DIR, 'cloudformation.yaml'), 'utf8')}# variant ${variant}\n`);
  return file;
}

/** A service with instance `beta` in environment `<p>-dev` (no pipeline). */
function servicePlatform(stack: Stack, p: string, port: number, componentSources?: ComponentSource[], serviceName = svcName(p)) {
  const platform = basePlatform(stack, { prefix: p, environments: ['dev'], componentRole: componentSources !== undefined, componentSources });
  const service = new Service(stack, 'Service', {
    serviceName,
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

const templateVersion = async (client: ProtonClient, kind: 'env' | 'svc', templateName: string, version: string) =>
  (await templateVersions(client, kind, templateName))?.[version];

/** The instance's deployment status and its own inputs (the document around them differs between create and update). */
const instanceSpec = async (client: ProtonClient, serviceName: string, name: string) => {
  const instance = (await orUndefined(() => client.send(new GetServiceInstanceCommand({ serviceName, name }))))?.serviceInstance;
  const inputs = instance && YAML.parse(instance.spec!).instances?.find((i: { name: string }) => i.name === name)?.spec;
  return instance && `${instance.deploymentStatus} ${JSON.stringify(inputs)}`;
};

/** Environment `name` of template `<p>-env`, its spec after `variant`. */
function environment(stack: Stack, p: string, variant: Variant, name: string) {
  const { envV1, protonServiceRole } = basePlatform(stack, { prefix: p });
  return new Environment(stack, 'Env-dev', {
    environmentName: name, templateVersion: envV1, spec: Spec.fromObject({ vpc_cidr: `10.${variant}.0.0/16` }), protonServiceRole,
  });
}

const environmentState = async (client: ProtonClient, name: string) => {
  const env = (await orUndefined(() => client.send(new GetEnvironmentCommand({ name }))))?.environment;
  return env && `${env.deploymentStatus} ${env.spec}`;
};

/** Standalone instance `name` of service `<p>-orders`, its spec after `variant`. */
function serviceInstance(stack: Stack, p: string, variant: Variant, name: string) {
  const { service, environments } = servicePlatform(stack, p, 8080);
  return new ServiceInstance(stack, 'ProdInstance', { service, name, environment: environments.dev, spec: Spec.fromObject({ port: 9090 + variant }) });
}

/** A link to GitHub repository `name`, tagged with `variant`. */
function repositoryLink(stack: Stack, name: string, variant: Variant) {
  const repo = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: name, connectionArn: CONNECTION });
  Tags.of(repo).add('variant', `${variant}`);
  return repo;
}

const repositoryState = async (client: ProtonClient, name: string) => {
  const repo = (await orUndefined(() => client.send(new GetRepositoryCommand({ provider: 'GITHUB', name }))))?.repository;
  if (!repo) return undefined;
  const tags = (await client.send(new ListTagsForResourceCommand({ resourceArn: repo.arn! }))).tags ?? [];
  return `${repo.name} variant=${tags.find((t) => t.key === 'variant')?.value}`;
};

/** A sync config of environment template `templateName`, on branch `main` (variant 1) or `release`. */
function templateSyncConfig(stack: Stack, p: string, variant: Variant, templateName: string) {
  const template = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName });
  const repository = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: repoName(p), connectionArn: CONNECTION });
  return new TemplateSyncConfig(stack, 'EnvSync', { template, repository, branch: variant === 1 ? 'main' : 'release', subdirectory: 'vpc-env' });
}

const templateSyncConfigState = async (client: ProtonClient, templateName: string) => {
  const config = (await orUndefined(() => client.send(new GetTemplateSyncConfigCommand({ templateName, templateType: 'ENVIRONMENT' }))))
    ?.templateSyncConfig;
  return config && `${config.repositoryName}@${config.branch}`;
};

/** A sync config of service `serviceName`, on branch `main` (variant 1) or `release`. */
function serviceSyncConfig(stack: Stack, p: string, variant: Variant, serviceName: string) {
  const { service } = servicePlatform(stack, p, 8080, undefined, serviceName);
  const repository = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: repoName(p), connectionArn: CONNECTION });
  return new ServiceSyncConfig(stack, 'OrdersSync', { service, repository, branch: variant === 1 ? 'main' : 'release', filePath: 'proton-ops.yaml' });
}

const serviceSyncConfigState = async (client: ProtonClient, serviceName: string) => {
  const config = (await orUndefined(() => client.send(new GetServiceSyncConfigCommand({ serviceName }))))?.serviceSyncConfig;
  return config && `${config.repositoryName}@${config.branch}`;
};

/** Component `name` of instance `beta` (or of its environment), its template and description after `variant`. */
function component(stack: Stack, p: string, variant: Variant, name: string, of: 'instance' | 'environment' = 'instance') {
  const { service, environments } = servicePlatform(stack, p, 8080, [ComponentSource.DIRECTLY_DEFINED]);
  return new Component(stack, 'Bucket', {
    componentName: name,
    ...(of === 'instance' ? { serviceInstance: service.instance('beta') } : { environment: environments.dev }),
    manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
    templateFile: componentTemplate(variant),
    description: `variant ${variant}`,
  });
}

const componentState = async (client: ProtonClient, name: string) => {
  const found = (await orUndefined(() => client.send(new GetComponentCommand({ name }))))?.component;
  return found && `${found.deploymentStatus} ${found.description}`;
};

/** Version 1 of environment template `<p>-env` from `bundle`. */
function envTemplateVersion(stack: Stack, p: string, bundle: string, variant: Variant) {
  return new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: envTemplate(p) })
    .addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle), description: `variant ${variant}` });
}

/** Version 1 of service template `<p>-svc` from `bundle`, compatible with environment template `<p>-env`. */
function svcTemplateVersion(stack: Stack, p: string, bundle: string, variant: Variant) {
  const envV1 = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: envTemplate(p) })
    .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  return new ServiceTemplate(stack, 'SvcTemplate', { templateName: svcTemplate(p) }).addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(bundle), compatibleEnvironmentTemplates: [envV1], description: `variant ${variant}`,
  });
}

export const ROWS: Record<ResourceTypeName, FaultRow> = {
  [ResourceType.ENVIRONMENT_TEMPLATE_VERSION]: {
    build: (stack, p, variant) => envTemplateVersion(stack, p, ENV_BUNDLE, variant),
    state: (client, p) => templateVersion(client, 'env', envTemplate(p), '1.0'),
    replacement: {
      build: (stack, p) => envTemplateVersion(stack, p, changedBundle(ENV_BUNDLE), 1),
      state: (client, p) => templateVersion(client, 'env', envTemplate(p), '1.1'),
      kept: KEPT_MINOR_VERSION,
    },
    calls: {
      create: { operation: 'CreateEnvironmentTemplateVersion', where: named('templateName', envTemplate) },
      update: { operation: 'UpdateEnvironmentTemplateVersion', where: named('templateName', envTemplate) },
      delete: { operation: 'DeleteEnvironmentTemplateVersion', where: named('templateName', envTemplate) },
    },
    faults: { registration: envTemplate },
  },
  [ResourceType.SERVICE_TEMPLATE_VERSION]: {
    build: (stack, p, variant) => svcTemplateVersion(stack, p, SERVICE_BUNDLE, variant),
    state: (client, p) => templateVersion(client, 'svc', svcTemplate(p), '1.0'),
    replacement: {
      build: (stack, p) => svcTemplateVersion(stack, p, changedBundle(SERVICE_BUNDLE), 1),
      state: (client, p) => templateVersion(client, 'svc', svcTemplate(p), '1.1'),
      kept: KEPT_MINOR_VERSION,
    },
    calls: {
      create: { operation: 'CreateServiceTemplateVersion', where: named('templateName', svcTemplate) },
      update: { operation: 'UpdateServiceTemplateVersion', where: named('templateName', svcTemplate) },
      delete: { operation: 'DeleteServiceTemplateVersion', where: named('templateName', svcTemplate) },
    },
    faults: { registration: svcTemplate },
  },
  [ResourceType.ENVIRONMENT]: {
    build: (stack, p, variant) => environment(stack, p, variant, envName(p)),
    state: (client, p) => environmentState(client, envName(p)),
    replacement: {
      build: (stack, p) => environment(stack, p, 1, renamed(envName)(p)),
      state: (client, p) => environmentState(client, renamed(envName)(p)),
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
    replacement: {
      build: (stack, p) => servicePlatform(stack, p, 8081, undefined, renamed(svcName)(p)).service,
      state: (client, p) => instanceSpec(client, renamed(svcName)(p), 'beta'),
    },
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
    build: (stack, p, variant) => serviceInstance(stack, p, variant, 'prod'),
    state: (client, p) => instanceSpec(client, svcName(p), 'prod'),
    replacement: {
      build: (stack, p) => serviceInstance(stack, p, 1, 'prod-new'),
      state: (client, p) => instanceSpec(client, svcName(p), 'prod-new'),
    },
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
    noReplacement: 'an account has one set of settings: every change is applied in place',
    faults: {},
  },
  [ResourceType.REPOSITORY]: {
    build: (stack, p, variant) => repositoryLink(stack, repoName(p), variant),
    state: (client, p) => repositoryState(client, repoName(p)),
    replacement: {
      build: (stack, p) => repositoryLink(stack, renamed(repoName)(p), 1),
      state: (client, p) => repositoryState(client, renamed(repoName)(p)),
    },
    calls: {
      create: { operation: 'CreateRepository', where: named('name', repoName) },
      update: { operation: 'TagResource', where: (input, p) => String(input.resourceArn).endsWith(repoName(p)) },
      delete: { operation: 'DeleteRepository', where: named('name', repoName) },
    },
    faults: {},
  },
  [ResourceType.TEMPLATE_SYNC_CONFIG]: {
    build: (stack, p, variant) => templateSyncConfig(stack, p, variant, envTemplate(p)),
    state: (client, p) => templateSyncConfigState(client, envTemplate(p)),
    replacement: {
      build: (stack, p) => templateSyncConfig(stack, p, 1, renamed(envTemplate)(p)),
      state: (client, p) => templateSyncConfigState(client, renamed(envTemplate)(p)),
    },
    calls: {
      create: { operation: 'CreateTemplateSyncConfig', where: named('templateName', envTemplate) },
      update: { operation: 'UpdateTemplateSyncConfig', where: named('templateName', envTemplate) },
      delete: { operation: 'DeleteTemplateSyncConfig', where: named('templateName', envTemplate) },
    },
    faults: {},
  },
  [ResourceType.SERVICE_SYNC_CONFIG]: {
    build: (stack, p, variant) => serviceSyncConfig(stack, p, variant, svcName(p)),
    state: (client, p) => serviceSyncConfigState(client, svcName(p)),
    replacement: {
      build: (stack, p) => serviceSyncConfig(stack, p, 1, renamed(svcName)(p)),
      state: (client, p) => serviceSyncConfigState(client, renamed(svcName)(p)),
    },
    calls: {
      create: { operation: 'CreateServiceSyncConfig', where: named('serviceName', svcName) },
      update: { operation: 'UpdateServiceSyncConfig', where: named('serviceName', svcName) },
      delete: { operation: 'DeleteServiceSyncConfig', where: named('serviceName', svcName) },
    },
    faults: {},
  },
  [ResourceType.COMPONENT]: {
    build: (stack, p, variant) => component(stack, p, variant, componentName(p)),
    state: (client, p) => componentState(client, componentName(p)),
    replacement: {
      // Proton attaches one component to an instance, so a renamed one of an instance cannot replace it: one of the environment.
      build: (stack, p) => component(stack, p, 1, renamed(componentName)(p), 'environment'),
      state: (client, p) => componentState(client, renamed(componentName)(p)),
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
    noReplacement: 'Proton cannot undo an acceptance: the acceptance of another connection is not a replacement a rollback could delete',
    faults: {},
  },
};

/** The rows as `[type, row]` pairs, for `describe.each`. */
export const ROW_LIST = Object.entries(ROWS) as Array<[ResourceTypeName, FaultRow]>;
