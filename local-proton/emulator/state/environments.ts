import { conflict, notFound, validationError } from '../errors';
import { OutputEntry } from '../faults';
import { declaredOutputKeys } from '../iac-outputs';
import { fingerprint } from '../idempotency';
import { checkInputs, parseEnvironmentSpec } from '../spec-inputs';
import { AccountConnectionFamily } from './account-connections';
import { EmulatorContext, Input, OperationHandler, ResourceFamily, paginate, paginateOutputs } from './context';
import { publishedVersion, targetVersion } from './deployments';
import { TemplateFamily, TemplateVersionView } from './templates';

type DeploymentStatus = 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED' | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED' | 'CANCELLING' | 'CANCELLED';

/** What a deployment deploys (the model's `EnvironmentState`). */
interface EnvironmentState {
  readonly spec: string;
  readonly templateMajorVersion: string;
  readonly templateMinorVersion: string;
}

interface Deployment {
  readonly id: string;
  readonly target: EnvironmentState;
  status: 'IN_PROGRESS' | 'CANCELLING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  /** Set when it succeeds. */
  outputs: OutputEntry[];
}

interface RepositoryBranch {
  readonly provider: string;
  readonly name: string;
  readonly branch: string;
}

interface EnvironmentRecord {
  readonly name: string;
  readonly arn: string;
  readonly templateName: string;
  /** CUSTOMER_MANAGED when the template is. */
  readonly provisioning?: string;
  description?: string;
  readonly createdAt: Date;
  /** Fingerprint of the create request, for Proton's token-less create idempotency. */
  readonly createParams: string;
  /** Changed by UpdateEnvironment since it was created: a repeated create is then a ConflictException. */
  modified: boolean;
  /** The state of the last deployment attempted (put back to the last successful one when a deployment is cancelled). */
  state: EnvironmentState;
  deploymentStatus: DeploymentStatus;
  deploymentStatusMessage?: string;
  lastDeploymentAttemptedAt: Date;
  lastDeploymentSucceededAt: Date;
  lastAttemptedDeploymentId?: string;
  lastSucceededDeploymentId?: string;
  protonServiceRoleArn?: string;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
  environmentAccountConnectionId?: string;
  provisioningRepository?: RepositoryBranch;
  readonly deployments: Map<string, Deployment>;
  /** The deployment IN_PROGRESS or CANCELLING, if any. */
  current?: Deployment;
}

/** The members of Create/UpdateEnvironment that say how Proton provisions. */
interface Provisioning {
  protonServiceRoleArn?: string;
  codebuildRoleArn?: string;
  environmentAccountConnectionId?: string;
  provisioningRepository?: RepositoryBranch;
}

/** What later families (services, components) may read of an environment. */
export interface EnvironmentView {
  readonly name: string;
  readonly arn: string;
  readonly templateName: string;
  readonly templateMajorVersion: string;
  readonly deploymentStatus: string;
  readonly componentRoleArn?: string;
  /** The environment account connection it is provisioned through, if any. */
  readonly environmentAccountConnectionId?: string;
  /** The `componentRoleArn` of that connection (Proton provisions components in the environment account with it). */
  readonly connectionComponentRoleArn?: string;
}

/**
 * Environments: CreateEnvironment, GetEnvironment, UpdateEnvironment, DeleteEnvironment, ListEnvironments,
 * ListEnvironmentOutputs, ListEnvironmentProvisionedResources, CancelEnvironmentDeployment. Deployments are
 * asynchronous (IN_PROGRESS for `timing.deploymentDelayMs`, then SUCCEEDED or FAILED), so are deletes
 * (DELETE_IN_PROGRESS for `timing.deleteDelayMs`) and cancellations (CANCELLING for `timing.cancelDelayMs`).
 * Outputs come from the `Outputs:` of the template version's CloudFormation infrastructure (or `output` blocks
 * of its Terraform files), with the value `<key>-<environment name>`, unless `faults.setOutputs` says otherwise.
 */
export class EnvironmentFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  private readonly environments = new Map<string, EnvironmentRecord>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly templates: TemplateFamily,
    private readonly connections: AccountConnectionFamily,
  ) {
    if (templates.kind !== 'environment') throw new Error('environments need the environment template family');
    this.operations = {
      CreateEnvironment: input => this.create(input),
      GetEnvironment: input => ({ environment: this.out(this.environment(input.name)) }),
      UpdateEnvironment: input => this.update(input),
      DeleteEnvironment: input => this.delete(input),
      ListEnvironments: input => this.list(input),
      ListEnvironmentOutputs: input => this.listOutputs(input),
      ListEnvironmentProvisionedResources: input => {
        this.environment(input.environmentName);
        return { provisionedResources: [] };
      },
      CancelEnvironmentDeployment: input => this.cancel(input),
    };
    for (const op of Object.keys(this.operations)) {
      if (!ctx.model.operation(op)) throw new Error(`${op} is not an operation of the Proton model`);
    }
    ctx.addInUseCheck(arn => this.usedBy(arn));
  }

  /** An environment by name (including one being deleted), for later families (services, components). */
  findEnvironment(name: string): EnvironmentView | undefined {
    const e = this.environments.get(name);
    if (!e) return undefined;
    return {
      name: e.name,
      arn: e.arn,
      templateName: e.templateName,
      templateMajorVersion: e.state.templateMajorVersion,
      deploymentStatus: e.deploymentStatus,
      componentRoleArn: e.componentRoleArn,
      environmentAccountConnectionId: e.environmentAccountConnectionId,
      connectionComponentRoleArn: e.environmentAccountConnectionId !== undefined
        ? this.connections.findConnection(e.environmentAccountConnectionId)?.componentRoleArn
        : undefined,
    };
  }

  // ---- create -------------------------------------------------------------------------------------

  private create(input: Input) {
    const params = fingerprint(input);
    const existing = this.environments.get(input.name);
    if (existing) {
      if (existing.deploymentStatus === 'DELETE_IN_PROGRESS') {
        throw conflict(`Environment ${existing.name} is being deleted (DELETE_IN_PROGRESS): wait until it is gone before creating it again`);
      }
      // "Idempotent create APIs" (API reference, Ensuring Idempotency).
      if (existing.createParams !== params) {
        throw validationError(`IdempotentParameterMismatch: environment ${existing.name} already exists and was created with different parameters`);
      }
      if (existing.modified) throw conflict(`Environment ${existing.name} already exists and was updated after it was created`);
      return { environment: this.out(existing) };
    }

    const template = this.templates.findTemplate(input.templateName);
    if (!template) throw notFound(`The environment template ${input.templateName} was not found`);
    const version = publishedVersion(this.templates, input.templateName, input.templateMajorVersion, input.templateMinorVersion);
    const customerManaged = template.provisioning === 'CUSTOMER_MANAGED';
    const provisioning: Provisioning = {
      protonServiceRoleArn: input.protonServiceRoleArn,
      codebuildRoleArn: input.codebuildRoleArn,
      environmentAccountConnectionId: input.environmentAccountConnectionId,
      provisioningRepository: input.provisioningRepository,
    };
    this.checkProvisioning(provisioning, customerManaged);
    if (provisioning.provisioningRepository) this.ctx.requireLinkedRepository(provisioning.provisioningRepository, 'provisioningRepository');
    if (provisioning.environmentAccountConnectionId !== undefined) this.usableConnection(provisioning.environmentAccountConnectionId, input.name);
    this.checkSpec(input.spec, version);
    this.ctx.tags.validate(input.tags);

    const now = this.ctx.now();
    const env: EnvironmentRecord = {
      name: input.name,
      arn: this.ctx.arn(`environment/${input.name}`),
      templateName: input.templateName,
      provisioning: customerManaged ? 'CUSTOMER_MANAGED' : undefined,
      description: input.description,
      createdAt: now,
      createParams: params,
      modified: false,
      state: { spec: input.spec, templateMajorVersion: version.majorVersion, templateMinorVersion: version.minorVersion },
      deploymentStatus: 'IN_PROGRESS',
      // Both are required members of Environment: until a deployment succeeds they are the creation time.
      lastDeploymentAttemptedAt: now,
      lastDeploymentSucceededAt: now,
      ...copyProvisioning(provisioning),
      componentRoleArn: input.componentRoleArn,
      deployments: new Map(),
    };
    this.environments.set(env.name, env);
    this.ctx.tags.register(env.arn, input.tags);
    this.ctx.deletions.forget(env.arn);
    this.deploy(env, env.state);
    return { environment: this.out(env) };
  }

  // ---- update -------------------------------------------------------------------------------------

  private update(input: Input) {
    const env = this.environment(input.name);
    if (env.deploymentStatus === 'DELETE_IN_PROGRESS') {
      throw conflict(`Environment ${env.name} is being deleted (DELETE_IN_PROGRESS) and can't be updated`);
    }
    const deploying = input.deploymentType !== 'NONE';
    if (deploying && env.current) {
      throw conflict(`Environment ${env.name} has a deployment ${env.deploymentStatus} (${env.current.id}): `
        + 'wait until it completes, or cancel it, before deploying again');
    }
    const provisioning = this.updatedProvisioning(env, input);

    let target: EnvironmentState | undefined;
    if (deploying) {
      const version = targetVersion(this.templates, env.templateName, `environment ${env.name}`, env.state, input);
      const spec: string = input.spec ?? env.state.spec;
      this.checkSpec(spec, version);
      target = { spec, templateMajorVersion: version.majorVersion, templateMinorVersion: version.minorVersion };
      // (A connection named in this request was checked above; the one the environment has may be gone since.)
      const problem = this.connectionProblem({ ...env, ...provisioning });
      if (problem) throw validationError(problem);
    }

    // Everything checked: apply. (NONE: "a deployment doesn't occur. Only the requested metadata parameters are
    // updated": a spec or version numbers sent with NONE are not used.)
    Object.assign(env, copyProvisioning(provisioning));
    if (input.description !== undefined) env.description = input.description;
    if (input.componentRoleArn !== undefined) env.componentRoleArn = input.componentRoleArn;
    env.modified = true;
    if (target) this.deploy(env, target);
    return { environment: this.out(env) };
  }

  /**
   * The provisioning members after an update (UpdateEnvironment API reference): the account connection or the
   * service role, not both; an environment with a connection takes no protonServiceRoleArn or
   * provisioningRepository, one without takes no environmentAccountConnectionId; an environment that wasn't
   * provisioned by pull request takes no provisioningRepository.
   */
  private updatedProvisioning(env: EnvironmentRecord, input: Input): Provisioning {
    if (input.environmentAccountConnectionId !== undefined && input.protonServiceRoleArn !== undefined) {
      throw validationError('You can update either environmentAccountConnectionId or protonServiceRoleArn, not both');
    }
    if (env.environmentAccountConnectionId !== undefined) {
      if (input.protonServiceRoleArn !== undefined || input.provisioningRepository !== undefined) {
        throw validationError(`Environment ${env.name} is provisioned through environment account connection ${env.environmentAccountConnectionId}: `
          + 'don\'t include protonServiceRoleArn or provisioningRepository');
      }
    } else if (input.environmentAccountConnectionId !== undefined) {
      throw validationError(`Environment ${env.name} isn't associated with an environment account connection: don't include environmentAccountConnectionId`);
    }
    if (env.provisioningRepository === undefined && input.provisioningRepository !== undefined) {
      throw validationError(`Environment ${env.name} wasn't provisioned with pull request provisioning: omit provisioningRepository`);
    }
    if (env.provisioningRepository !== undefined && input.protonServiceRoleArn !== undefined) {
      throw validationError(`Environment ${env.name} is provisioned by pull request: omit protonServiceRoleArn`);
    }
    if (input.codebuildRoleArn !== undefined && (input.environmentAccountConnectionId ?? env.environmentAccountConnectionId) !== undefined) {
      throw validationError(`Environment ${env.name} is provisioned through an environment account connection: `
        + 'Proton uses the codebuildRoleArn of the connection, don\'t include codebuildRoleArn');
    }
    if (input.environmentAccountConnectionId !== undefined && input.environmentAccountConnectionId !== env.environmentAccountConnectionId) {
      this.usableConnection(input.environmentAccountConnectionId, env.name);
    }
    if (input.provisioningRepository !== undefined) this.ctx.requireLinkedRepository(input.provisioningRepository, 'provisioningRepository');
    return {
      protonServiceRoleArn: input.protonServiceRoleArn ?? env.protonServiceRoleArn,
      codebuildRoleArn: input.codebuildRoleArn ?? env.codebuildRoleArn,
      environmentAccountConnectionId: input.environmentAccountConnectionId ?? env.environmentAccountConnectionId,
      provisioningRepository: input.provisioningRepository ?? env.provisioningRepository,
    };
  }

  // ---- deployments --------------------------------------------------------------------------------

  /**
   * Starts a deployment of `target`: the environment shows it at once (spec and version of the attempt) and is
   * IN_PROGRESS; after `timing.deploymentDelayMs` it is SUCCEEDED, or FAILED with the message of
   * `faults.failDeployment` (the spec and version stay those of the attempt; the outputs stay those of the last
   * successful deployment).
   */
  private deploy(env: EnvironmentRecord, target: EnvironmentState): void {
    const d: Deployment = { id: this.ctx.uuid(), target, status: 'IN_PROGRESS', outputs: [] };
    env.deployments.set(d.id, d);
    env.current = d;
    env.state = target;
    env.deploymentStatus = 'IN_PROGRESS';
    env.deploymentStatusMessage = undefined;
    env.lastDeploymentAttemptedAt = this.ctx.now();
    env.lastAttemptedDeploymentId = d.id;
    this.ctx.scheduler.after(this.ctx.delayMs('deploymentDelayMs', env.name), () => this.completeDeployment(env, d));
  }

  private completeDeployment(env: EnvironmentRecord, d: Deployment): void {
    // Also while CANCELLING: "If the current UpdateEnvironment action succeeds before the cancellation attempt starts,
    // the resulting deployment state is SUCCEEDED and the cancellation attempt has no effect" (CancelEnvironmentDeployment).
    if (this.environments.get(env.name) !== env || env.current !== d || (d.status !== 'IN_PROGRESS' && d.status !== 'CANCELLING')) return;
    env.current = undefined;
    const failure = this.ctx.faults.takeDeploymentFailure(env.name) ?? this.connectionProblem(env);
    if (failure !== undefined) {
      d.status = 'FAILED';
      env.deploymentStatus = 'FAILED';
      env.deploymentStatusMessage = failure;
      this.ctx.ended('deployment', env.name, 'FAILED');
      return;
    }
    d.status = 'SUCCEEDED';
    d.outputs = this.outputsOf(env, d.target);
    env.deploymentStatus = 'SUCCEEDED';
    env.lastDeploymentSucceededAt = this.ctx.now();
    env.lastSucceededDeploymentId = d.id;
    this.ctx.ended('deployment', env.name, 'SUCCEEDED');
  }

  /**
   * CancelEnvironmentDeployment (API reference): only a deployment IN_PROGRESS; CANCELLING, then after
   * `timing.cancelDelayMs` CANCELLED (the environment is back to the spec and version of its last successful
   * deployment), or FAILED when `faults.failCancellation` says the cancellation fails.
   */
  private cancel(input: Input) {
    const env = this.environment(input.environmentName);
    const d = env.current;
    if (env.deploymentStatus === 'CANCELLING' || env.deploymentStatus === 'DELETE_IN_PROGRESS') {
      throw conflict(`Environment ${env.name} is ${env.deploymentStatus}: there is no deployment to cancel`);
    }
    if (!d || d.status !== 'IN_PROGRESS') {
      throw validationError(`Environment ${env.name} has no deployment IN_PROGRESS to cancel (deployment status ${env.deploymentStatus})`);
    }
    d.status = 'CANCELLING';
    env.deploymentStatus = 'CANCELLING';
    this.ctx.scheduler.after(this.ctx.delayMs('cancelDelayMs', env.name), () => this.completeCancellation(env, d));
    return { environment: this.out(env) };
  }

  private completeCancellation(env: EnvironmentRecord, d: Deployment): void {
    if (this.environments.get(env.name) !== env || env.current !== d || d.status !== 'CANCELLING') return;
    env.current = undefined;
    const failure = this.ctx.faults.takeCancellationFailure(env.name);
    if (failure !== undefined) {
      d.status = 'FAILED';
      env.deploymentStatus = 'FAILED';
      env.deploymentStatusMessage = failure;
      this.ctx.ended('cancellation', env.name, 'FAILED');
      return;
    }
    d.status = 'CANCELLED';
    env.deploymentStatus = 'CANCELLED';
    env.deploymentStatusMessage = 'The deployment was cancelled';
    const succeeded = env.lastSucceededDeploymentId ? env.deployments.get(env.lastSucceededDeploymentId) : undefined;
    if (succeeded) env.state = succeeded.target;
    this.ctx.ended('cancellation', env.name, 'CANCELLED');
  }

  /** The outputs of a successful deployment of `target`. */
  private outputsOf(env: EnvironmentRecord, target: EnvironmentState): OutputEntry[] {
    const override = this.ctx.faults.outputsOverride(env.name);
    if (override) return override;
    if (env.provisioning === 'CUSTOMER_MANAGED') {
      // Customer-managed environments (user guide): "you're responsible for providing the same outputs to AWS
      // Proton that would have been created": the spec's inputs are the outputs.
      const inputs = parseEnvironmentSpec(target.spec);
      return Object.entries(inputs).map(([key, value]) => ({ key, valueString: typeof value === 'string' ? value : JSON.stringify(value) }));
    }
    const version = this.templates.findVersion(env.templateName, target.templateMajorVersion, target.templateMinorVersion);
    const keys = version?.files ? declaredOutputKeys(version.files, 'infrastructure') : [];
    return keys.map(key => ({ key, valueString: `${key}-${env.name}`.slice(0, 1024) }));
  }

  private listOutputs(input: Input) {
    const env = this.environment(input.environmentName);
    let outputs: OutputEntry[] = [];
    if (input.deploymentId !== undefined) {
      const d = env.deployments.get(input.deploymentId);
      if (!d) throw notFound(`The deployment ${input.deploymentId} of environment ${env.name} was not found`);
      outputs = d.status === 'SUCCEEDED' ? d.outputs : [];
    } else if (env.lastSucceededDeploymentId) {
      outputs = env.deployments.get(env.lastSucceededDeploymentId)!.outputs;
    }
    const { page, nextToken } = paginateOutputs(outputs, input, this.ctx.faults.outputsPageSize);
    return { outputs: page, nextToken };
  }

  // ---- delete -------------------------------------------------------------------------------------

  /**
   * Asynchronous: DELETE_IN_PROGRESS, then gone after `timing.deleteDelayMs` (or DELETE_FAILED with the message
   * of `faults.failDeletion`). "Asynchronous idempotent delete APIs" (API reference, Ensuring Idempotency): a
   * retry while DELETE_IN_PROGRESS answers the environment, once it is gone an empty response.
   */
  private delete(input: Input) {
    const env = this.environments.get(input.name);
    if (!env) {
      if (this.ctx.deletions.wasDeleted(this.ctx.arn(`environment/${input.name}`))) return {};
      throw this.notFound(input.name);
    }
    if (env.deploymentStatus === 'DELETE_IN_PROGRESS') return { environment: this.out(env) };
    if (env.current) {
      throw conflict(`Environment ${env.name} has a deployment ${env.deploymentStatus}: wait until it completes, or cancel it, before deleting it`);
    }
    // User guide, "Delete an environment": "You can't delete an environment that has any associated component";
    // "Don't delete an environment if services or service instances are deployed to the environment".
    const using = this.ctx.environmentInUse(env.name);
    if (using) throw conflict(`Environment ${env.name} can't be deleted while it is in use: ${using}`);
    env.deploymentStatus = 'DELETE_IN_PROGRESS';
    env.deploymentStatusMessage = undefined;
    this.ctx.scheduler.after(this.ctx.delayMs('deleteDelayMs', env.name), () => this.completeDeletion(env));
    return { environment: this.out(env) };
  }

  private completeDeletion(env: EnvironmentRecord): void {
    if (this.environments.get(env.name) !== env || env.deploymentStatus !== 'DELETE_IN_PROGRESS') return;
    const failure = this.ctx.faults.takeDeletionFailure(env.name) ?? this.connectionProblem(env);
    if (failure !== undefined) {
      env.deploymentStatus = 'DELETE_FAILED';
      env.deploymentStatusMessage = failure;
      this.ctx.ended('deletion', env.name, 'DELETE_FAILED');
      return;
    }
    this.ctx.ended('deletion', env.name, 'DELETED');
    this.environments.delete(env.name);
    this.ctx.tags.forget(env.arn);
    this.ctx.deletions.remember(env.arn);
  }

  // ---- list ---------------------------------------------------------------------------------------

  private list(input: Input) {
    const filters: Array<{ templateName: string; majorVersion: string }> = input.environmentTemplates ?? [];
    const all = [...this.environments.values()]
      .filter(e => filters.length === 0
        || filters.some(f => f.templateName === e.templateName && f.majorVersion === e.state.templateMajorVersion))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, input);
    return { environments: page.map(e => this.out(e)), nextToken };
  }

  // ---- checks -------------------------------------------------------------------------------------

  private checkSpec(spec: string, version: TemplateVersionView): void {
    const inputs = parseEnvironmentSpec(spec);
    checkInputs(inputs, version.parsedSchema, 'environment_input_type',
      `environment template ${version.templateName} version ${version.majorVersion}.${version.minorVersion}`);
  }

  /**
   * CreateEnvironment API reference: AWS-managed provisioning takes environmentAccountConnectionId or
   * protonServiceRoleArn and no provisioningRepository; self-managed provisioning takes provisioningRepository
   * and neither of those; CodeBuild-based provisioning takes environmentAccountConnectionId or codebuildRoleArn
   * (so codebuildRoleArn may accompany protonServiceRoleArn). At least one is needed; a customer-managed
   * template takes none (Proton provisions nothing; emulator decision, the reference does not say).
   */
  private checkProvisioning(p: Provisioning, customerManaged: boolean): void {
    const given = Object.entries(p).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (customerManaged) {
      if (given.length > 0) {
        throw validationError('The environment template is customer managed (provisioning CUSTOMER_MANAGED): Proton provisions nothing, '
          + `don't include ${given.join(', ')}`);
      }
      return;
    }
    if (given.length === 0) {
      throw validationError('Specify how Proton provisions the environment: protonServiceRoleArn or environmentAccountConnectionId '
        + '(AWS-managed), codebuildRoleArn (CodeBuild-based), or provisioningRepository (self-managed)');
    }
    if (p.environmentAccountConnectionId !== undefined && p.protonServiceRoleArn !== undefined) {
      throw validationError('Specify either environmentAccountConnectionId or protonServiceRoleArn, not both');
    }
    if (p.environmentAccountConnectionId !== undefined && p.codebuildRoleArn !== undefined) {
      throw validationError('Specify either environmentAccountConnectionId or codebuildRoleArn, not both: '
        + 'with a connection Proton uses the codebuildRoleArn of the connection');
    }
    if (p.provisioningRepository !== undefined && given.length > 1) {
      throw validationError('provisioningRepository (self-managed provisioning) excludes environmentAccountConnectionId, '
        + 'protonServiceRoleArn and codebuildRoleArn');
    }
  }

  /** An environment may use a connection that exists, is CONNECTED and names it. */
  private usableConnection(id: string, environmentName: string): void {
    const c = this.connections.findConnection(id);
    if (!c) throw notFound(`The environment account connection ${id} was not found`);
    if (c.status !== 'CONNECTED') {
      throw validationError(`Environment account connection ${id} is ${c.status}: only a CONNECTED (accepted) connection can be used`);
    }
    if (c.environmentName !== environmentName) {
      throw validationError(`Environment account connection ${id} is for environment ${c.environmentName}, not ${environmentName}`);
    }
  }

  /**
   * Why Proton can't reach the environment's infrastructure: its account connection was deleted
   * (DeleteEnvironmentAccountConnection API reference: Proton "can't manage the environment infrastructure
   * resources until a new environment account connection is accepted").
   */
  private connectionProblem(env: { readonly environmentAccountConnectionId?: string }): string | undefined {
    const id = env.environmentAccountConnectionId;
    if (id === undefined || this.connections.findConnection(id)?.status === 'CONNECTED') return undefined;
    return `Environment account connection ${id} no longer exists or isn't CONNECTED: Proton can't manage the environment's `
      + 'infrastructure until a new connection is accepted and set with UpdateEnvironment';
  }

  /** In-use check: template versions (and templates) the environments use, and their account connections. */
  private usedBy(arn: string): string | undefined {
    for (const env of this.environments.values()) {
      const states = [env.state];
      const succeeded = env.lastSucceededDeploymentId ? env.deployments.get(env.lastSucceededDeploymentId) : undefined;
      if (succeeded) states.push(succeeded.target);
      const templateArn = this.ctx.arn(`environment-template/${env.templateName}`);
      if (arn === templateArn || states.some(s => arn === `${templateArn}:${s.templateMajorVersion}.${s.templateMinorVersion}`)) {
        return `environment '${env.name}' uses it`;
      }
      if (env.environmentAccountConnectionId !== undefined && arn === this.connections.connectionArn(env.environmentAccountConnectionId)) {
        return `environment '${env.name}' is connected to it`;
      }
    }
    return undefined;
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private environment(name: string): EnvironmentRecord {
    const env = this.environments.get(name);
    if (!env) throw this.notFound(name);
    return env;
  }

  private notFound(name: string) {
    return notFound(`The environment ${name} was not found`);
  }

  /** One object for Get and List: the model's output shape keeps the members it has (List drops spec). */
  private out(env: EnvironmentRecord) {
    const repo = env.provisioningRepository;
    return {
      arn: env.arn,
      name: env.name,
      description: env.description,
      templateName: env.templateName,
      templateMajorVersion: env.state.templateMajorVersion,
      templateMinorVersion: env.state.templateMinorVersion,
      spec: env.state.spec,
      provisioning: env.provisioning,
      deploymentStatus: env.deploymentStatus,
      deploymentStatusMessage: env.deploymentStatusMessage,
      createdAt: env.createdAt,
      lastDeploymentAttemptedAt: env.lastDeploymentAttemptedAt,
      lastDeploymentSucceededAt: env.lastDeploymentSucceededAt,
      lastAttemptedDeploymentId: env.lastAttemptedDeploymentId,
      lastSucceededDeploymentId: env.lastSucceededDeploymentId,
      protonServiceRoleArn: env.protonServiceRoleArn,
      codebuildRoleArn: env.codebuildRoleArn,
      componentRoleArn: env.componentRoleArn,
      environmentAccountConnectionId: env.environmentAccountConnectionId,
      environmentAccountId: env.environmentAccountConnectionId !== undefined
        ? this.connections.findConnection(env.environmentAccountConnectionId)?.environmentAccountId ?? this.ctx.accountId
        : undefined,
      provisioningRepository: repo && {
        ...repo,
        arn: this.ctx.repositoryArn(repo.provider, repo.name),
      },
    };
  }
}

function copyProvisioning(p: Provisioning): Provisioning {
  return {
    protonServiceRoleArn: p.protonServiceRoleArn,
    codebuildRoleArn: p.codebuildRoleArn,
    environmentAccountConnectionId: p.environmentAccountConnectionId,
    provisioningRepository: p.provisioningRepository && {
      provider: p.provisioningRepository.provider, name: p.provisioningRepository.name, branch: p.provisioningRepository.branch,
    },
  };
}
