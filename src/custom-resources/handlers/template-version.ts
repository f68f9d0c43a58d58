import { createHash } from 'crypto';
import { ListTagsForResourceCommand, ProtonClient } from '@aws-sdk/client-proton';
import { RemovalMode, TemplateVersionAttribute } from '../contract';
import { isConflict, isNotFound, ProtonResourceError, unlessNotFound } from './errors';
import { booleanProperty, optionalString, requiredString, tagList } from './properties';
import { syncTags } from './tags';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';
import { SdkWaiter, waitWithin } from './waiting';

/** A template version as Proton names it: `templateName:major.minor` is also its physical id. */
export interface VersionId {
  readonly templateName: string;
  readonly majorVersion: string;
  readonly minorVersion: string;
}

export interface VersionState extends VersionId {
  readonly arn: string;
  readonly status: string;
  readonly statusMessage?: string;
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
  readonly supportedComponentSources?: string[];
}

/** Proton's answer (a version or a version summary) as the handler needs it. */
export function versionStateOf(
  version: { templateName?: string; majorVersion?: string; minorVersion?: string; arn?: string; status?: string; statusMessage?: string } | undefined,
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
  };
}

/** The calls that differ between environment and service template versions. */
export interface TemplateVersionApi {
  /** For messages, e.g. "environment template version". */
  readonly noun: string;
  readonly waitUntilRegistered: SdkWaiter<VersionId>;
  create(client: ProtonClient, input: CreateVersionInput): Promise<VersionState>;
  get(client: ProtonClient, id: VersionId): Promise<VersionState>;
  update(client: ProtonClient, id: VersionId, changes: { description?: string; status?: 'PUBLISHED' }): Promise<void>;
  delete(client: ProtonClient, id: VersionId): Promise<void>;
  /** Every version of a major version of a template. */
  list(client: ProtonClient, templateName: string, majorVersion: string): Promise<VersionState[]>;
}

/**
 * Tag that records which resource registered a version and from which bundle. Proton does not
 * report a version's source, and the handler must recognise a version it already registered
 * from the same bundle: the one a rollback Update returns to, or the one a rolled-back update
 * left behind (Proton refuses to delete a template's recommended version while older ones
 * exist), which the next deployment of that bundle takes over instead of registering it again.
 */
export const SOURCE_TAG = 'cdk-proton:source';

const PHYSICAL_ID = /^([0-9A-Za-z]+[0-9A-Za-z_-]*):(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function physicalIdOf(id: VersionId): string {
  return `${id.templateName}:${id.majorVersion}.${id.minorVersion}`;
}

/** Undefined for ids we did not make, such as the framework's marker after a failed create. */
export function parsePhysicalId(physicalId: string | undefined): VersionId | undefined {
  const match = PHYSICAL_ID.exec(physicalId ?? '');
  return match ? { templateName: match[1], majorVersion: match[2], minorVersion: match[3] } : undefined;
}

/**
 * A client token from the CloudFormation request: CloudFormation reuses the RequestId when it
 * retries a request, so a replayed event gets Proton's original answer instead of a new version.
 */
export function clientTokenFor(event: OnEventRequest): string {
  return createHash('sha256').update(`${event.StackId}\n${event.LogicalResourceId}\n${event.RequestId}`).digest('hex');
}

interface DesiredVersion {
  readonly templateName: string;
  readonly majorVersion?: string;
  readonly description?: string;
  readonly publish: boolean;
  readonly bucket: string;
  readonly key: string;
  readonly retain: boolean;
  readonly tags: Array<{ key: string; value: string }>;
  readonly compatibleEnvironmentTemplates?: Array<{ templateName: string; majorVersion: string }>;
  readonly supportedComponentSources?: string[];
}

function desiredVersion(props: Record<string, any>): DesiredVersion {
  const removal = optionalString(props, 'RemovalPolicy') ?? RemovalMode.DELETE;
  if (removal !== RemovalMode.DELETE && removal !== RemovalMode.RETAIN) {
    throw new Error(`property RemovalPolicy must be "${RemovalMode.DELETE}" or "${RemovalMode.RETAIN}" (got "${removal}")`);
  }
  const compatible = props.CompatibleEnvironmentTemplates as Array<Record<string, any>> | undefined;
  const sources = props.SupportedComponentSources as string[] | undefined;
  return {
    templateName: requiredString(props, 'TemplateName'),
    majorVersion: optionalString(props, 'MajorVersion'),
    description: optionalString(props, 'Description'),
    publish: booleanProperty(props, 'Publish', true),
    bucket: requiredString(props, 'SourceBucket'),
    key: requiredString(props, 'SourceKey'),
    retain: removal === RemovalMode.RETAIN,
    tags: tagList(props, 'Tags'),
    compatibleEnvironmentTemplates: compatible?.map((t) => ({
      templateName: requiredString(t, 'templateName'),
      majorVersion: requiredString(t, 'majorVersion'),
    })),
    supportedComponentSources: sources && sources.length > 0 ? [...sources] : undefined,
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
      case 'Create':
        return this.register(event, desiredVersion(event.ResourceProperties), undefined, context);
      case 'Update':
        return this.onUpdate(event, context);
      case 'Delete':
        await this.onDelete(event, context);
        return { PhysicalResourceId: event.PhysicalResourceId! };
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
      await this.deleteQuietly(id, context);
      throw new ProtonResourceError(
        `Proton could not register ${this.api.noun} ${physicalIdOf(id)}: ${version.statusMessage ?? 'no status message'}`,
      );
    }
    if (booleanProperty(event.ResourceProperties, 'Publish', true) && version.status === 'DRAFT') {
      await this.api.update(context.proton, id, { status: 'PUBLISHED' });
    }
    return { IsComplete: true, Data: attributes(version) };
  }

  private async register(
    event: OnEventRequest,
    desired: DesiredVersion,
    majorVersion: string | undefined,
    context: HandlerContext,
  ): Promise<OnEventResponse> {
    const version = await this.api.create(context.proton, {
      templateName: desired.templateName,
      majorVersion,
      description: desired.description,
      bucket: desired.bucket,
      key: desired.key,
      clientToken: clientTokenFor(event),
      tags: [...desired.tags, { key: SOURCE_TAG, value: sourceFingerprint(event, desired) }],
      compatibleEnvironmentTemplates: desired.compatibleEnvironmentTemplates,
      supportedComponentSources: desired.supportedComponentSources,
    });
    return { PhysicalResourceId: physicalIdOf(version), Data: attributes(version) };
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
    const fingerprint = sourceFingerprint(event, desired);
    const tags = await this.tagsOf(existing.arn, context);
    if (tags[SOURCE_TAG] !== fingerprint) {
      const registered = await this.findRegistered(current.templateName, targetMajor, fingerprint, context);
      return registered
        ? { PhysicalResourceId: physicalIdOf(registered), Data: attributes(registered) }
        : this.register(event, desired, targetMajor, context);
    }
    // Same bundle (an update of metadata, or a rollback to this version): change it in place.
    if (desired.description !== previous.description) {
      await this.api.update(context.proton, current, { description: desired.description ?? '' });
    }
    await syncTags(existing.arn, tags, desired.tags, context, (key) => key === SOURCE_TAG);
    return { PhysicalResourceId: physicalIdOf(current), Data: attributes(existing) };
  }

  /** A usable version of this major that this resource already registered from the same bundle. */
  private async findRegistered(
    templateName: string, majorVersion: string, fingerprint: string, context: HandlerContext,
  ): Promise<VersionState | undefined> {
    for (const version of await this.api.list(context.proton, templateName, majorVersion)) {
      if (version.status === 'REGISTRATION_FAILED') continue;
      if ((await this.tagsOf(version.arn, context))[SOURCE_TAG] === fingerprint) return version;
    }
    return undefined;
  }

  private async onDelete(event: OnEventRequest, context: HandlerContext): Promise<void> {
    const id = parsePhysicalId(event.PhysicalResourceId);
    if (desiredVersion(event.ResourceProperties).retain || !id) {
      return;
    }
    await this.deleteQuietly(id, context);
  }

  /**
   * Completes a Delete: a version still registering (a Delete can arrive while its Create runs)
   * cannot be deleted yet, so wait for Proton to finish, then delete it.
   */
  private async deleteWhenSettled(event: IsCompleteRequest, context: HandlerContext): Promise<boolean> {
    const id = parsePhysicalId(event.PhysicalResourceId);
    if (desiredVersion(event.ResourceProperties).retain || !id) {
      return true;
    }
    const version = await this.getOrUndefined(id, context);
    if (!version) {
      return true;
    }
    if (version.status === 'REGISTRATION_IN_PROGRESS' && await waitWithin(this.api.waitUntilRegistered, id, context) === 'pending') {
      return false;
    }
    await this.deleteQuietly(id, context);
    return true;
  }

  /**
   * Deletes a version, tolerating one already gone. A version Proton refuses to delete (in use
   * by an environment or service, or the recommended version of a template that has others) is
   * kept: a superseded version must never fail or wedge the stack.
   */
  private async deleteQuietly(id: VersionId, context: HandlerContext): Promise<void> {
    try {
      await this.api.delete(context.proton, id);
    } catch (error) {
      if (isNotFound(error)) return;
      if (isConflict(error)) {
        console.log(`kept ${this.api.noun} ${physicalIdOf(id)}: ${(error as Error).message}`);
        return;
      }
      throw error;
    }
  }

  private async getOrUndefined(id: VersionId, context: HandlerContext): Promise<VersionState | undefined> {
    return unlessNotFound(this.api.get(context.proton, id));
  }

  private async tagsOf(arn: string, context: HandlerContext): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      const page = await context.proton.send(new ListTagsForResourceCommand({ resourceArn: arn, nextToken }));
      for (const tag of page.tags ?? []) tags[tag.key!] = tag.value ?? '';
      nextToken = page.nextToken;
    } while (nextToken);
    return tags;
  }
}
