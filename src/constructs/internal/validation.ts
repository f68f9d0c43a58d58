import * as path from 'path';
import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DESCRIPTION, DISPLAY_NAME, RESOURCE_NAME, StringLimit, TEMPLATE_VERSION_PART } from '../../proton-limits.generated';

/** This package's code, compiled (`lib/`) and, through its source maps, as written (`src/`, which is not shipped). */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');
const OWN_FRAMES = [path.join(PACKAGE_ROOT, 'lib') + path.sep, path.join(PACKAGE_ROOT, 'src') + path.sep];

/**
 * An error of the user's making: its stack starts at the user's code. Frames inside this package
 * say nothing to a user and, through the source maps, point at files the package does not ship.
 */
export function userError(message: string): Error {
  const error = new Error(message);
  error.stack = (error.stack ?? '').split('\n').filter((line) => !OWN_FRAMES.some((dir) => line.includes(dir))).join('\n');
  return error;
}

/** A synth-time error that names the construct, the bad value and the fix. */
export function protonError(scope: IConstruct, message: string): Error {
  return userError(`${scope.node.path}: ${message}`);
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

/**
 * Checks a Proton resource name (`what` is how the props call it). A name known only at deploy time is
 * checked by Proton only then, and a name that changes replaces the resource: worth a warning.
 */
export function checkName(scope: IConstruct, what: string, value: string | undefined): void {
  if (value !== undefined && Token.isUnresolved(value)) {
    Annotations.of(scope).addWarningV2('cdk-proton:nameIsToken', `${what} is known only at deploy time, so Proton checks it only then `
      + 'and a new value replaces the resource: give a literal name (1 to 100 letters, digits, hyphens and underscores)');
  }
  checkString(scope, what, value, RESOURCE_NAME, 'use 1 to 100 letters, digits, hyphens and underscores, starting with a letter or digit');
}

/** `adopt` takes over the resource Proton has under a name the user gives (`kind`: environment, service, component). */
export function checkAdoptable(scope: IConstruct, kind: string, adopt: boolean | undefined, givenName: string | undefined): void {
  if (adopt && givenName === undefined) {
    throw protonError(scope, `adopt takes over the ${kind} Proton has under ${kind}Name: give the name of the ${kind} to adopt`);
  }
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
