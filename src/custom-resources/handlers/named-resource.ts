import { unlessNotFound } from './errors';
import { deleteIsOurs } from './ownership';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';

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

/**
 * Environments and services: created under their name in onEvent (Proton's create is idempotent without a token),
 * changed by an Update as each says, deleted by name unless kept (or not ours), reconciled by isComplete.
 */
export abstract class DeployedResourceHandler<R extends { arn?: string }, D extends { readonly name: string; readonly retain: boolean }>
  extends NamedResourceHandler<R> implements ResourceHandler {
  /** The stack's properties, read. */
  protected abstract desired(props: OnEventRequest['ResourceProperties']): D;
  protected abstract create(desired: D, event: OnEventRequest, context: HandlerContext): Promise<void>;
  protected abstract onUpdate(event: OnEventRequest, desired: D, context: HandlerContext): Promise<OnEventResponse>;
  /** Starts the delete; one Proton refuses while the resource deploys is left to `deleted`. */
  protected abstract tryDelete(name: string, context: HandlerContext): Promise<void>;
  /** Whether the resource is gone (deleting it again when it is not deleting). */
  protected abstract deleted(name: string, context: HandlerContext): Promise<boolean>;
  /** isComplete of a Create or an Update. */
  protected abstract reconcile(event: IsCompleteRequest, desired: D, context: HandlerContext): Promise<IsCompleteResponse>;

  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    const desired = this.desired(event.ResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        await this.create(desired, event, context);
        return { PhysicalResourceId: desired.name };
      case 'Update':
        return this.onUpdate(event, desired, context);
      case 'Delete':
        if (!desired.retain && await this.ours(event, desired.name, context)) await this.tryDelete(desired.name, context);
        return { PhysicalResourceId: event.PhysicalResourceId! };
    }
  }

  public async isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse> {
    const desired = this.desired(event.ResourceProperties);
    if (event.RequestType === 'Delete') {
      return { IsComplete: desired.retain || !(await this.ours(event, desired.name, context)) || await this.deleted(desired.name, context) };
    }
    return this.reconcile(event, desired, context);
  }
}
