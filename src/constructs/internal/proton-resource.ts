import { CfnResource, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { protonError } from './validation';
import { RemovalMode } from '../../custom-resources/contract';
import { HandlerPermissions } from '../../custom-resources/permissions';
import { ProtonProvider } from '../../custom-resources/provider';

/**
 * A resource type's properties as a construct gives them: a `RemovalPolicy` property (where the type
 * has one) is the CDK removal policy, sent to the handler as its removal mode.
 */
export type ConstructProperties<P> = P extends { readonly RemovalPolicy: string }
  ? Omit<P, 'RemovalPolicy'> & { readonly RemovalPolicy: RemovalPolicy | undefined }
  : P;

/** A custom resource of the stack's Proton provider. */
export interface ProtonResourceOptions<P> {
  /** The resource type (`ResourceType`). */
  readonly resourceType: string;
  /** What the handler calls. */
  readonly permissions: HandlerPermissions;
  /**
   * The Proton name the permissions are granted on.
   * @default - only the permissions' wildcard actions
   */
  readonly grantOn?: string;
  /** The properties the handler reads. */
  readonly properties: ConstructProperties<P>;
  /**
   * The removal policy also sets CloudFormation's deletion policy. Without it CloudFormation always
   * sends the delete, and the handler alone acts on the removal mode.
   * @default true
   */
  readonly applyRemovalPolicy?: boolean;
}

/**
 * A custom resource of the Proton provider: a `CfnResource` of its own (not a `CustomResource` wrapping one), so an
 * object is one construct, and CloudFormation's default deletion policy (Delete) is not written out for each.
 */
export class ProtonCustomResource extends CfnResource {
  /** An attribute the handler returns, as a string. */
  public getAttString(name: string): string {
    return Token.asString(this.getAtt(name));
  }
}

/**
 * Creates a custom resource of the stack's Proton provider and grants its handler what it calls.
 * The removal policy defaults to DESTROY.
 */
export function protonResource<P>(scope: Construct, options: ProtonResourceOptions<P>): ProtonCustomResource {
  const provider = ProtonProvider.of(scope);
  provider._grantHandler(options.permissions, options.grantOn);
  const given = options.properties as { [key: string]: any };
  const removalPolicy = 'RemovalPolicy' in given ? given.RemovalPolicy ?? RemovalPolicy.DESTROY : undefined;
  // Assigning a key the object already has keeps its place in the template.
  const properties = removalPolicy === undefined ? { ...given } : { ...given, RemovalPolicy: removalMode(scope, removalPolicy) };
  const resource = new ProtonCustomResource(scope, 'Resource', {
    type: options.resourceType,
    properties: { ServiceToken: provider.serviceToken, ...properties },
  });
  provider._dependOnGrants(resource);
  // DESTROY is CloudFormation's default for a custom resource: only RETAIN is written.
  if (removalPolicy === RemovalPolicy.RETAIN && (options.applyRemovalPolicy ?? true)) resource.applyRemovalPolicy(removalPolicy);
  return resource;
}

/** The handler's removal mode for a removal policy; Proton resources are either deleted or kept. */
function removalMode(scope: IConstruct, policy: RemovalPolicy): string {
  if (policy !== RemovalPolicy.DESTROY && policy !== RemovalPolicy.RETAIN) {
    throw protonError(scope, `removalPolicy ${policy} is not supported for Proton resources: use DESTROY or RETAIN`);
  }
  return policy === RemovalPolicy.RETAIN ? RemovalMode.RETAIN : RemovalMode.DELETE;
}

/** `resource` waits for the targets that are constructs of this app (their default child: the resource they declare). */
export function dependOn(resource: IConstruct, ...targets: unknown[]): void {
  for (const target of targets) {
    const child = Construct.isConstruct(target) ? target.node.defaultChild : undefined;
    if (child) resource.node.addDependency(child);
  }
}
