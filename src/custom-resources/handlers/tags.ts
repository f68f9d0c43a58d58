import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-proton';
import type { HandlerContext } from './types';

export type TagList = Array<{ key: string; value: string }>;

/**
 * Proton takes tags at create only; afterwards they change through TagResource and UntagResource.
 * Applies the difference from `previous` (what the resource has) to `desired`.
 */
export async function syncTags(arn: string, previous: TagList | Record<string, string>, desired: TagList, context: HandlerContext,
  keep: (key: string) => boolean = () => false): Promise<void> {
  const before = new Map(Array.isArray(previous) ? previous.map((t) => [t.key, t.value]) : Object.entries(previous));
  const wanted = new Map(desired.map((t) => [t.key, t.value]));
  const stale = [...before.keys()].filter((key) => !wanted.has(key) && !keep(key));
  const changed = desired.filter((t) => before.get(t.key) !== t.value);
  if (stale.length > 0) await context.proton.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: stale }));
  if (changed.length > 0) await context.proton.send(new TagResourceCommand({ resourceArn: arn, tags: changed }));
}
