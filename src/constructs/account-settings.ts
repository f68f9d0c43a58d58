import { RemovalPolicy, Resource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { protonResource } from './internal/proton-resource';
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

    protonResource<AccountSettingsProperties>(this, {
      resourceType: ResourceType.ACCOUNT_SETTINGS,
      permissions: PERMISSIONS.ACCOUNT_SETTINGS,
      properties: {
        PipelineServiceRoleArn: props.pipelineServiceRole?.roleArn,
        PipelineCodebuildRoleArn: props.pipelineCodebuildRole?.roleArn,
        PipelineProvisioningRepository: props.pipelineProvisioningRepository,
        RemovalPolicy: props.removalPolicy,
      },
      // CloudFormation sends every delete: the handler restores the settings found at create or, with RETAIN, leaves them.
      applyRemovalPolicy: false,
    });
    for (const role of [props.pipelineServiceRole, props.pipelineCodebuildRole]) {
      if (role) ProtonProvider.of(this)._grantPassRole(role.roleArn);
    }
  }
}
