import * as fs from 'fs';
import * as path from 'path';
import { ITaggable, RemovalPolicy, Resource, TagManager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Environment, IEnvironment } from './environments';
import { ComponentAttribute, ComponentProperties, outputAttribute, ReservedTag, ResourceType } from '../custom-resources/contract';
import { PERMISSIONS } from '../custom-resources/permissions';
import { TEMPLATE_FILE_CONTENTS, TEMPLATE_MANIFEST_CONTENTS } from '../proton-limits.generated';
import { AppServiceInstance } from './internal/app-service-instance';
import { generateName } from './internal/names';
import { OutputKeys } from './internal/outputs';
import { dependOn, protonResource, ProtonCustomResource } from './internal/proton-resource';
import { protonTagManager, protonTags } from './internal/tags';
import { checkAdoptable, checkDescription, checkName, protonError, userError } from './internal/validation';
import { ComponentSource } from './service-templates';
import { IServiceInstance, Service } from './services';
import { checkSpecSize, Spec, SpecDocumentKind, toSpecYaml } from './specs';

/** The manifest of a component: how Proton renders and deploys its template file. */
export abstract class ComponentManifest {
  /** A manifest read from a file at synth time. */
  public static fromFile(file: string): ComponentManifest {
    const resolved = path.resolve(file);
    if (!fs.existsSync(resolved)) throw userError(`component manifest ${resolved} does not exist: give the path of a manifest file (relative paths are from ${process.cwd()})`);
    return new TextManifest(fs.readFileSync(resolved, 'utf8'), resolved);
  }

  /** A manifest given as YAML text. */
  public static fromString(text: string): ComponentManifest {
    return new TextManifest(text);
  }

  /**
   * The manifest text, checked against Proton's limits.
   * @internal
   */
  public abstract _render(scope: Construct): string;
}

class TextManifest extends ComponentManifest {
  constructor(private readonly text: string, private readonly file?: string) {
    super();
  }

  public _render(scope: Construct): string {
    const { min, max } = TEMPLATE_MANIFEST_CONTENTS;
    if (this.text.length < min || this.text.length > max) {
      throw protonError(scope, `the component manifest${this.file ? ` ${this.file}` : ''} is ${this.text.length} characters, `
        + `Proton takes ${min} to ${max}: keep only the infrastructure entry for the template file`);
    }
    return this.text;
  }
}

/** Properties of a component. */
export interface ComponentProps {
  /**
   * The component's name in Proton. Changing it, the manifest or the environment replaces the component.
   * @default - a name unique in the app, starting with the stack's name
   */
  readonly componentName?: string;
  /**
   * The service instance the component is attached to. Give this or `environment`.
   * @default - none: a component of `environment`
   */
  readonly serviceInstance?: IServiceInstance;
  /**
   * The environment of a component not attached to a service instance.
   * @default - the environment of `serviceInstance`
   */
  readonly environment?: IEnvironment;
  /** The component's manifest. */
  readonly manifest: ComponentManifest;
  /** The path of the component's infrastructure as code file (at most 51,200 characters), read at synth time. */
  readonly templateFile: string;
  /**
   * Service inputs for the component (`Spec.fromObject`); only for a component attached to a service instance.
   * @default - none
   */
  readonly spec?: Spec;
  /**
   * A description of the component.
   * @default - none
   */
  readonly description?: string;
  /**
   * What happens to the component when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Take over a component Proton already has under `componentName` instead of creating it, when it is attached
   * where the stack declares, with the same service inputs and description (the Create fails naming the
   * differences otherwise). Proton does not report a component's template file, so the Create then deploys the
   * declared one once. While `adopt` is set, the stack never deletes the component: remove it once adopted.
   * @default false
   */
  readonly adopt?: boolean;
}

/**
 * A directly defined Proton component: infrastructure a developer adds to a service instance or
 * an environment. Deployed with a client token from the CloudFormation request and waited for
 * (`waitUntilComponentDeployed`); a new template file or spec is deployed in place
 * (`CURRENT_VERSION`), a new description deploys nothing; delete waits until Proton has removed it.
 */
export class Component extends Resource implements ITaggable {
  /**
   * The component's name.
   * @attribute
   */
  public readonly componentName: string;
  /**
   * The component's ARN.
   * @attribute
   */
  public readonly componentArn: string;
  /** Tags of the component in Proton (given at create, changed in place on update). */
  public readonly tags: TagManager;

  private readonly resource: ProtonCustomResource;
  private readonly outputs = new OutputKeys(this, 'the template file\'s outputs');

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id);
    if ((props.serviceInstance === undefined) === (props.environment === undefined)) {
      throw protonError(this, 'give exactly one of serviceInstance (a component attached to a service instance) or environment');
    }
    if (props.spec && !props.serviceInstance) {
      throw protonError(this, 'spec gives service inputs, which only a component attached to a service instance has: remove it or attach the component');
    }
    this.componentName = props.componentName ?? generateName(this);
    checkName(this, 'componentName', this.componentName);
    checkAdoptable(this, 'component', props.adopt, props.componentName);
    checkDescription(this, props.description);
    checkComponentsAllowed(this, props);
    const templateFile = readTemplateFile(this, props.templateFile);
    this.tags = protonTagManager(this, ResourceType.COMPONENT, [ReservedTag.OWNER, ReservedTag.REQUEST]);

    const instance = props.serviceInstance;
    const inputs = props.spec?._inputs(this);
    this.resource = protonResource<ComponentProperties>(this, {
      resourceType: ResourceType.COMPONENT,
      permissions: PERMISSIONS.COMPONENT,
      grantOn: this.componentName,
      properties: {
        Name: this.componentName,
        EnvironmentName: props.environment?.environmentName,
        ServiceName: instance?.serviceName,
        ServiceInstanceName: instance?.serviceInstanceName,
        Manifest: props.manifest._render(this),
        TemplateFile: templateFile,
        ServiceSpec: instance && inputs ? this.renderSpec(instance, inputs) : undefined,
        Description: props.description,
        Tags: protonTags(this.tags),
        RemovalPolicy: props.removalPolicy,
        Adopt: props.adopt ? 'true' : undefined,
        Outputs: this.outputs.render(),
      },
    });
    // A standalone ServiceInstance is its own resource: the component waits for it, as for the service an app instance belongs to.
    dependOn(this.resource, props.environment, instanceOwner(instance) ?? instance);
    this.componentArn = this.resource.getAttString(ComponentAttribute.ARN);
  }

  /** The value of one of the component's outputs, read from Proton after each deployment. */
  public output(key: string): string {
    this.outputs.add(key);
    return this.resource.getAttString(outputAttribute(key));
  }

  private renderSpec(instance: IServiceInstance, inputs: { [name: string]: any }): string {
    const text = toSpecYaml({ proton: SpecDocumentKind.SERVICE, instances: [{ name: instance.serviceInstanceName, spec: inputs }] });
    checkSpecSize(this, text);
    return text;
  }
}

function readTemplateFile(scope: Construct, file: string): string {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) {
    throw protonError(scope, `templateFile ${resolved} does not exist: give the path of the component's infrastructure as code file`);
  }
  const text = fs.readFileSync(resolved, 'utf8');
  const { min, max } = TEMPLATE_FILE_CONTENTS;
  if (text.length < min || text.length > max) {
    throw protonError(scope, `templateFile ${resolved} is ${text.length} characters, Proton takes ${min} to ${max}: make it smaller`);
  }
  return text;
}

/** The Service construct an instance belongs to, when the instance came from one in this app. */
function instanceOwner(instance: IServiceInstance | undefined): Service | undefined {
  return instance instanceof AppServiceInstance ? instance.service : undefined;
}

/** What the app can tell: the environment takes components, the service template allows them. */
function checkComponentsAllowed(scope: Construct, props: ComponentProps): void {
  const service = instanceOwner(props.serviceInstance);
  const environment = props.environment
    ?? (service && props.serviceInstance ? service.declaredInstances[props.serviceInstance.serviceInstanceName] : undefined);
  if (environment instanceof Environment && !environment.componentRole) {
    throw protonError(scope, `environment ${environment.node.path} has no componentRole, so Proton cannot deploy components in it: `
      + 'give the environment a componentRole');
  }
  const version = service?.templateVersion;
  if (version && !version.supportedComponentSources.includes(ComponentSource.DIRECTLY_DEFINED)) {
    throw protonError(scope, `the service template version of ${service.node.path} does not list DIRECTLY_DEFINED in supportedComponentSources: `
      + 'add it to the version, or attach the component elsewhere');
  }
}
