import { CustomResource, RemovalPolicy, Resource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { removalMode } from './internal/tags';
import { protonError } from './internal/validation';
import { RepositoryBranch } from './repositories';
import { AccountSettingsProperties, ResourceType } from '../custom-resources/contract';
import { PERMISSIONS } from '../custom-resources/permissions';
import { ProtonProvider } from '../custom-resources/provider';

/** Properties of Proton's account settings. */
export interface AccountSettingsProps {
  /**
   * The role Proton provisions service pipelines with (AWS-managed provisioning).
   * @default - none (cleared)
   */
  readonly pipelineServiceRole?: iam.IRole;
  /**
   * The role CodeBuild provisioning of service pipelines runs with.
   * @default - none (cleared)
   */
  readonly pipelineCodebuildRole?: iam.IRole;
  /**
   * The repository Proton opens pull requests in for self-managed pipeline provisioning.
   * @default - none (removed)
   */
  readonly pipelineProvisioningRepository?: RepositoryBranch;
  /**
   * `RETAIN` leaves the settings as they are when the resource leaves the stack; `DESTROY` restores
   * the settings found when it was created (Proton has no delete for account settings).
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

const MARKER = 'cdk-proton.AccountSettings';

/**
 * Proton's per-account (and region) settings for service pipelines, which Proton pipelines need.
 * On delete the settings found when the resource was created are restored. Declare it once per
 * account and region.
 */
export class AccountSettings extends Resource {
  constructor(scope: Construct, id: string, props: AccountSettingsProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const existing = stack.node.tryFindChild(MARKER);
    if (existing) {
      throw protonError(this, `the stack already declares Proton account settings at ${existing.node.path.replace(`/${MARKER}`, '')}: `
        + 'an account has one set, declare it once');
    }
    new Construct(stack, MARKER);

    const provider = ProtonProvider.of(this);
    provider._grantHandler(PERMISSIONS.ACCOUNT_SETTINGS);
    for (const role of [props.pipelineServiceRole, props.pipelineCodebuildRole]) {
      if (role) provider._grantPassRole(role.roleArn);
    }
    const properties: AccountSettingsProperties = {
      PipelineServiceRoleArn: props.pipelineServiceRole?.roleArn,
      PipelineCodebuildRoleArn: props.pipelineCodebuildRole?.roleArn,
      PipelineProvisioningRepository: props.pipelineProvisioningRepository,
      RemovalPolicy: removalMode(this, props.removalPolicy ?? RemovalPolicy.DESTROY),
    };
    new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: ResourceType.ACCOUNT_SETTINGS,
      properties: { ...properties },
    });
  }
}
