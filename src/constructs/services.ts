import { IResource, ITaggable, Lazy, RemovalPolicy, Resource, TagManager, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Environment, IEnvironment } from './environments';
import {
  instanceOutputAttribute, outputAttribute, pipelineOutputAttribute, ReservedTag, ResourceType, ServiceAttribute, ServiceInstanceAttribute,
  ServiceInstanceProperties, ServiceInstanceProperty, ServiceProperties,
} from '../custom-resources/contract';
import { PERMISSIONS, ProtonResourceFamily } from '../custom-resources/permissions';
import { ProtonProvider } from '../custom-resources/provider';
import { SPEC_CONTENTS } from '../proton-limits.generated';
import { AppServiceInstance } from './internal/app-service-instance';
import { nameFromArn, protonArn } from './internal/arns';
import { generateName } from './internal/names';
import { OutputKeys } from './internal/outputs';
import { dependOn, protonResource, ProtonCustomResource } from './internal/proton-resource';
import { specValidationErrors, SpecUnderCheck } from './internal/spec-validation';
import { protonTagManager, protonTags } from './internal/tags';
import { pinTemplate } from './internal/template-pin';
import { checkAdoptable, checkDescription, checkName, checkVersionParts, protonError } from './internal/validation';
import { IServiceTemplate, ServiceTemplateVersion } from './service-templates';
import { checkSpecSize, Spec, SpecDocumentKind, toSpecYaml } from './specs';

/** Proton's quota of instances per service. */
const MAX_INSTANCES = 20;

/** A service instance: one deployment of a service into an environment. */
export interface IServiceInstance {
  /** The service's name. */
  readonly serviceName: string;
  /** The instance's name. */
  readonly serviceInstanceName: string;
  /** The value of one of the instance's outputs, read from Proton after each deployment. */
  output(key: string): string;
}

/** Options of a service instance. */
export interface ServiceInstanceOptions {
  /** The environment the instance is deployed into. */
  readonly environment: IEnvironment;
  /**
   * The instance's inputs (`Spec.fromObject`), as the service template's schema declares them.
   * @default - no inputs
   */
  readonly spec?: Spec;
}

/** A service instance declared with its service. */
export interface ServiceInstanceDeclaration extends ServiceInstanceOptions {
  /** The instance's name, unique in the service. */
  readonly name: string;
}

/** The service's pipeline. */
export interface ServicePipelineOptions {
  /**
   * The pipeline's inputs (`Spec.fromObject`).
   * @default - no inputs
   */
  readonly spec?: Spec;
}

/** A Proton service, declared in this app or imported. */
export interface IService extends IResource {
  /**
   * The service's name.
   * @attribute
   */
  readonly serviceName: string;
  /**
   * The service's ARN.
   * @attribute
   */
  readonly serviceArn: string;
}

/** Properties of a service. */
export interface ServiceProps {
  /**
   * The service's name in Proton. Changing it, the template or the repository replaces the service.
   * @default - a name unique in the app, starting with the stack's name (a new one when the template changes)
   */
  readonly serviceName?: string;
  /**
   * The service template version to deploy. Give either this or `template`.
   * @default - `template` and `majorVersion`
   */
  readonly templateVersion?: ServiceTemplateVersion;
  /**
   * The template to deploy, for a template defined elsewhere; needs `majorVersion`.
   * @default - the template of `templateVersion`
   */
  readonly template?: IServiceTemplate;
  /**
   * The major version of `template`.
   * @default - required with `template`
   */
  readonly majorVersion?: string;
  /**
   * The minor version of `template`.
   * @default - the recommended minor version of `majorVersion`
   */
  readonly minorVersion?: string;
  /**
   * The service's instances, at most 20; more can be added with `addInstance`.
   * @default - none
   */
  readonly instances?: ServiceInstanceDeclaration[];
  /**
   * The service's pipeline, when its template has one.
   * @default - a pipeline without inputs when the template has one
   */
  readonly pipeline?: ServicePipelineOptions;
  /**
   * The ARN of the CodeStar connection to the repository the pipeline builds (templates with a pipeline only).
   * @default - none
   */
  readonly repositoryConnectionArn?: string;
  /**
   * The repository the pipeline builds, such as `my-org/orders` (templates with a pipeline only).
   * @default - none
   */
  readonly repositoryId?: string;
  /**
   * The branch the pipeline builds (templates with a pipeline only).
   * @default - none
   */
  readonly branchName?: string;
  /**
   * A description of the service.
   * @default - none
   */
  readonly description?: string;
  /**
   * What happens to the service (its instances and pipeline) when it leaves the stack. `RETAIN`
   * keeps it and makes no Proton call.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Take over a service Proton already has under `serviceName` (made in the console or the CLI) instead of
   * creating it: the Create deploys nothing when the service, its instances and its pipeline run what the stack
   * declares, and fails naming the differences when they do not. While `adopt` is set, the stack never deletes
   * the service (a rollback must not delete what the stack did not make): remove it once adopted, a deployment
   * that makes no Proton call.
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * Check the instance and pipeline specs at synth time against the schema of `templateVersion`'s bundle (when
   * the app can read it): every problem fails the synthesis with the input, what the schema wants and what was given.
   * @default true
   */
  readonly validate?: boolean;
}

abstract class ServiceBase extends Resource implements IService {
  public abstract readonly serviceName: string;
  public abstract readonly serviceArn: string;
}

interface DeclaredInstance {
  readonly name: string;
  readonly environment: IEnvironment;
  readonly inputs: { [name: string]: any };
  readonly spec?: Spec;
}

/**
 * A Proton service with its instances (one per environment) and its pipeline, deployed from a
 * service template version and kept in the declared state: instances added and removed, specs
 * and versions changed, each change waited for.
 */
export class Service extends ServiceBase implements ITaggable {
  /** Imports a service by name. */
  public static fromServiceName(scope: Construct, id: string, serviceName: string): IService {
    class Import extends ServiceBase {
      public readonly serviceName = serviceName;
      public readonly serviceArn = protonArn(scope, ProtonResourceFamily.SERVICE, serviceName);
    }
    return new Import(scope, id);
  }

  /** Imports a service by ARN. */
  public static fromServiceArn(scope: Construct, id: string, serviceArn: string): IService {
    return Service.fromServiceName(scope, id, nameFromArn(serviceArn));
  }

  public readonly serviceName: string;
  public readonly serviceArn: string;
  /** Tags of the service in Proton (set at creation). */
  public readonly tags: TagManager;

  private readonly resource: ProtonCustomResource;
  private readonly instances = new Map<string, DeclaredInstance>();
  private readonly instanceOutputs = new OutputKeys(this);
  private readonly pipelineOutputs = new OutputKeys(this);
  private readonly hasPipeline: boolean;
  /** The service template version the service is deployed from, when it is in this app. */
  public readonly templateVersion?: ServiceTemplateVersion;
  /** The service's instances, by name (each with its environment). */
  public readonly declaredInstances: { [name: string]: IEnvironment } = {};

  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id);
    const pin = pinTemplate(this, props);
    this.templateVersion = props.templateVersion;
    this.hasPipeline = pin.template.pipeline;
    this.serviceName = props.serviceName ?? generateName(this, pin.template.templateName);
    checkName(this, 'serviceName', this.serviceName);
    checkAdoptable(this, 'service', props.adopt, props.serviceName);
    checkDescription(this, props.description);
    checkRepository(this, this.hasPipeline, props);
    this.tags = protonTagManager(this, ResourceType.SERVICE, [ReservedTag.OWNER, ReservedTag.REQUEST]);

    const pipelineInputs = this.hasPipeline ? props.pipeline?.spec?._inputs(this) ?? {} : undefined;
    const pipelineSpec = pipelineInputs ? this.renderSpec(pipelineInputs, []) : undefined;
    this.resource = protonResource<ServiceProperties>(this, {
      resourceType: ResourceType.SERVICE,
      permissions: PERMISSIONS.SERVICE,
      grantOn: this.serviceName,
      properties: {
        Name: this.serviceName,
        TemplateName: pin.template.templateName,
        TemplateMajorVersion: pin.majorVersion,
        TemplateMinorVersion: pin.minorVersion,
        Description: props.description,
        RepositoryConnectionArn: props.repositoryConnectionArn,
        RepositoryId: props.repositoryId,
        BranchName: props.branchName,
        Instances: Lazy.any({ produce: () => this.instanceProperties(pipelineInputs, pipelineSpec) }) as any,
        PipelineSpec: pipelineSpec,
        Tags: protonTags(this.tags),
        RemovalPolicy: props.removalPolicy,
        Adopt: props.adopt ? 'true' : undefined,
        InstanceOutputs: this.instanceOutputs.render(),
        PipelineOutputs: this.pipelineOutputs.render(),
      },
    });
    // CreateService hands the pipeline's repository connection to Proton.
    if (props.repositoryConnectionArn !== undefined) ProtonProvider.of(this)._grantPassConnection(props.repositoryConnectionArn);
    this.serviceArn = this.resource.getAttString(ServiceAttribute.ARN);

    for (const instance of props.instances ?? []) {
      this.addInstance(instance.name, instance);
    }
    this.node.addValidation({
      validate: () => this.instances.size > MAX_INSTANCES
        ? [`the service has ${this.instances.size} instances, Proton allows at most ${MAX_INSTANCES} per service: split it into several services`]
        : [],
    });
    if (props.validate ?? true) this.validateSpecs(pipelineInputs, props.pipeline?.spec);
  }

  /** Adds an instance of the service, deployed into `options.environment`. */
  public addInstance(name: string, options: ServiceInstanceOptions): IServiceInstance {
    checkName(this, 'instance name', name);
    if (this.instances.has(name)) {
      throw protonError(this, `the service already has an instance named "${name}": give each instance its own name`);
    }
    checkCompatible(this, this.templateVersion, name, options.environment);
    this.instances.set(name, { name, environment: options.environment, inputs: options.spec?._inputs(this) ?? {}, spec: options.spec });
    this.declaredInstances[name] = options.environment;
    // The service waits for the environments it deploys into.
    dependOn(this.resource, options.environment);
    return this.instance(name);
  }

  /** An instance of the service, for its outputs. */
  public instance(name: string): IServiceInstance {
    if (!this.instances.has(name)) {
      throw protonError(this, `the service has no instance named "${name}": its instances are ${[...this.instances.keys()].join(', ') || 'none'}`);
    }
    return new AppServiceInstance(this, name, (key) => {
      this.instanceOutputs.add(key, `${name}/${key}`);
      return this.resource.getAttString(instanceOutputAttribute(name, key));
    });
  }

  /** The value of one of the pipeline's outputs, read from Proton after each deployment. */
  public pipelineOutput(key: string): string {
    if (!this.hasPipeline) {
      throw protonError(this, 'the service template has no Proton pipeline, so the service has no pipeline outputs');
    }
    this.pipelineOutputs.add(key);
    return this.resource.getAttString(pipelineOutputAttribute(key));
  }

  private sortedInstances(): DeclaredInstance[] {
    return [...this.instances.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private instanceProperties(pipelineInputs: { [name: string]: any } | undefined, pipelineSpec: string | undefined): ServiceInstanceProperty[] {
    const instances = this.sortedInstances().map((i) => ({
      Name: i.name,
      Environment: i.environment.environmentName,
      Spec: this.renderSpec(undefined, [i]),
    }));
    // The handler composes CreateService's whole spec from these parts; it is shorter than they are together,
    // so it is rendered (and checked against Proton's limit) only when they are not short enough.
    const partsLength = [...instances.map((i) => i.Spec), pipelineSpec ?? ''].reduce((length, part) => length + part.length, 0);
    if (partsLength > SPEC_CONTENTS.max) this.renderSpec(pipelineInputs, this.sortedInstances());
    return instances;
  }

  private renderSpec(pipeline: { [name: string]: any } | undefined, instances: DeclaredInstance[]): string {
    const document: Record<string, unknown> = { proton: SpecDocumentKind.SERVICE };
    if (pipeline) document.pipeline = pipeline;
    if (instances.length > 0) {
      document.instances = instances.map((i) => ({ name: i.name, environment: i.environment.environmentName, spec: i.inputs }));
    }
    const text = toSpecYaml(document);
    checkSpecSize(this, text);
    return text;
  }

  /** At synth time: instances added later are checked too. */
  private validateSpecs(pipelineInputs: { [name: string]: any } | undefined, pipelineSpec: Spec | undefined): void {
    this.node.addValidation({
      validate: () => specValidationErrors(this.templateVersion?._schema, [
        ...this.sortedInstances().map((i, index): SpecUnderCheck => ({
          name: `instance "${i.name}"'s spec`, inputType: 'service_input_type', inputs: i.inputs, at: ['instances', index, 'spec'], spec: i.spec,
        })),
        ...(pipelineInputs ? [{ name: 'the pipeline spec', inputType: 'pipeline_input_type', inputs: pipelineInputs, at: ['pipeline'], spec: pipelineSpec } as const] : []),
      ], Token.isUnresolved),
    });
  }
}

/** An instance's environment must be of a template the service template version lists as compatible (when both are in the app). */
function checkCompatible(scope: Construct, version: ServiceTemplateVersion | undefined, name: string, environment: IEnvironment): void {
  if (!version || !(environment instanceof Environment)) return;
  if (!version.isCompatibleWith(environment.templateName, environment.templateMajorVersion)) {
    const compatible = version.compatibleEnvironmentTemplates.map((v) => v.template.templateName).join(', ');
    throw protonError(scope, `instance "${name}" deploys into environment ${environment.node.path}, whose template `
      + `${environment.templateName} is not compatible with the service template version (compatible: ${compatible}): `
      + 'add it to compatibleEnvironmentTemplates or pick another environment');
  }
}

function checkRepository(scope: Construct, hasPipeline: boolean, props: ServiceProps): void {
  const fields = { repositoryConnectionArn: props.repositoryConnectionArn, repositoryId: props.repositoryId, branchName: props.branchName };
  const given = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (hasPipeline && given.length !== 3) {
    const missing = Object.keys(fields).filter((k) => !given.includes(k));
    throw protonError(scope, `the service template has a Proton pipeline, which builds a repository: give ${missing.join(', ')} `
      + '(or use a template with pipelineProvisioning: Provisioning.CUSTOMER_MANAGED)');
  }
  if (!hasPipeline && (given.length > 0 || props.pipeline)) {
    throw protonError(scope, `the service template has no Proton pipeline: remove ${[...given, ...(props.pipeline ? ['pipeline'] : [])].join(', ')}`);
  }
}

/** Properties of a service instance declared on its own. */
export interface ServiceInstanceProps {
  /** The service the instance is added to (it may be defined in another stack). */
  readonly service: IService;
  /** The instance's name, unique in the service. Changing it replaces the instance. */
  readonly name: string;
  /** The environment the instance is deployed into. Changing it replaces the instance (with a new name). */
  readonly environment: IEnvironment;
  /**
   * The instance's inputs (`Spec.fromObject`).
   * @default - no inputs
   */
  readonly spec?: Spec;
  /**
   * The service template's major version for this instance.
   * @default - the service's
   */
  readonly majorVersion?: string;
  /**
   * The service template's minor version for this instance.
   * @default - the recommended minor version
   */
  readonly minorVersion?: string;
  /**
   * What happens to the instance when it leaves the stack: `DESTROY` removes it from the service.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Check the spec at synth time against the schema of the service's template version, when `service` is a
   * `Service` of this app deployed from a version in it and the instance takes that version (no `majorVersion`
   * or `minorVersion`): every problem fails the synthesis with the input, what the schema wants and what was given.
   * @default true
   */
  readonly validate?: boolean;
}

/**
 * An instance added to an existing service (`CreateServiceInstance`), so that instances can live
 * in other stacks than their service, for example next to the environment they deploy into.
 * Declare an instance here or with its `Service`, not both: the service leaves instances it did
 * not declare alone.
 */
export class ServiceInstance extends Resource implements IServiceInstance, ITaggable {
  public readonly serviceName: string;
  public readonly serviceInstanceName: string;
  /**
   * The instance's ARN.
   * @attribute
   */
  public readonly serviceInstanceArn: string;
  /** Tags of the instance in Proton (given at create, changed in place on update). */
  public readonly tags: TagManager;

  private readonly resource: ProtonCustomResource;
  private readonly outputs = new OutputKeys(this);

  constructor(scope: Construct, id: string, props: ServiceInstanceProps) {
    super(scope, id);
    this.serviceName = props.service.serviceName;
    this.serviceInstanceName = props.name;
    checkName(this, 'name', props.name);
    checkVersionParts(this, props);
    // The service's template version, when it is in the app and the instance takes it.
    const version = props.service instanceof Service && props.majorVersion === undefined && props.minorVersion === undefined
      ? props.service.templateVersion : undefined;
    checkCompatible(this, version, props.name, props.environment);
    this.tags = protonTagManager(this, ResourceType.SERVICE_INSTANCE, [ReservedTag.OWNER, ReservedTag.REQUEST]);
    const inputs = props.spec?._inputs(this) ?? {};
    this.resource = protonResource<ServiceInstanceProperties>(this, {
      resourceType: ResourceType.SERVICE_INSTANCE,
      permissions: PERMISSIONS.SERVICE_INSTANCE,
      grantOn: this.serviceName,
      properties: {
        ServiceName: this.serviceName,
        Name: props.name,
        Environment: props.environment.environmentName,
        Spec: Lazy.string({ produce: () => this.renderSpec(props.environment, inputs) }),
        TemplateMajorVersion: props.majorVersion,
        TemplateMinorVersion: props.minorVersion,
        Tags: protonTags(this.tags),
        RemovalPolicy: props.removalPolicy,
        Outputs: this.outputs.render(),
      },
    });
    dependOn(this.resource, props.service, props.environment);
    this.serviceInstanceArn = this.resource.getAttString(ServiceInstanceAttribute.ARN);

    if (props.validate ?? true) {
      this.node.addValidation({
        validate: () => specValidationErrors(version?._schema, [{
          name: `instance "${props.name}"'s spec`, inputType: 'service_input_type', inputs, at: ['instances', 0, 'spec'], spec: props.spec,
        }], Token.isUnresolved),
      });
    }
  }

  public output(key: string): string {
    this.outputs.add(key);
    return this.resource.getAttString(outputAttribute(key));
  }

  private renderSpec(environment: IEnvironment, inputs: { [name: string]: any }): string {
    const text = toSpecYaml({
      proton: SpecDocumentKind.SERVICE,
      instances: [{ name: this.serviceInstanceName, environment: environment.environmentName, spec: inputs }],
    });
    checkSpecSize(this, text);
    return text;
  }
}
