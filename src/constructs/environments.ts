import { ArnFormat, IResource, ITaggable, RemovalPolicy, Resource, Stack, TagManager, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IEnvironmentAccountConnection } from './account-connections';
import { EnvironmentTemplateVersion, IEnvironmentTemplate } from './environment-templates';
import { EnvironmentAttribute, EnvironmentProperties, outputAttribute, ReservedTag, ResourceType } from '../custom-resources/contract';
import { PERMISSIONS, ProtonResourceFamily } from '../custom-resources/permissions';
import { ProtonProvider } from '../custom-resources/provider';
import { nameFromArn, protonArn } from './internal/arns';
import { generateName } from './internal/names';
import { OutputKeys } from './internal/outputs';
import { protonResource, ProtonCustomResource } from './internal/proton-resource';
import { specValidationErrors } from './internal/spec-validation';
import { protonTagManager, protonTags } from './internal/tags';
import { pinTemplate } from './internal/template-pin';
import { checkAdoptable, checkDescription, checkName, protonError } from './internal/validation';
import { RepositoryBranch } from './repositories';
import { Spec, SpecDocumentKind } from './specs';

/** A Proton environment, declared in this app or imported. */
export interface IEnvironment extends IResource {
  /**
   * The environment's name.
   * @attribute
   */
  readonly environmentName: string;
  /**
   * The environment's ARN.
   * @attribute
   */
  readonly environmentArn: string;
}

/** Properties of an environment. */
export interface EnvironmentProps {
  /**
   * The environment's name in Proton. Changing it, or the template, replaces the environment.
   * @default - a name unique in the app, starting with the stack's name (a new one when the template changes)
   */
  readonly environmentName?: string;
  /**
   * The template version to deploy: its template, major and minor version. Give either this or `template`.
   * @default - `template` and `majorVersion`
   */
  readonly templateVersion?: EnvironmentTemplateVersion;
  /**
   * The template to deploy, for a template defined elsewhere; needs `majorVersion`.
   * @default - the template of `templateVersion`
   */
  readonly template?: IEnvironmentTemplate;
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
  /** The inputs, as the template's schema declares them. */
  readonly spec: Spec;
  /**
   * A description of the environment.
   * @default - none
   */
  readonly description?: string;
  /**
   * The role Proton assumes to provision the environment's infrastructure (AWS-managed provisioning).
   * Exactly one of `protonServiceRole`, `codebuildRole`, `provisioningRepository` and
   * `environmentAccountConnection` is given.
   * @default - none
   */
  readonly protonServiceRole?: iam.IRole;
  /**
   * The role CodeBuild provisioning runs with (CodeBuild-based provisioning).
   * @default - none
   */
  readonly codebuildRole?: iam.IRole;
  /**
   * The repository Proton opens pull requests in (self-managed provisioning).
   * @default - none
   */
  readonly provisioningRepository?: RepositoryBranch;
  /**
   * The connection to the account the environment is deployed in (deployment into another account).
   * @default - none
   */
  readonly environmentAccountConnection?: IEnvironmentAccountConnection;
  /**
   * The role Proton provisions directly defined components with; without it, the environment takes no components.
   * @default - none
   */
  readonly componentRole?: iam.IRole;
  /**
   * What happens to the environment in Proton when it leaves the stack. `RETAIN` keeps it (and its
   * infrastructure) and makes no Proton call.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Take over an environment Proton already has under `environmentName` (made in the console or the CLI)
   * instead of creating it: the Create deploys nothing when it runs the declared template version, spec and
   * provisioning, and fails naming the differences when it does not. While `adopt` is set, the stack never
   * deletes the environment (a rollback must not delete what the stack did not make): remove it once adopted,
   * a deployment that makes no Proton call.
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * Check the spec at synth time against the schema of `templateVersion`'s bundle (when the app can read it):
   * every problem fails the synthesis with the input, what the schema wants and what was given.
   * @default true
   */
  readonly validate?: boolean;
}

abstract class EnvironmentBase extends Resource implements IEnvironment {
  public abstract readonly environmentName: string;
  public abstract readonly environmentArn: string;
}

/** An environment defined elsewhere, known by its name and ARN. */
function importEnvironment(scope: Construct, id: string, environmentName: string, environmentArn: string): IEnvironment {
  class Import extends EnvironmentBase {
    public readonly environmentName = environmentName;
    public readonly environmentArn = environmentArn;
  }
  return new Import(scope, id);
}

/**
 * A Proton environment: deployed from an environment template version with a spec, waited for
 * until Proton reports it deployed, and updated with the deployment type the change needs.
 * Its outputs are available as tokens with `output()`.
 */
export class Environment extends EnvironmentBase implements ITaggable {
  /** Imports an environment by name. */
  public static fromEnvironmentName(scope: Construct, id: string, environmentName: string): IEnvironment {
    return importEnvironment(scope, id, environmentName, protonArn(scope, ProtonResourceFamily.ENVIRONMENT, environmentName));
  }

  /** Imports an environment by ARN. */
  public static fromEnvironmentArn(scope: Construct, id: string, environmentArn: string): IEnvironment {
    return importEnvironment(scope, id, nameFromArn(environmentArn), environmentArn);
  }

  public readonly environmentName: string;
  public readonly environmentArn: string;
  /** The name of the template the environment is deployed from. */
  public readonly templateName: string;
  /** The major version of the template the environment is deployed from. */
  public readonly templateMajorVersion: string;
  /** The role Proton provisions the environment's components with, if it takes components. */
  public readonly componentRole?: iam.IRole;
  /** Tags of the environment in Proton (set at creation). */
  public readonly tags: TagManager;

  private readonly resource: ProtonCustomResource;
  private readonly referencedOutputs = new OutputKeys(this);

  constructor(scope: Construct, id: string, props: EnvironmentProps) {
    super(scope, id);
    const pin = pinTemplate(this, props);
    this.templateName = pin.template.templateName;
    this.templateMajorVersion = pin.majorVersion;
    this.componentRole = props.componentRole;
    this.environmentName = props.environmentName ?? generateName(this, pin.template.templateName);
    checkName(this, 'environmentName', this.environmentName);
    checkAdoptable(this, 'environment', props.adopt, props.environmentName);
    checkDescription(this, props.description);
    checkProvisioning(this, props);
    this.tags = protonTagManager(this, ResourceType.ENVIRONMENT, [ReservedTag.OWNER, ReservedTag.REQUEST]);

    this.resource = protonResource<EnvironmentProperties>(this, {
      resourceType: ResourceType.ENVIRONMENT,
      permissions: PERMISSIONS.ENVIRONMENT,
      grantOn: this.environmentName,
      properties: {
        Name: this.environmentName,
        TemplateName: pin.template.templateName,
        TemplateMajorVersion: pin.majorVersion,
        TemplateMinorVersion: pin.minorVersion,
        Spec: props.spec._render(this, SpecDocumentKind.ENVIRONMENT),
        Description: props.description,
        ProtonServiceRoleArn: props.protonServiceRole?.roleArn,
        CodebuildRoleArn: props.codebuildRole?.roleArn,
        ComponentRoleArn: props.componentRole?.roleArn,
        EnvironmentAccountConnectionId: props.environmentAccountConnection?.connectionId,
        ProvisioningRepository: props.provisioningRepository,
        Tags: protonTags(this.tags),
        RemovalPolicy: props.removalPolicy,
        Adopt: props.adopt ? 'true' : undefined,
        Outputs: this.referencedOutputs.render(),
      },
    });
    const provider = ProtonProvider.of(this);
    provider._grantHandler(PERMISSIONS.ENVIRONMENT_TEMPLATE_LOOKUP, this.templateName);
    for (const role of [props.protonServiceRole, props.codebuildRole, props.componentRole]) {
      if (role) provider._grantPassRole(role.roleArn);
    }
    this.environmentArn = this.resource.getAttString(EnvironmentAttribute.ARN);
    if (props.validate ?? true) {
      this.node.addValidation({
        validate: () => specValidationErrors(props.templateVersion?._schema, [{
          name: 'the environment spec', inputType: 'environment_input_type', inputs: props.spec._inputs(this), at: ['spec'], spec: props.spec,
        }], Token.isUnresolved),
      });
    }
  }

  /**
   * The value of one of the environment's outputs, read from Proton after each deployment. Only
   * the outputs asked for here are returned; a deployment fails when Proton has no such output.
   */
  public output(key: string): string {
    this.referencedOutputs.add(key);
    return this.resource.getAttString(outputAttribute(key));
  }
}

function checkProvisioning(scope: Construct, props: EnvironmentProps): void {
  const given = Object.entries({
    protonServiceRole: props.protonServiceRole,
    codebuildRole: props.codebuildRole,
    provisioningRepository: props.provisioningRepository,
    environmentAccountConnection: props.environmentAccountConnection,
  }).filter(([, value]) => value !== undefined).map(([key]) => key);
  if (given.length !== 1) {
    throw protonError(scope, `${given.length === 0 ? 'no provisioning' : `conflicting provisioning (${given.join(', ')})`}: give exactly one of `
      + 'protonServiceRole (AWS-managed), codebuildRole (CodeBuild), provisioningRepository (self-managed) or environmentAccountConnection (another account)');
  }
}

/** Properties of a Proton service role. */
export interface ProtonServiceRoleProps {
  /**
   * The account whose Proton environments may use the role. For a role in an environment
   * account, used through an environment account connection, this is the management account.
   * @default - this stack's account
   */
  readonly managementAccountId?: string;
  /**
   * The role's name.
   * @default - generated by CloudFormation
   */
  readonly roleName?: string;
  /**
   * A description of the role.
   * @default - none
   */
  readonly description?: string;
}

/**
 * The role Proton assumes to provision environments (`protonServiceRole` of an `Environment`, or
 * `role` of an `EnvironmentAccountConnection`). Trusted by `proton.amazonaws.com` for one account's
 * Proton environments only (`aws:SourceAccount`
 * and `aws:SourceArn`, against the confused deputy). It has no permissions of its own: grant it
 * what the environment templates provision, for example
 * `role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:CreateVpc', ...], resources: ['*'] }))`,
 * and `cloudformation:*` on `arn:aws:cloudformation:<region>:<account>:stack/AWSProton-*`, the
 * stacks Proton deploys with it.
 */
export class ProtonServiceRole extends iam.Role {
  constructor(scope: Construct, id: string, props: ProtonServiceRoleProps = {}) {
    const stack = Stack.of(scope);
    const account = props.managementAccountId ?? stack.account;
    super(scope, id, {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new iam.ServicePrincipal('proton.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'proton', account, resource: 'environment', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        },
      }),
    });
  }
}
