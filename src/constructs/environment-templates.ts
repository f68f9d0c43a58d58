import { IResource, ITaggable, RemovalPolicy, Resource, TagManager, TagType } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnEnvironmentTemplate } from 'aws-cdk-lib/aws-proton';
import { Construct } from 'constructs';
import { ResourceType, TemplateVersionAttribute } from '../custom-resources/contract';
import { PERMISSIONS, ProtonResourceFamily } from '../custom-resources/permissions';
import { ITemplate, TemplateBundle, TemplateKind } from './bundles/template-bundle';
import { nameFromArn, protonArn } from './internal/arns';
import { generateName } from './internal/names';
import { readTemplateSchema, TemplateSchema } from './internal/spec-validation';
import { registerTemplateVersion } from './internal/template-version-resource';
import { checkTemplateProps } from './internal/validation';

/** A Proton environment template, declared in this app or imported. */
export interface IEnvironmentTemplate extends IResource, ITemplate {
  /**
   * The template's ARN.
   * @attribute
   */
  readonly templateArn: string;
  /** The template is for customer-managed infrastructure: its bundles carry a schema only. */
  readonly customerManaged: boolean;

  /** Lets `grantee` read the template and its versions (for example a pipeline that checks which version is recommended). */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/** Properties of an environment template. */
export interface EnvironmentTemplateProps {
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
   * The environments of this template use infrastructure the customer provisions and manages
   * (Proton's `CUSTOMER_MANAGED` provisioning): its bundles carry a schema only. It cannot change once created.
   * @default false
   */
  readonly customerManaged?: boolean;
  /**
   * What happens to the template in Proton when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Attributes of an environment template defined elsewhere. */
export interface EnvironmentTemplateAttributes {
  /** The template's name. */
  readonly templateName: string;
  /**
   * The template is for customer-managed infrastructure.
   * @default false
   */
  readonly customerManaged?: boolean;
}

/** Options of a template version, as given to `addVersion`. */
export interface TemplateVersionOptions {
  /** The bundle to register: schema and infrastructure files. */
  readonly bundle: TemplateBundle;
  /**
   * The major version the bundle becomes a new minor version of. A major version that does not
   * exist yet is started when it is the next one; any other fails the deployment. The version
   * registers after the template's versions without `majorVersion`, as one of them may start it.
   * Without it, the first deployment starts a new major version and later bundles become minor versions of it.
   * @default - a new major version the first time
   */
  readonly majorVersion?: string;
  /**
   * A description of the version.
   * @default - none
   */
  readonly description?: string;
  /**
   * Publish the version once Proton has registered it, making it the template's recommended version.
   * @default true
   */
  readonly publish?: boolean;
  /**
   * What happens to the version in Proton when it leaves the stack or a new bundle supersedes it.
   * `RETAIN` keeps every version and makes no Proton call on delete.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Take over the version Proton already has in `majorVersion` whose schema is the bundle's (the newest such
   * minor version), instead of registering the bundle; the Create fails naming the versions when none has it.
   * Proton keeps no other part of a bundle to compare. While `adopt` is set, the stack never deletes the version.
   * @default false
   */
  readonly adopt?: boolean;
}

/** A version of an environment template: its template and version numbers. */
export interface IEnvironmentTemplateVersion {
  /** The template the version belongs to. */
  readonly template: IEnvironmentTemplate;
  /** The major version. */
  readonly majorVersion: string;
}

/** Properties of an environment template version. */
export interface EnvironmentTemplateVersionProps extends TemplateVersionOptions {
  /** The template the version belongs to. */
  readonly template: IEnvironmentTemplate;
}

abstract class EnvironmentTemplateBase extends Resource implements IEnvironmentTemplate {
  public readonly templateKind = TemplateKind.ENVIRONMENT;
  public abstract readonly templateName: string;
  public abstract readonly templateArn: string;
  public abstract readonly customerManaged: boolean;

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['proton:GetEnvironmentTemplate', 'proton:ListEnvironmentTemplateVersions', 'proton:GetEnvironmentTemplateVersion'],
      resourceArns: [this.templateArn, `${this.templateArn}:*`],
    });
  }

  /** Registers a bundle as a version of this template. */
  public addVersion(id: string, options: TemplateVersionOptions): EnvironmentTemplateVersion {
    return new EnvironmentTemplateVersion(this, id, { ...options, template: this });
  }
}

/**
 * A Proton environment template (the native `AWS::Proton::EnvironmentTemplate`). Its versions
 * are registered from bundles with `addVersion`.
 *
 * @resource AWS::Proton::EnvironmentTemplate
 */
export class EnvironmentTemplate extends EnvironmentTemplateBase {
  /** Imports an environment template by name. */
  public static fromEnvironmentTemplateName(scope: Construct, id: string, templateName: string): IEnvironmentTemplate {
    return EnvironmentTemplate.fromEnvironmentTemplateAttributes(scope, id, { templateName });
  }

  /** Imports an environment template by ARN. */
  public static fromEnvironmentTemplateArn(scope: Construct, id: string, templateArn: string): IEnvironmentTemplate {
    return EnvironmentTemplate.fromEnvironmentTemplateAttributes(scope, id, { templateName: nameFromArn(templateArn) });
  }

  /** Imports an environment template by its attributes. */
  public static fromEnvironmentTemplateAttributes(scope: Construct, id: string, attrs: EnvironmentTemplateAttributes): IEnvironmentTemplate {
    class Import extends EnvironmentTemplateBase {
      public readonly templateName = attrs.templateName;
      public readonly templateArn = protonArn(this, ProtonResourceFamily.ENVIRONMENT_TEMPLATE, attrs.templateName);
      public readonly customerManaged = attrs.customerManaged ?? false;
    }
    return new Import(scope, id);
  }

  public readonly templateName: string;
  public readonly templateArn: string;
  public readonly customerManaged: boolean;

  constructor(scope: Construct, id: string, props: EnvironmentTemplateProps = {}) {
    super(scope, id);
    this.templateName = props.templateName ?? generateName(this);
    checkTemplateProps(this, this.templateName, props);
    this.customerManaged = props.customerManaged ?? false;

    const resource = new CfnEnvironmentTemplate(this, 'Resource', {
      name: this.templateName,
      displayName: props.displayName,
      description: props.description,
      encryptionKey: props.encryptionKey?.keyArn,
      provisioning: this.customerManaged ? 'CUSTOMER_MANAGED' : undefined,
    });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
    this.templateArn = resource.attrArn;
  }
}

/**
 * A version of an environment template, registered in Proton from a bundle, waited for and
 * published. Proton assigns the version numbers: read them from `majorVersion` and `minorVersion`.
 *
 * A changed bundle registers a new minor version; CloudFormation then deletes the superseded
 * one in its cleanup phase, unless something still uses it (it is then kept in Proton).
 */
export class EnvironmentTemplateVersion extends Resource implements ITaggable, IEnvironmentTemplateVersion {
  /** The template the version belongs to. */
  public readonly template: IEnvironmentTemplate;
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
  /** Tags of the version in Proton. */
  public readonly tags: TagManager;
  /**
   * The bundle's schema, when the app can read it: environment specs are checked against it at synth time.
   * @internal
   */
  public readonly _schema?: TemplateSchema;

  constructor(scope: Construct, id: string, props: EnvironmentTemplateVersionProps) {
    super(scope, id);
    this.template = props.template;
    this.tags = new TagManager(TagType.MAP, ResourceType.ENVIRONMENT_TEMPLATE_VERSION);
    const bundle = props.bundle.bind(this, { kind: TemplateKind.ENVIRONMENT, customerManaged: props.template.customerManaged });
    this._schema = bundle.schemaFile ? readTemplateSchema(bundle.schemaFile) : undefined;
    const resource = registerTemplateVersion(this, {
      template: props.template,
      resourceType: ResourceType.ENVIRONMENT_TEMPLATE_VERSION,
      permissions: PERMISSIONS.ENVIRONMENT_TEMPLATE_VERSION,
      templateName: props.template.templateName,
      bundle,
      options: props,
      tags: this.tags,
    });
    this.majorVersion = resource.getAttString(TemplateVersionAttribute.MAJOR_VERSION);
    this.minorVersion = resource.getAttString(TemplateVersionAttribute.MINOR_VERSION);
    this.versionArn = resource.getAttString(TemplateVersionAttribute.ARN);
  }
}
