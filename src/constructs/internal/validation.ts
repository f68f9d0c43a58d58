import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { StringLimit } from '../../proton-limits.generated';

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
