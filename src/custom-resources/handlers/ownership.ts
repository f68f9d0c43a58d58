import { createHash } from 'crypto';
import { tagsOf } from './tags';
import { ReservedTag } from '../contract';
import type { HandlerContext, OnEventRequest } from './types';

/**
 * The tag that says which CloudFormation resource created a Proton resource. CloudFormation sends a
 * Delete with an id it made up when a Create never answered (cancelled because a sibling failed, timed
 * out): the Proton resource our Create made may exist all the same, and only this tag tells it apart
 * from someone else's resource of the same name.
 */
export const OWNER_TAG = ReservedTag.OWNER;

/** The owner tag of the resource this event is about: a digest of the stack and the logical id. */
export function ownerTag(event: Pick<OnEventRequest, 'StackId' | 'LogicalResourceId'>): { key: string; value: string } {
  return { key: OWNER_TAG, value: createHash('sha256').update(`${event.StackId}|${event.LogicalResourceId}`).digest('hex') };
}

/**
 * Whether a Delete is about a Proton resource of ours: the one its physical id names, or, when
 * CloudFormation made the id up because our Create never answered, the resource named `name` if
 * that Create made it (`find` answers it, or undefined when there is none).
 */
export async function deleteIsOurs(event: OnEventRequest, name: string, find: (name: string) => Promise<{ arn?: string } | undefined>,
  context: HandlerContext): Promise<boolean> {
  if (event.PhysicalResourceId === name) return true;
  const resource = await find(name);
  return resource?.arn !== undefined && ownedBy(resource.arn, event, context);
}

/** Whether the Proton resource `arn` carries this event's owner tag (a resource gone carries none). */
export async function ownedBy(arn: string, event: Pick<OnEventRequest, 'StackId' | 'LogicalResourceId'>, context: HandlerContext): Promise<boolean> {
  const { key, value } = ownerTag(event);
  return (await tagsOf(arn, context)).get(key) === value;
}
