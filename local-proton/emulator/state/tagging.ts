import { EmulatorContext, OperationHandler, ResourceFamily, paginate } from './context';

/** TagResource, UntagResource and ListTagsForResource, on any ARN the emulator knows (from its create to its delete). */
export class TaggingFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;

  constructor(ctx: EmulatorContext) {
    this.operations = {
      TagResource: input => {
        ctx.tags.tag(input.resourceArn, input.tags);
        return {};
      },
      UntagResource: input => {
        ctx.tags.untag(input.resourceArn, input.tagKeys);
        return {};
      },
      ListTagsForResource: input => {
        const { page, nextToken } = paginate(ctx.tags.list(input.resourceArn), input);
        return { tags: page, nextToken };
      },
    };
  }
}
