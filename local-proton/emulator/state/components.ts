import * as YAML from 'yaml';
import { conflict, notFound, quotaExceeded, validationError } from '../errors';
import { OutputEntry } from '../faults';
import { cloudFormationOutputKeys, terraformOutputKeys } from '../iac-outputs';
import { fingerprint } from '../idempotency';
import { EmulatorContext, Input, OperationHandler, ResourceFamily, paginate, paginateOutputs } from './context';
import { DeploymentTrack } from './deployments';
import { EnvironmentFamily, EnvironmentView } from './environments';
import { ServiceFamily, ServiceInstanceView } from './services';

/** Proton's quota of components per account and region ("AWS Proton endpoints and quotas", AWS General Reference). */
export const MAX_COMPONENTS = 1000;

/** The component source a service template version must support for components to attach to its instances. */
const DIRECTLY_DEFINED = 'DIRECTLY_DEFINED';

/** The service instance a component is attached to. */
interface Attachment {
  readonly serviceName: string;
  readonly serviceInstanceName: string;
}

/** What a component deployment deploys: its template file, and its attachment with the service spec it reads. */
interface ComponentTarget {
  readonly templateFile: string;
  readonly attachment?: Attachment;
  /** Only with an attachment. */
  readonly serviceSpec?: string;
}

interface ComponentRecord {
  readonly name: string;
  readonly arn: string;
  /** Fixed at create: the environment named, or that of the instance it was attached to. */
  readonly environmentName: string;
  /** Create-only (UpdateComponent has no manifest member). */
  readonly manifest: string;
  /** 'cloudformation' or 'terraform', from the manifest. */
  readonly templateLanguage: string;
  description?: string;
  readonly createdAt: Date;
  lastModifiedAt: Date;
  lastClientRequestToken?: string;
  /** The attempt shows (state) the template file, attachment and spec of the last deployment attempted. */
  readonly track: DeploymentTrack<ComponentTarget>;
}

/**
 * Directly defined components: CreateComponent, GetComponent, UpdateComponent, DeleteComponent, ListComponents,
 * CancelComponentDeployment, ListComponentOutputs, ListComponentProvisionedResources. Deployments run on a
 * `DeploymentTrack` keyed by the component's name (`faults.failDeployment(name)`, `failCancellation`, `failDeletion`,
 * `setOutputs`); deletes are asynchronous (`timing.deleteDelayMs`). A component makes its environment in use, and the
 * service instance it is attached to in use (and busy while the component deploys). See README, "Components".
 */
export class ComponentFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  private readonly components = new Map<string, ComponentRecord>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly environments: EnvironmentFamily,
    private readonly services: ServiceFamily,
  ) {
    this.operations = {
      CreateComponent: input => this.create(input),
      GetComponent: input => ({ component: this.out(this.component(input.name)) }),
      UpdateComponent: input => this.update(input),
      DeleteComponent: input => this.delete(input),
      ListComponents: input => this.list(input),
      CancelComponentDeployment: input => {
        const c = this.component(input.componentName);
        c.track.cancel();
        return { component: this.out(c) };
      },
      ListComponentOutputs: input => {
        const c = this.component(input.componentName);
        const { page, nextToken } = paginateOutputs(c.track.outputs(input.deploymentId), input, this.ctx.faults.outputsPageSize);
        return { outputs: page, nextToken };
      },
      ListComponentProvisionedResources: input => {
        this.component(input.componentName);
        return { provisionedResources: [] };
      },
    };
    for (const op of Object.keys(this.operations)) {
      if (!ctx.model.operation(op)) throw new Error(`${op} is not an operation of the Proton model`);
    }
    ctx.addEnvironmentInUseCheck(name => this.environmentUsedBy(name));
    ctx.addServiceInstanceInUseCheck((service, instance) => {
      const c = this.attachedTo(service, instance);
      return c && `component '${c.name}' is attached to it (detach it first: UpdateComponent with serviceName and serviceInstanceName "")`;
    });
    ctx.addServiceInstanceBusyCheck((service, instance) => {
      const c = this.attachedTo(service, instance);
      return c?.track.busy ? `component '${c.name}' attached to it has a deployment ${c.track.status}` : undefined;
    });
  }

  // ---- create -------------------------------------------------------------------------------------

  /**
   * CreateComponent (API reference): `serviceName` and `serviceInstanceName` both or neither; `environmentName` when
   * neither (an attached component's environment is its instance's); `serviceSpec` only when attached. The environment
   * must have a component role, the instance's service template version must support DIRECTLY_DEFINED components. A
   * client token replays ("Idempotent create APIs with a client token"; the model gives CreateComponent a token).
   */
  private create(input: Input) {
    const params = fingerprint(input, ['clientToken']);
    const earlier = this.ctx.tokens.lookup('CreateComponent', input.clientToken, params);
    const replayed = earlier ? [...this.components.values()].find(c => c.arn === earlier) : undefined;
    if (replayed) return { component: this.out(replayed) };
    if (this.components.has(input.name)) throw conflict(`Component ${input.name} already exists`);

    // (The model's ResourceName takes no "": only UpdateComponent can detach.)
    const attachment = requestedAttachment(input, false) ?? undefined;
    let env: EnvironmentView;
    if (attachment) {
      const inst = this.attachableInstance(attachment, input.name);
      if (input.environmentName !== undefined && input.environmentName !== inst.environmentName) {
        throw validationError(`Service instance ${inst.name} of service ${inst.serviceName} runs in environment ${inst.environmentName}, `
          + `not ${input.environmentName}: an attached component's environment is its service instance's (omit environmentName)`);
      }
      env = this.usableEnvironment(inst.environmentName);
    } else {
      if (input.environmentName === undefined) {
        throw validationError('Specify environmentName for a component that isn\'t attached to a service instance '
          + '(or serviceName and serviceInstanceName to attach it)');
      }
      if (input.serviceSpec !== undefined) throw serviceSpecWithoutAttachment();
      env = this.usableEnvironment(input.environmentName);
    }
    this.checkComponentRole(env);
    const templateLanguage = manifestLanguage(input.manifest);
    if (this.components.size >= MAX_COMPONENTS) {
      throw quotaExceeded(`This account already has ${this.components.size} components: at most ${MAX_COMPONENTS} are allowed`);
    }
    this.ctx.tags.validate(input.tags);

    const now = this.ctx.now();
    const target: ComponentTarget = { templateFile: input.templateFile, attachment, serviceSpec: attachment ? input.serviceSpec : undefined };
    const c: ComponentRecord = {
      name: input.name,
      arn: this.ctx.arn(`component/${input.name}`),
      environmentName: env.name,
      manifest: input.manifest,
      templateLanguage,
      description: input.description,
      createdAt: now,
      lastModifiedAt: now,
      lastClientRequestToken: input.clientToken,
      track: new DeploymentTrack<ComponentTarget>(this.ctx, input.name, `component ${input.name}`,
        t => this.outputsOf(c, t), target, now),
    };
    this.components.set(c.name, c);
    this.ctx.tags.register(c.arn, input.tags);
    this.ctx.deletions.forget(c.arn);
    this.ctx.tokens.remember('CreateComponent', input.clientToken, params, c.arn);
    c.track.deploy(target);
    return { component: this.out(c) };
  }

  // ---- update -------------------------------------------------------------------------------------

  /**
   * UpdateComponent (API reference). `deploymentType` NONE: "a deployment doesn't occur. Only the requested metadata
   * parameters are updated. You can only specify description in this mode" (anything else is a ValidationException).
   * CURRENT_VERSION: deploys "with the new serviceSpec, templateSource, and/or type that you provide. Only requested
   * parameters are updated". `serviceName` / `serviceInstanceName`: omitted keeps the attachment, `""` for both
   * detaches, non-empty values for both attach ("Specify non-empty values for both ... or for neither of them"); a
   * component attached to an instance can't be attached to another one without being detached first (user guide,
   * "Component states"). "You can't update a component while its deployment status, or the deployment status of a
   * service instance attached to it, is IN_PROGRESS": ConflictException (for NONE too). A client token replays.
   */
  private update(input: Input) {
    const c = this.component(input.name);
    const params = fingerprint(input, ['clientToken']);
    if (this.ctx.tokens.lookup('UpdateComponent', input.clientToken, params) === c.arn) return { component: this.out(c) };
    if (c.track.deleting) throw conflict(`Component ${c.name} is being deleted (DELETE_IN_PROGRESS) and can't be updated`);
    if (c.track.busy) {
      throw conflict(`Component ${c.name} has a deployment ${c.track.status}: wait until it completes, or cancel it, before updating it`);
    }
    const current = c.track.state;
    if (current.attachment) {
      const inst = this.services.findServiceInstance(current.attachment.serviceName, current.attachment.serviceInstanceName);
      if (inst?.deploying) {
        throw conflict(`Component ${c.name} can't be updated while the service instance ${inst.name} of service ${inst.serviceName} `
          + `it is attached to has a deployment ${inst.deploymentStatus}`);
      }
    }

    let target: ComponentTarget | undefined;
    if (input.deploymentType === 'NONE') {
      const given = ['serviceName', 'serviceInstanceName', 'serviceSpec', 'templateFile'].filter(m => input[m] !== undefined);
      if (given.length > 0) {
        throw validationError(`deploymentType NONE deploys nothing and only updates the description: don't include ${given.join(', ')} `
          + '(use CURRENT_VERSION to deploy them)');
      }
    } else {
      const requested = requestedAttachment(input, true);
      const attachment = requested === undefined ? current.attachment : requested || undefined;
      if (attachment && !sameAttachment(attachment, current.attachment)) {
        if (current.attachment) {
          throw conflict(`Component ${c.name} is attached to service instance ${current.attachment.serviceInstanceName} of service `
            + `${current.attachment.serviceName}: detach it first (serviceName and serviceInstanceName "") before attaching it to another one`);
        }
        const inst = this.attachableInstance(attachment, c.name);
        if (inst.environmentName !== c.environmentName) {
          throw validationError(`Component ${c.name} is associated with environment ${c.environmentName}: it can't be attached to service `
            + `instance ${inst.name} of service ${inst.serviceName}, which runs in environment ${inst.environmentName}`);
        }
      }
      // (Redeploying while attached is not checked against supportedComponentSources: "A change to
      // supportedComponentSources doesn't impact existing component attachments to instances based on this template
      // version. A change only affects later attachments", UpdateServiceTemplateVersion API reference.)
      if (!attachment && input.serviceSpec !== undefined) throw serviceSpecWithoutAttachment();
      this.checkComponentRole(this.usableEnvironment(c.environmentName));
      target = {
        templateFile: input.templateFile ?? current.templateFile,
        attachment,
        // Detached: no spec. Attached: the new one, else (same attachment) the current one.
        serviceSpec: !attachment ? undefined
          : input.serviceSpec ?? (sameAttachment(attachment, current.attachment) ? current.serviceSpec : undefined),
      };
    }

    if (input.description !== undefined) c.description = input.description;
    c.lastModifiedAt = this.ctx.now();
    c.lastClientRequestToken = input.clientToken;
    this.ctx.tokens.remember('UpdateComponent', input.clientToken, params, c.arn);
    if (target) c.track.deploy(target);
    return { component: this.out(c) };
  }

  // ---- delete -------------------------------------------------------------------------------------

  /**
   * DeleteComponent: only a detached component ("Can be deleted: Attached No, Detached Yes", user guide, "Component
   * states": an attached one is a ConflictException, emulator decision on the type), not while it deploys. Asynchronous
   * like DeleteEnvironment (emulator decision; the model marks it idempotent and the ComponentDeleted waiter polls
   * GetComponent until ResourceNotFoundException): DELETE_IN_PROGRESS, a retry answers the component, after
   * `timing.deleteDelayMs` it is gone and a retry answers `{}`; `faults.failDeletion(name)`: DELETE_FAILED.
   */
  private delete(input: Input) {
    const c = this.components.get(input.name);
    if (!c) {
      if (this.ctx.deletions.wasDeleted(this.ctx.arn(`component/${input.name}`))) return {};
      throw this.notFound(input.name);
    }
    if (c.track.deleting) return { component: this.out(c) };
    if (c.track.busy) {
      throw conflict(`Component ${c.name} has a deployment ${c.track.status}: wait until it completes, or cancel it, before deleting it`);
    }
    const attached = c.track.state.attachment;
    if (attached) {
      throw conflict(`Component ${c.name} is attached to service instance ${attached.serviceInstanceName} of service ${attached.serviceName}: `
        + 'detach it first (UpdateComponent with serviceName and serviceInstanceName "")');
    }
    c.track.beginDeletion();
    this.ctx.scheduler.after(this.ctx.delayMs('deleteDelayMs', c.name), () => this.completeDeletion(c));
    return { component: this.out(c) };
  }

  private completeDeletion(c: ComponentRecord): void {
    if (this.components.get(c.name) !== c || !c.track.deleting) return;
    const failure = this.ctx.faults.takeDeletionFailure(c.track.faultKey);
    if (failure !== undefined) {
      c.track.deletionFailed(failure);
      this.ctx.ended('deletion', c.name, 'DELETE_FAILED');
      return;
    }
    this.ctx.ended('deletion', c.name, 'DELETED');
    c.track.retire();
    this.components.delete(c.name);
    this.ctx.tags.forget(c.arn);
    this.ctx.tokens.forgetResource(c.arn);
    this.ctx.deletions.remember(c.arn);
  }

  // ---- list ---------------------------------------------------------------------------------------

  /**
   * ListComponents (API reference): `environmentName` "components associated with the environment or attached to
   * service instances running in it", `serviceName` "components attached to service instances of the service",
   * `serviceInstanceName` "the component attached to the service instance"; filters given together must all match
   * (emulator decision). By name, paginated.
   */
  private list(input: Input) {
    const all = [...this.components.values()]
      .filter(c => input.environmentName === undefined || c.environmentName === input.environmentName)
      .filter(c => input.serviceName === undefined || c.track.state.attachment?.serviceName === input.serviceName)
      .filter(c => input.serviceInstanceName === undefined || c.track.state.attachment?.serviceInstanceName === input.serviceInstanceName)
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, input);
    return { components: page.map(c => this.out(c)), nextToken };
  }

  // ---- checks -------------------------------------------------------------------------------------

  /**
   * An instance a component may be attached to: it exists (ResourceNotFoundException), isn't being deleted or
   * deploying (ConflictException: "You can't update a component while ... the deployment status of a service instance
   * attached to it, is IN_PROGRESS"), its service template version supports DIRECTLY_DEFINED components, and no other
   * component is attached to it (ConflictException: ListComponents answers "the component attached to the service
   * instance, if any": one at most).
   */
  private attachableInstance(a: Attachment, componentName: string): ServiceInstanceView {
    const inst = this.services.findServiceInstance(a.serviceName, a.serviceInstanceName);
    if (!inst) throw notFound(`The service instance ${a.serviceInstanceName} of service ${a.serviceName} was not found`);
    if (inst.deploymentStatus === 'DELETE_IN_PROGRESS') {
      throw conflict(`Service instance ${inst.name} of service ${inst.serviceName} is being deleted: a component can't be attached to it`);
    }
    if (inst.deploying) {
      throw conflict(`Service instance ${inst.name} of service ${inst.serviceName} has a deployment ${inst.deploymentStatus}: `
        + 'wait until it completes before attaching a component to it');
    }
    this.checkComponentSources(inst);
    const other = this.attachedTo(inst.serviceName, inst.name);
    if (other && other.name !== componentName) {
      throw conflict(`Service instance ${inst.name} of service ${inst.serviceName} already has component ${other.name} attached`);
    }
    return inst;
  }

  /** The instance's service template version must list DIRECTLY_DEFINED in `supportedComponentSources`. */
  private checkComponentSources(inst: ServiceInstanceView): void {
    if (inst.supportedComponentSources.includes(DIRECTLY_DEFINED)) return;
    throw validationError(`Service template version ${inst.templateName}:${inst.templateMajorVersion}.${inst.templateMinorVersion} of service `
      + `instance ${inst.name} (service ${inst.serviceName}) doesn't support directly defined components: its supportedComponentSources `
      + `must include ${DIRECTLY_DEFINED}`);
  }

  /** The component's environment exists (ResourceNotFoundException) and isn't being deleted (ConflictException). */
  private usableEnvironment(name: string): EnvironmentView {
    const env = this.environments.findEnvironment(name);
    if (!env) throw notFound(`The environment ${name} was not found`);
    if (env.deploymentStatus === 'DELETE_IN_PROGRESS') throw conflict(`Environment ${name} is being deleted (DELETE_IN_PROGRESS)`);
    return env;
  }

  /**
   * CreateEnvironment / UpdateEnvironment reference: "You must specify componentRoleArn to allow directly defined
   * components to be associated with this environment"; for an environment provisioned through an account connection,
   * "The environment account connection must have a componentRoleArn" (CreateEnvironmentAccountConnection reference).
   * Checked at every deployment (ValidationException).
   */
  private checkComponentRole(env: EnvironmentView): void {
    if (env.environmentAccountConnectionId !== undefined) {
      if (env.connectionComponentRoleArn) return;
      throw validationError(`Environment ${env.name} is provisioned through environment account connection ${env.environmentAccountConnectionId}, `
        + 'which has no componentRoleArn: directly defined components need one');
    }
    if (env.componentRoleArn) return;
    throw validationError(`Environment ${env.name} has no componentRoleArn: directly defined components can be associated with an `
      + 'environment only once it has one (UpdateEnvironment componentRoleArn)');
  }

  // ---- in use -------------------------------------------------------------------------------------

  /**
   * The component attached to the instance: by the attachment it shows, or, while a deployment that changes it runs,
   * by that of its last successful deployment (the instance is in use until the detaching deployment has succeeded).
   */
  private attachedTo(serviceName: string, instanceName: string): ComponentRecord | undefined {
    const target: Attachment = { serviceName, serviceInstanceName: instanceName };
    return [...this.components.values()].find(c => sameAttachment(c.track.state.attachment, target)
      || (c.track.busy && sameAttachment(c.track.lastSucceeded?.attachment, target)));
  }

  private environmentUsedBy(environmentName: string): string | undefined {
    const c = [...this.components.values()].find(x => x.environmentName === environmentName);
    return c && `component '${c.name}' is associated with it`;
  }

  // ---- helpers ------------------------------------------------------------------------------------

  /**
   * The outputs of a successful deployment: the keys of the template file's CloudFormation `Outputs:` (or Terraform
   * `output` blocks, by the manifest's template_language), each `<key>-<component name>`.
   */
  private outputsOf(c: ComponentRecord, target: ComponentTarget): OutputEntry[] {
    const keys = c.templateLanguage === 'terraform' ? terraformOutputKeys(target.templateFile) : cloudFormationOutputKeys(target.templateFile);
    return [...new Set(keys)].map(key => ({ key, valueString: `${key}-${c.name}`.slice(0, 1024) }));
  }

  private component(name: string): ComponentRecord {
    const c = this.components.get(name);
    if (!c) throw this.notFound(name);
    return c;
  }

  private notFound(name: string) {
    return notFound(`The component ${name} was not found`);
  }

  /** One object for Get and List (the model's ComponentSummary drops description and serviceSpec). */
  private out(c: ComponentRecord) {
    const { attachment, serviceSpec } = c.track.state;
    return {
      name: c.name,
      arn: c.arn,
      description: c.description,
      environmentName: c.environmentName,
      serviceName: attachment?.serviceName,
      serviceInstanceName: attachment?.serviceInstanceName,
      serviceSpec,
      createdAt: c.createdAt,
      lastModifiedAt: c.lastModifiedAt,
      lastClientRequestToken: c.lastClientRequestToken,
      ...c.track.statusView(),
    };
  }
}

/**
 * The attachment a Create/UpdateComponent asks for: `undefined` when neither `serviceName` nor `serviceInstanceName` is
 * given, `null` when both are `""` (UpdateComponent only: detach), else both names. One without the other, or one
 * empty and not the other, is a ValidationException ("Specify both serviceInstanceName and serviceName or neither of
 * them").
 */
function requestedAttachment(input: Input, update: boolean): Attachment | null | undefined {
  const serviceName: string | undefined = input.serviceName;
  const serviceInstanceName: string | undefined = input.serviceInstanceName;
  if (serviceName === undefined && serviceInstanceName === undefined) return undefined;
  if (serviceName === undefined || serviceInstanceName === undefined || (serviceName === '') !== (serviceInstanceName === '')) {
    throw validationError(`Specify ${update ? 'non-empty values for ' : ''}both serviceName and serviceInstanceName or for neither of them`
      + (update ? ' ("" for both detaches the component)' : ''));
  }
  return serviceName === '' ? null : { serviceName, serviceInstanceName };
}

function sameAttachment(a: Attachment | undefined, b: Attachment | undefined): boolean {
  return a?.serviceName === b?.serviceName && a?.serviceInstanceName === b?.serviceInstanceName;
}

function serviceSpecWithoutAttachment() {
  return validationError('serviceSpec is for a component attached to a service instance: '
    + 'don\'t include it for a component that isn\'t (or is being detached)');
}

/**
 * The template language of a component manifest (`infrastructure.templates`, as in template bundles): a
 * ValidationException unless it is YAML listing exactly one template ("Components support a single IaC file, even if
 * you use Terraform", CreateComponent reference) with `template_language` cloudformation or terraform (emulator
 * decision: Proton checks the manifest at create or at deployment, the reference doesn't say).
 */
function manifestLanguage(manifest: string): string {
  let templates: unknown;
  try {
    templates = (YAML.parse(manifest) as { infrastructure?: { templates?: unknown } } | null)?.infrastructure?.templates;
  } catch {
    templates = undefined;
  }
  if (!Array.isArray(templates) || templates.length !== 1) {
    throw validationError('The component manifest must be YAML with infrastructure.templates listing one template file '
      + '(file, rendering_engine, template_language): components support a single IaC file');
  }
  const language = String((templates[0] as { template_language?: unknown })?.template_language ?? '').toLowerCase();
  if (language !== 'cloudformation' && language !== 'terraform') {
    throw validationError(`The component manifest's template_language must be cloudformation or terraform (got '${language}')`);
  }
  return language;
}
