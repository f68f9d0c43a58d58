/**
 * The Proton actions each custom resource's handler calls, and the resources the Service Authorization Reference
 * says each action is authorized on. The provider grants exactly these; the lifecycle tests check, against the
 * emulator's IAM, that every call is allowed and every action granted is called.
 */

/** The Proton resource families whose names the provider may act on. */
export enum ProtonResourceFamily {
  /** Environment templates and their versions. */
  ENVIRONMENT_TEMPLATE = 'environment-template',
  /** Service templates and their versions. */
  SERVICE_TEMPLATE = 'service-template',
  /** Environments. */
  ENVIRONMENT = 'environment',
  /** Services, their instances (`service/<name>/service-instance/<instance>`) and pipeline. */
  SERVICE = 'service',
  /** Repositories linked to Proton (`<provider>:<name>`). */
  REPOSITORY = 'repository',
  /** Components. */
  COMPONENT = 'component',
  /** Environment account connections (by id). */
  ENVIRONMENT_ACCOUNT_CONNECTION = 'environment-account-connection',
}

/** What one handler may do. */
export interface HandlerPermissions {
  /** The family of the resource the actions are granted on; absent when every action takes `*` only. */
  readonly family?: ProtonResourceFamily;
  /**
   * Actions granted on the named resource, and on what it contains when `nested` is set.
   * Version actions take the template's ARN; tagging a version takes the version's (`<template>:<major>.<minor>`).
   */
  readonly actions: readonly string[];
  /** Also grant `actions` on `<name><nested>`: a template's versions (`:*`), a service's instances (`/*`). */
  readonly nested?: string;
  /** Actions whose only resource is `*` (Service Authorization Reference: no resource type): granted on `*`. */
  readonly wildcardActions?: readonly string[];
}

const TAGGING = ['proton:TagResource', 'proton:UntagResource'];

const templateVersion = (kind: 'Environment' | 'Service', family: ProtonResourceFamily): HandlerPermissions => ({
  family,
  nested: ':*',
  actions: [
    `proton:Create${kind}TemplateVersion`,
    `proton:Get${kind}TemplateVersion`,
    `proton:Update${kind}TemplateVersion`,
    `proton:Delete${kind}TemplateVersion`,
    // A changed bundle looks for the version a rolled-back update left behind.
    `proton:List${kind}TemplateVersions`,
    // The version's source tag, and user tags.
    'proton:ListTagsForResource',
    ...TAGGING,
  ],
});

/** The service's instance actions, shared by a Service (its own instances) and a ServiceInstance added to one. */
const INSTANCE_ACTIONS = [
  'proton:GetServiceInstance',
  'proton:UpdateServiceInstance',
  'proton:ListServiceInstanceOutputs',
];

export const PERMISSIONS = {
  ENVIRONMENT_TEMPLATE_VERSION: templateVersion('Environment', ProtonResourceFamily.ENVIRONMENT_TEMPLATE),
  SERVICE_TEMPLATE_VERSION: templateVersion('Service', ProtonResourceFamily.SERVICE_TEMPLATE),
  /** An environment unpinning its minor version reads which minor version is the recommended one. */
  ENVIRONMENT_TEMPLATE_LOOKUP: {
    family: ProtonResourceFamily.ENVIRONMENT_TEMPLATE,
    actions: ['proton:ListEnvironmentTemplateVersions'],
  },
  ENVIRONMENT: {
    family: ProtonResourceFamily.ENVIRONMENT,
    actions: [
      'proton:CreateEnvironment',
      'proton:GetEnvironment',
      'proton:UpdateEnvironment',
      'proton:DeleteEnvironment',
      'proton:CancelEnvironmentDeployment',
      'proton:ListEnvironmentOutputs',
      // The owner tag tells the environment a Create made when CloudFormation's Delete carries a made-up id.
      'proton:ListTagsForResource',
      ...TAGGING,
    ],
  },
  SERVICE: {
    family: ProtonResourceFamily.SERVICE,
    nested: '/*',
    actions: [
      'proton:CreateService',
      'proton:GetService',
      'proton:UpdateService',
      'proton:DeleteService',
      ...INSTANCE_ACTIONS,
      'proton:CancelServiceInstanceDeployment',
      'proton:UpdateServicePipeline',
      'proton:CancelServicePipelineDeployment',
      'proton:ListServicePipelineOutputs',
      'proton:ListTagsForResource',
      ...TAGGING,
    ],
    // ListComponents: the components attached to an instance it removes, which it detaches first (UpdateComponent,
    // granted by the Component of the same stack).
    wildcardActions: ['proton:ListServiceInstances', 'proton:ListComponents'],
  },
  SERVICE_INSTANCE: {
    family: ProtonResourceFamily.SERVICE,
    nested: '/*',
    // UpdateService removes the instance (Proton has no DeleteServiceInstance).
    // ListTagsForResource: the cdk-proton:request tag, which says whether a later request has taken charge.
    actions: ['proton:CreateServiceInstance', 'proton:UpdateService', ...INSTANCE_ACTIONS, 'proton:ListTagsForResource', ...TAGGING],
    // The service's spec lists its instances: the handler reads them to add or remove its own.
    wildcardActions: ['proton:ListServiceInstances'],
  },
  COMPONENT: {
    family: ProtonResourceFamily.COMPONENT,
    actions: [
      'proton:CreateComponent', 'proton:GetComponent', 'proton:UpdateComponent', 'proton:DeleteComponent', 'proton:ListComponentOutputs',
      // The cdk-proton:request tag, which says whether a later request has taken charge.
      'proton:ListTagsForResource', ...TAGGING,
    ],
  },
  REPOSITORY: {
    family: ProtonResourceFamily.REPOSITORY,
    // GetRepository: the ARN that tags change on.
    actions: ['proton:CreateRepository', 'proton:GetRepository', 'proton:DeleteRepository', ...TAGGING],
  },
  TEMPLATE_SYNC_CONFIG: {
    actions: [],
    wildcardActions: ['proton:CreateTemplateSyncConfig', 'proton:UpdateTemplateSyncConfig', 'proton:DeleteTemplateSyncConfig'],
  },
  SERVICE_SYNC_CONFIG: {
    actions: [],
    wildcardActions: ['proton:CreateServiceSyncConfig', 'proton:UpdateServiceSyncConfig', 'proton:DeleteServiceSyncConfig'],
  },
  ACCOUNT_SETTINGS: {
    actions: [],
    wildcardActions: ['proton:GetAccountSettings', 'proton:UpdateAccountSettings'],
  },
  ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION: {
    family: ProtonResourceFamily.ENVIRONMENT_ACCOUNT_CONNECTION,
    actions: ['proton:AcceptEnvironmentAccountConnection', 'proton:GetEnvironmentAccountConnection'],
  },
} satisfies Record<string, HandlerPermissions>;
