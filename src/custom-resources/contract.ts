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

/** Properties of a template version resource (environment or service). */
export interface TemplateVersionProperties {
  readonly TemplateName: string;
  /** Absent: Proton starts a new major version. */
  readonly MajorVersion?: string;
  readonly Description?: string;
  /** 'true' or 'false'. */
  readonly Publish: string;
  readonly SourceBucket: string;
  readonly SourceKey: string;
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
  readonly Tags?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
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
export interface EnvironmentProperties {
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
  readonly Tags?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
  /** The output keys the app references: only these are returned as attributes. */
  readonly Outputs?: ReadonlyArray<string>;
}

/** Attributes of an environment resource. */
export const EnvironmentAttribute = {
  ARN: 'Arn',
  /** Read by no construct: part of the response the lifecycle tests pin. */
  NAME: 'Name',
} as const;

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
export interface ServiceProperties {
  readonly Name: string;
  readonly TemplateName: string;
  readonly TemplateMajorVersion: string;
  readonly TemplateMinorVersion?: string;
  readonly Description?: string;
  readonly RepositoryConnectionArn?: string;
  readonly RepositoryId?: string;
  readonly BranchName?: string;
  /** The whole service spec document (CreateService). Sensitive: never logged. */
  readonly Spec: string;
  readonly Instances: ReadonlyArray<ServiceInstanceProperty>;
  /** A service spec document with the pipeline only (UpdateServicePipeline); absent without a pipeline. */
  readonly PipelineSpec?: string;
  readonly Tags?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
  /** Referenced instance outputs, as `<instance>/<key>`. */
  readonly InstanceOutputs?: ReadonlyArray<string>;
  /** Referenced pipeline outputs. */
  readonly PipelineOutputs?: ReadonlyArray<string>;
}

/** Attributes of a service resource. */
export const ServiceAttribute = {
  ARN: 'Arn',
  /** Read by no construct: part of the response the lifecycle tests pin. */
  NAME: 'Name',
} as const;

/** The attribute holding an output of a service instance. */
export function instanceOutputAttribute(instance: string, key: string): string {
  return `Instances.${instance}.Outputs.${key}`;
}

/** The attribute holding an output of a service pipeline. */
export function pipelineOutputAttribute(key: string): string {
  return `Pipeline.Outputs.${key}`;
}

/** Properties of a service instance declared on its own (added to an existing service). */
export interface ServiceInstanceProperties {
  readonly ServiceName: string;
  readonly Name: string;
  readonly Environment: string;
  /** A service spec document with this instance only. Sensitive: never logged. */
  readonly Spec: string;
  readonly TemplateMajorVersion?: string;
  readonly TemplateMinorVersion?: string;
  readonly Tags?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
  readonly Outputs?: ReadonlyArray<string>;
}

/** Attributes of a service instance resource. */
export const ServiceInstanceAttribute = {
  ARN: 'Arn',
  /** Read by no construct: part of the response the lifecycle tests pin. */
  NAME: 'Name',
} as const;

/** Properties of the account settings resource. */
export interface AccountSettingsProperties {
  /** `""` clears the setting. */
  readonly PipelineServiceRoleArn?: string;
  /** `""` clears the setting. */
  readonly PipelineCodebuildRoleArn?: string;
  readonly PipelineProvisioningRepository?: { readonly provider: string; readonly name: string; readonly branch: string };
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
}

/** Properties of a repository link. */
export interface RepositoryProperties {
  readonly Provider: string;
  readonly Name: string;
  readonly ConnectionArn: string;
  readonly EncryptionKey?: string;
  readonly Tags?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
}

/** Properties of a template sync config. */
export interface TemplateSyncConfigProperties {
  readonly TemplateName: string;
  /** ENVIRONMENT or SERVICE. */
  readonly TemplateType: string;
  readonly RepositoryProvider: string;
  readonly RepositoryName: string;
  readonly Branch: string;
  readonly Subdirectory?: string;
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
}

/** Properties of a service sync config. */
export interface ServiceSyncConfigProperties {
  readonly ServiceName: string;
  readonly RepositoryProvider: string;
  readonly RepositoryName: string;
  readonly Branch: string;
  readonly FilePath: string;
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
}

/** Properties of a directly defined component. */
export interface ComponentProperties {
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
  readonly Tags?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  /** One of {@link RemovalMode}. */
  readonly RemovalPolicy: string;
  readonly Outputs?: ReadonlyArray<string>;
}

/** Attributes of a component resource. */
export const ComponentAttribute = {
  ARN: 'Arn',
  /** Read by no construct: part of the response the lifecycle tests pin. */
  NAME: 'Name',
} as const;
