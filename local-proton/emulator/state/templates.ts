import { BundleCheck, TemplateSchemaDoc, checkBundle, incompatibility } from '../bundle';
import { conflict, notFound, validationError } from '../errors';
import { fingerprint } from '../idempotency';
import { EmulatorContext, Input, OperationHandler, ResourceFamily, paginate } from './context';

/**
 * Environment templates and service templates with their versions. The two families are symmetric; this
 * class serves either, parameterised by `kind`:
 *
 * | | environment | service |
 * | --- | --- | --- |
 * | operations | `…EnvironmentTemplate…` | `…ServiceTemplate…` |
 * | ARN | `environment-template/<name>[:<major>.<minor>]` | `service-template/<name>[:<major>.<minor>]` |
 * | create-only provisioning member | `provisioning` | `pipelineProvisioning` |
 * | version extras | | `compatibleEnvironmentTemplates`, `supportedComponentSources` |
 */
export type TemplateKind = 'environment' | 'service';

export type TemplateVersionStatus = 'REGISTRATION_IN_PROGRESS' | 'REGISTRATION_FAILED' | 'DRAFT' | 'PUBLISHED';

export interface CompatibleEnvironmentTemplate {
  readonly templateName: string;
  readonly majorVersion: string;
}

interface TemplateRecord {
  readonly name: string;
  readonly arn: string;
  displayName?: string;
  description?: string;
  readonly encryptionKey?: string;
  /** `provisioning` (environment) or `pipelineProvisioning` (service): CUSTOMER_MANAGED or undefined. */
  readonly provisioning?: string;
  readonly createdAt: Date;
  lastModifiedAt: Date;
  /** Fingerprint of the create request, for Proton's token-less create idempotency. */
  readonly createParams: string;
  /** Changed by Update…Template since it was created: a repeated create is then a ConflictException. */
  modified: boolean;
  /** By `<major>.<minor>`. */
  readonly versions: Map<string, VersionRecord>;
}

interface VersionRecord {
  readonly templateName: string;
  readonly majorVersion: string;
  readonly minorVersion: string;
  readonly arn: string;
  description?: string;
  status: TemplateVersionStatus;
  statusMessage?: string;
  /** The text of schema/schema.yaml, once registered. */
  schema?: string;
  parsedSchema?: TemplateSchemaDoc;
  /** The files of the bundle, once registered (environments read the outputs of their infrastructure templates). */
  files?: ReadonlyMap<string, Buffer>;
  readonly createdAt: Date;
  lastModifiedAt: Date;
  readonly source: { readonly bucket: string; readonly key: string };
  compatibleEnvironmentTemplates?: CompatibleEnvironmentTemplate[];
  supportedComponentSources?: string[];
}

/** What other families (environments, services) may read of a template version. */
export interface TemplateVersionView {
  readonly templateName: string;
  readonly arn: string;
  readonly majorVersion: string;
  readonly minorVersion: string;
  readonly status: TemplateVersionStatus;
  readonly schema?: string;
  /** The parsed `schema:` section of schema/schema.yaml, once registered. */
  readonly parsedSchema?: TemplateSchemaDoc;
  /** The bundle's files by path, once registered. */
  readonly files?: ReadonlyMap<string, Buffer>;
  /** Service template versions: the environment templates (name and major version) its instances may run in. */
  readonly compatibleEnvironmentTemplates?: readonly CompatibleEnvironmentTemplate[];
  /** Service template versions: the component sources its instances accept. */
  readonly supportedComponentSources?: readonly string[];
}

/** What other families may read of a template. */
export interface TemplateView {
  readonly name: string;
  readonly arn: string;
  /** `provisioning` (environment) or `pipelineProvisioning` (service): CUSTOMER_MANAGED or undefined. */
  readonly provisioning?: string;
  /** `<major>.<minor>` of the highest PUBLISHED version, if any. */
  readonly recommendedVersion?: string;
}

export class TemplateFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;

  private readonly templates = new Map<string, TemplateRecord>();
  /** 'Environment' or 'Service', as in the operation names. */
  private readonly prefix: string;
  /** 'environment template' or 'service template', for messages. */
  private readonly label: string;
  /** 'environmentTemplate' or 'serviceTemplate': the member of the Create/Get/Update/Delete outputs. */
  private readonly templateKey: string;
  private readonly versionKey: string;
  private readonly provisioningMember: string;

  /**
   * @param environmentTemplates for a service template family: the environment templates its versions
   * name in `compatibleEnvironmentTemplates`.
   */
  constructor(
    private readonly ctx: EmulatorContext,
    readonly kind: TemplateKind,
    private readonly environmentTemplates?: TemplateFamily,
  ) {
    if (kind === 'service' && !environmentTemplates) throw new Error('a service template family needs the environment template family');
    this.prefix = kind === 'environment' ? 'Environment' : 'Service';
    this.label = `${kind} template`;
    this.templateKey = `${kind}Template`;
    this.versionKey = `${kind}TemplateVersion`;
    this.provisioningMember = kind === 'environment' ? 'provisioning' : 'pipelineProvisioning';

    const p = this.prefix;
    this.operations = {
      [`Create${p}Template`]: input => this.createTemplate(input),
      [`Get${p}Template`]: input => ({ [this.templateKey]: this.templateOut(this.template(input.name)) }),
      [`Update${p}Template`]: input => this.updateTemplate(input),
      [`Delete${p}Template`]: input => this.deleteTemplate(input),
      [`List${p}Templates`]: input => this.listTemplates(input),
      [`Create${p}TemplateVersion`]: input => this.createVersion(input),
      [`Get${p}TemplateVersion`]: input => this.getVersion(input),
      [`Update${p}TemplateVersion`]: input => this.updateVersion(input),
      [`Delete${p}TemplateVersion`]: input => this.deleteVersion(input),
      [`List${p}TemplateVersions`]: input => this.listVersions(input),
    };
    for (const op of Object.keys(this.operations)) {
      if (!ctx.model.operation(op)) throw new Error(`${op} is not an operation of the Proton model`);
    }
  }

  /**
   * A version of a template: `minorVersion` omitted means the recommended (highest published) minor
   * version of `majorVersion`. Undefined when there is no such template or version.
   */
  findVersion(name: string, major: string, minor?: string): TemplateVersionView | undefined {
    const t = this.templates.get(name);
    if (!t) return undefined;
    const v = t.versions.get(`${major}.${minor ?? recommendedMinor(t, major)}`);
    if (!v) return undefined;
    const { templateName, arn, majorVersion, minorVersion, status, schema, parsedSchema, files } = v;
    return {
      templateName,
      arn,
      majorVersion,
      minorVersion,
      status,
      schema,
      parsedSchema,
      files,
      compatibleEnvironmentTemplates: v.compatibleEnvironmentTemplates?.map(copyCompatible),
      supportedComponentSources: v.supportedComponentSources && [...v.supportedComponentSources],
    };
  }

  /** Every version of a template (any status), in creation order; empty for an unknown template. */
  findVersions(name: string): TemplateVersionView[] {
    const t = this.templates.get(name);
    return t ? [...t.versions.values()].map(v => this.findVersion(name, v.majorVersion, v.minorVersion)!) : [];
  }

  /** A template by name, or undefined. */
  findTemplate(name: string): TemplateView | undefined {
    const t = this.templates.get(name);
    return t && { name: t.name, arn: t.arn, provisioning: t.provisioning, recommendedVersion: recommendedVersion(t) };
  }

  /** The recommended version (`<major>.<minor>`, the highest published) of a template, if any. */
  recommendedVersion(templateName: string): string | undefined {
    const t = this.templates.get(templateName);
    return t && recommendedVersion(t);
  }

  // ---- templates ----------------------------------------------------------------------------------

  private createTemplate(input: Input) {
    const params = fingerprint(input);
    const existing = this.templates.get(input.name);
    if (existing) {
      // "Idempotent create APIs" (API reference, Ensuring Idempotency).
      if (existing.createParams !== params) {
        throw validationError(`IdempotentParameterMismatch: ${this.label} ${input.name} already exists and was created with different parameters`);
      }
      if (existing.modified) {
        throw conflict(`${capitalize(this.label)} ${input.name} already exists and was modified after it was created`);
      }
      return { [this.templateKey]: this.templateOut(existing) };
    }
    this.ctx.tags.validate(input.tags);
    const now = this.ctx.now();
    const t: TemplateRecord = {
      name: input.name,
      arn: this.templateArn(input.name),
      displayName: input.displayName,
      description: input.description,
      encryptionKey: input.encryptionKey,
      provisioning: input[this.provisioningMember],
      createdAt: now,
      lastModifiedAt: now,
      createParams: params,
      modified: false,
      versions: new Map(),
    };
    this.templates.set(t.name, t);
    this.ctx.tags.register(t.arn, input.tags);
    this.ctx.deletions.forget(t.arn);
    return { [this.templateKey]: this.templateOut(t) };
  }

  private updateTemplate(input: Input) {
    const t = this.template(input.name);
    if (input.displayName !== undefined) t.displayName = input.displayName;
    if (input.description !== undefined) t.description = input.description;
    t.lastModifiedAt = this.ctx.now();
    t.modified = true;
    return { [this.templateKey]: this.templateOut(t) };
  }

  private deleteTemplate(input: Input) {
    const arn = this.templateArn(input.name);
    const t = this.templates.get(input.name);
    if (!t) {
      // "Idempotent delete APIs": a retry of a delete that succeeded answers an empty response.
      if (this.ctx.deletions.wasDeleted(arn)) return {};
      throw this.templateNotFound(input.name);
    }
    if (t.versions.size > 0) {
      throw conflict(`${capitalize(this.label)} ${t.name} still has ${t.versions.size} template version(s) `
        + `(${sortedVersions(t).map(versionId).join(', ')}): delete them before deleting the template`);
    }
    const using = this.ctx.inUse(t.arn);
    if (using) throw conflict(`${capitalize(this.label)} ${t.name} is in use: ${using}`);
    const out = this.templateOut(t);
    this.templates.delete(t.name);
    this.ctx.tags.forget(t.arn);
    this.ctx.deletions.remember(t.arn);
    return { [this.templateKey]: out };
  }

  private listTemplates(input: Input) {
    const all = [...this.templates.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, input);
    return { templates: page.map(t => this.templateOut(t)), nextToken };
  }

  // ---- versions -----------------------------------------------------------------------------------

  private createVersion(input: Input) {
    const operation = `Create${this.prefix}TemplateVersion`;
    const t = this.template(input.templateName);
    const params = fingerprint(input, ['clientToken']);
    const earlier = this.ctx.tokens.lookup(operation, input.clientToken, params);
    const replayed = earlier ? [...t.versions.values()].find(v => v.arn === earlier) : undefined;
    if (replayed) return { [this.versionKey]: this.versionOut(t, replayed) };

    this.ctx.tags.validate(input.tags);
    if (this.kind === 'service') this.checkCompatibleEnvironmentTemplates(input.compatibleEnvironmentTemplates);

    let major: string;
    let minor: string;
    const versions = sortedVersions(t);
    if (input.majorVersion === undefined) {
      // No major version given: Proton starts a new major version.
      const highest = versions.length > 0 ? BigInt(versions[versions.length - 1].majorVersion) : 0n;
      major = String(highest + 1n);
      minor = '0';
    } else {
      major = input.majorVersion;
      const ofMajor = versions.filter(v => v.majorVersion === major);
      if (ofMajor.length === 0) {
        throw validationError(`Major version ${major} of ${this.label} ${t.name} does not exist: `
          + 'omit majorVersion to create a new major version');
      }
      minor = String(BigInt(ofMajor[ofMajor.length - 1].minorVersion) + 1n);
    }

    const now = this.ctx.now();
    const v: VersionRecord = {
      templateName: t.name,
      majorVersion: major,
      minorVersion: minor,
      arn: `${t.arn}:${major}.${minor}`,
      description: input.description,
      status: 'REGISTRATION_IN_PROGRESS',
      createdAt: now,
      lastModifiedAt: now,
      source: { bucket: input.source.s3.bucket, key: input.source.s3.key },
      compatibleEnvironmentTemplates: input.compatibleEnvironmentTemplates?.map(copyCompatible),
      supportedComponentSources: input.supportedComponentSources && [...input.supportedComponentSources],
    };
    t.versions.set(versionId(v), v);
    this.ctx.tags.register(v.arn, input.tags);
    this.ctx.deletions.forget(v.arn);
    this.ctx.tokens.remember(operation, input.clientToken, params, v.arn);
    // The registration's promise: a journal records it when its result is in (see journal.ts).
    this.ctx.scheduler.after(this.ctx.delayMs('registrationDelayMs', `${t.name}:${major}.${minor}`), () => this.register(t, v));
    return { [this.versionKey]: this.versionOut(t, v) };
  }

  private getVersion(input: Input) {
    const t = this.template(input.templateName);
    return { [this.versionKey]: this.versionOut(t, this.version(t, input.majorVersion, input.minorVersion)) };
  }

  private updateVersion(input: Input) {
    const t = this.template(input.templateName);
    const v = this.version(t, input.majorVersion, input.minorVersion);
    if (input.status !== undefined && input.status !== v.status) {
      // Proton user guide, "Update a template": "You can only change the status from DRAFT to PUBLISHED."
      // So PUBLISHED -> DRAFT is rejected although the enum allows the value.
      if (input.status !== 'PUBLISHED') {
        throw validationError('The status of a template version can only change from DRAFT to PUBLISHED; '
          + `${this.label} version ${t.name}:${versionId(v)} is ${v.status}, requested ${input.status}`);
      }
      if (v.status !== 'DRAFT') {
        throw validationError(`${capitalize(this.label)} version ${t.name}:${versionId(v)} is ${v.status} and can't be published: `
          + 'only a registered version in DRAFT status can be published');
      }
    }
    if (this.kind === 'service' && input.compatibleEnvironmentTemplates !== undefined) {
      this.checkCompatibleEnvironmentTemplates(input.compatibleEnvironmentTemplates);
      v.compatibleEnvironmentTemplates = input.compatibleEnvironmentTemplates.map(copyCompatible);
    }
    if (this.kind === 'service' && input.supportedComponentSources !== undefined) {
      v.supportedComponentSources = [...input.supportedComponentSources];
    }
    if (input.description !== undefined) v.description = input.description;
    if (input.status !== undefined) v.status = input.status;
    v.lastModifiedAt = this.ctx.now();
    return { [this.versionKey]: this.versionOut(t, v) };
  }

  private deleteVersion(input: Input) {
    const arn = `${this.templateArn(input.templateName)}:${input.majorVersion}.${input.minorVersion}`;
    const t = this.templates.get(input.templateName);
    const v = t?.versions.get(`${input.majorVersion}.${input.minorVersion}`);
    if (!t || !v) {
      // "Idempotent delete APIs": a retry of a delete that succeeded answers an empty response.
      if (this.ctx.deletions.wasDeleted(arn)) return {};
      throw t ? this.versionNotFound(t.name, input.majorVersion, input.minorVersion) : this.templateNotFound(input.templateName);
    }
    const id = `${t.name}:${versionId(v)}`;
    // Emulator decision (not documented): a version still registering can't be deleted yet.
    if (v.status === 'REGISTRATION_IN_PROGRESS') {
      throw conflict(`${capitalize(this.label)} version ${id} is REGISTRATION_IN_PROGRESS: wait until its registration completes`);
    }
    // User guide, "Delete templates": "You can delete a minor version of an environment template if there are no
    // environments deployed to that version" (of a service template: "no service instances or pipelines").
    const using = this.ctx.inUse(v.arn);
    if (using) throw conflict(`${capitalize(this.label)} version ${id} is in use: ${using}`);
    // DeleteEnvironmentTemplateVersion / DeleteServiceTemplateVersion (API reference): the Recommended version
    // can be deleted only when no other major or minor versions exist; a Recommended minor version only when
    // no other minor versions of its major version exist.
    const others = sortedVersions(t).filter(o => o !== v);
    if (recommendedVersion(t) === versionId(v) && others.length > 0) {
      throw conflict(`${capitalize(this.label)} version ${id} is the recommended version of ${t.name} and other versions exist `
        + `(${others.map(versionId).join(', ')}): delete them first`);
    }
    const otherMinors = others.filter(o => o.majorVersion === v.majorVersion);
    if (recommendedMinor(t, v.majorVersion) === v.minorVersion && otherMinors.length > 0) {
      throw conflict(`${capitalize(this.label)} version ${id} is the recommended minor version of major version ${v.majorVersion} `
        + `and other minor versions exist (${otherMinors.map(versionId).join(', ')}): delete them first`);
    }
    const out = this.versionOut(t, v);
    t.versions.delete(versionId(v));
    this.ctx.tags.forget(v.arn);
    this.ctx.tokens.forgetResource(v.arn);
    this.ctx.deletions.remember(v.arn);
    return { [this.versionKey]: out };
  }

  private listVersions(input: Input) {
    const t = this.template(input.templateName);
    const versions = sortedVersions(t).filter(v => input.majorVersion === undefined || v.majorVersion === input.majorVersion);
    const { page, nextToken } = paginate(versions, input);
    return { templateVersions: page.map(v => this.versionOut(t, v)), nextToken };
  }

  // ---- registration -------------------------------------------------------------------------------

  /** Proton registers a version asynchronously: it reads the bundle from S3 and checks it. */
  private async register(t: TemplateRecord, v: VersionRecord): Promise<void> {
    let result: BundleCheck;
    try {
      result = await this.registrationResult(t, v);
    } catch (e) {
      result = { ok: false, message: `Proton emulator failed to read the bundle: ${(e as Error).message}` };
    }
    if (this.ctx.scheduler.isStopped || t.versions.get(versionId(v)) !== v) return;
    v.lastModifiedAt = this.ctx.now();
    if (result.ok) {
      v.status = 'DRAFT';
      v.schema = result.schemaText;
      v.parsedSchema = result.schema;
      v.files = result.files;
    } else {
      v.status = 'REGISTRATION_FAILED';
      v.statusMessage = result.message;
    }
    this.ctx.ended('registration', `${t.name}:${versionId(v)}`, v.status);
  }

  private async registrationResult(t: TemplateRecord, v: VersionRecord): Promise<BundleCheck> {
    const injected = this.ctx.faults.registrationFailure(t.name);
    if (injected !== undefined) return { ok: false, message: injected };
    const { bucket, key } = v.source;
    const bytes = this.ctx.s3.getObject(bucket, key);
    if (!bytes) {
      return { ok: false, message: `Unable to read the template bundle from S3: object s3://${bucket}/${key} does not exist or AWS Proton can't access it` };
    }
    const result = await checkBundle(bytes, { kind: this.kind, customerManaged: t.provisioning === 'CUSTOMER_MANAGED' });
    if (!result.ok || v.minorVersion === '0') return result;
    // A new minor version must be backwards compatible with the minor versions before it.
    const previous = sortedVersions(t)
      .filter(o => o.majorVersion === v.majorVersion && BigInt(o.minorVersion) < BigInt(v.minorVersion) && o.parsedSchema)
      .pop();
    const problem = previous && incompatibility(previous.parsedSchema!, result.schema);
    if (problem) {
      return {
        ok: false,
        message: `Schema of minor version ${versionId(v)} is not backwards compatible with ${versionId(previous)}: ${problem}. `
          + 'Create a new major version for changes that are not backwards compatible',
      };
    }
    return result;
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private checkCompatibleEnvironmentTemplates(list: CompatibleEnvironmentTemplate[] | undefined): void {
    for (const { templateName, majorVersion } of list ?? []) {
      const env = this.environmentTemplates!.templates.get(templateName);
      if (!env) throw validationError(`Compatible environment template ${templateName} does not exist`);
      if (![...env.versions.values()].some(v => v.majorVersion === majorVersion)) {
        throw validationError(`Compatible environment template ${templateName} has no major version ${majorVersion}`);
      }
    }
  }

  private templateArn(name: string): string {
    return this.ctx.arn(`${this.kind}-template/${name}`);
  }

  private template(name: string): TemplateRecord {
    const t = this.templates.get(name);
    if (!t) throw this.templateNotFound(name);
    return t;
  }

  private version(t: TemplateRecord, major: string, minor: string): VersionRecord {
    const v = t.versions.get(`${major}.${minor}`);
    if (!v) throw this.versionNotFound(t.name, major, minor);
    return v;
  }

  private templateNotFound(name: string) {
    return notFound(`The ${this.label} ${name} was not found`);
  }

  private versionNotFound(name: string, major: string, minor: string) {
    return notFound(`The ${this.label} version ${name}:${major}.${minor} was not found`);
  }

  private templateOut(t: TemplateRecord) {
    return {
      arn: t.arn,
      name: t.name,
      displayName: t.displayName,
      description: t.description,
      encryptionKey: t.encryptionKey,
      [this.provisioningMember]: t.provisioning,
      recommendedVersion: recommendedVersion(t),
      createdAt: t.createdAt,
      lastModifiedAt: t.lastModifiedAt,
    };
  }

  /** One object for both kinds and both Get and List: the model's output shape keeps the members it has. */
  private versionOut(t: TemplateRecord, v: VersionRecord) {
    return {
      arn: v.arn,
      templateName: v.templateName,
      majorVersion: v.majorVersion,
      minorVersion: v.minorVersion,
      recommendedMinorVersion: recommendedMinor(t, v.majorVersion),
      description: v.description,
      status: v.status,
      statusMessage: v.statusMessage,
      schema: v.schema,
      compatibleEnvironmentTemplates: v.compatibleEnvironmentTemplates,
      supportedComponentSources: v.supportedComponentSources,
      createdAt: v.createdAt,
      lastModifiedAt: v.lastModifiedAt,
    };
  }
}

function versionId(v: { majorVersion: string; minorVersion: string }): string {
  return `${v.majorVersion}.${v.minorVersion}`;
}

function compareVersions(a: VersionRecord, b: VersionRecord): number {
  const major = BigInt(a.majorVersion) - BigInt(b.majorVersion);
  const diff = major !== 0n ? major : BigInt(a.minorVersion) - BigInt(b.minorVersion);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

function sortedVersions(t: TemplateRecord): VersionRecord[] {
  return [...t.versions.values()].sort(compareVersions);
}

/** The highest PUBLISHED minor version of a major version. */
function recommendedMinor(t: TemplateRecord, major: string): string | undefined {
  return sortedVersions(t).filter(v => v.majorVersion === major && v.status === 'PUBLISHED').pop()?.minorVersion;
}

/**
 * The highest PUBLISHED version of the template: "When you publish a new version of a template, it becomes the
 * Recommended version if it's the highest major and minor version" (user guide, "Versioned templates").
 */
function recommendedVersion(t: TemplateRecord): string | undefined {
  const published = sortedVersions(t).filter(v => v.status === 'PUBLISHED').pop();
  return published && versionId(published);
}

function copyCompatible(c: CompatibleEnvironmentTemplate): CompatibleEnvironmentTemplate {
  return { templateName: c.templateName, majorVersion: c.majorVersion };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
