import { conflict, notFound, validationError } from '../errors';
import { OutputEntry } from '../faults';
import { EmulatorContext, Input } from './context';
import { TemplateFamily, TemplateVersionView } from './templates';

/** The model's `DeploymentStatus` (DELETE_COMPLETE is never shown: a deleted resource is gone). */
export type DeploymentStatus = 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED' | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED' | 'CANCELLING' | 'CANCELLED';

/** How a deployment ended. */
export type DeploymentEnd = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** What a deployment deploys: a spec with a template version. */
export interface DeploymentTarget {
  readonly spec: string;
  readonly templateMajorVersion: string;
  readonly templateMinorVersion: string;
}

interface Deployment<T> {
  readonly id: string;
  readonly target: T;
  status: 'IN_PROGRESS' | 'CANCELLING' | DeploymentEnd;
  /** Set when it succeeds. */
  outputs: OutputEntry[];
  /** Told once, when the deployment ends (succeeded, failed or cancelled). */
  readonly onEnd?: (end: DeploymentEnd) => void;
}

/**
 * The deployments of one resource Proton deploys into an environment (a service instance, a service pipeline, a
 * component), with the same rules as environments (see README, "Environments"). `T` is what a deployment deploys: a
 * spec with a template version (`DeploymentTarget`) for instances and pipelines, the template file, spec and
 * attachment for components.
 *
 * - `deploy(target)`: IN_PROGRESS at once (the resource shows the target's spec and version), then after
 *   `timing.deploymentDelayMs` SUCCEEDED (outputs computed then), or FAILED with the message of
 *   `faults.failDeployment(faultKey)`; the spec and version stay those of the attempt, the outputs those of the last
 *   success.
 * - `cancel()`: only IN_PROGRESS; CANCELLING for `timing.cancelDelayMs`, then CANCELLED and back to the spec and
 *   version of the last successful deployment, or FAILED with the message of `faults.failCancellation(faultKey)`;
 *   a deployment whose `deploymentDelayMs` ends first ends as if not cancelled (SUCCEEDED, or FAILED by its fault).
 * - deletion is driven by the owner (`beginDeletion`, `deletionFailed`, `retire`): a retired track ignores its timers.
 */
export class DeploymentTrack<T extends object = DeploymentTarget> {
  state: T;
  status: DeploymentStatus = 'IN_PROGRESS';
  message?: string;
  lastAttemptedAt: Date;
  lastSucceededAt: Date;
  lastAttemptedId?: string;
  lastSucceededId?: string;
  private readonly deployments = new Map<string, Deployment<T>>();
  private current?: Deployment<T>;
  private retired = false;

  /**
   * @param faultKey the name `faults.failDeployment`, `failCancellation`, `failDeletion` and `setOutputs` know it by
   * @param label what messages call it, e.g. "service instance dev of service api"
   * @param outputsOf the outputs of a successful deployment of `target`, when `faults.setOutputs` says nothing
   */
  constructor(
    private readonly ctx: EmulatorContext,
    readonly faultKey: string,
    readonly label: string,
    private readonly outputsOf: (target: T) => OutputEntry[],
    initial: T,
    createdAt: Date,
  ) {
    this.state = initial;
    // Both are required members of the model's shapes: until a deployment succeeds they are the creation time.
    this.lastAttemptedAt = createdAt;
    this.lastSucceededAt = createdAt;
  }

  /** A deployment is IN_PROGRESS or CANCELLING. */
  get busy(): boolean {
    return this.current !== undefined;
  }

  get deleting(): boolean {
    return this.status === 'DELETE_IN_PROGRESS';
  }

  /** Starts a deployment of `target`; `onEnd` is told how it ends. */
  deploy(target: T, onEnd?: (end: DeploymentEnd) => void): void {
    if (this.current) throw new Error(`emulator bug: ${this.label} already has a deployment ${this.current.status}`);
    const d: Deployment<T> = { id: this.ctx.uuid(), target, status: 'IN_PROGRESS', outputs: [], onEnd };
    this.deployments.set(d.id, d);
    this.current = d;
    this.state = target;
    this.status = 'IN_PROGRESS';
    this.message = undefined;
    this.lastAttemptedAt = this.ctx.now();
    this.lastAttemptedId = d.id;
    this.ctx.scheduler.after(this.ctx.delayMs('deploymentDelayMs', this.faultKey), () => this.complete(d));
  }

  /** Cancel…Deployment: throws the ConflictException / ValidationException Proton gives when there is nothing to cancel. */
  cancel(): void {
    const d = this.current;
    if (this.status === 'CANCELLING' || this.status === 'DELETE_IN_PROGRESS') {
      throw conflict(`The ${this.label} is ${this.status}: there is no deployment to cancel`);
    }
    if (!d || d.status !== 'IN_PROGRESS') {
      throw validationError(`The ${this.label} has no deployment IN_PROGRESS to cancel (deployment status ${this.status})`);
    }
    d.status = 'CANCELLING';
    this.status = 'CANCELLING';
    this.ctx.scheduler.after(this.ctx.delayMs('cancelDelayMs', this.faultKey), () => this.completeCancellation(d));
  }

  beginDeletion(): void {
    this.status = 'DELETE_IN_PROGRESS';
    this.message = undefined;
  }

  deletionFailed(message: string): void {
    this.status = 'DELETE_FAILED';
    this.message = message;
  }

  /** The resource is gone: pending timers do nothing. */
  retire(): void {
    this.retired = true;
    this.current = undefined;
  }

  /** What the last successful deployment deployed, if any. */
  get lastSucceeded(): T | undefined {
    return this.lastSucceededId ? this.deployments.get(this.lastSucceededId)?.target : undefined;
  }

  /** Whether the resource shows, or last deployed successfully, version `major`.`minor`. */
  usesVersion(this: DeploymentTrack<DeploymentTarget>, major: string, minor: string): boolean {
    return [this.state, this.lastSucceeded].some(t => t?.templateMajorVersion === major && t.templateMinorVersion === minor);
  }

  /**
   * List…Outputs: the outputs of the last successful deployment, or of `deploymentId` (empty when that one did not
   * succeed; an unknown id is a ResourceNotFoundException).
   */
  outputs(deploymentId?: string): OutputEntry[] {
    if (deploymentId !== undefined) {
      const d = this.deployments.get(deploymentId);
      if (!d) throw notFound(`The deployment ${deploymentId} of the ${this.label} was not found`);
      return d.status === 'SUCCEEDED' ? d.outputs : [];
    }
    return this.lastSucceededId ? this.deployments.get(this.lastSucceededId)!.outputs : [];
  }

  /** The members the model's ServiceInstance and ServicePipeline shapes share. */
  view(this: DeploymentTrack<DeploymentTarget>) {
    return {
      spec: this.state.spec,
      templateMajorVersion: this.state.templateMajorVersion,
      templateMinorVersion: this.state.templateMinorVersion,
      ...this.statusView(),
    };
  }

  /** The deployment members the model's ServiceInstance, ServicePipeline and Component shapes share. */
  statusView() {
    return {
      deploymentStatus: this.status,
      deploymentStatusMessage: this.message,
      lastDeploymentAttemptedAt: this.lastAttemptedAt,
      lastDeploymentSucceededAt: this.lastSucceededAt,
      lastAttemptedDeploymentId: this.lastAttemptedId,
      lastSucceededDeploymentId: this.lastSucceededId,
    };
  }

  private complete(d: Deployment<T>): void {
    // A deployment that ends while CANCELLING ends as usual: "If the current Update… action succeeds before the
    // cancellation attempt starts, the resulting deployment state is SUCCEEDED and the cancellation attempt has no
    // effect" (Cancel{ServiceInstance,ServicePipeline,Component}Deployment API reference).
    if (this.retired || this.current !== d || (d.status !== 'IN_PROGRESS' && d.status !== 'CANCELLING')) return;
    this.current = undefined;
    const failure = this.ctx.faults.takeDeploymentFailure(this.faultKey);
    if (failure !== undefined) {
      d.status = 'FAILED';
      this.status = 'FAILED';
      this.message = failure;
    } else {
      d.status = 'SUCCEEDED';
      d.outputs = this.ctx.faults.outputsOverride(this.faultKey) ?? this.outputsOf(d.target);
      this.status = 'SUCCEEDED';
      this.lastSucceededAt = this.ctx.now();
      this.lastSucceededId = d.id;
    }
    this.ctx.ended('deployment', this.faultKey, d.status);
    d.onEnd?.(d.status);
  }

  private completeCancellation(d: Deployment<T>): void {
    if (this.retired || this.current !== d || d.status !== 'CANCELLING') return;
    this.current = undefined;
    const failure = this.ctx.faults.takeCancellationFailure(this.faultKey);
    if (failure !== undefined) {
      d.status = 'FAILED';
      this.status = 'FAILED';
      this.message = failure;
    } else {
      d.status = 'CANCELLED';
      this.status = 'CANCELLED';
      this.message = 'The deployment was cancelled';
      const succeeded = this.lastSucceededId ? this.deployments.get(this.lastSucceededId) : undefined;
      if (succeeded) this.state = succeeded.target;
    }
    this.ctx.ended('cancellation', this.faultKey, d.status);
    d.onEnd?.(d.status);
  }
}

/**
 * A PUBLISHED version of a template: `minor` omitted means the recommended (highest published) minor version of
 * `major`. Missing, DRAFT or not registered: ValidationException (user guide, "AWS Proton templates": "After templates
 * are published, they can be selected ... AWS Proton uses the template to create and provision"; the deployment types'
 * "published, recommended (latest)" versions).
 */
export function publishedVersion(templates: TemplateFamily, templateName: string, major: string, minor?: string): TemplateVersionView {
  const label = capitalize(kindLabel(templates));
  const v = templates.findVersion(templateName, major, minor);
  if (!v) {
    throw validationError(minor === undefined
      ? `${label} ${templateName} has no published minor version of major version ${major}`
      : `${label} version ${templateName}:${major}.${minor} does not exist`);
  }
  if (v.status !== 'PUBLISHED') {
    throw validationError(`${label} version ${templateName}:${v.majorVersion}.${v.minorVersion} is ${v.status}: `
      + 'only a PUBLISHED template version can be deployed');
  }
  return v;
}

/**
 * The template version an Update…(deploymentType) deploys, by the rules the API reference gives `deploymentType` of
 * UpdateEnvironment, UpdateServiceInstance and UpdateServicePipeline alike: CURRENT_VERSION the version in use ("Don't
 * include major or minor version parameters"); MINOR_VERSION "the published, recommended (latest) minor version of the
 * current major version in use, by default", or "a different minor version of the current major version in use";
 * MAJOR_VERSION "the published, recommended (latest) major and minor version of the current template, by default", or "a
 * different major version that is higher than the major version in use and a minor version (optional)". Every refusal is
 * a ValidationException. NONE deploys nothing: not handled here. `request` is the Update…'s input (`deploymentType`,
 * `templateMajorVersion`, `templateMinorVersion`); `what` names the resource in messages ("environment dev", ...).
 */
export function targetVersion(
  templates: TemplateFamily, templateName: string, what: string, current: DeploymentTarget, request: Input,
): TemplateVersionView {
  const major: string | undefined = request.templateMajorVersion;
  const minor: string | undefined = request.templateMinorVersion;
  const id = `${current.templateMajorVersion}.${current.templateMinorVersion}`;
  switch (request.deploymentType) {
    case 'CURRENT_VERSION':
      if (major !== undefined || minor !== undefined) {
        throw validationError('Don\'t include templateMajorVersion or templateMinorVersion with deploymentType CURRENT_VERSION: '
          + `it deploys a new spec with the template version in use (${id}); use MINOR_VERSION or MAJOR_VERSION to change the version`);
      }
      // (A version can't go back from PUBLISHED to DRAFT, so the version in use is still published.)
      return publishedVersion(templates, templateName, current.templateMajorVersion, current.templateMinorVersion);
    case 'MINOR_VERSION': {
      if (major !== undefined && major !== current.templateMajorVersion) {
        throw validationError(`deploymentType MINOR_VERSION stays in the major version in use (${current.templateMajorVersion}); `
          + `use MAJOR_VERSION to deploy major version ${major}`);
      }
      const v = publishedVersion(templates, templateName, current.templateMajorVersion, minor);
      // "a *different* minor version": a lower one is accepted (what a rollback needs), the one in use is not.
      if (v.minorVersion === current.templateMinorVersion) {
        throw validationError(`${capitalize(what)} already uses version ${id} of ${kindLabel(templates)} ${templateName}: `
          + 'MINOR_VERSION deploys a different minor version (use CURRENT_VERSION to redeploy the version in use)');
      }
      return v;
    }
    case 'MAJOR_VERSION': {
      if (major === undefined) {
        // Emulator decision: the reference makes the minor version optional *with* a major version.
        if (minor !== undefined) throw validationError('templateMinorVersion needs templateMajorVersion with deploymentType MAJOR_VERSION');
        const recommended = templates.recommendedVersion(templateName);
        if (!recommended || BigInt(recommended.split('.')[0]) <= BigInt(current.templateMajorVersion)) {
          throw validationError(`${capitalize(kindLabel(templates))} ${templateName} has no published major version higher than `
            + `${current.templateMajorVersion} (recommended version: ${recommended ?? 'none'})`);
        }
        const [recommendedMajor, recommendedMinor] = recommended.split('.');
        return publishedVersion(templates, templateName, recommendedMajor, recommendedMinor);
      }
      if (BigInt(major) <= BigInt(current.templateMajorVersion)) {
        throw validationError(`deploymentType MAJOR_VERSION deploys a major version higher than the one in use (${current.templateMajorVersion}), `
          + `not ${major}`);
      }
      return publishedVersion(templates, templateName, major, minor);
    }
    default:
      throw validationError(`Unknown deploymentType ${request.deploymentType}`);
  }
}

/** 'environment template' or 'service template'. */
function kindLabel(templates: TemplateFamily): string {
  return `${templates.kind} template`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
