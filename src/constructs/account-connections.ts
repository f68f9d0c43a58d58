import { IResource, RemovalPolicy, Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnEnvironmentAccountConnection } from 'aws-cdk-lib/aws-proton';
import { Construct } from 'constructs';
import { AcceptEnvironmentAccountConnectionProperties, ResourceType } from '../custom-resources/contract';
import { PERMISSIONS, ProtonResourceFamily } from '../custom-resources/permissions';
import { RESOURCE_NAME } from '../proton-limits.generated';
import { protonArn } from './internal/arns';
import { protonResource } from './internal/proton-resource';
import { checkString, protonError } from './internal/validation';

/** A connection that lets a management account's Proton deploy an environment into another account. */
export interface IEnvironmentAccountConnection extends IResource {
  /**
   * The connection's id.
   * @attribute
   */
  readonly connectionId: string;
  /**
   * The connection's ARN.
   * @attribute
   */
  readonly connectionArn: string;
}

/** Properties of an environment account connection. */
export interface EnvironmentAccountConnectionProps {
  /** The account whose Proton manages the environment. */
  readonly managementAccountId: string;
  /** The name of the environment (in the management account) that deploys into this account. */
  readonly environmentName: string;
  /**
   * The role Proton assumes in this account to provision the environment (see `ProtonServiceRole`
   * with `managementAccountId`). Give this or `codebuildRole`.
   * @default - none
   */
  readonly role?: iam.IRole;
  /**
   * The role CodeBuild provisioning runs with in this account.
   * @default - none
   */
  readonly codebuildRole?: iam.IRole;
  /**
   * The role Proton provisions directly defined components with in this account.
   * @default - none
   */
  readonly componentRole?: iam.IRole;
  /**
   * What happens to the connection when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

abstract class ConnectionBase extends Resource implements IEnvironmentAccountConnection {
  public abstract readonly connectionId: string;
  public abstract readonly connectionArn: string;
}

/**
 * The environment account's side of an environment account connection (the native
 * `AWS::Proton::EnvironmentAccountConnection`). The management account accepts it with
 * `AcceptEnvironmentAccountConnection`; then environments there deploy into this account.
 *
 * @resource AWS::Proton::EnvironmentAccountConnection
 */
export class EnvironmentAccountConnection extends ConnectionBase {
  /** Imports a connection by id, for example in the management account's stack. */
  public static fromEnvironmentAccountConnectionId(scope: Construct, id: string, connectionId: string): IEnvironmentAccountConnection {
    class Import extends ConnectionBase {
      public readonly connectionId = connectionId;
      public readonly connectionArn = protonArn(this, ProtonResourceFamily.ENVIRONMENT_ACCOUNT_CONNECTION, connectionId);
    }
    return new Import(scope, id);
  }

  public readonly connectionId: string;
  public readonly connectionArn: string;

  constructor(scope: Construct, id: string, props: EnvironmentAccountConnectionProps) {
    super(scope, id);
    checkString(this, 'environmentName', props.environmentName, RESOURCE_NAME,
      'use the name of the environment in the management account');
    if (!props.role && !props.codebuildRole) {
      throw protonError(this, 'no role for Proton to provision with: give role (AWS-managed provisioning) or codebuildRole (CodeBuild provisioning)');
    }
    const resource = new CfnEnvironmentAccountConnection(this, 'Resource', {
      managementAccountId: props.managementAccountId,
      environmentName: props.environmentName,
      roleArn: props.role?.roleArn,
      codebuildRoleArn: props.codebuildRole?.roleArn,
      componentRoleArn: props.componentRole?.roleArn,
    });
    resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);
    this.connectionId = resource.attrId;
    this.connectionArn = resource.attrArn;
  }
}

/** Properties of the acceptance of an environment account connection. */
export interface AcceptEnvironmentAccountConnectionProps {
  /** The connection the environment account requested (usually imported by id). */
  readonly connection: IEnvironmentAccountConnection;
}

/**
 * The management account's side of an environment account connection: accepts it, so that an
 * `Environment` can deploy through it. Pass this construct as the environment's
 * `environmentAccountConnection` and the environment waits for the acceptance. Removing it from
 * the stack makes no Proton call: Proton's only way back is a rejection, which is final, so
 * delete the connection from the environment account instead.
 */
export class AcceptEnvironmentAccountConnection extends ConnectionBase {
  public readonly connectionId: string;
  public readonly connectionArn: string;

  constructor(scope: Construct, id: string, props: AcceptEnvironmentAccountConnectionProps) {
    super(scope, id);
    const resource = protonResource<AcceptEnvironmentAccountConnectionProperties>(this, {
      resourceType: ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION,
      permissions: PERMISSIONS.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION,
      grantOn: props.connection.connectionId,
      properties: { ConnectionId: props.connection.connectionId },
    });
    // The physical id is the connection id: referencing it makes environments wait for the acceptance.
    this.connectionId = resource.ref;
    this.connectionArn = props.connection.connectionArn;
  }
}
