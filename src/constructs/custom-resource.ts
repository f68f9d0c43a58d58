import { Lazy, RemovalPolicy, TagManager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { protonError } from './validation';
import { RemovalMode } from '../custom-resources/contract';

/** Tags of a custom resource as Proton takes them (`[{ key, value }]`), rendered once every aspect has run. */
export function protonTags(tags: TagManager): any {
  return Lazy.any({
    produce: () => Object.entries(tags.renderTags() ?? {}).map(([key, value]) => ({ key, value })),
  }, { omitEmptyArray: true });
}

/** The handler's removal mode for a removal policy; Proton resources are either deleted or kept. */
export function removalMode(scope: IConstruct, policy: RemovalPolicy): string {
  if (policy !== RemovalPolicy.DESTROY && policy !== RemovalPolicy.RETAIN) {
    throw protonError(scope, `removalPolicy ${policy} is not supported for Proton resources: use DESTROY or RETAIN`);
  }
  return policy === RemovalPolicy.RETAIN ? RemovalMode.RETAIN : RemovalMode.DELETE;
}
