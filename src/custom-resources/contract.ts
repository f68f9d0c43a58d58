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
  ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION: 'Custom::ProtonAcceptEnvironmentAccountConnection',
} as const;

export type ResourceTypeName = (typeof ResourceType)[keyof typeof ResourceType];

/** What Proton does with a resource when CloudFormation deletes it. */
export const RemovalMode = {
  DELETE: 'delete',
  RETAIN: 'retain',
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
