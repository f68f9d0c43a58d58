import { conflict, notFound, quotaExceeded, validationError } from '../errors';
import { OutputEntry } from '../faults';
import { declaredOutputKeys } from '../iac-outputs';
import { fingerprint } from '../idempotency';
import { ServiceSpecInstance, checkInputs, parseServiceSpec } from '../spec-inputs';
import { EmulatorContext, Input, OperationHandler, ResourceFamily, paginate, paginateOutputs } from './context';
import { DeploymentTarget, DeploymentTrack, publishedVersion, targetVersion } from './deployments';
import { EnvironmentFamily, EnvironmentView } from './environments';
import { TemplateFamily, TemplateVersionView } from './templates';

/** Proton's quota of service instances per service ("AWS Proton endpoints and quotas", AWS General Reference). */
export const MAX_INSTANCES_PER_SERVICE = 20;

/**
 * The name the `faults` (`failDeployment`, `failCancellation`, `failDeletion`, `setOutputs`) know service instance
 * `instanceName` of service `serviceName` by: `<service>/<instance>`. (`/` is not allowed in resource names, so the key
 * can't be taken for an environment's.)
 */
export function serviceInstanceKey(serviceName: string, instanceName: string): string {
  return `${serviceName}/${instanceName}`;
}

/**
 * The name the `faults` know the pipeline of service `serviceName` by: `<service>:pipeline`. (Not `<service>/pipeline`,
 * which would be the key of an instance named `pipeline`: `:` is allowed in no resource name.)
 */
export function servicePipelineKey(serviceName: string): string {
  return `${serviceName}:pipeline`;
}

/** The model's ServiceStatus values the emulator uses (the *_CLEANUP_IN_PROGRESS and CREATE_FAILED_CLEANUP_* ones are not). */
type ServiceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_FAILED' | 'ACTIVE' | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_FAILED' | 'UPDATE_COMPLETE_CLEANUP_FAILED';

interface InstanceRecord {
  readonly name: string;
  readonly serviceName: string;
  readonly arn: string;
  readonly environmentName: string;
  readonly createdAt: Date;
  readonly track: DeploymentTrack;
  lastClientRequestToken?: string;
}

interface PipelineRecord {
  readonly arn: string;
  readonly createdAt: Date;
  readonly track: DeploymentTrack;
}

/** A CreateService or UpdateService under way: the service is ACTIVE (or *_FAILED) once every part of it has ended. */
interface Workflow {
  readonly kind: 'CREATE' | 'UPDATE';
  /** The deployments it started (instances, pipeline). */
  readonly deploying: readonly DeploymentTrack[];
  /** The instances it removes (UpdateService). */
  readonly removing: readonly InstanceRecord[];
}

interface ServiceRecord {
  readonly name: string;
  readonly arn: string;
  readonly templateName: string;
  /** The version CreateService resolved: instances added later without version numbers get it too. */
  readonly templateMajorVersion: string;
  readonly templateMinorVersion: string;
  readonly hasPipeline: boolean;
  description?: string;
  /** The last spec given to CreateService or UpdateService. */
  spec: string;
  status: ServiceStatus;
  statusMessage?: string;
  readonly createdAt: Date;
  lastModifiedAt: Date;
  readonly repositoryConnectionArn?: string;
  readonly repositoryId?: string;
  readonly branchName?: string;
  /** Fingerprint of the create request, for Proton's token-less create idempotency. */
  readonly createParams: string;
  /** Changed since it was created (UpdateService, an instance or the pipeline created or updated): a repeated create is a ConflictException. */
  modified: boolean;
  /** In creation order. */
  readonly instances: Map<string, InstanceRecord>;
  pipeline?: PipelineRecord;
  workflow?: Workflow;
}

/** What later families (sync configs) may read of a service. */
export interface ServiceView {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  /** In creation order. */
  readonly instanceNames: readonly string[];
}

/** What later families (components) may read of a service instance. */
export interface ServiceInstanceView {
  readonly name: string;
  readonly serviceName: string;
  readonly arn: string;
  readonly environmentName: string;
  readonly templateName: string;
  readonly templateMajorVersion: string;
  readonly templateMinorVersion: string;
  readonly deploymentStatus: string;
  /** A deployment of the instance is IN_PROGRESS or CANCELLING. */
  readonly deploying: boolean;
  /** The `supportedComponentSources` of the service template version it shows. */
  readonly supportedComponentSources: readonly string[];
}

const INSTANCE_FILTERS = [
  'name', 'deploymentStatus', 'templateName', 'serviceName', 'deployedTemplateVersionStatus', 'environmentName',
  'lastDeploymentAttemptedAtBefore', 'lastDeploymentAttemptedAtAfter', 'createdAtBefore', 'createdAtAfter',
] as const;

/**
 * Services with their instances and pipeline: CreateService, GetService, UpdateService, DeleteService, ListServices;
 * CreateServiceInstance, GetServiceInstance, UpdateServiceInstance, ListServiceInstances,
 * CancelServiceInstanceDeployment, ListServiceInstanceOutputs, ListServiceInstanceProvisionedResources;
 * UpdateServicePipeline, CancelServicePipelineDeployment, ListServicePipelineOutputs,
 * ListServicePipelineProvisionedResources. Instances and the pipeline deploy like environments (`DeploymentTrack`),
 * services and removed instances are deleted asynchronously (`timing.deleteDelayMs`). See README, "Services".
 */
export class ServiceFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  private readonly services = new Map<string, ServiceRecord>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly templates: TemplateFamily,
    private readonly environments: EnvironmentFamily,
  ) {
    if (templates.kind !== 'service') throw new Error('services need the service template family');
    this.operations = {
      CreateService: input => this.create(input),
      GetService: input => ({ service: this.out(this.service(input.name)) }),
      UpdateService: input => this.update(input),
      DeleteService: input => this.delete(input),
      ListServices: input => this.list(input),
      CreateServiceInstance: input => this.createInstance(input),
      GetServiceInstance: input => ({ serviceInstance: this.instanceOut(this.instance(input.serviceName, input.name)) }),
      UpdateServiceInstance: input => this.updateInstance(input),
      ListServiceInstances: input => this.listInstances(input),
      CancelServiceInstanceDeployment: input => this.cancelInstance(input),
      ListServiceInstanceOutputs: input => {
        const inst = this.instance(input.serviceName, input.serviceInstanceName);
        const { page, nextToken } = paginateOutputs(inst.track.outputs(input.deploymentId), input, this.ctx.faults.outputsPageSize);
        return { outputs: page, nextToken };
      },
      ListServiceInstanceProvisionedResources: input => {
        this.instance(input.serviceName, input.serviceInstanceName);
        return { provisionedResources: [] };
      },
      UpdateServicePipeline: input => this.updatePipeline(input),
      CancelServicePipelineDeployment: input => this.cancelPipeline(input),
      ListServicePipelineOutputs: input => {
        const pipeline = this.pipeline(this.service(input.serviceName));
        const { page, nextToken } = paginateOutputs(pipeline.track.outputs(input.deploymentId), input, this.ctx.faults.outputsPageSize);
        return { outputs: page, nextToken };
      },
      ListServicePipelineProvisionedResources: input => {
        this.pipeline(this.service(input.serviceName));
        return { provisionedResources: [] };
      },
    };
    for (const op of Object.keys(this.operations)) {
      if (!ctx.model.operation(op)) throw new Error(`${op} is not an operation of the Proton model`);
    }
    ctx.addInUseCheck(arn => this.versionUsedBy(arn));
    ctx.addEnvironmentInUseCheck(name => this.environmentUsedBy(name));
  }

  /** A service (including one being deleted), for later families (sync configs). */
  findService(name: string): ServiceView | undefined {
    const svc = this.services.get(name);
    return svc && { name: svc.name, arn: svc.arn, status: svc.status, instanceNames: [...svc.instances.keys()] };
  }

  /** A service instance (including one being deleted), for later families (components). */
  findServiceInstance(serviceName: string, instanceName: string): ServiceInstanceView | undefined {
    const svc = this.services.get(serviceName);
    const inst = svc?.instances.get(instanceName);
    if (!svc || !inst) return undefined;
    const { templateMajorVersion, templateMinorVersion } = inst.track.state;
    return {
      name: inst.name,
      serviceName: svc.name,
      arn: inst.arn,
      environmentName: inst.environmentName,
      templateName: svc.templateName,
      templateMajorVersion,
      templateMinorVersion,
      deploymentStatus: inst.track.status,
      deploying: inst.track.busy,
      supportedComponentSources: this.templates.findVersion(svc.templateName, templateMajorVersion, templateMinorVersion)
        ?.supportedComponentSources ?? [],
    };
  }

  // ---- services -----------------------------------------------------------------------------------

  /**
   * CreateService (API reference): a PUBLISHED version; the repository members only, and all of them, when the
   * template includes a pipeline; instances in existing environments whose template and major version the version
   * lists as compatible; inputs checked against `service_input_type` / `pipeline_input_type`.
   */
  private create(input: Input) {
    const params = fingerprint(input);
    const existing = this.services.get(input.name);
    if (existing) {
      if (existing.status === 'DELETE_IN_PROGRESS') {
        throw conflict(`Service ${existing.name} is being deleted (DELETE_IN_PROGRESS): wait until it is gone before creating it again`);
      }
      // "Idempotent create APIs" (API reference, Ensuring Idempotency).
      if (existing.createParams !== params) {
        throw validationError(`IdempotentParameterMismatch: service ${existing.name} already exists and was created with different parameters`);
      }
      if (existing.modified) throw conflict(`Service ${existing.name} already exists and was modified after it was created`);
      return { service: this.out(existing) };
    }

    const template = this.templates.findTemplate(input.templateName);
    if (!template) throw notFound(`The service template ${input.templateName} was not found`);
    const version = publishedVersion(this.templates, input.templateName, input.templateMajorVersion, input.templateMinorVersion);
    const versionId = `${version.templateName}:${version.majorVersion}.${version.minorVersion}`;
    const hasPipeline = template.provisioning !== 'CUSTOMER_MANAGED'
      && [...version.files?.keys() ?? []].some(f => f.startsWith('pipeline_infrastructure/'));
    this.checkRepository(input, hasPipeline, versionId);

    const doc = parseServiceSpec(input.spec);
    if (!hasPipeline && doc.pipeline !== undefined) {
      throw validationError(`Don't include pipeline inputs in the spec: service template version ${versionId} doesn't include a service pipeline`);
    }
    this.checkInstanceList(doc.instances, input.name);
    for (const entry of doc.instances) this.checkNewInstance(entry, version);
    if (hasPipeline) {
      checkInputs(doc.pipeline ?? {}, version.parsedSchema, 'pipeline_input_type', `pipeline of service template version ${versionId}`);
    }
    this.ctx.tags.validate(input.tags);

    const now = this.ctx.now();
    const target: DeploymentTarget = { spec: input.spec, templateMajorVersion: version.majorVersion, templateMinorVersion: version.minorVersion };
    const svc: ServiceRecord = {
      name: input.name,
      arn: this.ctx.arn(`service/${input.name}`),
      templateName: input.templateName,
      templateMajorVersion: version.majorVersion,
      templateMinorVersion: version.minorVersion,
      hasPipeline,
      description: input.description,
      spec: input.spec,
      status: 'CREATE_IN_PROGRESS',
      createdAt: now,
      lastModifiedAt: now,
      repositoryConnectionArn: input.repositoryConnectionArn,
      repositoryId: input.repositoryId,
      branchName: input.branchName,
      createParams: params,
      modified: false,
      instances: new Map(),
    };
    for (const entry of doc.instances) this.addInstance(svc, entry.name, entry.environment, target, now);
    if (hasPipeline) {
      const arn = this.ctx.arn(`service/${svc.name}/pipeline`);
      const track = new DeploymentTrack(this.ctx, servicePipelineKey(svc.name), `pipeline of service ${svc.name}`,
        t => this.outputsOf(svc, 'pipeline_infrastructure', 'pipeline', t), target, now);
      svc.pipeline = { arn, createdAt: now, track };
      this.ctx.tags.register(arn);
    }
    this.services.set(svc.name, svc);
    this.ctx.tags.register(svc.arn, input.tags);
    this.ctx.deletions.forget(svc.arn);
    this.startWorkflow(svc, 'CREATE', [...svc.instances.values()].map(i => ({ track: i.track, target })).concat(
      svc.pipeline ? [{ track: svc.pipeline.track, target }] : []), []);
    return { service: this.out(svc) };
  }

  /**
   * UpdateService (API reference): `description`, and a `spec` that lists "the service instances to add and the
   * existing service instances to remain". Added instances deploy (with the version the service was created with),
   * omitted ones are deleted; edits of the inputs of an existing instance or of the pipeline are not applied
   * ("Existing service instances and the service pipeline can't be edited using this API": UpdateServiceInstance and
   * UpdateServicePipeline do that), moving an existing instance to another environment is a ValidationException.
   */
  private update(input: Input) {
    const svc = this.service(input.name);
    this.checkNotBusy(svc, 'updated');
    let plan: { added: ServiceSpecInstance[]; removed: InstanceRecord[] } | undefined;
    if (input.spec !== undefined) plan = this.planUpdate(svc, input.spec);

    if (input.description !== undefined) svc.description = input.description;
    svc.modified = true;
    svc.lastModifiedAt = this.ctx.now();
    if (plan) {
      svc.spec = input.spec;
      const target: DeploymentTarget = {
        spec: input.spec, templateMajorVersion: svc.templateMajorVersion, templateMinorVersion: svc.templateMinorVersion,
      };
      const added = plan.added.map(entry => this.addInstance(svc, entry.name, entry.environment, target, svc.lastModifiedAt));
      this.startWorkflow(svc, 'UPDATE', added.map(i => ({ track: i.track, target })), plan.removed);
    }
    return { service: this.out(svc) };
  }

  private planUpdate(svc: ServiceRecord, spec: string): { added: ServiceSpecInstance[]; removed: InstanceRecord[] } {
    const doc = parseServiceSpec(spec);
    if (!svc.hasPipeline && doc.pipeline !== undefined) {
      throw validationError(`Don't include pipeline inputs in the spec: service ${svc.name} has no service pipeline`);
    }
    this.checkInstanceList(doc.instances, svc.name);
    const listed = new Map(doc.instances.map(i => [i.name, i]));
    for (const inst of svc.instances.values()) {
      const entry = listed.get(inst.name);
      if (entry && entry.environment !== inst.environmentName) {
        throw validationError(`Service instance ${inst.name} runs in environment ${inst.environmentName} and can't move to ${entry.environment}: `
          + 'remove it from the spec and add an instance with another name');
      }
    }
    const removed = [...svc.instances.values()].filter(i => !listed.has(i.name));
    for (const inst of removed) {
      const using = this.ctx.serviceInstanceInUse(svc.name, inst.name);
      if (using) throw conflict(`Service instance ${inst.name} of service ${svc.name} can't be removed while it is in use: ${using}`);
    }
    const added = doc.instances.filter(i => !svc.instances.has(i.name));
    const count = svc.instances.size - removed.length + added.length;
    if (count > MAX_INSTANCES_PER_SERVICE) {
      throw quotaExceeded(`Service ${svc.name} would have ${count} service instances: at most ${MAX_INSTANCES_PER_SERVICE} are allowed per service`);
    }
    if (added.length > 0) {
      const version = publishedVersion(this.templates, svc.templateName, svc.templateMajorVersion, svc.templateMinorVersion);
      for (const entry of added) this.checkNewInstance(entry, version);
    }
    return { added, removed };
  }

  /**
   * Asynchronous ("Asynchronous idempotent delete APIs"): DELETE_IN_PROGRESS with every instance and the pipeline,
   * then gone after `timing.deleteDelayMs`; a retry while deleting answers the service, once gone `{}`.
   * `faults.failDeletion` of an instance or the pipeline keeps that part (DELETE_FAILED) and the others are deleted;
   * of the service: DELETE_FAILED. Either way the service is DELETE_FAILED with the messages, and can be deleted again.
   */
  private delete(input: Input) {
    const svc = this.services.get(input.name);
    if (!svc) {
      if (this.ctx.deletions.wasDeleted(this.ctx.arn(`service/${input.name}`))) return {};
      throw this.serviceNotFound(input.name);
    }
    if (svc.status === 'DELETE_IN_PROGRESS') return { service: this.out(svc) };
    this.checkNotBusy(svc, 'deleted');
    for (const inst of svc.instances.values()) {
      const using = this.ctx.serviceInstanceInUse(svc.name, inst.name);
      if (using) throw conflict(`Service ${svc.name} can't be deleted: its service instance ${inst.name} is in use: ${using}`);
    }
    svc.status = 'DELETE_IN_PROGRESS';
    svc.statusMessage = undefined;
    for (const inst of svc.instances.values()) inst.track.beginDeletion();
    svc.pipeline?.track.beginDeletion();
    this.ctx.scheduler.after(this.ctx.delayMs('deleteDelayMs', svc.name), () => this.completeDeletion(svc));
    return { service: this.out(svc) };
  }

  private completeDeletion(svc: ServiceRecord): void {
    if (this.services.get(svc.name) !== svc || svc.status !== 'DELETE_IN_PROGRESS') return;
    const failures: string[] = [];
    const serviceFailure = this.ctx.faults.takeDeletionFailure(svc.name);
    if (serviceFailure !== undefined) failures.push(serviceFailure);
    for (const inst of [...svc.instances.values()]) {
      const failure = this.ctx.faults.takeDeletionFailure(inst.track.faultKey);
      if (failure === undefined) {
        this.dropInstance(svc, inst);
      } else {
        inst.track.deletionFailed(failure);
        failures.push(`service instance ${inst.name}: ${failure}`);
      }
    }
    if (svc.pipeline) {
      const failure = this.ctx.faults.takeDeletionFailure(svc.pipeline.track.faultKey);
      if (failure === undefined) {
        svc.pipeline.track.retire();
        this.ctx.tags.forget(svc.pipeline.arn);
        svc.pipeline = undefined;
      } else {
        svc.pipeline.track.deletionFailed(failure);
        failures.push(`pipeline: ${failure}`);
      }
    }
    if (failures.length > 0) {
      svc.status = 'DELETE_FAILED';
      svc.statusMessage = failures.join('; ');
      this.ctx.ended('deletion', svc.name, 'DELETE_FAILED');
      return;
    }
    this.ctx.ended('deletion', svc.name, 'DELETED');
    this.services.delete(svc.name);
    this.ctx.tags.forget(svc.arn);
    this.ctx.deletions.remember(svc.arn);
  }

  private list(input: Input) {
    const all = [...this.services.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, input);
    return { services: page.map(s => this.out(s)), nextToken };
  }

  // ---- workflows ----------------------------------------------------------------------------------

  /** CREATE_IN_PROGRESS / UPDATE_IN_PROGRESS until every deployment started and every removal has ended. */
  private startWorkflow(
    svc: ServiceRecord, kind: Workflow['kind'], deployments: Array<{ track: DeploymentTrack; target: DeploymentTarget }>,
    removing: InstanceRecord[],
  ): void {
    svc.workflow = { kind, deploying: deployments.map(d => d.track), removing };
    svc.status = kind === 'CREATE' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
    svc.statusMessage = undefined;
    for (const { track, target } of deployments) track.deploy(target, () => this.settle(svc));
    for (const inst of removing) {
      inst.track.beginDeletion();
      this.ctx.scheduler.after(this.ctx.delayMs('deleteDelayMs', inst.track.faultKey), () => this.completeRemoval(svc, inst));
    }
    this.settle(svc);
  }

  /** An instance removed by UpdateService is gone, or DELETE_FAILED with the message of `faults.failDeletion`. */
  private completeRemoval(svc: ServiceRecord, inst: InstanceRecord): void {
    if (svc.instances.get(inst.name) !== inst || !inst.track.deleting) return;
    const failure = this.ctx.faults.takeDeletionFailure(inst.track.faultKey);
    if (failure === undefined) this.dropInstance(svc, inst);
    else inst.track.deletionFailed(failure);
    this.ctx.ended('deletion', inst.track.faultKey, failure === undefined ? 'DELETED' : 'DELETE_FAILED');
    this.settle(svc);
  }

  /**
   * Ends the workflow once nothing of it runs: ACTIVE; CREATE_FAILED / UPDATE_FAILED when a deployment did not
   * succeed; UPDATE_COMPLETE_CLEANUP_FAILED when the additions succeeded and a removal failed (the model's waiters
   * name these states). `statusMessage` names each part that failed.
   */
  private settle(svc: ServiceRecord): void {
    const w = svc.workflow;
    if (!w || this.services.get(svc.name) !== svc) return;
    const removalPending = (i: InstanceRecord) => svc.instances.get(i.name) === i && i.track.deleting;
    if (w.deploying.some(t => t.busy) || w.removing.some(removalPending)) return;
    svc.workflow = undefined;
    const failed = w.deploying.filter(t => t.status !== 'SUCCEEDED')
      .map(t => `${t.label}: deployment ${t.status}${t.message ? `: ${t.message}` : ''}`);
    const cleanup = w.removing.filter(i => svc.instances.get(i.name) === i && i.track.status === 'DELETE_FAILED')
      .map(i => `${i.track.label}: DELETE_FAILED: ${i.track.message}`);
    if (failed.length > 0) {
      svc.status = w.kind === 'CREATE' ? 'CREATE_FAILED' : 'UPDATE_FAILED';
      svc.statusMessage = [...failed, ...cleanup].join('; ');
    } else if (cleanup.length > 0) {
      svc.status = 'UPDATE_COMPLETE_CLEANUP_FAILED';
      svc.statusMessage = cleanup.join('; ');
    } else {
      svc.status = 'ACTIVE';
      svc.statusMessage = undefined;
    }
    this.ctx.ended('service', svc.name, svc.status);
  }

  // ---- instances ----------------------------------------------------------------------------------

  /**
   * CreateServiceInstance: the service must be ACTIVE; the spec is a service spec whose `instances:` names this
   * instance (its environment and inputs); versions omitted: the version the service was created with (major
   * omitted and minor given: that minor of the service's major; major given and minor omitted: its recommended minor).
   * A client token replays ("Idempotent create APIs with a client token").
   */
  private createInstance(input: Input) {
    const svc = this.service(input.serviceName);
    const params = fingerprint(input, ['clientToken']);
    const earlier = this.ctx.tokens.lookup('CreateServiceInstance', input.clientToken, params);
    const replayed = earlier ? [...svc.instances.values()].find(i => i.arn === earlier) : undefined;
    if (replayed) return { serviceInstance: this.instanceOut(replayed) };
    if (svc.instances.has(input.name)) throw conflict(`Service instance ${input.name} of service ${svc.name} already exists`);
    if (svc.status !== 'ACTIVE') {
      const message = `Service ${svc.name} is ${svc.status}: service instances can be added to an ACTIVE service only`;
      throw svc.status.endsWith('_IN_PROGRESS') ? conflict(message) : validationError(message);
    }
    if (svc.instances.size + 1 > MAX_INSTANCES_PER_SERVICE) {
      throw quotaExceeded(`Service ${svc.name} already has ${svc.instances.size} service instances: at most ${MAX_INSTANCES_PER_SERVICE} are allowed per service`);
    }
    const major: string = input.templateMajorVersion ?? svc.templateMajorVersion;
    const minor: string | undefined = input.templateMinorVersion ?? (input.templateMajorVersion === undefined ? svc.templateMinorVersion : undefined);
    const version = publishedVersion(this.templates, svc.templateName, major, minor);
    const entry = this.specEntry(input.spec, input.name);
    this.checkInstanceList([entry], svc.name);
    this.checkNewInstance(entry, version);
    this.ctx.tags.validate(input.tags);

    const target: DeploymentTarget = { spec: input.spec, templateMajorVersion: version.majorVersion, templateMinorVersion: version.minorVersion };
    const inst = this.addInstance(svc, entry.name, entry.environment, target, this.ctx.now(), input.tags);
    inst.lastClientRequestToken = input.clientToken;
    this.ctx.tokens.remember('CreateServiceInstance', input.clientToken, params, inst.arn);
    svc.modified = true;
    inst.track.deploy(target);
    return { serviceInstance: this.instanceOut(inst) };
  }

  /**
   * UpdateServiceInstance (API reference, `deploymentType`, as UpdateEnvironment): NONE deploys nothing (an instance
   * has no metadata to update); CURRENT_VERSION / MINOR_VERSION / MAJOR_VERSION deploy the spec (given, or the
   * current one) with the version the rules give. ConflictException while the instance deploys ("You can't update a
   * service instance while its deployment status, or the deployment status of a component attached to it, is
   * IN_PROGRESS": `ctx.serviceInstanceBusy`), while the service is creating, updating or deleting, and while the instance
   * is being deleted. A client token replays the update without deploying again.
   */
  private updateInstance(input: Input) {
    const svc = this.service(input.serviceName);
    const inst = this.instance(svc.name, input.name);
    const params = fingerprint(input, ['clientToken']);
    if (this.ctx.tokens.lookup('UpdateServiceInstance', input.clientToken, params) === inst.arn) {
      return { serviceInstance: this.instanceOut(inst) };
    }
    if (svc.status === 'DELETE_IN_PROGRESS' || inst.track.deleting) {
      throw conflict(`Service instance ${inst.name} of service ${svc.name} is being deleted and can't be updated`);
    }
    if (input.deploymentType !== 'NONE') {
      if (svc.workflow) throw conflict(`Service ${svc.name} is ${svc.status}: wait until it completes before deploying its instances`);
      if (inst.track.busy) {
        throw conflict(`Service instance ${inst.name} of service ${svc.name} has a deployment ${inst.track.status}: `
          + 'wait until it completes, or cancel it, before deploying again');
      }
      const busy = this.ctx.serviceInstanceBusy(svc.name, inst.name);
      if (busy) throw conflict(`Service instance ${inst.name} of service ${svc.name} can't be deployed now: ${busy}`);
      const version = targetVersion(this.templates, svc.templateName, inst.track.label, inst.track.state, input);
      const spec: string = input.spec ?? inst.track.state.spec;
      const entry = this.specEntry(spec, inst.name);
      if (entry.environment !== inst.environmentName) {
        throw validationError(`Service instance ${inst.name} runs in environment ${inst.environmentName}, not ${entry.environment}: `
          + 'an instance can\'t move to another environment');
      }
      const env = this.environments.findEnvironment(inst.environmentName);
      if (env) this.checkCompatible(inst.name, env, version);
      checkInputs(entry.inputs, version.parsedSchema, 'service_input_type', `service instance ${inst.name}: ${versionLabel(version)}`);
      inst.track.deploy({ spec, templateMajorVersion: version.majorVersion, templateMinorVersion: version.minorVersion });
    }
    inst.lastClientRequestToken = input.clientToken;
    this.ctx.tokens.remember('UpdateServiceInstance', input.clientToken, params, inst.arn);
    svc.modified = true;
    return { serviceInstance: this.instanceOut(inst) };
  }

  private cancelInstance(input: Input) {
    const svc = this.service(input.serviceName);
    const inst = this.instance(svc.name, input.serviceInstanceName);
    inst.track.cancel();
    return { serviceInstance: this.instanceOut(inst) };
  }

  /**
   * ListServiceInstances: `serviceName`; `filters` (a key given more than once matches any of its values, different
   * keys must all match; dates are RFC 3339); `sortBy` (default serviceName, then instance name) and `sortOrder`
   * (default ASCENDING); paginated.
   */
  private listInstances(input: Input) {
    const services = input.serviceName !== undefined ? [this.service(input.serviceName)] : [...this.services.values()];
    const byKey = new Map<string, string[]>();
    for (const f of input.filters ?? []) {
      if (f.key === undefined || f.value === undefined) throw validationError('Every filter needs a key and a value');
      byKey.set(f.key, [...byKey.get(f.key) ?? [], f.value]);
    }
    const rows = services.flatMap(svc => [...svc.instances.values()].map(inst => ({ svc, inst })))
      .filter(({ svc, inst }) => [...byKey].every(([key, values]) => values.some(v => this.matches(svc, inst, key, v))));
    const sortBy: string = input.sortBy ?? 'serviceName';
    const value = ({ svc, inst }: { svc: ServiceRecord; inst: InstanceRecord }): string | number => {
      switch (sortBy) {
        case 'name': return inst.name;
        case 'deploymentStatus': return inst.track.status;
        case 'templateName': return svc.templateName;
        case 'environmentName': return inst.environmentName;
        case 'lastDeploymentAttemptedAt': return inst.track.lastAttemptedAt.getTime();
        case 'createdAt': return inst.createdAt.getTime();
        default: return svc.name;
      }
    };
    const direction = input.sortOrder === 'DESCENDING' ? -1 : 1;
    rows.sort((a, b) => {
      const [x, y] = [value(a), value(b)];
      const primary = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return direction * (primary || a.svc.name.localeCompare(b.svc.name) || a.inst.name.localeCompare(b.inst.name));
    });
    const { page, nextToken } = paginate(rows, input);
    return { serviceInstances: page.map(({ inst }) => this.instanceOut(inst)), nextToken };
  }

  private matches(svc: ServiceRecord, inst: InstanceRecord, key: string, value: string): boolean {
    const date = (): number => {
      const t = Date.parse(value);
      if (Number.isNaN(t)) throw validationError(`The value of filter ${key} must be an RFC 3339 date-time (e.g. 1985-04-12T23:20:50.52Z)`);
      return t;
    };
    const { templateMajorVersion, templateMinorVersion } = inst.track.state;
    switch (key as typeof INSTANCE_FILTERS[number]) {
      case 'name': return inst.name === value;
      case 'deploymentStatus': return inst.track.status === value;
      case 'templateName': return svc.templateName === value;
      case 'serviceName': return svc.name === value;
      case 'deployedTemplateVersionStatus':
        return this.templates.findVersion(svc.templateName, templateMajorVersion, templateMinorVersion)?.status === value;
      case 'environmentName': return inst.environmentName === value;
      case 'lastDeploymentAttemptedAtBefore': return inst.track.lastAttemptedAt.getTime() < date();
      case 'lastDeploymentAttemptedAtAfter': return inst.track.lastAttemptedAt.getTime() > date();
      case 'createdAtBefore': return inst.createdAt.getTime() < date();
      case 'createdAtAfter': return inst.createdAt.getTime() > date();
      default: throw validationError(`Unknown filter key ${key}: one of ${INSTANCE_FILTERS.join(', ')}`);
    }
  }

  // ---- pipeline -----------------------------------------------------------------------------------

  /**
   * UpdateServicePipeline (API reference): `spec` (a service spec: its `pipeline:` inputs) is required; NONE deploys
   * nothing (a pipeline has no metadata); the other deployment types as for instances. ConflictException while the
   * pipeline deploys or the service is creating, updating or deleting.
   */
  private updatePipeline(input: Input) {
    const svc = this.service(input.serviceName);
    const pipeline = this.pipeline(svc);
    if (svc.status === 'DELETE_IN_PROGRESS') throw conflict(`Service ${svc.name} is being deleted: its pipeline can't be updated`);
    if (input.deploymentType === 'NONE') return { pipeline: this.pipelineOut(svc, pipeline) };
    if (svc.workflow) throw conflict(`Service ${svc.name} is ${svc.status}: wait until it completes before deploying its pipeline`);
    if (pipeline.track.busy) {
      throw conflict(`The pipeline of service ${svc.name} has a deployment ${pipeline.track.status}: `
        + 'wait until it completes, or cancel it, before deploying again');
    }
    const version = targetVersion(this.templates, svc.templateName, pipeline.track.label, pipeline.track.state, input);
    const doc = parseServiceSpec(input.spec);
    checkInputs(doc.pipeline ?? {}, version.parsedSchema, 'pipeline_input_type', `pipeline of ${versionLabel(version)}`);
    pipeline.track.deploy({ spec: input.spec, templateMajorVersion: version.majorVersion, templateMinorVersion: version.minorVersion });
    svc.modified = true;
    return { pipeline: this.pipelineOut(svc, pipeline) };
  }

  private cancelPipeline(input: Input) {
    const svc = this.service(input.serviceName);
    const pipeline = this.pipeline(svc);
    pipeline.track.cancel();
    return { pipeline: this.pipelineOut(svc, pipeline) };
  }

  // ---- checks -------------------------------------------------------------------------------------

  /**
   * CreateService API reference: repositoryConnectionArn, repositoryId and branchName: "Don't include this parameter
   * if your service template doesn't include a service pipeline"; a pipeline needs its source, so with one all three
   * are required.
   */
  private checkRepository(input: Input, hasPipeline: boolean, versionId: string): void {
    const members = ['repositoryConnectionArn', 'repositoryId', 'branchName'];
    const given = members.filter(m => input[m] !== undefined);
    if (!hasPipeline && given.length > 0) {
      throw validationError(`Don't include ${given.join(', ')}: service template version ${versionId} doesn't include a service pipeline`);
    }
    if (hasPipeline && given.length < members.length) {
      const missing = members.filter(m => !given.includes(m));
      throw validationError(`Service template version ${versionId} includes a service pipeline: repositoryConnectionArn, repositoryId and `
        + `branchName are required (missing ${missing.join(', ')})`);
    }
  }

  /** Instance names: the model's ResourceName, unique in the spec, at most 20. */
  private checkInstanceList(instances: readonly ServiceSpecInstance[], serviceName: string): void {
    const shape = this.ctx.model.shape('ResourceName');
    const pattern = new RegExp(shape.pattern ?? '.*');
    const seen = new Set<string>();
    for (const { name } of instances) {
      if (!pattern.test(name) || name.length > (shape.max ?? 100)) {
        throw validationError(`Service instance name '${name}' must match ${shape.pattern} and have at most ${shape.max} characters`);
      }
      if (seen.has(name)) throw validationError(`The spec lists service instance ${name} more than once`);
      seen.add(name);
    }
    if (instances.length > MAX_INSTANCES_PER_SERVICE) {
      throw quotaExceeded(`The spec of service ${serviceName} lists ${instances.length} service instances: `
        + `at most ${MAX_INSTANCES_PER_SERVICE} are allowed per service`);
    }
  }

  /** A new instance: its environment exists, isn't being deleted, is compatible; its inputs fit `service_input_type`. */
  private checkNewInstance(entry: ServiceSpecInstance, version: TemplateVersionView): void {
    const env = this.environments.findEnvironment(entry.environment);
    if (!env) throw notFound(`The environment ${entry.environment} of service instance ${entry.name} was not found`);
    if (env.deploymentStatus === 'DELETE_IN_PROGRESS') {
      throw conflict(`Environment ${env.name} of service instance ${entry.name} is being deleted (DELETE_IN_PROGRESS)`);
    }
    this.checkCompatible(entry.name, env, version);
    checkInputs(entry.inputs, version.parsedSchema, 'service_input_type', `service instance ${entry.name}: ${versionLabel(version)}`);
  }

  /**
   * The environment's template and major version must be in the version's `compatibleEnvironmentTemplates`
   * (CreateServiceTemplateVersion reference: "A service instance based on this service template version can run in
   * environments based on compatible templates").
   */
  private checkCompatible(instanceName: string, env: EnvironmentView, version: TemplateVersionView): void {
    const compatible = version.compatibleEnvironmentTemplates ?? [];
    if (compatible.some(c => c.templateName === env.templateName && c.majorVersion === env.templateMajorVersion)) return;
    throw validationError(`Service instance ${instanceName}: environment ${env.name} uses environment template ${env.templateName} `
      + `major version ${env.templateMajorVersion}, which ${versionLabel(version)} doesn't list in its compatibleEnvironmentTemplates `
      + `(${compatible.map(c => `${c.templateName}:${c.majorVersion}`).join(', ') || 'none'})`);
  }

  /** The entry of `instanceName` in a service spec (the instance's spec document). */
  private specEntry(spec: string, instanceName: string): ServiceSpecInstance {
    const entry = parseServiceSpec(spec).instances.find(i => i.name === instanceName);
    if (!entry) {
      throw validationError(`The spec must list service instance ${instanceName} under instances: (with its environment and spec)`);
    }
    return entry;
  }

  /** The service is creating, updating or deleting, or an instance or the pipeline deploys: ConflictException. */
  private checkNotBusy(svc: ServiceRecord, what: 'updated' | 'deleted'): void {
    if (svc.status.endsWith('_IN_PROGRESS')) throw conflict(`Service ${svc.name} is ${svc.status} and can't be ${what} now`);
    const busy = [...svc.instances.values()].map(i => i.track).concat(svc.pipeline ? [svc.pipeline.track] : [])
      .find(t => t.busy || t.deleting);
    if (busy) throw conflict(`Service ${svc.name} can't be ${what} while the ${busy.label} is ${busy.status}`);
  }

  // ---- in use -------------------------------------------------------------------------------------

  /** Template versions (and the template) the instances and pipelines show or last deployed successfully. */
  private versionUsedBy(arn: string): string | undefined {
    for (const svc of this.services.values()) {
      const templateArn = this.ctx.arn(`service-template/${svc.templateName}`);
      if (arn === templateArn) return `service '${svc.name}' uses it`;
      if (!arn.startsWith(`${templateArn}:`)) continue;
      const [major, minor] = arn.slice(templateArn.length + 1).split('.');
      for (const inst of svc.instances.values()) {
        if (inst.track.usesVersion(major, minor)) return `service instance '${inst.name}' of service '${svc.name}' uses it`;
      }
      if (svc.pipeline?.track.usesVersion(major, minor)) return `the pipeline of service '${svc.name}' uses it`;
    }
    return undefined;
  }

  private environmentUsedBy(environmentName: string): string | undefined {
    for (const svc of this.services.values()) {
      for (const inst of svc.instances.values()) {
        if (inst.environmentName === environmentName) return `service instance '${inst.name}' of service '${svc.name}' runs in it`;
      }
    }
    return undefined;
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private addInstance(svc: ServiceRecord, name: string, environmentName: string, target: DeploymentTarget, now: Date,
    tags?: Input['tags']): InstanceRecord {
    const inst: InstanceRecord = {
      name,
      serviceName: svc.name,
      arn: this.ctx.arn(`service/${svc.name}/service-instance/${name}`),
      environmentName,
      createdAt: now,
      track: new DeploymentTrack(this.ctx, serviceInstanceKey(svc.name, name), `service instance ${name} of service ${svc.name}`,
        t => this.outputsOf(svc, 'instance_infrastructure', name, t), target, now),
    };
    svc.instances.set(name, inst);
    this.ctx.tags.register(inst.arn, tags);
    return inst;
  }

  private dropInstance(svc: ServiceRecord, inst: InstanceRecord): void {
    inst.track.retire();
    svc.instances.delete(inst.name);
    this.ctx.tags.forget(inst.arn);
    this.ctx.tokens.forgetResource(inst.arn);
  }

  /** `<key>-<service>-<instance name or "pipeline">` for each output the folder's infrastructure declares. */
  private outputsOf(svc: ServiceRecord, folder: string, part: string, target: DeploymentTarget): OutputEntry[] {
    const version = this.templates.findVersion(svc.templateName, target.templateMajorVersion, target.templateMinorVersion);
    const keys = version?.files ? declaredOutputKeys(version.files, folder) : [];
    return keys.map(key => ({ key, valueString: `${key}-${svc.name}-${part}`.slice(0, 1024) }));
  }

  private service(name: string): ServiceRecord {
    const svc = this.services.get(name);
    if (!svc) throw this.serviceNotFound(name);
    return svc;
  }

  private serviceNotFound(name: string) {
    return notFound(`The service ${name} was not found`);
  }

  private instance(serviceName: string, name: string): InstanceRecord {
    const inst = this.service(serviceName).instances.get(name);
    if (!inst) throw notFound(`The service instance ${name} of service ${serviceName} was not found`);
    return inst;
  }

  private pipeline(svc: ServiceRecord): PipelineRecord {
    if (!svc.pipeline) throw notFound(`Service ${svc.name} has no service pipeline`);
    return svc.pipeline;
  }

  /** One object for Get and List (the model's ServiceSummary drops spec and pipeline). */
  private out(svc: ServiceRecord) {
    return {
      arn: svc.arn,
      name: svc.name,
      description: svc.description,
      templateName: svc.templateName,
      spec: svc.spec,
      status: svc.status,
      statusMessage: svc.statusMessage,
      createdAt: svc.createdAt,
      lastModifiedAt: svc.lastModifiedAt,
      repositoryConnectionArn: svc.repositoryConnectionArn,
      repositoryId: svc.repositoryId,
      branchName: svc.branchName,
      pipeline: svc.pipeline && this.pipelineOut(svc, svc.pipeline),
    };
  }

  private pipelineOut(svc: ServiceRecord, pipeline: PipelineRecord) {
    return { arn: pipeline.arn, createdAt: pipeline.createdAt, templateName: svc.templateName, ...pipeline.track.view() };
  }

  private instanceOut(inst: InstanceRecord) {
    return {
      name: inst.name,
      arn: inst.arn,
      serviceName: inst.serviceName,
      environmentName: inst.environmentName,
      templateName: this.services.get(inst.serviceName)?.templateName,
      createdAt: inst.createdAt,
      lastClientRequestToken: inst.lastClientRequestToken,
      ...inst.track.view(),
    };
  }
}

function versionLabel(v: TemplateVersionView): string {
  return `service template version ${v.templateName}:${v.majorVersion}.${v.minorVersion}`;
}
