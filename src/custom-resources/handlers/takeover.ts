import { TagResourceCommand } from '@aws-sdk/client-proton';
import { isNotFound, ProtonResourceError } from './errors';
import { ownerTag } from './ownership';
import { tagsOf } from './tags';
import type { HandlerContext, OnEventRequest } from './types';
import { ReservedTag } from '../contract';

/**
 * Only one CloudFormation request at a time changes a Proton resource. CloudFormation gives up on a
 * request when a sibling fails (and rolls back), but the Provider framework's execution for it goes
 * on calling isComplete until its own timeout: left alone, it would deploy its request's state again
 * over the rollback's. So every request that changes a resource first writes its RequestId into this
 * tag, and isComplete checks, before it waits and before each change it makes, that the tag still
 * names its request. A replay of a request carries the same RequestId, so it carries on.
 */
export const REQUEST_TAG = ReservedTag.REQUEST;

/** The tag a Create passes with the resource it creates. */
export function requestTag(event: Pick<OnEventRequest, 'RequestId'>): { key: string; value: string } {
  return { key: REQUEST_TAG, value: event.RequestId };
}

/** This request takes charge of the resource `arn`: an earlier request's execution stops at its next step. */
export async function takeOver(arn: string, event: Pick<OnEventRequest, 'RequestId'>, context: HandlerContext): Promise<void> {
  try {
    await context.proton.send(new TagResourceCommand({ resourceArn: arn, tags: [requestTag(event)] }));
  } catch (error) {
    // Gone already: nothing left to take charge of (a Delete finds it gone too).
    if (!isNotFound(error)) throw error;
  }
}

/** A later request took charge of the resource: this request's execution must change nothing more. */
export class TakenOverError extends ProtonResourceError {
  constructor(what: string, event: Pick<OnEventRequest, 'RequestId'>, later: string) {
    super(`${what}: a later request (${later}) has taken charge of it, so request ${event.RequestId} stops here and changes nothing `
      + 'more (CloudFormation stopped waiting for it when it rolled back or retried)');
    this.name = 'TakenOverError';
  }
}

/**
 * Throws TakenOverError when a later request has taken charge of `arn`. A resource without the tag
 * (created before this rule, or gone) is not taken over: the caller's next read tells what happened.
 */
export async function stopIfTakenOver(arn: string, event: Pick<OnEventRequest, 'RequestId'>, what: string,
  context: HandlerContext): Promise<void> {
  const current = (await tagsOf(arn, context)).get(REQUEST_TAG);
  if (current !== undefined && current !== event.RequestId) throw new TakenOverError(what, event, current);
}

/**
 * The response Data key onEvent sets when Proton was busy and isComplete is to create the resource. A resource
 * isComplete finds gone without it was deleted by a later request (the rollback's Delete), and is not created again.
 */
export const CREATE_DEFERRED = 'CreateDeferred';

/** onEvent's answer for a create that Proton deferred (`created` false) or made. */
export function createdOrDeferred(physicalResourceId: string, created: boolean): { PhysicalResourceId: string; Data?: Record<string, string> } {
  return created ? { PhysicalResourceId: physicalResourceId } : { PhysicalResourceId: physicalResourceId, Data: { [CREATE_DEFERRED]: 'true' } };
}

/** In isComplete: the resource is gone. Creates it when onEvent deferred that, else fails: a later request deleted it. */
export function goneUnlessDeferred(event: { Data?: Record<string, string> }, what: string): void {
  if (event.Data?.[CREATE_DEFERRED] === 'true') return;
  throw new ProtonResourceError(`${what} is gone: a later request deleted it (a rollback), or someone did outside the stack; `
    + 'it is not created again by this request');
}

/** The tags a resource is created with: the stack's, plus which resource owns it and which request made it. */
export function tagsOnCreate(tags: ReadonlyArray<{ key: string; value: string }>, event: OnEventRequest): Array<{ key: string; value: string }> {
  return [...tags, ownerTag(event), requestTag(event)];
}
