import { createHash } from 'crypto';
import * as path from 'path';
import { conflict, notFound, validationError } from '../errors';
import { fingerprint } from '../idempotency';
import { EmulatorContext, Input, OperationHandler, ResourceFamily } from './context';
import { ServiceFamily } from './services';
import { TemplateFamily } from './templates';

type TemplateType = 'ENVIRONMENT' | 'SERVICE';

/** Where a sync config reads from: a branch of a linked repository. */
interface RepositoryBranchRef {
  repositoryProvider: string;
  repositoryName: string;
  branch: string;
}

interface TemplateSyncConfigRecord extends RepositoryBranchRef {
  readonly templateName: string;
  readonly templateType: TemplateType;
  subdirectory?: string;
  /** Fingerprint of the create request, for the token-less create idempotency. */
  readonly createParams: string;
  /** Changed by UpdateTemplateSyncConfig since it was created: a repeated create is then a ConflictException. */
  modified: boolean;
  /** When it was created or last updated: when its (pretended) last sync started. */
  changedAt: Date;
}

interface ServiceSyncConfigRecord extends RepositoryBranchRef {
  readonly serviceName: string;
  filePath: string;
  readonly createParams: string;
  modified: boolean;
  changedAt: Date;
}

/** The model's ResourceSyncStatus. */
type ResourceSyncStatus = 'INITIATED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

/**
 * Template sync configs (keyed by template name and type) and service sync configs (keyed by service name), with
 * their status operations. Nothing is ever synced: the emulator has no git. See README, "Sync configs".
 *
 * - Create/Get/Update/Delete{Template,Service}SyncConfig. The template (service) must exist and the repository must be
 *   linked (CreateTemplateSyncConfig reference: "tracking a linked repository. A linked repository is a repository
 *   that has been registered with Proton"; UpdateTemplateSyncConfig: "Repository details (branch, name, and provider)
 *   should be of a linked repository"; service sync: the proton-ops file is "found in your linked repository", user
 *   guide). Both are ValidationExceptions: the model gives the Create operations no ResourceNotFoundException.
 * - GetTemplateSyncStatus, GetServiceInstanceSyncStatus: a plausible answer derived from the emulator's state.
 * - GetServiceSyncBlockerSummary: no blockers, ever; UpdateServiceSyncBlocker: ResourceNotFoundException.
 */
export class SyncConfigFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  private readonly templateConfigs = new Map<string, TemplateSyncConfigRecord>();
  private readonly serviceConfigs = new Map<string, ServiceSyncConfigRecord>();

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly environmentTemplates: TemplateFamily,
    private readonly serviceTemplates: TemplateFamily,
    private readonly services: ServiceFamily,
  ) {
    if (environmentTemplates.kind !== 'environment' || serviceTemplates.kind !== 'service') {
      throw new Error('sync configs need the environment and the service template families, in that order');
    }
    this.operations = {
      CreateTemplateSyncConfig: input => this.createTemplateConfig(input),
      GetTemplateSyncConfig: input => ({ templateSyncConfig: this.templateOut(this.templateConfig(input.templateName, input.templateType)) }),
      UpdateTemplateSyncConfig: input => this.updateTemplateConfig(input),
      DeleteTemplateSyncConfig: input => this.deleteTemplateConfig(input),
      GetTemplateSyncStatus: input => this.templateSyncStatus(input),
      CreateServiceSyncConfig: input => this.createServiceConfig(input),
      GetServiceSyncConfig: input => ({ serviceSyncConfig: this.serviceOut(this.serviceConfig(input.serviceName)) }),
      UpdateServiceSyncConfig: input => this.updateServiceConfig(input),
      DeleteServiceSyncConfig: input => this.deleteServiceConfig(input),
      GetServiceInstanceSyncStatus: input => this.serviceInstanceSyncStatus(input),
      GetServiceSyncBlockerSummary: input => this.blockerSummary(input),
      UpdateServiceSyncBlocker: input => {
        throw notFound(`The service sync blocker ${input.id} was not found`);
      },
    };
    for (const op of Object.keys(this.operations)) {
      if (!ctx.model.operation(op)) throw new Error(`${op} is not an operation of the Proton model`);
    }
    ctx.addInUseCheck(arn => this.repositoryUsedBy(arn));
  }

  // ---- template sync configs ----------------------------------------------------------------------

  /**
   * CreateTemplateSyncConfig. The model marks it idempotent; it is in none of the lists of "Ensuring Idempotency", so
   * a repeated create follows the "Idempotent create APIs" rules (emulator decision): the same parameters answer the
   * config while it wasn't updated, after an update a ConflictException, other parameters a ValidationException
   * (IdempotentParameterMismatch).
   */
  private createTemplateConfig(input: Input) {
    const type = input.templateType as TemplateType;
    const params = fingerprint(input);
    const existing = this.templateConfigs.get(templateKey(type, input.templateName));
    if (existing) {
      if (existing.createParams !== params) {
        throw validationError(`IdempotentParameterMismatch: the ${type} template ${existing.templateName} already has a template sync config `
          + 'created with different parameters (use UpdateTemplateSyncConfig to change it)');
      }
      if (existing.modified) throw conflict(`The template sync config of ${type} template ${existing.templateName} was updated after it was created`);
      return { templateSyncConfig: this.templateOut(existing) };
    }
    if (!this.templates(type).findTemplate(input.templateName)) {
      throw validationError(`The ${type === 'ENVIRONMENT' ? 'environment' : 'service'} template ${input.templateName} doesn't exist: `
        + 'create the template before its sync config');
    }
    this.requireRepository(input);
    const c: TemplateSyncConfigRecord = {
      templateName: input.templateName,
      templateType: type,
      repositoryProvider: input.repositoryProvider,
      repositoryName: input.repositoryName,
      branch: input.branch,
      subdirectory: input.subdirectory,
      createParams: params,
      modified: false,
      changedAt: this.ctx.now(),
    };
    this.templateConfigs.set(templateKey(type, c.templateName), c);
    this.ctx.deletions.forget(templateDeletionId(type, c.templateName));
    return { templateSyncConfig: this.templateOut(c) };
  }

  /**
   * UpdateTemplateSyncConfig: "Update template sync configuration parameters, except for the templateName and
   * templateType". `branch`, `repositoryName` and `repositoryProvider` are required, so an update states the whole
   * configuration: an omitted `subdirectory` removes it (emulator decision).
   */
  private updateTemplateConfig(input: Input) {
    const c = this.templateConfig(input.templateName, input.templateType);
    this.requireRepository(input);
    c.repositoryProvider = input.repositoryProvider;
    c.repositoryName = input.repositoryName;
    c.branch = input.branch;
    c.subdirectory = input.subdirectory;
    c.modified = true;
    c.changedAt = this.ctx.now();
    return { templateSyncConfig: this.templateOut(c) };
  }

  /** Synchronous; a retry once it is gone answers `{}` ("Idempotent delete APIs"; the model marks it idempotent). */
  private deleteTemplateConfig(input: Input) {
    const type = input.templateType as TemplateType;
    const c = this.templateConfigs.get(templateKey(type, input.templateName));
    if (!c) {
      if (this.ctx.deletions.wasDeleted(templateDeletionId(type, input.templateName))) return {};
      throw this.templateConfigNotFound(type, input.templateName);
    }
    this.templateConfigs.delete(templateKey(type, c.templateName));
    this.ctx.deletions.remember(templateDeletionId(type, c.templateName));
    return { templateSyncConfig: this.templateOut(c) };
  }

  /**
   * GetTemplateSyncStatus for major version `templateVersion`. Nothing syncs, so the answer is made up from the
   * emulator's state (emulator decision): the desired state is the config's repository and branch, directory
   * `[<subdirectory>/]<template>/v<major>` (the user guide's layout) and a made-up commit sha; when the template has a
   * registered (DRAFT or PUBLISHED) version of that major version, the latest sync is SUCCEEDED (and so is the latest
   * successful sync), otherwise the latest sync is INITIATED and there is no successful one. A sync "started" when the
   * config was created or last updated.
   */
  private templateSyncStatus(input: Input) {
    const c = this.templateConfig(input.templateName, input.templateType);
    const major: string = input.templateVersion;
    const directory = path.posix.join(c.subdirectory ?? '', c.templateName, `v${major}`);
    const revision = this.revision(c, directory);
    const registered = this.templates(c.templateType).findVersions(c.templateName)
      .filter(v => v.majorVersion === major && (v.status === 'DRAFT' || v.status === 'PUBLISHED'));
    const attempt = (status: ResourceSyncStatus) => this.attempt(revision, c.templateName, c.changedAt, status,
      registered.map(v => `Template version ${v.majorVersion}.${v.minorVersion} is registered`));
    return {
      desiredState: revision,
      latestSync: attempt(registered.length > 0 ? 'SUCCEEDED' : 'INITIATED'),
      latestSuccessfulSync: registered.length > 0 ? attempt('SUCCEEDED') : undefined,
    };
  }

  private templateConfig(templateName: string, type: TemplateType): TemplateSyncConfigRecord {
    const c = this.templateConfigs.get(templateKey(type, templateName));
    if (!c) throw this.templateConfigNotFound(type, templateName);
    return c;
  }

  private templateConfigNotFound(type: TemplateType, templateName: string) {
    return notFound(`The ${type} template ${templateName} has no template sync config`);
  }

  private templates(type: TemplateType): TemplateFamily {
    return type === 'ENVIRONMENT' ? this.environmentTemplates : this.serviceTemplates;
  }

  private templateOut(c: TemplateSyncConfigRecord) {
    return {
      templateName: c.templateName,
      templateType: c.templateType,
      repositoryProvider: c.repositoryProvider,
      repositoryName: c.repositoryName,
      branch: c.branch,
      subdirectory: c.subdirectory,
    };
  }

  // ---- service sync configs -----------------------------------------------------------------------

  /** CreateServiceSyncConfig: the service must exist; idempotent as CreateTemplateSyncConfig. */
  private createServiceConfig(input: Input) {
    const params = fingerprint(input);
    const existing = this.serviceConfigs.get(input.serviceName);
    if (existing) {
      if (existing.createParams !== params) {
        throw validationError(`IdempotentParameterMismatch: service ${existing.serviceName} already has a service sync config `
          + 'created with different parameters (use UpdateServiceSyncConfig to change it)');
      }
      if (existing.modified) throw conflict(`The service sync config of service ${existing.serviceName} was updated after it was created`);
      return { serviceSyncConfig: this.serviceOut(existing) };
    }
    if (!this.services.findService(input.serviceName)) {
      throw validationError(`The service ${input.serviceName} doesn't exist: create the service before its sync config`);
    }
    this.requireRepository(input);
    const c: ServiceSyncConfigRecord = {
      serviceName: input.serviceName,
      repositoryProvider: input.repositoryProvider,
      repositoryName: input.repositoryName,
      branch: input.branch,
      filePath: input.filePath,
      createParams: params,
      modified: false,
      changedAt: this.ctx.now(),
    };
    this.serviceConfigs.set(c.serviceName, c);
    this.ctx.deletions.forget(serviceDeletionId(c.serviceName));
    return { serviceSyncConfig: this.serviceOut(c) };
  }

  /** UpdateServiceSyncConfig: every member is required: the whole configuration is replaced. */
  private updateServiceConfig(input: Input) {
    const c = this.serviceConfig(input.serviceName);
    this.requireRepository(input);
    c.repositoryProvider = input.repositoryProvider;
    c.repositoryName = input.repositoryName;
    c.branch = input.branch;
    c.filePath = input.filePath;
    c.modified = true;
    c.changedAt = this.ctx.now();
    return { serviceSyncConfig: this.serviceOut(c) };
  }

  private deleteServiceConfig(input: Input) {
    const c = this.serviceConfigs.get(input.serviceName);
    if (!c) {
      if (this.ctx.deletions.wasDeleted(serviceDeletionId(input.serviceName))) return {};
      throw this.serviceConfigNotFound(input.serviceName);
    }
    this.serviceConfigs.delete(c.serviceName);
    this.ctx.deletions.remember(serviceDeletionId(c.serviceName));
    return { serviceSyncConfig: this.serviceOut(c) };
  }

  /**
   * GetServiceInstanceSyncStatus (emulator decision, nothing syncs): the instance must exist and its service must have
   * a sync config (else ResourceNotFoundException); the desired state is the config's repository, branch and the
   * directory of its proton-ops file; the latest sync follows the instance's deployment (IN_PROGRESS / CANCELLING /
   * DELETE_IN_PROGRESS: IN_PROGRESS, SUCCEEDED: SUCCEEDED, otherwise FAILED).
   */
  private serviceInstanceSyncStatus(input: Input) {
    const inst = this.services.findServiceInstance(input.serviceName, input.serviceInstanceName);
    if (!inst) throw notFound(`The service instance ${input.serviceInstanceName} of service ${input.serviceName} was not found`);
    const c = this.serviceConfig(input.serviceName);
    const revision = this.revision(c, path.posix.dirname(c.filePath));
    const status: ResourceSyncStatus = ['IN_PROGRESS', 'CANCELLING', 'DELETE_IN_PROGRESS'].includes(inst.deploymentStatus) ? 'IN_PROGRESS'
      : inst.deploymentStatus === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
    const attempt = (s: ResourceSyncStatus) => this.attempt(revision, inst.name, c.changedAt, s,
      [`Service instance ${inst.name} deployment ${inst.deploymentStatus}`]);
    return {
      desiredState: revision,
      latestSync: attempt(status),
      latestSuccessfulSync: status === 'SUCCEEDED' ? attempt('SUCCEEDED') : undefined,
    };
  }

  /** GetServiceSyncBlockerSummary: the service (and instance, if named) must exist; nothing ever blocks a sync. */
  private blockerSummary(input: Input) {
    if (!this.services.findService(input.serviceName)) throw notFound(`The service ${input.serviceName} was not found`);
    if (input.serviceInstanceName !== undefined && !this.services.findServiceInstance(input.serviceName, input.serviceInstanceName)) {
      throw notFound(`The service instance ${input.serviceInstanceName} of service ${input.serviceName} was not found`);
    }
    return {
      serviceSyncBlockerSummary: { serviceName: input.serviceName, serviceInstanceName: input.serviceInstanceName, latestBlockers: [] },
    };
  }

  private serviceConfig(serviceName: string): ServiceSyncConfigRecord {
    const c = this.serviceConfigs.get(serviceName);
    if (!c) throw this.serviceConfigNotFound(serviceName);
    return c;
  }

  private serviceConfigNotFound(serviceName: string) {
    return notFound(`The service ${serviceName} has no service sync config`);
  }

  private serviceOut(c: ServiceSyncConfigRecord) {
    return {
      serviceName: c.serviceName,
      repositoryProvider: c.repositoryProvider,
      repositoryName: c.repositoryName,
      branch: c.branch,
      filePath: c.filePath,
    };
  }

  // ---- shared -------------------------------------------------------------------------------------

  private requireRepository(input: Input): void {
    this.ctx.requireLinkedRepository({ provider: input.repositoryProvider, name: input.repositoryName }, 'repositoryName');
  }

  /** The model's Revision: a made-up commit sha (stable for the same repository, branch and directory). */
  private revision(ref: RepositoryBranchRef, directory: string) {
    const sha = createHash('sha1').update(`${ref.repositoryProvider}\u0000${ref.repositoryName}\u0000${ref.branch}\u0000${directory}`).digest('hex');
    return { repositoryProvider: ref.repositoryProvider, repositoryName: ref.repositoryName, branch: ref.branch, directory, sha };
  }

  /** The model's ResourceSyncAttempt: INITIATED at `startedAt`, then `details` and the status reached. */
  private attempt(revision: ReturnType<SyncConfigFamily['revision']>, target: string, startedAt: Date, status: ResourceSyncStatus,
    details: readonly string[]) {
    const events = [{ type: 'INITIATED', event: `Sync of ${target} initiated`, time: startedAt }];
    if (status !== 'INITIATED') {
      events.push(...details.map(event => ({ type: status, event, time: startedAt })));
    }
    return { initialRevision: revision, targetRevision: revision, target, startedAt, status, events };
  }

  /** In-use check: the linked repositories the sync configs use (DeleteRepository is then a ConflictException). */
  private repositoryUsedBy(arn: string): string | undefined {
    for (const c of this.templateConfigs.values()) {
      if (this.ctx.repositoryArn(c.repositoryProvider, c.repositoryName) === arn) {
        return `the template sync config of ${c.templateType} template '${c.templateName}' uses it`;
      }
    }
    for (const c of this.serviceConfigs.values()) {
      if (this.ctx.repositoryArn(c.repositoryProvider, c.repositoryName) === arn) {
        return `the service sync config of service '${c.serviceName}' uses it`;
      }
    }
    return undefined;
  }
}

function templateKey(type: TemplateType, templateName: string): string {
  return `${type}\u0000${templateName}`;
}

/** The id `ctx.deletions` remembers a deleted template sync config by (it has no ARN). */
function templateDeletionId(type: TemplateType, templateName: string): string {
  return `template-sync-config/${type}/${templateName}`;
}

function serviceDeletionId(serviceName: string): string {
  return `service-sync-config/${serviceName}`;
}
