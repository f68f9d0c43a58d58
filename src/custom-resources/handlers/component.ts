import {
  Component,
  ComponentDeploymentUpdateType,
  CreateComponentCommand,
  DeleteComponentCommand,
  GetComponentCommand,
  paginateListComponentOutputs,
  UpdateComponentCommand,
  waitUntilComponentDeleted,
} from '@aws-sdk/client-proton';
import { ComponentProperties } from '../contract';
import { adopt, adopts } from './adoption';
import { deleteUnlessBusy, sendUnlessBusy } from './busy';
import { clientTokenFor, deploymentToken, requestTokenPrefix } from './client-tokens';
import { readyToReconcile } from './deployment-end';
import { DEPLOYMENT_OR_DELETE_RUNNING } from './deployment-states';
import { ProtonResourceError } from './errors';
import { NamedResourceHandler } from './named-resource';
import { Delivered, optionalString, Owned, owned, requiredString, stringList } from './properties';
import { namedResourceData, withOutputs } from './response-data';
import { syncTags } from './tags';
import { createdOrDeferred, stopIfTakenOver, tagsOnCreate, takeOver } from './takeover';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';
import { waitWithin } from './waiting';

interface DesiredComponent extends Owned {
  readonly name: string;
  readonly environmentName?: string;
  readonly serviceName?: string;
  readonly serviceInstanceName?: string;
  readonly manifest: string;
  readonly templateFile: string;
  readonly serviceSpec?: string;
  readonly description?: string;
  readonly adopt: boolean;
  readonly outputs: string[];
}

function desiredComponent(props: Delivered<ComponentProperties>): DesiredComponent {
  return {
    name: requiredString(props, 'Name'),
    environmentName: optionalString(props, 'EnvironmentName'),
    serviceName: optionalString(props, 'ServiceName'),
    serviceInstanceName: optionalString(props, 'ServiceInstanceName'),
    manifest: requiredString(props, 'Manifest'),
    templateFile: requiredString(props, 'TemplateFile'),
    serviceSpec: optionalString(props, 'ServiceSpec'),
    description: optionalString(props, 'Description'),
    ...owned(props),
    adopt: adopts(props),
    outputs: stringList(props, 'Outputs'),
  };
}

/**
 * A directly defined component. Proton does not report a component's template file, so each
 * deployment carries a client token derived from the CloudFormation request (`deploymentToken`):
 * the component runs the declared state when its last request token is this request's and its
 * deployment succeeded. A deployment in progress (the component's or its instance's) is waited
 * out; one cancelled is sent again.
 */
export class ComponentHandler extends NamedResourceHandler<Component> implements ResourceHandler {
  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    const desired = desiredComponent(event.ResourceProperties);
    switch (event.RequestType) {
      case 'Create': return this.onCreate(event, desired, context);
      case 'Update': return this.onUpdate(event, desired, context);
      case 'Delete':
        if (!desired.retain && await this.ours(event, desired.name, context)) await this.detachOrDelete(event, desired.name, context);
        return { PhysicalResourceId: event.PhysicalResourceId! };
    }
  }

  private async onCreate(event: OnEventRequest, desired: DesiredComponent, context: HandlerContext): Promise<OnEventResponse> {
    const existing = desired.adopt ? await this.getOrUndefined(desired.name, context) : undefined;
    if (!existing) return createdOrDeferred(desired.name, await this.tryCreate(event, desired, context));
    // Its template file is not reported: isComplete deploys the declared one (this request's token is not its last).
    await adopt(`component ${desired.name}`, existing.arn!, [
      ['environment', existing.serviceName ? undefined : existing.environmentName, desired.serviceName ? undefined : desired.environmentName],
      ['service', existing.serviceName, desired.serviceName],
      ['service instance', existing.serviceInstanceName, desired.serviceInstanceName],
      ['service spec', existing.serviceSpec, desired.serviceSpec],
      ['description', existing.description ?? '', desired.description ?? ''],
    ], desired.tags, event, context);
    return { PhysicalResourceId: desired.name };
  }

  private async onUpdate(event: OnEventRequest, desired: DesiredComponent, context: HandlerContext): Promise<OnEventResponse> {
    const previous = desiredComponent(event.OldResourceProperties ?? {});
    // Against the physical id, not the old properties: a rollback Update returns to the component it has.
    const renamed = event.PhysicalResourceId !== desired.name;
    const recreated = previous.manifest !== desired.manifest || (previous.environmentName ?? '') !== (desired.environmentName ?? '');
    if (!renamed && !recreated) {
      const component = await this.getOrUndefined(desired.name, context);
      if (component) {
        await takeOver(component.arn!, event, context);
        // Deployed for this request already (a replay after its deployment started): isComplete waits for that
        // one, or deploys again if it was cancelled.
        if (!component.lastClientRequestToken?.startsWith(requestTokenPrefix(event))) {
          await this.tryUpdate(event, previous, desired, component, context);
        }
        // Proton takes tags at create only.
        await syncTags(component.arn!, previous.tags, desired.tags, context);
      }
    } else if (renamed && previous.serviceName && previous.serviceName === desired.serviceName
      && previous.serviceInstanceName === desired.serviceInstanceName) {
      // Proton attaches one component per instance, and CloudFormation creates the replacement
      // before it deletes the old one: the new one could never attach.
      throw new ProtonResourceError(`component ${event.PhysicalResourceId} is attached to instance ${desired.serviceInstanceName} of service `
        + `${desired.serviceName}, which takes one component: renaming it (to ${desired.name}) would need two. Remove the component `
        + 'from the stack and deploy, then add it under the new name');
    } else if (!renamed) {
      throw new ProtonResourceError(`component ${desired.name}: a new manifest or environment replaces the component, `
        + 'and the new one needs a name of its own: change componentName too, or omit it to have one generated');
    } else {
      return createdOrDeferred(desired.name, await this.tryCreate(event, desired, context));
    }
    return { PhysicalResourceId: desired.name };
  }

  public async isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse> {
    const desired = desiredComponent(event.ResourceProperties);
    const pending = { IsComplete: false };
    if (event.RequestType === 'Delete') return this.deleted(event, desired, context);

    const what = `component ${desired.name}`;
    const component = await readyToReconcile(event, what, {
      read: () => this.getOrUndefined(desired.name, context),
      create: () => this.tryCreate(event, desired, context),
    }, context);
    if (!component) return pending;
    if (DEPLOYMENT_OR_DELETE_RUNNING.has(component.deploymentStatus!)) return pending;
    if (component.deploymentStatus === 'DELETE_FAILED') {
      throw new ProtonResourceError(`component ${desired.name} is DELETE_FAILED: ${component.deploymentStatusMessage ?? 'no status message'}. `
        + 'Fix the cause and delete it, then deploy again');
    }
    if (!component.lastClientRequestToken?.startsWith(requestTokenPrefix(event))) {
      // Not deployed yet for this request: Proton was busy when onEvent asked.
      const previous = event.RequestType === 'Update' ? desiredComponent(event.OldResourceProperties ?? {}) : undefined;
      await stopIfTakenOver(component.arn!, event, what, context);
      await this.tryUpdate(event, previous, desired, component, context);
      return pending;
    }
    if (component.deploymentStatus === 'CANCELLED') {
      // This request's deployment was cancelled: deploy the declared state again (a token of its own).
      await stopIfTakenOver(component.arn!, event, what, context);
      await this.tryUpdate(event, undefined, desired, component, context);
      return pending;
    }
    if (component.deploymentStatus !== 'SUCCEEDED') {
      throw new ProtonResourceError(`Proton could not deploy component ${desired.name} (${component.deploymentStatus}): `
        + `${component.deploymentStatusMessage ?? 'no status message'}`);
    }
    return { IsComplete: true, Data: await this.attributes(component, desired, context) };
  }

  /** Whether the Delete is done: the component gone (or kept, or not ours). */
  private async deleted(event: IsCompleteRequest, desired: DesiredComponent, context: HandlerContext): Promise<IsCompleteResponse> {
    if (desired.retain || !(await this.ours(event, desired.name, context))) return { IsComplete: true };
    const component = await this.getOrUndefined(desired.name, context);
    if (!component) return { IsComplete: true };
    if (component.deploymentStatus === 'DELETE_FAILED') {
      throw new ProtonResourceError(`Proton could not delete component ${desired.name}: ${component.deploymentStatusMessage ?? 'no status message'}`);
    }
    if (component.deploymentStatus === 'DELETE_IN_PROGRESS') {
      return { IsComplete: await waitWithin(waitUntilComponentDeleted, { name: desired.name }, context) === 'success' };
    }
    if (!DEPLOYMENT_OR_DELETE_RUNNING.has(component.deploymentStatus!)) await this.detachOrDelete(event, desired.name, context);
    return { IsComplete: false };
  }

  /** Creates the component; false when Proton was busy (the instance deploying) and isComplete is to create it. */
  private tryCreate(event: OnEventRequest, desired: DesiredComponent, context: HandlerContext): Promise<boolean> {
    // The instance is deploying: isComplete creates the component once it is not.
    return sendUnlessBusy(() => context.proton.send(new CreateComponentCommand({
      name: desired.name,
      // An attached component's environment is its instance's: Proton takes one or the other.
      ...(desired.serviceName
        ? { serviceName: desired.serviceName, serviceInstanceName: desired.serviceInstanceName }
        : { environmentName: desired.environmentName }),
      manifest: desired.manifest,
      templateFile: desired.templateFile,
      serviceSpec: desired.serviceSpec,
      description: desired.description,
      clientToken: clientTokenFor(event),
      tags: tagsOnCreate(desired.tags, event),
    })));
  }

  /** Deploys the template file, spec and attachment (or, when only the description changed, nothing). */
  private async tryUpdate(event: OnEventRequest, previous: DesiredComponent | undefined, desired: DesiredComponent,
    component: Component, context: HandlerContext): Promise<void> {
    const onlyDescription = previous !== undefined && previous.templateFile === desired.templateFile
      && previous.serviceSpec === desired.serviceSpec && previous.serviceName === desired.serviceName
      && previous.serviceInstanceName === desired.serviceInstanceName;
    const deploymentType = onlyDescription ? ComponentDeploymentUpdateType.NONE : ComponentDeploymentUpdateType.CURRENT_VERSION;
    await sendUnlessBusy(() => context.proton.send(new UpdateComponentCommand({
      name: desired.name,
      deploymentType,
      description: desired.description ?? '',
      ...(onlyDescription ? {} : {
        templateFile: desired.templateFile,
        serviceSpec: desired.serviceSpec,
        // "" detaches the component from its instance.
        serviceName: desired.serviceName ?? '',
        serviceInstanceName: desired.serviceInstanceName ?? '',
      }),
      clientToken: deploymentToken(event, component, deploymentType),
    })));
  }

  /** Proton deletes no attached component: detach it first (a deployment), delete it once detached. */
  private async detachOrDelete(event: OnEventRequest, name: string, context: HandlerContext): Promise<void> {
    const component = await this.getOrUndefined(name, context);
    if (!component || DEPLOYMENT_OR_DELETE_RUNNING.has(component.deploymentStatus!)) return;
    if (!component.serviceName) {
      await this.tryDelete(name, context);
      return;
    }
    await sendUnlessBusy(() => context.proton.send(new UpdateComponentCommand({
      name,
      deploymentType: ComponentDeploymentUpdateType.CURRENT_VERSION,
      serviceName: '',
      serviceInstanceName: '',
      clientToken: deploymentToken(event, component, 'detach'),
    })));
  }

  private tryDelete(name: string, context: HandlerContext): Promise<void> {
    return deleteUnlessBusy(`component ${name}`, () => context.proton.send(new DeleteComponentCommand({ name })), async () => {
      const component = await this.getOrUndefined(name, context);
      return !!component && DEPLOYMENT_OR_DELETE_RUNNING.has(component.deploymentStatus!);
    });
  }

  private attributes(component: Component, desired: DesiredComponent, context: HandlerContext): Promise<Record<string, string>> {
    const pages = paginateListComponentOutputs({ client: context.proton }, { componentName: desired.name });
    const data = namedResourceData(component);
    return withOutputs(data, pages, desired.outputs, `component ${desired.name}`);
  }

  protected async get(name: string, context: HandlerContext): Promise<Component> {
    return (await context.proton.send(new GetComponentCommand({ name }))).component!;
  }
}

export const componentHandler = new ComponentHandler();
