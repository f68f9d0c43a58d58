import { createHash } from 'crypto';
import {
  ListTagsForResourceCommand,
  ProtonClient,
  ServiceTemplateSupportedComponentSourceType,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-proton';
import { ReservedTag, TemplateVersionAttribute, TemplateVersionProperties } from '../contract';
import { adopts, sameSpec } from './adoption';
import { clientTokenFor } from './client-tokens';
import { isConflict, isNotFound, ProtonResourceError, unlessNotFound } from './errors';
import { OWNER_TAG, ownerTag } from './ownership';
import { booleanProperty, Delivered, enumList, objectList, optionalString, requiredString, retains, tagList } from './properties';
import { syncTags } from './tags';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';
import { SdkWaiter, waitWithin } from './waiting';

/** A template version as Proton names it: `templateName:major.minor` is also its physical id. */
export interface VersionId {
  readonly templateName: string;
  readonly majorVersion: string;
  readonly minorVersion: string;
}

type VersionSummary = Parameters<typeof versionStateOf>[0];

export interface VersionState extends VersionId {
  readonly arn: string;
  readonly status: string;
  readonly statusMessage?: string;
  /** Its schema (Get answers it; List does not). */
  readonly schema?: string;
}

export interface CreateVersionInput {
  readonly templateName: string;
  readonly majorVersion?: string;
  readonly description?: string;
  readonly bucket: string;
  readonly key: string;
  readonly clientToken: string;
  readonly tags: Array<{ key: string; value: string }>;
  /** Service template versions only. */
  readonly compatibleEnvironmentTemplates?: Array<{ templateName: string; majorVersion: string }>;
  readonly supportedComponentSources?: ServiceTemplateSupportedComponentSourceType[];
}

/** Proton's answer (a version or a version summary) as the handler needs it. */
export function versionStateOf(
  version: {
    templateName?: string; majorVersion?: string; minorVersion?: string; arn?: string; status?: string; statusMessage?: string; schema?: string;
  } | undefined,
  noun: string,
): VersionState {
  if (!version) throw new Error(`Proton returned no ${noun}`);
  return {
    templateName: version.templateName!,
    majorVersion: version.majorVersion!,
    minorVersion: version.minorVersion!,
    arn: version.arn!,
    status: version.status!,
    statusMessage: version.statusMessage,
    schema: version.schema,
  };
}

/** The Create…TemplateVersion input both kinds of template version take. */
export function registrationOf(input: CreateVersionInput) {
  return {
    templateName: input.templateName,
    majorVersion: input.majorVersion,
    description: input.description,
    source: { s3: { bucket: input.bucket, key: input.key } },
    clientToken: input.clientToken,
    tags: input.tags,
  };
}

/** Every version on Proton's pages of version summaries. */
export async function listedVersions(pages: AsyncIterable<{ templateVersions?: VersionSummary[] }>, noun: string): Promise<VersionState[]> {
  const versions: VersionState[] = [];
  for await (const page of pages) versions.push(...(page.templateVersions ?? []).map((v) => versionStateOf(v, noun)));
  return versions;
}

/** The calls that differ between environment and service template versions. */
export interface TemplateVersionApi {
  /** For messages, e.g. "environment template version". */
  readonly noun: string;
  readonly waitUntilRegistered: SdkWaiter<VersionId>;
  create(client: ProtonClient, input: CreateVersionInput): Promise<VersionState>;
  get(client: ProtonClient, id: VersionId): Promise<VersionState>;
  update(client: ProtonClient, id: VersionId, changes: VersionChanges): Promise<void>;
  delete(client: ProtonClient, id: VersionId): Promise<void>;
  /** Every version of a template, or of one major version of it. */
  list(client: ProtonClient, templateName: string, majorVersion?: string): Promise<VersionState[]>;
}

/** What Update…TemplateVersion changes in place; the compatibility lists are service template versions' only. */
export interface VersionChanges {
  readonly description?: string;
  readonly status?: 'PUBLISHED';
  readonly compatibleEnvironmentTemplates?: Array<{ templateName: string; majorVersion: string }>;
  readonly supportedComponentSources?: ServiceTemplateSupportedComponentSourceType[];
}

/**
 * Tag that records which resource registered a version and from which bundle. Proton does not
 * report a version's source, and the handler must recognise a version it already registered
 * from the same bundle: the one a rollback Update returns to, or the one a rolled-back update
 * left behind (Proton refuses to delete a template's recommended version while older ones
 * exist), which the next deployment of that bundle takes over instead of registering it again.
 */
export const SOURCE_TAG = ReservedTag.SOURCE;

/**
 * Tag put on a version whose Delete Proton refused (the recommended version while others exist, or
 * one in use): it is meant to be gone, so the Delete of any other version of the template deletes it
 * once Proton lets it, and the template's own delete is not blocked by it. A deployment that takes
 * the version over again removes the tag.
 */
export const DELETE_PENDING_TAG = ReservedTag.DELETE_PENDING;

/**
 * How long the Delete of a template's last version of ours waits for Proton to let it delete the
 * versions it refused (an environment deleted in parallel still using one) before it fails.
 */
export const DELETE_WAIT_MS = 15 * 60_000;
const DELETE_STARTED = 'DeleteStartedAt';

const PHYSICAL_ID = /^([0-9A-Za-z]+[0-9A-Za-z_-]*):(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function physicalIdOf(id: VersionId): string {
  return `${id.templateName}:${id.majorVersion}.${id.minorVersion}`;
}

/** Undefined for ids we did not make, such as the framework's marker after a failed create. */
export function parsePhysicalId(physicalId: string | undefined): VersionId | undefined {
  const match = PHYSICAL_ID.exec(physicalId ?? '');
  return match ? { templateName: match[1], majorVersion: match[2], minorVersion: match[3] } : undefined;
}

/** What the stack declares: what Proton registers (but the token, made per request), and what the handler does with it. */
interface DesiredVersion extends Omit<CreateVersionInput, 'clientToken'> {
  readonly publish: boolean;
  readonly retain: boolean;
}

function desiredVersion(props: Delivered<TemplateVersionProperties>): DesiredVersion {
  const sources = enumList(props, 'SupportedComponentSources', Object.values(ServiceTemplateSupportedComponentSourceType));
  return {
    templateName: requiredString(props, 'TemplateName'),
    majorVersion: optionalString(props, 'MajorVersion'),
    description: optionalString(props, 'Description'),
    publish: booleanProperty(props, 'Publish', true),
    bucket: requiredString(props, 'SourceBucket'),
    key: requiredString(props, 'SourceKey'),
    retain: retains(props),
    tags: tagList(props, 'Tags'),
    // Environment template versions have none: absent, not empty.
    compatibleEnvironmentTemplates: props.CompatibleEnvironmentTemplates === undefined ? undefined
      : objectList(props, 'CompatibleEnvironmentTemplates').map((t) => ({
        templateName: requiredString(t, 'templateName'),
        majorVersion: requiredString(t, 'majorVersion'),
      })),
    supportedComponentSources: sources.length > 0 ? sources : undefined,
  };
}

function sourceFingerprint(event: OnEventRequest, version: DesiredVersion): string {
  return createHash('sha256')
    .update(`${event.StackId}\n${event.LogicalResourceId}\n${version.templateName}\n${version.bucket}\n${version.key}`)
    .digest('hex');
}

function attributes(version: VersionState): Record<string, string> {
  return {
    [TemplateVersionAttribute.MAJOR_VERSION]: version.majorVersion,
    [TemplateVersionAttribute.MINOR_VERSION]: version.minorVersion,
    [TemplateVersionAttribute.ARN]: version.arn,
  };
}

/**
 * Registers a template bundle as a Proton template version, waits for registration and
 * publishes it. A new bundle is a new minor version (a new physical id, so CloudFormation
 * deletes the superseded version in its cleanup phase); other changes are made in place.
 */
export class TemplateVersionHandler implements ResourceHandler {
  constructor(private readonly api: TemplateVersionApi) {}

  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    switch (event.RequestType) {
      case 'Create': {
        const desired = desiredVersion(event.ResourceProperties);
        if (adopts(event.ResourceProperties)) return this.adopt(event, desired, context);
        return this.register(event, desired, desired.majorVersion, context);
      }
      case 'Update':
        return this.onUpdate(event, context);
      case 'Delete':
        // isComplete deletes: it may have to wait for Proton. The start bounds that wait.
        return { PhysicalResourceId: event.PhysicalResourceId!, Data: { [DELETE_STARTED]: String(Date.now()) } };
    }
  }

  public async isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse> {
    if (event.RequestType === 'Delete') {
      return { IsComplete: await this.deleteWhenSettled(event, context) };
    }
    const id = parsePhysicalId(event.PhysicalResourceId);
    if (!id) {
      throw new Error(`unexpected physical id "${event.PhysicalResourceId}" for a ${this.api.noun}`);
    }
    // A plain Get first: the waiter would retry on AccessDenied until it times out.
    let version = await this.api.get(context.proton, id);
    if (version.status === 'REGISTRATION_IN_PROGRESS') {
      const outcome = await waitWithin(this.api.waitUntilRegistered, id, context);
      if (outcome === 'pending') {
        return { IsComplete: false };
      }
      version = await this.api.get(context.proton, id);
    }
    if (version.status === 'REGISTRATION_FAILED') {
      // Nothing will use a version that failed to register: remove it now, since a failed
      // Update gets no Delete for the id it returned.
      await this.tryDelete(id, context);
      throw new ProtonResourceError(
        `Proton could not register ${this.api.noun} ${physicalIdOf(id)}: ${version.statusMessage ?? 'no status message'}`,
      );
    }
    if (booleanProperty<TemplateVersionProperties>(event.ResourceProperties, 'Publish', true) && version.status === 'DRAFT') {
      await this.api.update(context.proton, id, { status: 'PUBLISHED' });
    }
    return { IsComplete: true, Data: attributes(version) };
  }

  /**
   * Registers the bundle as a new minor version of `majorVersion`, or of a new major version when
   * it is undefined. Proton starts a new major only when no major version is given, so a major
   * version that does not exist yet is started that way when it is the next one, and refused otherwise.
   */
  private async register(
    event: OnEventRequest,
    desired: DesiredVersion,
    majorVersion: string | undefined,
    context: HandlerContext,
  ): Promise<OnEventResponse> {
    const fingerprint = sourceFingerprint(event, desired);
    let startsMajor = false;
    if (majorVersion !== undefined) {
      const versions = await this.api.list(context.proton, desired.templateName);
      const majors = [...new Set(versions.map((v) => v.majorVersion))].sort((a, b) => Number(a) - Number(b));
      if (majors.includes(majorVersion)) {
        // The version this resource already registered from this bundle: left behind by a rolled-back
        // update, or made by a replayed request that started this major.
        const registered = await this.findRegistered(versions.filter((v) => v.majorVersion === majorVersion), fingerprint, context);
        if (registered) return { PhysicalResourceId: physicalIdOf(registered), Data: attributes(registered) };
      } else {
        const next = String(majors.length > 0 ? BigInt(majors[majors.length - 1]) + 1n : 1n);
        if (majorVersion !== next) {
          const has = majors.length > 0 ? `the template has major version ${majors.join(', ')}` : 'the template has no versions';
          throw new ProtonResourceError(`${this.api.noun} ${event.LogicalResourceId} of template ${desired.templateName}: `
            + `majorVersion "${majorVersion}" does not exist (${has}): give an existing major version, "${next}" to start the next one, `
            + 'or no majorVersion to start a new major version on create');
        }
        startsMajor = true;
      }
    }
    const version = await this.api.create(context.proton, {
      templateName: desired.templateName,
      majorVersion: startsMajor ? undefined : majorVersion,
      description: desired.description,
      bucket: desired.bucket,
      key: desired.key,
      clientToken: clientTokenFor(event),
      tags: [...desired.tags, { key: SOURCE_TAG, value: fingerprint }, ownerTag(event)],
      compatibleEnvironmentTemplates: desired.compatibleEnvironmentTemplates,
      supportedComponentSources: desired.supportedComponentSources,
    });
    if (majorVersion !== undefined && version.majorVersion !== majorVersion) {
      // Another major version was started in between: this one is not what the stack asked for.
      await this.tryDelete(version, context);
      throw new ProtonResourceError(`${this.api.noun} ${event.LogicalResourceId} of template ${desired.templateName}: `
        + `Proton registered major version ${version.majorVersion} instead of ${majorVersion}, as another version started a major `
        + 'version at the same time: deploy again');
    }
    return { PhysicalResourceId: physicalIdOf(version), Data: attributes(version) };
  }

  /** Takes over the newest version of the declared major version whose schema is the bundle's, tagging it as this resource's. */
  private async adopt(event: OnEventRequest, desired: DesiredVersion, context: HandlerContext): Promise<OnEventResponse> {
    const schema = requiredString<TemplateVersionProperties>(event.ResourceProperties, 'AdoptSchema');
    const listed = (await this.api.list(context.proton, desired.templateName, desired.majorVersion))
      .filter((v) => v.majorVersion === desired.majorVersion && v.status !== 'REGISTRATION_FAILED')
      .sort((a, b) => Number(b.minorVersion) - Number(a.minorVersion));
    for (const summary of listed) {
      const version = await this.api.get(context.proton, summary);
      if (!sameSpec(version.schema, schema)) continue;
      await context.proton.send(new TagResourceCommand({
        resourceArn: version.arn, tags: [...desired.tags, { key: SOURCE_TAG, value: sourceFingerprint(event, desired) }, ownerTag(event)],
      }));
      return { PhysicalResourceId: physicalIdOf(version), Data: attributes(version) };
    }
    throw new ProtonResourceError(`${this.api.noun} ${event.LogicalResourceId} of template ${desired.templateName}: no version of major version `
      + `${desired.majorVersion} has the bundle's schema (${listed.map(physicalIdOf).join(', ') || 'it has none'}), so none is adopted: `
      + 'give the bundle the version was registered from, or remove adopt to register it as a new version');
  }

  private async onUpdate(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    const desired = desiredVersion(event.ResourceProperties);
    const previous = desiredVersion(event.OldResourceProperties ?? {});
    const current = parsePhysicalId(event.PhysicalResourceId);
    if (!current || current.templateName !== desired.templateName) {
      return this.register(event, desired, desired.majorVersion, context);
    }
    // Without a major version, a template keeps its first major: new bundles become minors of it.
    const targetMajor = desired.majorVersion ?? current.majorVersion;
    const existing = await this.getOrUndefined(current, context);
    if (!existing || targetMajor !== current.majorVersion) {
      return this.register(event, desired, targetMajor, context);
    }
    const tags = await this.tagsOf(existing.arn, context);
    if (tags[SOURCE_TAG] !== sourceFingerprint(event, desired)) {
      return this.register(event, desired, targetMajor, context);
    }
    // Same bundle (an update of metadata, or a rollback to this version): change it in place.
    await this.markOrphans(event, desired.templateName, current, context);
    const changes: { -readonly [K in keyof VersionChanges]: VersionChanges[K] } = {};
    if (desired.description !== previous.description) changes.description = desired.description ?? '';
    if (!sameJson(desired.compatibleEnvironmentTemplates, previous.compatibleEnvironmentTemplates)) {
      changes.compatibleEnvironmentTemplates = desired.compatibleEnvironmentTemplates;
    }
    if (!sameJson(desired.supportedComponentSources ?? [], previous.supportedComponentSources ?? [])) {
      // An empty list removes every source.
      changes.supportedComponentSources = desired.supportedComponentSources ?? [];
    }
    if (Object.keys(changes).length > 0) await this.api.update(context.proton, current, changes);
    await syncTags(existing.arn, tags, desired.tags, context, (key) => key === SOURCE_TAG || key === OWNER_TAG);
    return { PhysicalResourceId: physicalIdOf(current), Data: attributes(existing) };
  }

  /**
   * Tags delete-pending every other version this resource registered (owner tag) but CloudFormation
   * holds no id of: the version an update registered before CloudFormation cancelled it (the rollback
   * Update returns here), or the one a Create registered before it was cancelled (`keep` undefined).
   */
  private async markOrphans(event: OnEventRequest, templateName: string, keep: VersionId | undefined, context: HandlerContext): Promise<void> {
    const owner = ownerTag(event).value;
    const versions = await unlessNotFound(this.api.list(context.proton, templateName)) ?? [];
    for (const version of versions) {
      if (keep && physicalIdOf(version) === physicalIdOf(keep)) continue;
      const tags = await this.tagsOf(version.arn, context);
      if (tags[OWNER_TAG] === owner && !(DELETE_PENDING_TAG in tags)) await this.tagResource(version.arn, DELETE_PENDING_TAG, context);
    }
  }

  /**
   * A usable version among `versions` that this resource already registered from the same bundle,
   * taken over again: it is no longer meant to be deleted.
   */
  private async findRegistered(versions: VersionState[], fingerprint: string, context: HandlerContext): Promise<VersionState | undefined> {
    for (const version of versions) {
      if (version.status === 'REGISTRATION_FAILED') continue;
      const tags = await this.tagsOf(version.arn, context);
      if (tags[SOURCE_TAG] !== fingerprint) continue;
      if (DELETE_PENDING_TAG in tags) {
        await context.proton.send(new UntagResourceCommand({ resourceArn: version.arn, tagKeys: [DELETE_PENDING_TAG] }));
      }
      return version;
    }
    return undefined;
  }

  /**
   * Completes a Delete. A version still registering (a Delete can arrive while its Create runs)
   * cannot be deleted yet: wait for Proton to finish. A version Proton refuses to delete is tagged
   * delete-pending and deleted later, by this Delete or another version's (see `sweep`).
   */
  private async deleteWhenSettled(event: IsCompleteRequest, context: HandlerContext): Promise<boolean> {
    const desired = desiredVersion(event.ResourceProperties);
    if (desired.retain) return true;
    const id = parsePhysicalId(event.PhysicalResourceId);
    if (!id) {
      // A Create that never answered (CloudFormation made the id up): the version it may have registered goes.
      // The framework's own marker of a failed Create names no version.
      if (!event.PhysicalResourceId?.startsWith('AWSCDK::')) {
        await this.markOrphans(event, desired.templateName, undefined, context);
        return this.settleSweep(event, desired.templateName, context);
      }
      return true;
    }
    const version = await this.getOrUndefined(id, context);
    if (version?.status === 'REGISTRATION_IN_PROGRESS' && await waitWithin(this.api.waitUntilRegistered, id, context) === 'pending') {
      return false;
    }
    if (version && await this.tryDelete(id, context) !== undefined) {
      await this.tagResource(version.arn, DELETE_PENDING_TAG, context);
    }
    return this.settleSweep(event, id.templateName, context);
  }

  /** Sweeps the template's delete-pending versions; the last Delete of ours waits for the ones Proton refuses. */
  private async settleSweep(event: IsCompleteRequest, templateName: string, context: HandlerContext): Promise<boolean> {
    const { refused, othersOfOurs } = await this.sweep(templateName, context);
    if (refused.length === 0) return true;
    const kept = refused.map((r) => `${physicalIdOf(r.version)} (${r.reason})`).join('; ');
    if (othersOfOurs) {
      // A superseded version, or one of several: the Delete of the template's other versions deletes it.
      console.log(`kept ${this.api.noun} ${kept} until the template's other versions are deleted`);
      return true;
    }
    // No version of ours remains to delete these later: the template itself could not be deleted.
    const started = Number(event.Data?.[DELETE_STARTED] ?? Date.now());
    if (Date.now() - started < DELETE_WAIT_MS) return false;
    throw new ProtonResourceError(`Proton refuses to delete ${this.api.noun} ${kept}, so template ${templateName} cannot be deleted `
      + 'either: delete or update the environments and services that use these versions (or delete the other versions), then delete again');
  }

  /**
   * Deletes the versions of a template tagged delete-pending that Proton now lets go. Answers the
   * ones it still refuses, and whether other versions of ours remain (whose Delete will sweep again).
   */
  private async sweep(templateName: string, context: HandlerContext): Promise<{
    refused: Array<{ version: VersionState; reason: string }>; othersOfOurs: boolean;
  }> {
    const refused: Array<{ version: VersionState; reason: string }> = [];
    let othersOfOurs = false;
    const versions = await unlessNotFound(this.api.list(context.proton, templateName)) ?? [];
    // Lowest first: Proton deletes the recommended version only when it is the last.
    for (const version of versions.sort(byVersion)) {
      const tags = await this.tagsOf(version.arn, context);
      if (!(DELETE_PENDING_TAG in tags)) {
        if (SOURCE_TAG in tags) othersOfOurs = true;
        continue;
      }
      const reason = await this.tryDelete(version, context);
      if (reason !== undefined) refused.push({ version, reason });
    }
    return { refused, othersOfOurs };
  }

  /** Deletes a version, tolerating one already gone; answers Proton's reason when it refuses. */
  private async tryDelete(id: VersionId, context: HandlerContext): Promise<string | undefined> {
    try {
      await this.api.delete(context.proton, id);
      return undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      if (isConflict(error)) return (error as Error).message;
      throw error;
    }
  }

  private async tagResource(arn: string, key: string, context: HandlerContext): Promise<void> {
    try {
      await context.proton.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key, value: 'true' }] }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async getOrUndefined(id: VersionId, context: HandlerContext): Promise<VersionState | undefined> {
    return unlessNotFound(this.api.get(context.proton, id));
  }

  /** A version's tags; none for a version gone meanwhile. */
  private async tagsOf(arn: string, context: HandlerContext): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      const page = await unlessNotFound(context.proton.send(new ListTagsForResourceCommand({ resourceArn: arn, nextToken })));
      for (const tag of page?.tags ?? []) tags[tag.key!] = tag.value ?? '';
      nextToken = page?.nextToken;
    } while (nextToken);
    return tags;
  }
}

function byVersion(a: VersionId, b: VersionId): number {
  const diff = BigInt(a.majorVersion) - BigInt(b.majorVersion) || BigInt(a.minorVersion) - BigInt(b.minorVersion);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
