/** The Proton actions the handlers need, by resource family: the provider grants them on the names a stack declares. */

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

export const PROTON_ACTIONS: Record<ProtonResourceFamily, string[]> = {
  [ProtonResourceFamily.ENVIRONMENT_TEMPLATE]: [
    // Template sync configs are keyed by their template.
    'proton:CreateTemplateSyncConfig',
    'proton:GetTemplateSyncConfig',
    'proton:UpdateTemplateSyncConfig',
    'proton:DeleteTemplateSyncConfig',
    'proton:CreateEnvironmentTemplateVersion',
    'proton:GetEnvironmentTemplateVersion',
    'proton:UpdateEnvironmentTemplateVersion',
    'proton:DeleteEnvironmentTemplateVersion',
  ],
  [ProtonResourceFamily.SERVICE_TEMPLATE]: [
    'proton:CreateTemplateSyncConfig',
    'proton:GetTemplateSyncConfig',
    'proton:UpdateTemplateSyncConfig',
    'proton:DeleteTemplateSyncConfig',
    'proton:CreateServiceTemplateVersion',
    'proton:GetServiceTemplateVersion',
    'proton:UpdateServiceTemplateVersion',
    'proton:DeleteServiceTemplateVersion',
  ],
  [ProtonResourceFamily.ENVIRONMENT]: [
    'proton:CreateEnvironment',
    'proton:GetEnvironment',
    'proton:UpdateEnvironment',
    'proton:DeleteEnvironment',
    'proton:CancelEnvironmentDeployment',
    'proton:ListEnvironmentOutputs',
  ],
  [ProtonResourceFamily.SERVICE]: [
    // Service sync configs are keyed by their service.
    'proton:CreateServiceSyncConfig',
    'proton:GetServiceSyncConfig',
    'proton:UpdateServiceSyncConfig',
    'proton:DeleteServiceSyncConfig',
    'proton:CreateService',
    'proton:GetService',
    'proton:UpdateService',
    'proton:DeleteService',
    'proton:ListServiceInstances',
    'proton:GetServiceInstance',
    'proton:UpdateServiceInstance',
    'proton:CancelServiceInstanceDeployment',
    'proton:ListServiceInstanceOutputs',
    'proton:UpdateServicePipeline',
    'proton:CancelServicePipelineDeployment',
    'proton:ListServicePipelineOutputs',
  ],
  [ProtonResourceFamily.REPOSITORY]: [
    'proton:CreateRepository',
    'proton:GetRepository',
    'proton:DeleteRepository',
  ],
  [ProtonResourceFamily.COMPONENT]: [
    'proton:CreateComponent',
    'proton:GetComponent',
    'proton:UpdateComponent',
    'proton:DeleteComponent',
    'proton:CancelComponentDeployment',
    'proton:ListComponentOutputs',
  ],
  [ProtonResourceFamily.ENVIRONMENT_ACCOUNT_CONNECTION]: [
    'proton:AcceptEnvironmentAccountConnection',
    'proton:GetEnvironmentAccountConnection',
  ],
};
export const TAG_ACTIONS = ['proton:TagResource', 'proton:UntagResource', 'proton:ListTagsForResource'];
