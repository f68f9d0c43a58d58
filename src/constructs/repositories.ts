import { IResource, ITaggable, RemovalPolicy, Resource, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  RepositoryProperties, ResourceType, ServiceSyncConfigProperties, SyncedBranchProperties, TemplateSyncConfigProperties,
} from '../custom-resources/contract';
import { PERMISSIONS, ProtonResourceFamily } from '../custom-resources/permissions';
import { ProtonProvider } from '../custom-resources/provider';
import { ITemplate } from './bundles/template-bundle';
import { protonArn } from './internal/arns';
import { ConstructProperties, dependOn, protonResource } from './internal/proton-resource';
import { protonTags } from './internal/tags';
import { protonError } from './internal/validation';
import { IService } from './services';

/** The source code providers Proton links repositories from. */
export enum RepositoryProvider {
  /** GitHub. */
  GITHUB = 'GITHUB',
  /** GitHub Enterprise Server. */
  GITHUB_ENTERPRISE = 'GITHUB_ENTERPRISE',
  /** Bitbucket. */
  BITBUCKET = 'BITBUCKET',
}

/** A branch of a repository linked to Proton. */
export interface RepositoryBranch {
  /** The repository's provider. */
  readonly provider: RepositoryProvider;
  /** The repository's name, such as `my-org/proton-infrastructure`. */
  readonly name: string;
  /** The branch. */
  readonly branch: string;
}

/** A repository linked to Proton. */
export interface IRepository extends IResource {
  /** The repository's provider. */
  readonly provider: RepositoryProvider;
  /**
   * The repository's name, such as `my-org/proton-templates`.
   * @attribute
   */
  readonly repositoryName: string;
  /**
   * The link's ARN.
   * @attribute
   */
  readonly repositoryArn: string;

  /** A branch of the repository, for self-managed provisioning or a pipeline provisioning repository. */
  branch(branch: string): RepositoryBranch;
}

/** Properties of a repository link. */
export interface RepositoryProps {
  /** The repository's provider. */
  readonly provider: RepositoryProvider;
  /** The repository's name, such as `my-org/proton-templates`. */
  readonly repositoryName: string;
  /** The ARN of the CodeStar connection Proton reaches the repository through. */
  readonly connectionArn: string;
  /**
   * A customer managed KMS key for the link's data.
   * @default - an AWS owned key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the link when it leaves the stack (the repository itself is never touched).
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

abstract class RepositoryBase extends Resource implements IRepository {
  public abstract readonly provider: RepositoryProvider;
  public abstract readonly repositoryName: string;

  public get repositoryArn(): string {
    return protonArn(this, ProtonResourceFamily.REPOSITORY, `${this.provider.toLowerCase()}:${this.repositoryName}`);
  }

  public branch(branch: string): RepositoryBranch {
    return { provider: this.provider, name: this.repositoryName, branch };
  }
}

/**
 * A repository linked to Proton (`CreateRepository`), for template and service sync configs,
 * self-managed provisioning and pipeline provisioning. Proton has no update for a link: a new
 * connection or encryption key links it anew, a new provider or name is a replacement; tags change
 * in place. Deleting removes only the link.
 */
export class Repository extends RepositoryBase implements ITaggable {
  /** Imports a repository already linked to Proton. */
  public static fromRepositoryName(scope: Construct, id: string, provider: RepositoryProvider, repositoryName: string): IRepository {
    class Import extends RepositoryBase {
      public readonly provider = provider;
      public readonly repositoryName = repositoryName;
    }
    return new Import(scope, id);
  }

  public readonly provider: RepositoryProvider;
  public readonly repositoryName: string;
  /** Tags of the link in Proton. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: RepositoryProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.repositoryName) && !/^[^/\s]+\/[^/\s]+$/.test(props.repositoryName)) {
      throw protonError(this, `repositoryName "${props.repositoryName}" is not "owner/repository": give the repository as its provider names it`);
    }
    this.provider = props.provider;
    this.repositoryName = props.repositoryName;
    this.tags = new TagManager(TagType.MAP, ResourceType.REPOSITORY);
    protonResource<RepositoryProperties>(this, {
      resourceType: ResourceType.REPOSITORY,
      permissions: PERMISSIONS.REPOSITORY,
      grantOn: `${props.provider.toLowerCase()}:${props.repositoryName}`,
      properties: {
        Provider: props.provider,
        Name: props.repositoryName,
        ConnectionArn: props.connectionArn,
        EncryptionKey: props.encryptionKey?.keyArn,
        Tags: protonTags(this.tags),
        RemovalPolicy: props.removalPolicy,
      },
    });
    ProtonProvider.of(this)._grantPassConnection(props.connectionArn);
  }
}

/** A sync config's resource: what it syncs (`properties`, from `synced`) follows `branch` of `repository`, both deployed first. */
function syncConfigResource<P extends SyncedBranchProperties>(scope: Construct, type: 'TEMPLATE' | 'SERVICE',
  synced: unknown, repository: IRepository, branch: string, properties: Omit<ConstructProperties<P>, keyof SyncedBranchProperties>): void {
  const kind = `${type}_SYNC_CONFIG` as const;
  const resource = protonResource<P>(scope, {
    resourceType: ResourceType[kind],
    permissions: PERMISSIONS[kind],
    properties: {
      ...properties, RepositoryProvider: repository.provider, RepositoryName: repository.repositoryName, Branch: branch,
    } as ConstructProperties<P>,
  });
  dependOn(resource, synced, repository);
}

/** Properties of a template sync config. */
export interface TemplateSyncConfigProps {
  /** The template whose versions Proton registers from the repository (environment or service). */
  readonly template: ITemplate;
  /** The repository holding the template bundle. */
  readonly repository: IRepository;
  /** The branch Proton follows. */
  readonly branch: string;
  /**
   * The folder of the repository holding the template's bundles.
   * @default - the repository's root
   */
  readonly subdirectory?: string;
  /**
   * What happens to the sync config when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Lets Proton register new versions of a template from commits to a repository branch. Branch,
 * repository and subdirectory change in place; a new template is a new sync config.
 */
export class TemplateSyncConfig extends Resource {
  constructor(scope: Construct, id: string, props: TemplateSyncConfigProps) {
    super(scope, id);
    syncConfigResource<TemplateSyncConfigProperties>(this, 'TEMPLATE', props.template, props.repository, props.branch, {
      TemplateName: props.template.templateName,
      TemplateType: props.template.templateKind,
      Subdirectory: props.subdirectory,
      RemovalPolicy: props.removalPolicy,
    });
  }
}

/** Properties of a service sync config. */
export interface ServiceSyncConfigProps {
  /** The service whose spec Proton keeps in sync with the repository. */
  readonly service: IService;
  /** The repository holding the service's Proton ops file. */
  readonly repository: IRepository;
  /** The branch Proton follows. */
  readonly branch: string;
  /** The path of the Proton ops file in the repository, such as `proton-ops.yaml`. */
  readonly filePath: string;
  /**
   * What happens to the sync config when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Lets Proton keep a service in sync with an ops file in a repository. Branch, repository and
 * file path change in place; a new service is a new sync config.
 */
export class ServiceSyncConfig extends Resource {
  constructor(scope: Construct, id: string, props: ServiceSyncConfigProps) {
    super(scope, id);
    syncConfigResource<ServiceSyncConfigProperties>(this, 'SERVICE', props.service, props.repository, props.branch, {
      ServiceName: props.service.serviceName,
      FilePath: props.filePath,
      RemovalPolicy: props.removalPolicy,
    });
  }
}
