import {
  CreateServiceInstanceCommand,
  DeploymentUpdateType,
  GetServiceInstanceCommand,
  paginateListServiceInstanceOutputs,
  ServiceInstance,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
} from '@aws-sdk/client-proton';
import { ServiceInstanceProperties } from '../contract';
import { sendUnlessBusy } from './busy';
import { clientTokenFor, deploymentToken } from './client-tokens';
import { readyToReconcile, settled } from './deployment-end';
import { DEPLOYMENT_OR_DELETE_RUNNING } from './deployment-states';
import { isNotFound, ProtonResourceError, unlessNotFound } from './errors';
import { deleteIsOurs } from './ownership';
import { Delivered, optionalString, Owned, owned, requiredString, stringList } from './properties';
import { namedResourceData, withOutputs } from './response-data';
import { deployment, instancesOf, instanceSetSpec, runs } from './service-spec';
import { syncTags } from './tags';
import { createdOrDeferred, stopIfTakenOver, tagsOnCreate, takeOver } from './takeover';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';

interface DesiredInstance extends Owned {
  readonly serviceName: string;
  readonly name: string;
  readonly environment: string;
  readonly spec: string;
  readonly majorVersion?: string;
  readonly minorVersion?: string;
  readonly outputs: string[];
}

function desiredInstance(props: Delivered<ServiceInstanceProperties>): DesiredInstance {
  return {
    serviceName: requiredString(props, 'ServiceName'),
    name: requiredString(props, 'Name'),
    environment: requiredString(props, 'Environment'),
    spec: requiredString(props, 'Spec'),
    majorVersion: optionalString(props, 'TemplateMajorVersion'),
    minorVersion: optionalString(props, 'TemplateMinorVersion'),
    ...owned(props),
    outputs: stringList(props, 'Outputs'),
  };
}

const physicalIdOf = (d: DesiredInstance) => `${d.serviceName}/${d.name}`;

/**
 * A service instance added to an existing service (`CreateServiceInstance`). Proton has no delete
 * for instances: deleting removes it from the service's spec with `UpdateService`.
 */
export class ServiceInstanceHandler implements ResourceHandler {
  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    const desired = desiredInstance(event.ResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        return createdOrDeferred(physicalIdOf(desired), await this.tryCreate(event, desired, context));
      case 'Update': {
        const previous = desiredInstance(event.OldResourceProperties ?? {});
        if (physicalIdOf(previous) !== physicalIdOf(desired) || previous.environment !== desired.environment) {
          if (physicalIdOf(previous) === physicalIdOf(desired)) {
            throw new ProtonResourceError(`service instance ${physicalIdOf(desired)}: a new environment replaces the instance, `
              + 'and the new one needs a name of its own: change the instance name too');
          }
          return createdOrDeferred(physicalIdOf(desired), await this.tryCreate(event, desired, context));
        } else {
          const instance = await this.getOrUndefined(desired, context);
          if (instance) {
            await takeOver(instance.arn!, event, context);
            // Proton takes tags at create only.
            await syncTags(instance.arn!, previous.tags, desired.tags, context);
          }
        }
        // Spec and version changes are deployed by isComplete once the instance is not busy.
        return { PhysicalResourceId: physicalIdOf(desired) };
      }
      case 'Delete':
        if (!desired.retain && await this.ours(event, desired, context)) await this.tryRemove(desired, context);
        return { PhysicalResourceId: event.PhysicalResourceId! };
    }
  }

  public async isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse> {
    const desired = desiredInstance(event.ResourceProperties);
    const what = `instance ${desired.name} of service ${desired.serviceName}`;
    const pending = { IsComplete: false };
    if (event.RequestType === 'Delete') return this.removed(event, desired, what, context);
    const instance = await readyToReconcile(event, what, {
      read: () => this.getOrUndefined(desired, context),
      create: () => this.tryCreate(event, desired, context),
    }, context);
    if (!instance) return pending;
    // Being removed (a Delete still running): created again once it is gone.
    if (instance.deploymentStatus === 'DELETE_IN_PROGRESS') return pending;
    if (instance.deploymentStatus === 'DELETE_FAILED') {
      throw new ProtonResourceError(`${what} is DELETE_FAILED: ${instance.deploymentStatusMessage ?? 'no status message'}. `
        + 'Fix the cause and remove it from the service, then deploy again');
    }
    const pin = { majorVersion: desired.majorVersion ?? instance.templateMajorVersion!, minorVersion: desired.minorVersion };
    const part = { instance: desired.name };
    if (!runs(instance, pin, desired.spec, part) || instance.deploymentStatus === 'CANCELLED') {
      const type = runs(instance, pin, desired.spec, part) ? { deploymentType: DeploymentUpdateType.CURRENT_VERSION }
        : deployment(instance, pin, what);
      await stopIfTakenOver(instance.arn!, event, what, context);
      // Deploying already (someone else's deployment): the next poll waits it out.
      await sendUnlessBusy(() => context.proton.send(new UpdateServiceInstanceCommand({
        name: desired.name,
        serviceName: desired.serviceName,
        spec: desired.spec,
        ...type,
        clientToken: deploymentToken(event, instance, type.deploymentType),
      })));
      return pending;
    }
    if (instance.deploymentStatus === 'FAILED') {
      throw new ProtonResourceError(`Proton could not deploy ${what}: ${instance.deploymentStatusMessage ?? 'no status message'}`);
    }
    return { IsComplete: true, Data: await this.attributes(instance, desired, context) };
  }

  /** Whether the Delete is done: the instance gone from its service (or kept, or not ours). */
  private async removed(event: IsCompleteRequest, desired: DesiredInstance, what: string, context: HandlerContext): Promise<IsCompleteResponse> {
    if (desired.retain || !(await this.ours(event, desired, context))) return { IsComplete: true };
    const instance = await settled(() => this.getOrUndefined(desired, context), DEPLOYMENT_OR_DELETE_RUNNING, context);
    if (instance === 'pending') return { IsComplete: false };
    if (!instance) return { IsComplete: true };
    if (instance.deploymentStatus === 'DELETE_FAILED') {
      // Removing it again would fail again: onEvent of a new Delete request tries once more.
      throw new ProtonResourceError(`Proton could not delete ${what}: ${instance.deploymentStatusMessage ?? 'no status message'}. `
        + 'Fix the cause and delete again, or give the instance removalPolicy RETAIN to leave it');
    }
    await this.tryRemove(desired, context);
    return { IsComplete: false };
  }

  /** Whether a Delete is about this resource's instance, also when CloudFormation made its id up (a Create it gave up on). */
  private ours(event: OnEventRequest, desired: DesiredInstance, context: HandlerContext): Promise<boolean> {
    return deleteIsOurs(event, physicalIdOf(desired), () => this.getOrUndefined(desired, context), context);
  }

  /** Creates the instance; false when Proton was busy (the service deploying) and isComplete is to create it. */
  private tryCreate(event: OnEventRequest, desired: DesiredInstance, context: HandlerContext): Promise<boolean> {
    // The service is busy (deploying): isComplete creates the instance once it is not.
    return sendUnlessBusy(() => context.proton.send(new CreateServiceInstanceCommand({
      name: desired.name,
      serviceName: desired.serviceName,
      spec: desired.spec,
      templateMajorVersion: desired.majorVersion,
      templateMinorVersion: desired.minorVersion,
      clientToken: clientTokenFor(event),
      tags: tagsOnCreate(desired.tags, event),
    })));
  }

  /** Removes the instance from the service's spec, listing every other instance as it runs. */
  private async tryRemove(desired: DesiredInstance, context: HandlerContext): Promise<void> {
    let instances: ServiceInstance[];
    try {
      instances = await instancesOf(desired.serviceName, context);
    } catch (error) {
      if (isNotFound(error)) return; // the service is gone, and its instances with it
      throw error;
    }
    if (!instances.some((i) => i.name === desired.name)) return;
    // The service is busy: the next poll removes the instance once it is not.
    await sendUnlessBusy(() => context.proton.send(new UpdateServiceCommand({
      name: desired.serviceName,
      spec: instanceSetSpec(instances.filter((i) => i.name !== desired.name)),
    })));
  }

  private attributes(instance: ServiceInstance, desired: DesiredInstance, context: HandlerContext): Promise<Record<string, string>> {
    const input = { serviceName: desired.serviceName, serviceInstanceName: desired.name };
    const pages = paginateListServiceInstanceOutputs({ client: context.proton }, input);
    const data = namedResourceData(instance);
    return withOutputs(data, pages, desired.outputs, `instance ${desired.name} of service ${desired.serviceName}`);
  }

  private async getOrUndefined(desired: DesiredInstance, context: HandlerContext): Promise<ServiceInstance | undefined> {
    const input = { name: desired.name, serviceName: desired.serviceName };
    return (await unlessNotFound(context.proton.send(new GetServiceInstanceCommand(input))))?.serviceInstance;
  }
}

export const serviceInstanceHandler = new ServiceInstanceHandler();
