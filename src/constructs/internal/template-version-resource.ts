import * as fs from 'fs';
import { TagManager } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { dependOn, protonResource, ProtonCustomResource } from './proton-resource';
import { limitTags, protonTags } from './tags';
import { ReservedTag, TemplateVersionProperties } from '../../custom-resources/contract';
import { HandlerPermissions } from '../../custom-resources/permissions';
import { ProtonProvider } from '../../custom-resources/provider';
import { TEMPLATE_VERSION_PART } from '../../proton-limits.generated';
import { TemplateBundleConfig } from '../bundles/template-bundle';
import type { TemplateVersionOptions } from '../environment-templates';
import { checkDescription, checkString, protonError } from './validation';

/** What the environment and service template versions share: the custom resource and its permissions. */
export interface TemplateVersionRegistration {
  /** The template construct: its versions are ordered by their major versions, and wait for its native template. */
  readonly template: IConstruct;
  readonly resourceType: string;
  readonly permissions: HandlerPermissions;
  readonly templateName: string;
  readonly bundle: TemplateBundleConfig;
  readonly options: TemplateVersionOptions;
  readonly tags: TagManager;
  readonly extraProperties?: Omit<Partial<TemplateVersionProperties>, 'RemovalPolicy'>;
}

export function registerTemplateVersion(scope: Construct, reg: TemplateVersionRegistration): ProtonCustomResource {
  const { options } = reg;
  if (options.majorVersion !== undefined) {
    checkString(scope, 'majorVersion', options.majorVersion, TEMPLATE_VERSION_PART,
      'give the major version as a whole number string without leading zeros, such as "1"');
  }
  checkDescription(scope, options.description);
  if (options.adopt && (options.majorVersion === undefined || reg.bundle.schemaFile === undefined)) {
    throw protonError(scope, options.majorVersion === undefined
      ? 'adopt takes over a version of majorVersion whose schema is the bundle\'s: give majorVersion'
      : 'adopt compares the bundle\'s schema with Proton\'s versions: use a bundle the app can read (fromDirectory or fromStack)');
  }
  limitTags(scope, reg.tags, [ReservedTag.OWNER, ReservedTag.SOURCE, ReservedTag.DELETE_PENDING]);

  const resource = protonResource<TemplateVersionProperties>(scope, {
    resourceType: reg.resourceType,
    permissions: reg.permissions,
    grantOn: reg.templateName,
    properties: {
      TemplateName: reg.templateName,
      MajorVersion: options.majorVersion,
      Description: options.description,
      Publish: String(options.publish ?? true),
      SourceBucket: reg.bundle.bucketName,
      SourceKey: reg.bundle.objectKey,
      RemovalPolicy: options.removalPolicy,
      Adopt: options.adopt ? 'true' : undefined,
      AdoptSchema: options.adopt ? fs.readFileSync(reg.bundle.schemaFile!, 'utf8') : undefined,
      Tags: protonTags(reg.tags),
      ...reg.extraProperties,
    },
  });
  ProtonProvider.of(scope)._grantBundleRead(reg.bundle.bucketArn, reg.bundle.objectKey, reg.bundle.isAsset ?? false);
  orderByMajorVersion(reg.template, options.majorVersion, resource);
  // The native template, not the template construct: its other versions are children of it too.
  dependOn(resource, reg.template);
  return resource;
}

/** The versions registered so far for each template construct, and whether they name a major version. */
const versionsOf = new WeakMap<object, Array<{ readonly namesMajor: boolean; readonly resource: ProtonCustomResource }>>();

/**
 * A version that names a major version registers after its siblings that start one: the major it
 * names may be theirs (`addVersion('Hotfix', { majorVersion: '1' })` next to the version that
 * started 1), and Proton refuses a major version that does not exist yet.
 */
function orderByMajorVersion(template: object, majorVersion: string | undefined, resource: ProtonCustomResource): void {
  const siblings = versionsOf.get(template) ?? [];
  const namesMajor = majorVersion !== undefined;
  for (const sibling of siblings) {
    if (namesMajor && !sibling.namesMajor) resource.node.addDependency(sibling.resource);
    if (!namesMajor && sibling.namesMajor) sibling.resource.node.addDependency(resource);
  }
  versionsOf.set(template, [...siblings, { namesMajor, resource }]);
}
