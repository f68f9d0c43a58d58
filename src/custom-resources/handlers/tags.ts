import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-proton';
import { isNotFound } from './errors';
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

/** Every tag of the Proton resource `arn`, by key; none for a resource that is gone. */
export async function tagsOf(arn: string, context: HandlerContext): Promise<Map<string, string>> {
  const tags = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await context.proton.send(new ListTagsForResourceCommand({ resourceArn: arn, nextToken })).catch((error) => {
      if (isNotFound(error)) return { tags: [], nextToken: undefined };
      throw error;
    });
    for (const tag of page.tags ?? []) tags.set(tag.key!, tag.value!);
    nextToken = page.nextToken;
  } while (nextToken);
  return tags;
}
