import { adopts } from './adoption';
import { describeError, isConnectionError, isProtonUnavailable, ProtonResourceError } from './errors';
import { attributesWithoutProton } from './offline-attributes';
import { removalMode } from './properties';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, ResourceHandler } from './types';
import { RemovalMode } from '../contract';

/**
 * What every resource type's removal policy guarantees, whatever its handler does, so that a stack can leave
 * Proton behind when Proton no longer answers (its end of support, 2026-10-07):
 * - a Delete of a retained resource makes no Proton call;
 * - an Update that changes only the removal policy changes nothing in Proton. When the resource's attributes follow
 *   from the event (no Proton outputs referenced) it makes no call at all; otherwise it reads them, and when Proton
 *   does not answer it answers those that follow (a stack reading an output then fails on CloudFormation's
 *   "Vendor response doesn't contain" error naming it);
 * - a request that fails because Proton does not answer says so; a Delete also says how to leave the resource behind.
 */
export function withRemovalPolicy(handler: ResourceHandler): ResourceHandler {
  return {
    async onEvent(event, context) {
      if (event.RequestType === 'Delete' && retained(event)) return { PhysicalResourceId: event.PhysicalResourceId! };
      if (answeredWithoutProton(event)) return { PhysicalResourceId: event.PhysicalResourceId!, Data: attributesWithoutProton(event) };
      try {
        return await handler.onEvent(event, context);
      } catch (error) {
        if (!removalOnlyWhileUnavailable(event, error)) throw unavailable(event, error);
        return { PhysicalResourceId: event.PhysicalResourceId!, Data: attributesWithoutProton(event) };
      }
    },
    async isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse> {
      if (event.RequestType === 'Delete' && retained(event)) return { IsComplete: true };
      if (answeredWithoutProton(event)) return { IsComplete: true };
      try {
        return await handler.isComplete(event, context);
      } catch (error) {
        if (!removalOnlyWhileUnavailable(event, error)) throw unavailable(event, error);
        return { IsComplete: true, Data: attributesWithoutProton(event) };
      }
    },
  };
}

/** Whether the resource type has a removal policy and it keeps the resource, or the resource is one the stack adopts. */
function retained(event: OnEventRequest): boolean {
  return ('RemovalPolicy' in event.ResourceProperties && removalMode(event.ResourceProperties) === RemovalMode.RETAIN)
    || adopts(event.ResourceProperties);
}

/** A removal-policy-only Update of a resource whose attributes all follow from the event: nothing to ask Proton. */
function answeredWithoutProton(event: OnEventRequest): boolean {
  const props = event.ResourceProperties;
  const readsOutputs = ['Outputs', 'InstanceOutputs', 'PipelineOutputs'].some((name) => Array.isArray(props[name]) && props[name].length > 0);
  return event.RequestType === 'Update' && onlyRemovalPolicyChanged(event) && !readsOutputs;
}

/** A removal-policy-only Update that failed because Proton does not answer: there is nothing to change in Proton. */
function removalOnlyWhileUnavailable(event: OnEventRequest, error: unknown): boolean {
  if (!(event.RequestType === 'Update' && onlyRemovalPolicyChanged(event) && isProtonUnavailable(error))) return false;
  console.log(`${event.LogicalResourceId}: Proton does not answer (${describeError(error)}); only the removal policy changes: answered without it`);
  return true;
}

/** Whether an Update changes the removal policy (or adoption, which keeps a resource too) and nothing else. */
export function onlyRemovalPolicyChanged(event: OnEventRequest): boolean {
  const rest = (props: Record<string, unknown> = {}) => {
    // A template version's AdoptSchema goes with Adopt.
    const { RemovalPolicy: _removal, Adopt: _adopt, AdoptSchema: _schema, ServiceToken: _token, ...others } = props;
    return JSON.stringify(sorted(others));
  };
  const old = event.OldResourceProperties;
  return (event.ResourceProperties.RemovalPolicy !== old?.RemovalPolicy || adopts(event.ResourceProperties) !== adopts(old ?? {}))
    && rest(event.ResourceProperties) === rest(old);
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/** The error to answer: when Proton does not answer, a reason naming the resource and, for a Delete, the ways out. */
function unavailable(event: OnEventRequest, error: unknown): unknown {
  // A Create or Update refused access keeps AWS's own message (it names the action and resource to grant).
  const deleting = event.RequestType === 'Delete';
  if (deleting ? !isProtonUnavailable(error) : !isConnectionError(error)) return error;
  const what = `${event.ResourceType} ${event.LogicalResourceId}${event.PhysicalResourceId ? ` (${event.PhysicalResourceId})` : ''}`;
  const cause = `Proton does not answer (${describeError(error)})`;
  if (!deleting) return new ProtonResourceError(`${what}: ${cause}`);
  return new ProtonResourceError(`${what} cannot be deleted: ${cause}. To leave it behind in Proton: delete the stack again `
    + `retaining it (aws cloudformation delete-stack --stack-name ${stackName(event.StackId)} --retain-resources ${event.LogicalResourceId}); `
    + 'or, before deleting the stack, set removalPolicy: RemovalPolicy.RETAIN on its construct, deploy, then delete the stack');
}

/** The stack's name, from its id (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`). */
function stackName(stackId: string): string {
  return stackId.split(':stack/')[1]?.split('/')[0] ?? stackId;
}
