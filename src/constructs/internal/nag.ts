import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One cdk-nag rule a resource is exempt from, and why; `appliesTo` narrows it to these findings of the rule. */
export interface NagSuppression {
  readonly id: string;
  readonly reason: string;
  readonly appliesTo?: ReadonlyArray<string | { readonly regex: string }>;
}

/**
 * Exempts one resource (the CfnResource `scope` is, or its default child) from cdk-nag rules. Writes
 * the metadata cdk-nag reads (`cdk_nag: { rules_to_suppress: [...] }`, what its
 * `NagSuppressions.addResourceSuppressions` writes) so the library does not depend on cdk-nag.
 */
export function suppressNag(scope: IConstruct, suppressions: NagSuppression[]): void {
  const resource = scope instanceof CfnResource ? scope : scope.node.defaultChild;
  if (!(resource instanceof CfnResource)) throw new Error(`${scope.node.path}: no CloudFormation resource to exempt from cdk-nag`);
  const existing = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  const added = suppressions.map(({ id, reason, appliesTo }) => ({ id, reason, ...(appliesTo ? { applies_to: appliesTo } : {}) }));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...added] });
}
