import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DESCRIPTION, DISPLAY_NAME, RESOURCE_NAME, StringLimit, TEMPLATE_VERSION_PART } from '../../proton-limits.generated';

/** A synth-time error that names the construct, the bad value and the fix. */
export function protonError(scope: IConstruct, message: string): Error {
  return new Error(`${scope.node.path}: ${message}`);
}

/**
 * Checks a string against a limit of the Proton API model. Unresolved tokens are known only at
 * deploy time: Proton checks those.
 */
export function checkString(scope: IConstruct, what: string, value: string | undefined, limit: StringLimit, fix: string): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  const problems: string[] = [];
  if (value.length < limit.min) problems.push(`is shorter than ${limit.min} characters`);
  if (value.length > limit.max) problems.push(`is longer than ${limit.max} characters (${value.length})`);
  if (limit.pattern && !new RegExp(limit.pattern).test(value)) problems.push(`does not match ${limit.pattern}`);
  if (problems.length > 0) {
    throw protonError(scope, `${what} "${value}" ${problems.join(' and ')}: ${fix}`);
  }
}

/** Checks a Proton resource name (`what` is how the props call it). */
export function checkName(scope: IConstruct, what: string, value: string | undefined): void {
  checkString(scope, what, value, RESOURCE_NAME, 'use 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit');
}

/** Checks a description. */
export function checkDescription(scope: IConstruct, value: string | undefined): void {
  checkString(scope, 'description', value, DESCRIPTION, 'use at most 500 characters');
}

/** Checks the template version numbers a resource names. */
export function checkVersionParts(scope: IConstruct, version: { readonly majorVersion?: string; readonly minorVersion?: string }): void {
  for (const [what, value] of [['majorVersion', version.majorVersion], ['minorVersion', version.minorVersion]] as const) {
    checkString(scope, what, value, TEMPLATE_VERSION_PART, 'give the version as a whole number string without leading zeros, such as "1"');
  }
}

/** Checks what an environment or service template is given. */
export function checkTemplateProps(scope: IConstruct, templateName: string, props: { displayName?: string; description?: string }): void {
  checkName(scope, 'templateName', templateName);
  checkString(scope, 'displayName', props.displayName, DISPLAY_NAME, 'use 1 to 100 characters');
  checkDescription(scope, props.description);
}
