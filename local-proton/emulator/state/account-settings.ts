import { validationError } from '../errors';
import { EmulatorContext, Input, OperationHandler, ResourceFamily } from './context';

interface RepositoryBranch {
  readonly provider: string;
  readonly name: string;
  readonly branch: string;
}

/**
 * GetAccountSettings and UpdateAccountSettings: one set of settings per emulator (Proton keeps one per account and
 * region). UpdateAccountSettings API reference: `pipelineServiceRoleArn` ("To remove a previously configured ARN,
 * specify an empty string") and `pipelineCodebuildRoleArn` (its shape, RoleArnOrEmptyString, takes `""` too: cleared
 * the same way); `pipelineProvisioningRepository` "A linked repository ... registered with Proton" (user guide: "Link a
 * pipeline repository to AWS Proton before you can use it": a repository not linked with CreateRepository is a
 * ValidationException; any branch) answered as a RepositoryBranch with its ARN; `deletePipelineProvisioningRepository:
 * true` removes it ("Don't set this field if you are updating the configured pipeline repository": both together are a
 * ValidationException). Unlinking the repository later (DeleteRepository) leaves the setting as it is.
 */
export class AccountSettingsFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  private pipelineServiceRoleArn?: string;
  private pipelineCodebuildRoleArn?: string;
  private pipelineProvisioningRepository?: RepositoryBranch;

  constructor(private readonly ctx: EmulatorContext) {
    this.operations = {
      GetAccountSettings: () => ({ accountSettings: this.out() }),
      UpdateAccountSettings: input => this.update(input),
    };
    for (const op of Object.keys(this.operations)) {
      if (!ctx.model.operation(op)) throw new Error(`${op} is not an operation of the Proton model`);
    }
  }

  private update(input: Input) {
    if (input.deletePipelineProvisioningRepository === true && input.pipelineProvisioningRepository !== undefined) {
      throw validationError('Specify either pipelineProvisioningRepository (to set the repository) or '
        + 'deletePipelineProvisioningRepository (to remove it), not both');
    }
    const repo = input.pipelineProvisioningRepository;
    if (repo !== undefined) this.ctx.requireLinkedRepository(repo, 'pipelineProvisioningRepository');
    if (input.pipelineServiceRoleArn !== undefined) this.pipelineServiceRoleArn = input.pipelineServiceRoleArn || undefined;
    if (input.pipelineCodebuildRoleArn !== undefined) this.pipelineCodebuildRoleArn = input.pipelineCodebuildRoleArn || undefined;
    if (input.deletePipelineProvisioningRepository === true) this.pipelineProvisioningRepository = undefined;
    if (repo !== undefined) this.pipelineProvisioningRepository = { provider: repo.provider, name: repo.name, branch: repo.branch };
    return { accountSettings: this.out() };
  }

  /** Settings never set, or cleared, are absent from the answer. */
  private out() {
    const repo = this.pipelineProvisioningRepository;
    return {
      pipelineServiceRoleArn: this.pipelineServiceRoleArn,
      pipelineCodebuildRoleArn: this.pipelineCodebuildRoleArn,
      pipelineProvisioningRepository: repo && {
        ...repo,
        arn: this.ctx.repositoryArn(repo.provider, repo.name),
      },
    };
  }
}
