import { IResource, ITaggable, RemovalPolicy, Resource, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnServiceTemplate } from 'aws-cdk-lib/aws-proton';
import { Construct } from 'constructs';
import { ResourceType, TemplateVersionAttribute } from '../custom-resources/contract';
import { PERMISSIONS, ProtonResourceFamily } from '../custom-resources/permissions';
import { COMPATIBLE_ENVIRONMENT_TEMPLATES } from '../proton-limits.generated';
import { ITemplate, TemplateKind } from './bundles/template-bundle';
import { IEnvironmentTemplateVersion, TemplateVersionOptions } from './environment-templates';
import { nameFromArn, protonArn } from './internal/arns';
import { generateName } from './internal/names';
import { readTemplateSchema, TemplateSchema } from './internal/spec-validation';
import { registerTemplateVersion } from './internal/template-version-resource';
import { checkTemplateProps, protonError } from './internal/validation';

/** Who provisions a template's infrastructure when Proton does not. */
export enum Provisioning {
  /** The customer provisions it: for a service template, there is no Proton pipeline. */
  CUSTOMER_MANAGED = 'CUSTOMER_MANAGED',
}

/** Where the components attached to a service's instances may come from. */
export enum ComponentSource {
  /** Components defined directly by developers (the `Component` construct). */
  DIRECTLY_DEFINED = 'DIRECTLY_DEFINED',
}

/** A Proton service template, declared in this app or imported. */
export interface IServiceTemplate extends IResource, ITemplate {
  /**
   * The template's ARN.
   * @attribute
   */
  readonly templateArn: string;
  /** Services of the template have a Proton pipeline (its bundles carry `pipeline_infrastructure/`). */
  readonly pipeline: boolean;

  /** Lets `grantee` read the template and its versions. */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Properties of a service template. */
export interface ServiceTemplateProps {
  /**
   * The template's name in Proton. It cannot change once created.
   * @default - a name unique in the app, starting with the stack's name
   */
  readonly templateName?: string;
  /**
   * The name shown in the Proton console.
   * @default - none
   */
  readonly displayName?: string;
  /**
   * A description of the template.
   * @default - none
   */
  readonly description?: string;
  /**
   * A customer managed KMS key Proton encrypts the template's data with. It cannot change once created.
   * @default - an AWS owned key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * `Provisioning.CUSTOMER_MANAGED`: services of this template have no Proton pipeline. It cannot change once created.
   * @default - Proton provisions a pipeline for each service
   */
  readonly pipelineProvisioning?: Provisioning;
  /**
   * What happens to the template in Proton when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Attributes of a service template defined elsewhere. */
export interface ServiceTemplateAttributes {
  /** The template's name. */
  readonly templateName: string;
  /**
   * Services of the template have a Proton pipeline.
   * @default true
   */
  readonly pipeline?: boolean;
}

/** Options of a service template version, as given to `addVersion`. */
export interface ServiceTemplateVersionOptions extends TemplateVersionOptions {
  /** The environment template versions (template and major version) whose environments can run the service: 1 to 10. */
  readonly compatibleEnvironmentTemplates: IEnvironmentTemplateVersion[];
  /**
   * Where components attached to the service's instances may come from.
   * @default - no components
   */
  readonly supportedComponentSources?: ComponentSource[];
}

/** Properties of a service template version. */
export interface ServiceTemplateVersionProps extends ServiceTemplateVersionOptions {
  /** The template the version belongs to. */
  readonly template: IServiceTemplate;
}

abstract class ServiceTemplateBase extends Resource implements IServiceTemplate {
  public readonly templateKind = TemplateKind.SERVICE;
  public abstract readonly templateName: string;
  public abstract readonly templateArn: string;
  public abstract readonly pipeline: boolean;

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['proton:GetServiceTemplate', 'proton:ListServiceTemplateVersions', 'proton:GetServiceTemplateVersion'],
      resourceArns: [this.templateArn, `${this.templateArn}:*`],
    });
  }

  /** Registers a bundle as a version of this template. */
  public addVersion(id: string, options: ServiceTemplateVersionOptions): ServiceTemplateVersion {
    return new ServiceTemplateVersion(this, id, { ...options, template: this });
  }
}

/**
 * A Proton service template (the native `AWS::Proton::ServiceTemplate`). Its versions are
 * registered from bundles with `addVersion`.
 *
 * @resource AWS::Proton::ServiceTemplate
 */
export class ServiceTemplate extends ServiceTemplateBase {
  /** Imports a service template by name (with a Proton pipeline). */
  public static fromServiceTemplateName(scope: Construct, id: string, templateName: string): IServiceTemplate {
    return ServiceTemplate.fromServiceTemplateAttributes(scope, id, { templateName });
  }

  /** Imports a service template by ARN (with a Proton pipeline). */
  public static fromServiceTemplateArn(scope: Construct, id: string, templateArn: string): IServiceTemplate {
    return ServiceTemplate.fromServiceTemplateAttributes(scope, id, { templateName: nameFromArn(templateArn) });
  }

  /** Imports a service template by its attributes. */
  public static fromServiceTemplateAttributes(scope: Construct, id: string, attrs: ServiceTemplateAttributes): IServiceTemplate {
    class Import extends ServiceTemplateBase {
      public readonly templateName = attrs.templateName;
      public readonly templateArn = protonArn(this, ProtonResourceFamily.SERVICE_TEMPLATE, attrs.templateName);
      public readonly pipeline = attrs.pipeline ?? true;
    }
    return new Import(scope, id);
  }

  public readonly templateName: string;
  public readonly templateArn: string;
  public readonly pipeline: boolean;

  constructor(scope: Construct, id: string, props: ServiceTemplateProps = {}) {
    super(scope, id);
    this.templateName = props.templateName ?? generateName(this);
    checkTemplateProps(this, this.templateName, props);
    this.pipeline = props.pipelineProvisioning !== Provisioning.CUSTOMER_MANAGED;
    const resource = new CfnServiceTemplate(this, 'Resource', {
      name: this.templateName,
      displayName: props.displayName,
      description: props.description,
      encryptionKey: props.encryptionKey?.keyArn,
      pipelineProvisioning: props.pipelineProvisioning,
    });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
    this.templateArn = resource.attrArn;
  }
}

/**
 * A version of a service template, registered from a bundle, waited for and published like an
 * environment template version. Its bundle is checked for `instance_infrastructure/` and, when the
 * template has a Proton pipeline, `pipeline_infrastructure/`.
 */
export class ServiceTemplateVersion extends Resource implements ITaggable {
  /** The template the version belongs to. */
  public readonly template: IServiceTemplate;
  /**
   * The major version Proton assigned.
   * @attribute
   */
  public readonly majorVersion: string;
  /**
   * The minor version Proton assigned.
   * @attribute
   */
  public readonly minorVersion: string;
  /**
   * The version's ARN.
   * @attribute
   */
  public readonly versionArn: string;
  /** The environment template versions whose environments can run the service. */
  public readonly compatibleEnvironmentTemplates: IEnvironmentTemplateVersion[];
  /** Where components attached to the service's instances may come from. */
  public readonly supportedComponentSources: ComponentSource[];
  /** Tags of the version in Proton. */
  public readonly tags: TagManager;
  /**
   * The bundle's schema, when the app can read it: instance and pipeline specs are checked against it at synth time.
   * @internal
   */
  public readonly _schema?: TemplateSchema;

  constructor(scope: Construct, id: string, props: ServiceTemplateVersionProps) {
    super(scope, id);
    this.template = props.template;
    this.compatibleEnvironmentTemplates = [...props.compatibleEnvironmentTemplates];
    this.supportedComponentSources = [...(props.supportedComponentSources ?? [])];
    const { min, max } = COMPATIBLE_ENVIRONMENT_TEMPLATES;
    const count = this.compatibleEnvironmentTemplates.length;
    if (count < min || count > max) {
      throw protonError(this, `compatibleEnvironmentTemplates has ${count} entries, Proton takes ${min} to ${max}: `
        + 'list the environment template versions whose environments can run the service');
    }
    this.tags = new TagManager(TagType.MAP, ResourceType.SERVICE_TEMPLATE_VERSION);
    const bundle = props.bundle.bind(this, { kind: TemplateKind.SERVICE, pipeline: props.template.pipeline });
    this._schema = bundle.schemaFile ? readTemplateSchema(bundle.schemaFile) : undefined;
    const resource = registerTemplateVersion(this, {
      template: props.template,
      resourceType: ResourceType.SERVICE_TEMPLATE_VERSION,
      permissions: PERMISSIONS.SERVICE_TEMPLATE_VERSION,
      templateName: props.template.templateName,
      bundle,
      options: props,
      tags: this.tags,
      extraProperties: {
        CompatibleEnvironmentTemplates: this.compatibleEnvironmentTemplates.map((v) => ({
          templateName: v.template.templateName,
          majorVersion: v.majorVersion,
        })),
        SupportedComponentSources: this.supportedComponentSources.length > 0 ? this.supportedComponentSources : undefined,
      },
    });
    this.majorVersion = resource.getAttString(TemplateVersionAttribute.MAJOR_VERSION);
    this.minorVersion = resource.getAttString(TemplateVersionAttribute.MINOR_VERSION);
    this.versionArn = resource.getAttString(TemplateVersionAttribute.ARN);
  }

  /**
   * Whether environments of `templateName` at `majorVersion` can run the service, as far as the
   * app can tell (an unresolved version is taken as compatible).
   */
  public isCompatibleWith(templateName: string, majorVersion?: string): boolean {
    return this.compatibleEnvironmentTemplates.some((v) => v.template.templateName === templateName
      && (majorVersion === undefined || Token.isUnresolved(majorVersion) || Token.isUnresolved(v.majorVersion) || v.majorVersion === majorVersion));
  }
}

