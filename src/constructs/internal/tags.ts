import { Lazy, TagManager, TagType } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Tags of a custom resource as Proton takes them (`[{ key, value }]`), rendered once every aspect has run. */
export function protonTags(tags: TagManager): any {
  return Lazy.any({
    produce: () => Object.entries(tags.renderTags() ?? {}).map(([key, value]) => ({ key, value })),
  }, { omitEmptyArray: true });
}

/** Proton's limit of tags on one resource (TagList in the API model). */
const MAX_TAGS = 50;

/**
 * Fails synth when a resource would carry more tags than Proton takes: the handlers add the `reserved`
 * ones (`ReservedTag`). Checked after the aspects (`Tags.of`) have run.
 */
export function limitTags(scope: IConstruct, tags: TagManager, reserved: string[]): void {
  scope.node.addValidation({
    validate: () => {
      const count = Object.keys(tags.renderTags() ?? {}).length;
      const allowed = MAX_TAGS - reserved.length;
      return count <= allowed ? [] : [`${count} tags, but Proton takes at most ${MAX_TAGS} on a resource and cdk-proton adds `
        + `${reserved.length} of its own (${reserved.join(', ')}): remove ${count - allowed}, or apply them with Tags.of() further down the tree`];
    },
  });
}

/** The tags of a Proton resource the handlers tag with `reserved` as well: checked against Proton's limit. */
export function protonTagManager(scope: IConstruct, resourceType: string, reserved: string[]): TagManager {
  const tags = new TagManager(TagType.MAP, resourceType);
  limitTags(scope, tags, reserved);
  return tags;
}
