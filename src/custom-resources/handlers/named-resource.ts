import { unlessNotFound } from './errors';
import { deleteIsOurs } from './ownership';
import type { HandlerContext, OnEventRequest } from './types';

/** What the handlers of Proton resources known by their name alone (environments, services, components) share. */
export abstract class NamedResourceHandler<R extends { arn?: string }> {
  /** The resource named `name`; fails when there is none. */
  protected abstract get(name: string, context: HandlerContext): Promise<R>;

  protected getOrUndefined(name: string, context: HandlerContext): Promise<R | undefined> {
    return unlessNotFound(this.get(name, context));
  }

  /** Whether a Delete is about this resource's Proton resource, also when CloudFormation made its id up (a Create it gave up on). */
  protected ours(event: OnEventRequest, name: string, context: HandlerContext): Promise<boolean> {
    return deleteIsOurs(event, name, (n) => this.getOrUndefined(n, context), context);
  }
}
