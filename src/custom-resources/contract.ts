/**
 * The contract between the constructs and the handlers: resource type names, property and
 * attribute names. Both sides import this file; it imports nothing, so handler bundles stay
 * free of aws-cdk-lib and constructs stay free of the AWS SDK.
 *
 * CloudFormation hands every scalar property to the handler as a string: the property
 * interfaces below say `string` even where the construct writes a number or a boolean.
 */

/** The CloudFormation resource types of this library's custom resources. */
export const ResourceType = {
  ENVIRONMENT_TEMPLATE_VERSION: 'Custom::ProtonEnvironmentTemplateVersion',
  SERVICE_TEMPLATE_VERSION: 'Custom::ProtonServiceTemplateVersion',
  ENVIRONMENT: 'Custom::ProtonEnvironment',
  SERVICE: 'Custom::ProtonService',
  SERVICE_INSTANCE: 'Custom::ProtonServiceInstance',
  ACCOUNT_SETTINGS: 'Custom::ProtonAccountSettings',
  REPOSITORY: 'Custom::ProtonRepository',
  TEMPLATE_SYNC_CONFIG: 'Custom::ProtonTemplateSyncConfig',
  SERVICE_SYNC_CONFIG: 'Custom::ProtonServiceSyncConfig',
  COMPONENT: 'Custom::ProtonComponent',
  ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION: 'Custom::ProtonAcceptEnvironmentAccountConnection',
} as const;

export type ResourceTypeName = (typeof ResourceType)[keyof typeof ResourceType];

/** What Proton does with a resource when CloudFormation deletes it. */
export const RemovalMode = {
  DELETE: 'delete',
  RETAIN: 'retain',
} as const;

export type RemovalModeName = (typeof RemovalMode)[keyof typeof RemovalMode];

/** The Proton spec documents, by the value of their `proton:` key. */
export enum SpecDocumentKind {
  /** An environment spec: `proton: EnvironmentSpec` with `spec:` inputs. */
  ENVIRONMENT = 'EnvironmentSpec',
  /** A service spec: `proton: ServiceSpec` with `instances:` and an optional `pipeline:`. */
  SERVICE = 'ServiceSpec',
}

/**
 * The tags the handlers put on Proton resources besides the user's (Proton takes 50 in all): which
 * CloudFormation resource created it (`OWNER`), which request last changed it (`REQUEST`); on template
 * versions, the bundle it was registered from (`SOURCE`) and that its delete waits (`DELETE_PENDING`).
 */
export const ReservedTag = {
  OWNER: 'cdk-proton:owner',
  REQUEST: 'cdk-proton:request',
  SOURCE: 'cdk-proton:source',
  DELETE_PENDING: 'cdk-proton:delete-pending',
} as const;

/** The tags a resource is given in Proton: the stack's and the user's (`{ key, value }`, as Proton takes them). */
export type TagList = ReadonlyArray<{ readonly key: string; readonly value: string }>;

/** The property of every resource Proton can keep when CloudFormation deletes it. */
export interface RemovableProperties {
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
}

/** The properties of every Proton resource the stack creates and tags. */
export interface OwnedProperties extends RemovableProperties {
  readonly Tags?: TagList;
}

/** The property of a resource a Create may take over from Proton (environments, services, components). */
export interface AdoptableProperties {
  /** 'true': a Create takes over the resource Proton has under the name when it matches; a Delete keeps it. */
  readonly Adopt?: string;
}

/** The property of a resource with Proton outputs (environments, service instances, components). */
export interface OutputsProperties {
  /** The output keys the app references: only these are returned as attributes. */
  readonly Outputs?: ReadonlyArray<string>;
}

/** The repository branch a sync config follows. */
export interface SyncedBranchProperties {
  readonly RepositoryProvider: string;
  readonly RepositoryName: string;
  readonly Branch: string;
}

/** The attributes of every Proton resource known by its name (environments, services, service instances, components). */
export const NamedResourceAttribute = {
  ARN: 'Arn',
} as const;

/** Properties of a template version resource (environment or service). */
export interface TemplateVersionProperties extends OwnedProperties, AdoptableProperties {
  /** With Adopt: the bundle's schema/schema.yaml, which the version to adopt must have. */
  readonly AdoptSchema?: string;
  readonly TemplateName: string;
  /** Absent: Proton starts a new major version. */
  readonly MajorVersion?: string;
  readonly Description?: string;
  /** 'true' or 'false'. */
  readonly Publish: string;
  readonly SourceBucket: string;
  readonly SourceKey: string;
  /** Service template versions only: `[{ templateName, majorVersion }]`. */
  readonly CompatibleEnvironmentTemplates?: ReadonlyArray<{ readonly templateName: string; readonly majorVersion: string }>;
  /** Service template versions only. */
  readonly SupportedComponentSources?: ReadonlyArray<string>;
}

/** Attributes of a template version resource (`Fn::GetAtt`). */
export const TemplateVersionAttribute = {
  MAJOR_VERSION: 'MajorVersion',
  MINOR_VERSION: 'MinorVersion',
  ARN: 'Arn',
} as const;

/** Properties of an environment resource. */
export interface EnvironmentProperties extends OwnedProperties, OutputsProperties, AdoptableProperties {
  readonly Name: string;
  readonly TemplateName: string;
  readonly TemplateMajorVersion: string;
  /** Absent: the recommended minor version of the major version. */
  readonly TemplateMinorVersion?: string;
  /** The spec document. Sensitive: never logged. */
  readonly Spec: string;
  readonly Description?: string;
  readonly ProtonServiceRoleArn?: string;
  readonly CodebuildRoleArn?: string;
  readonly ComponentRoleArn?: string;
  readonly EnvironmentAccountConnectionId?: string;
  readonly ProvisioningRepository?: { readonly provider: string; readonly name: string; readonly branch: string };
}

/** Attributes of an environment resource. */
export const EnvironmentAttribute = NamedResourceAttribute;

/** The attribute holding the value of a Proton output (environments, service instances, pipelines, components). */
export function outputAttribute(key: string): string {
  return `Outputs.${key}`;
}

/** Properties of the acceptance of an environment account connection (management account side). */
export interface AcceptEnvironmentAccountConnectionProperties {
  readonly ConnectionId: string;
}

/** One instance of a service, as the service resource declares it. */
export interface ServiceInstanceProperty {
  readonly Name: string;
  readonly Environment: string;
  /** A service spec document with this instance only (for UpdateServiceInstance). Sensitive. */
  readonly Spec: string;
}

/** Properties of a service resource. */
export interface ServiceProperties extends OwnedProperties, AdoptableProperties {
  readonly Name: string;
  readonly TemplateName: string;
  readonly TemplateMajorVersion: string;
  readonly TemplateMinorVersion?: string;
  readonly Description?: string;
  readonly RepositoryConnectionArn?: string;
  readonly RepositoryId?: string;
  readonly BranchName?: string;
  /** The instances, each with its spec document; CreateService's whole spec is composed from them and the pipeline's. */
  readonly Instances: ReadonlyArray<ServiceInstanceProperty>;
  /** A service spec document with the pipeline only (UpdateServicePipeline); absent without a pipeline. */
  readonly PipelineSpec?: string;
  /** Referenced instance outputs, as `<instance>/<key>`. */
  readonly InstanceOutputs?: ReadonlyArray<string>;
  /** Referenced pipeline outputs. */
  readonly PipelineOutputs?: ReadonlyArray<string>;
}

/** Attributes of a service resource. */
export const ServiceAttribute = NamedResourceAttribute;

/** The attribute holding an output of a service instance. */
export function instanceOutputAttribute(instance: string, key: string): string {
  return `Instances.${instance}.Outputs.${key}`;
}

/** The attribute holding an output of a service pipeline. */
export function pipelineOutputAttribute(key: string): string {
  return `Pipeline.Outputs.${key}`;
}

/** Properties of a service instance declared on its own (added to an existing service). */
export interface ServiceInstanceProperties extends OwnedProperties, OutputsProperties {
  readonly ServiceName: string;
  readonly Name: string;
  readonly Environment: string;
  /** A service spec document with this instance only. Sensitive: never logged. */
  readonly Spec: string;
  readonly TemplateMajorVersion?: string;
  readonly TemplateMinorVersion?: string;
}

/** Attributes of a service instance resource. */
export const ServiceInstanceAttribute = NamedResourceAttribute;

/** Properties of the account settings resource. */
export interface AccountSettingsProperties extends RemovableProperties {
  /** `""` clears the setting. */
  readonly PipelineServiceRoleArn?: string;
  /** `""` clears the setting. */
  readonly PipelineCodebuildRoleArn?: string;
  readonly PipelineProvisioningRepository?: { readonly provider: string; readonly name: string; readonly branch: string };
}

/** Properties of a repository link. */
export interface RepositoryProperties extends OwnedProperties {
  readonly Provider: string;
  readonly Name: string;
  readonly ConnectionArn: string;
  readonly EncryptionKey?: string;
}

/** Properties of a template sync config. */
export interface TemplateSyncConfigProperties extends SyncedBranchProperties, RemovableProperties {
  readonly TemplateName: string;
  /** ENVIRONMENT or SERVICE. */
  readonly TemplateType: string;
  readonly Subdirectory?: string;
}

/** Properties of a service sync config. */
export interface ServiceSyncConfigProperties extends SyncedBranchProperties, RemovableProperties {
  readonly ServiceName: string;
  readonly FilePath: string;
}

/** Properties of a directly defined component. */
export interface ComponentProperties extends OwnedProperties, OutputsProperties, AdoptableProperties {
  readonly Name: string;
  /** Set for a component of an environment (not attached to an instance). */
  readonly EnvironmentName?: string;
  readonly ServiceName?: string;
  readonly ServiceInstanceName?: string;
  readonly Manifest: string;
  /** Sensitive: never logged. */
  readonly TemplateFile: string;
  /** Sensitive: never logged. */
  readonly ServiceSpec?: string;
  readonly Description?: string;
}

/** Attributes of a component resource. */
export const ComponentAttribute = NamedResourceAttribute;
