import { Lazy, RemovalPolicy, TagManager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { protonError } from './validation';
import { RemovalMode } from '../../custom-resources/contract';

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

/** The handler's removal mode for a removal policy; Proton resources are either deleted or kept. */
export function removalMode(scope: IConstruct, policy: RemovalPolicy): string {
  if (policy !== RemovalPolicy.DESTROY && policy !== RemovalPolicy.RETAIN) {
    throw protonError(scope, `removalPolicy ${policy} is not supported for Proton resources: use DESTROY or RETAIN`);
  }
  return policy === RemovalPolicy.RETAIN ? RemovalMode.RETAIN : RemovalMode.DELETE;
}
