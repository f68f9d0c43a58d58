import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { RESOURCE_NAME } from '../../proton-limits.generated';

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Keeps the characters Proton allows in a name ([0-9A-Za-z_-], starting alphanumeric). */
function sanitize(text: string): string {
  return text.replace(/[^0-9A-Za-z_-]/g, '').replace(/^[^0-9A-Za-z]+/, '');
}

/**
 * The prefix of every name this library generates in a stack. The provider's IAM policy grants
 * on `<prefix>-*` instead of listing each generated name, so it stays small however many
 * resources the stack declares.
 */
export function stackNamePrefix(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const readable = sanitize(Token.isUnresolved(stack.stackName) ? stack.node.id : stack.stackName).slice(0, 40) || 'stack';
  return `${readable}-${shortHash(stack.node.path)}`;
}

/**
 * A Proton name for a construct whose user gave none: unique in the app, stable across synths.
 * `salt` holds what, when it changes, replaces the resource and so needs a new name.
 */
export function generateName(scope: IConstruct, salt: string = ''): string {
  const stack = Stack.of(scope);
  const prefix = stackNamePrefix(scope);
  const unique = shortHash(salt ? `${scope.node.path}\n${salt}` : scope.node.path);
  const below = scope.node.scopes.slice(stack.node.scopes.length).map((s) => s.node.id);
  const readable = sanitize(below.join('-'));
  const budget = RESOURCE_NAME.max - prefix.length - unique.length - 2;
  return readable && budget > 0 ? `${prefix}-${readable.slice(0, budget)}-${unique}` : `${prefix}-${unique}`;
}
