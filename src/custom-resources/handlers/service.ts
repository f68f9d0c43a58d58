import {
  CancelServiceInstanceDeploymentCommand,
  CancelServicePipelineDeploymentCommand,
  ComponentDeploymentUpdateType,
  ComponentSummary,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeploymentUpdateType,
  GetServiceCommand,
  GetServiceInstanceCommand,
  paginateListComponents,
  paginateListServiceInstanceOutputs,
  paginateListServicePipelineOutputs,
  Service,
  ServiceInstance,
  ServicePipeline,
  UpdateComponentCommand,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
  UpdateServicePipelineCommand,
  waitUntilServiceCreated,
  waitUntilServiceDeleted,
  waitUntilServiceInstanceDeployed,
  waitUntilServicePipelineDeployed,
  waitUntilServiceUpdated,
} from '@aws-sdk/client-proton';
import { instanceOutputAttribute, pipelineOutputAttribute, ServiceProperties } from '../contract';
import { adopt, adopts, Difference } from './adoption';
import { deleteUnlessBusy, deployUnlessBusy } from './busy';
import { deploymentToken } from './client-tokens';
import { DEPLOYMENT_RUNNING, SERVICE_CHANGING } from './deployment-states';
import { ProtonResourceError } from './errors';
import { DeployedResourceHandler } from './named-resource';
import { Delivered, objectList, optionalString, Owned, owned, requiredString, stringList } from './properties';
import { fittingData, namedResourceData, outputValues } from './response-data';
import { DeclaredInstance, deployment, instancesOf, instanceSetSpec, Running, runs, serviceSpec, specInputs } from './service-spec';
import { syncTags } from './tags';
import { stopIfTakenOver, tagsOnCreate, takeOver } from './takeover';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './types';
import { createdFrom, fromTemplate, FromTemplate } from './versions';
import { waitWithin } from './waiting';

interface DesiredService extends FromTemplate, Owned {
  readonly adopt: boolean;
  readonly repositoryConnectionArn?: string;
  readonly repositoryId?: string;
  readonly branchName?: string;
  readonly instances: DeclaredInstance[];
  readonly pipelineSpec?: string;
  readonly instanceOutputs: string[];
  readonly pipelineOutputs: string[];
}

function desiredService(props: Delivered<ServiceProperties>): DesiredService {
  const instances = objectList(props, 'Instances').map((i) => ({
    name: requiredString(i, 'Name'),
    environment: requiredString(i, 'Environment'),
    spec: requiredString(i, 'Spec'),
  }));
  const pipelineSpec = optionalString(props, 'PipelineSpec');
  return {
    ...fromTemplate(props, serviceSpec(instances, pipelineSpec)),
    repositoryConnectionArn: optionalString(props, 'RepositoryConnectionArn'),
    repositoryId: optionalString(props, 'RepositoryId'),
    branchName: optionalString(props, 'BranchName'),
    instances,
    pipelineSpec,
    ...owned(props),
    adopt: adopts(props),
    instanceOutputs: stringList(props, 'InstanceOutputs'),
    pipelineOutputs: stringList(props, 'PipelineOutputs'),
  };
}

/** How a service Proton has differs from the declared one: its template and repository, and each instance's and the pipeline's. */
function adoptionDifferences(service: Service, instances: ServiceInstance[], desired: DesiredService): Difference[] {
  const pinned = (what: string, running: Running): Difference[] => [
    [`${what} major version`, running.templateMajorVersion, desired.majorVersion],
    ...(desired.minorVersion === undefined ? [] : [[`${what} minor version`, running.templateMinorVersion, desired.minorVersion] as const]),
  ];
  const names = (list: ReadonlyArray<{ name?: string }>) => list.map((i) => i.name).sort().join(', ');
  const byName = new Map(instances.map((i) => [i.name!, i]));
  return [
    ['template', service.templateName, desired.templateName],
    ['description', service.description ?? '', desired.description ?? ''],
    ['repositoryConnectionArn', service.repositoryConnectionArn, desired.repositoryConnectionArn],
    ['repositoryId', service.repositoryId, desired.repositoryId],
    ['branchName', service.branchName, desired.branchName],
    ['instances', names(instances), names(desired.instances)],
    ...desired.instances.filter((want) => byName.has(want.name)).flatMap((want): Difference[] => {
      const instance = byName.get(want.name)!;
      const part = { instance: want.name };
      return [
        [`instance ${want.name} environment`, instance.environmentName, want.environment],
        ...pinned(`instance ${want.name}`, instance),
        [`instance ${want.name} spec`, specInputs(instance.spec, part), specInputs(want.spec, part)],
      ];
    }),
    ['pipeline', service.pipeline ? 'a pipeline' : 'none', desired.pipelineSpec ? 'a pipeline' : 'none'],
    ...(service.pipeline && desired.pipelineSpec ? [
      ...pinned('pipeline', service.pipeline),
      ['pipeline spec', specInputs(service.pipeline.spec, 'pipeline'), specInputs(desired.pipelineSpec, 'pipeline')] as const,
    ] : []),
  ];
}

/** The service states still in progress that can end ACTIVE, with the waiter that waits for that. */
const CAN_END_ACTIVE = new Map([
  ['CREATE_IN_PROGRESS', waitUntilServiceCreated],
  ['UPDATE_IN_PROGRESS', waitUntilServiceUpdated],
  ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', waitUntilServiceUpdated],
]);

/**
 * Deploys a Proton service and keeps it in the declared state. isComplete reconciles one step
 * at a time, in a safe order, waiting for each: the set of instances (UpdateService adds and
 * removes them, with the description), then each instance's version and spec
 * (UpdateServiceInstance), then the pipeline's (UpdateServicePipeline). A deployment already in
 * progress is waited out; a failed one fails the resource with Proton's message.
 */
export class ServiceHandler extends DeployedResourceHandler<Service, DesiredService> {
  protected desired(props: Delivered<ServiceProperties>): DesiredService {
    return desiredService(props);
  }

  protected reconcile(event: IsCompleteRequest, desired: DesiredService, context: HandlerContext): Promise<IsCompleteResponse> {
    const previous = event.RequestType === 'Update' ? desiredService(event.OldResourceProperties ?? {}) : undefined;
    return this.reconcileService(event, desired, previous, context);
  }

  protected async onUpdate(event: OnEventRequest, desired: DesiredService, context: HandlerContext): Promise<OnEventResponse> {
    const previous = desiredService(event.OldResourceProperties ?? {});
    const identity = (d: DesiredService) => JSON.stringify([d.templateName, d.repositoryConnectionArn, d.repositoryId, d.branchName]);
    if (desired.name !== previous.name || identity(desired) !== identity(previous)) {
      if (desired.name === previous.name) {
        throw new ProtonResourceError(`service ${desired.name}: a new template or repository replaces the service, and the new one `
          + 'needs a name of its own: change serviceName too, or omit it to have one generated');
      }
      await this.create(desired, event, context);
      return { PhysicalResourceId: desired.name };
    }
    const service = await this.get(desired.name, context);
    const instances = await instancesOf(desired.name, context);
    refuseMoves(desired, instances);
    await takeOver(service.arn!, event, context);
    await this.cancelUndoneDeployments(previous, desired, instances, context);
    // An earlier request's removal Proton failed: this request tries it again (its isComplete reports a second failure).
    const current = new Map(instances.map((i) => [i.name!, i]));
    const removed = removedBy(previous, desired, current);
    if (removed.some((name) => current.get(name)!.deploymentStatus === 'DELETE_FAILED')) {
      await this.tryUpdateService(desired, current, new Set(removed), context);
    }
    await syncTags(service.arn!, previous.tags, desired.tags, context);
    return { PhysicalResourceId: desired.name };
  }

  /**
   * A rollback (or a retry after CloudFormation stopped waiting) while the deployments it undoes
   * still run: cancel them, reconciling then deploys the declared state again.
   */
  private async cancelUndoneDeployments(previous: DesiredService, desired: DesiredService, instances: ServiceInstance[],
    context: HandlerContext): Promise<void> {
    for (const instance of instances) {
      const before = previous.instances.find((i) => i.name === instance.name);
      const after = desired.instances.find((i) => i.name === instance.name);
      const part = { instance: instance.name! };
      if (instance.deploymentStatus === 'IN_PROGRESS' && before && after
        && runs(instance, previous, before.spec, part) && !runs(instance, desired, after.spec, part)) {
        await context.proton.send(new CancelServiceInstanceDeploymentCommand({ serviceName: desired.name, serviceInstanceName: instance.name }));
      }
    }
    const pipeline = (await this.get(desired.name, context)).pipeline;
    if (pipeline?.deploymentStatus === 'IN_PROGRESS' && previous.pipelineSpec && desired.pipelineSpec
      && runs(pipeline, previous, previous.pipelineSpec, 'pipeline') && !runs(pipeline, desired, desired.pipelineSpec, 'pipeline')) {
      await context.proton.send(new CancelServicePipelineDeploymentCommand({ serviceName: desired.name }));
    }
  }

  private async reconcileService(event: IsCompleteRequest, desired: DesiredService, previous: DesiredService | undefined,
    context: HandlerContext): Promise<IsCompleteResponse> {
    const what = `service ${desired.name}`;
    let service = await this.get(desired.name, context);
    await stopIfTakenOver(service.arn!, event, what, context);
    if (service.status!.startsWith('DELETE')) {
      throw new ProtonResourceError(`${what} is being deleted (${service.status}): a Delete has taken charge of it`);
    }
    if (service.status!.endsWith('_IN_PROGRESS')) {
      // Wait only on what can still end ACTIVE; a failed update's cleanup ends failed, whatever the waiter says.
      const waiter = CAN_END_ACTIVE.get(service.status!);
      if (!waiter || await waitWithin(waiter, { name: desired.name }, context) === 'pending') return pending();
      service = await this.get(desired.name, context);
    }
    if (service.status!.startsWith('CREATE_FAILED') || (!previous && service.status !== 'ACTIVE')) {
      throw new ProtonResourceError(`Proton could not create service ${desired.name} (${service.status}): `
        + `${service.statusMessage ?? 'no status message'}${await this.failedDeployments(desired.name, service, context)}`);
    }
    // An update Proton failed (UPDATE_FAILED, *_CLEANUP_*) leaves the service usable: what failed is told by the
    // instances, which the steps below check, so that a rollback or a retry can go on from there.
    const act: Act = async (command) => {
      await stopIfTakenOver(service.arn!, event, what, context);
      await this.tryDeploy(command, context);
      return pending();
    };
    const current = new Map((await instancesOf(desired.name, context)).map((i) => [i.name!, i]));
    return await this.reconcileInstanceSet(service, desired, previous, current, act, context)
      ?? await this.reconcileInstances(event, desired, current, act, context)
      ?? await this.reconcilePipeline(service, desired, act, context)
      ?? { IsComplete: true, Data: await this.attributes(service, desired, context) };
  }

  /**
   * Step 1: the set of instances, and the description. Instances the stack never declared here (added by a
   * ServiceInstance construct) are left alone; those it declared before and no longer are go. Undefined when done.
   */
  private async reconcileInstanceSet(service: Service, desired: DesiredService, previous: DesiredService | undefined,
    current: Map<string, ServiceInstance>, act: Act, context: HandlerContext): Promise<IsCompleteResponse | undefined> {
    const removed = previous ? removedBy(previous, desired, current) : [];
    const failedRemoval = removed.map((name) => current.get(name)!).find((i) => i.deploymentStatus === 'DELETE_FAILED');
    if (failedRemoval) {
      throw new ProtonResourceError(`Proton could not remove instance ${failedRemoval.name} of service ${desired.name}: `
        + `${failedRemoval.deploymentStatusMessage ?? service.statusMessage ?? 'no status message'}. Fix the cause, then deploy again: `
        + 'the next update tries the removal again');
    }
    if (removed.some((name) => current.get(name)!.deploymentStatus === 'DELETE_IN_PROGRESS')) return pending();
    // Proton refuses to remove an instance a component is attached to, and CloudFormation deletes a component
    // removed with it only in cleanup, after this update: detach it first (cleanup then deletes it).
    const attached = await componentsAttachedTo(desired.name, removed, context);
    if (attached.some((c) => DEPLOYMENT_RUNNING.has(c.deploymentStatus!))) return pending();
    if (attached.length > 0) {
      return act(() => new UpdateComponentCommand({
        name: attached[0].name, serviceName: '', serviceInstanceName: '', deploymentType: ComponentDeploymentUpdateType.CURRENT_VERSION,
      }));
    }
    const added = desired.instances.filter((i) => !current.has(i.name));
    if (added.length > 0 || removed.length > 0 || (service.description ?? '') !== (desired.description ?? '')) {
      return act(() => this.updateServiceCommand(desired, current, new Set(removed)));
    }
    return undefined;
  }

  /** Step 2: each instance's version and spec, one at a time. Undefined when done. */
  private async reconcileInstances(event: IsCompleteRequest, desired: DesiredService, current: Map<string, ServiceInstance>, act: Act,
    context: HandlerContext): Promise<IsCompleteResponse | undefined> {
    for (const want of desired.instances) {
      const part = { instance: want.name };
      let instance = current.get(want.name)!;
      if (instance.deploymentStatus === 'IN_PROGRESS') {
        if (await waitWithin(waitUntilServiceInstanceDeployed, { name: want.name, serviceName: desired.name }, context) === 'pending') return pending();
        instance = (await context.proton.send(new GetServiceInstanceCommand({ name: want.name, serviceName: desired.name }))).serviceInstance!;
      }
      if (DEPLOYMENT_RUNNING.has(instance.deploymentStatus!)) return pending();
      if (!runs(instance, desired, want.spec, part)) {
        const type = deployment(instance, desired, `instance ${want.name} of service ${desired.name}`);
        // A second execution of this request (a duplicate delivery) that read the instance before this deployment
        // began sends the same token, and Proton does not deploy twice.
        return act(() => new UpdateServiceInstanceCommand({
          name: want.name, serviceName: desired.name, spec: want.spec, ...type, clientToken: deploymentToken(event, instance, type.deploymentType),
        }));
      }
      if (instance.deploymentStatus === 'FAILED') {
        throw new ProtonResourceError(`Proton could not deploy instance ${want.name} of service ${desired.name}: `
          + `${instance.deploymentStatusMessage ?? 'no status message'}`);
      }
      if (instance.deploymentStatus === 'CANCELLED') {
        return act(() => new UpdateServiceInstanceCommand({
          name: want.name,
          serviceName: desired.name,
          spec: want.spec,
          deploymentType: DeploymentUpdateType.CURRENT_VERSION,
          clientToken: deploymentToken(event, instance, DeploymentUpdateType.CURRENT_VERSION),
        }));
      }
    }
    return undefined;
  }

  /** Step 3: the pipeline. Undefined when done. */
  private async reconcilePipeline(service: Service, desired: DesiredService, act: Act,
    context: HandlerContext): Promise<IsCompleteResponse | undefined> {
    if (!desired.pipelineSpec || !service.pipeline) return undefined;
    let pipeline: ServicePipeline = service.pipeline;
    if (pipeline.deploymentStatus === 'IN_PROGRESS') {
      if (await waitWithin(waitUntilServicePipelineDeployed, { name: desired.name }, context) === 'pending') return pending();
      pipeline = (await this.get(desired.name, context)).pipeline!;
    }
    if (DEPLOYMENT_RUNNING.has(pipeline.deploymentStatus!)) return pending();
    if (!runs(pipeline, desired, desired.pipelineSpec, 'pipeline') || pipeline.deploymentStatus === 'CANCELLED') {
      const type = runs(pipeline, desired, desired.pipelineSpec, 'pipeline')
        ? { deploymentType: DeploymentUpdateType.CURRENT_VERSION }
        : deployment(pipeline, desired, `the pipeline of service ${desired.name}`);
      return act(() => new UpdateServicePipelineCommand({ serviceName: desired.name, spec: desired.pipelineSpec!, ...type }));
    }
    if (pipeline.deploymentStatus === 'FAILED') {
      throw new ProtonResourceError(`Proton could not deploy the pipeline of service ${desired.name}: `
        + `${pipeline.deploymentStatusMessage ?? 'no status message'}`);
    }
    return undefined;
  }

  protected async create(desired: DesiredService, event: OnEventRequest, context: HandlerContext): Promise<void> {
    const existing = desired.adopt ? await this.getOrUndefined(desired.name, context) : undefined;
    if (existing) {
      const instances = await instancesOf(desired.name, context);
      return adopt(`service ${desired.name}`, existing.arn!, adoptionDifferences(existing, instances, desired), desired.tags, event, context);
    }
    // Proton's create is idempotent without a token: the same request returns the same service.
    await context.proton.send(new CreateServiceCommand({
      ...createdFrom(desired),
      repositoryConnectionArn: desired.repositoryConnectionArn,
      repositoryId: desired.repositoryId,
      branchName: desired.branchName,
      tags: tagsOnCreate(desired.tags, event),
    }));
  }

  /**
   * Adds and removes instances. Proton takes no edits of existing instances or the pipeline here:
   * the instances kept are listed as they run, their new specs are deployed in the next steps.
   */
  private updateServiceCommand(desired: DesiredService, current: Map<string, ServiceInstance>, removed: Set<string>): UpdateServiceCommand {
    const kept = [...current.values()].filter((i) => !removed.has(i.name!));
    const added = desired.instances.filter((want) => !current.has(want.name));
    return new UpdateServiceCommand({ name: desired.name, description: desired.description ?? '', spec: instanceSetSpec(kept, added) });
  }

  private tryUpdateService(desired: DesiredService, current: Map<string, ServiceInstance>, removed: Set<string>,
    context: HandlerContext): Promise<void> {
    return this.tryDeploy(() => this.updateServiceCommand(desired, current, removed), context);
  }

  /** Sends a deployment; one already in progress is waited out by the next poll, not failed. */
  private tryDeploy(command: () => DeploymentCommand, context: HandlerContext): Promise<void> {
    return deployUnlessBusy('Proton', () => context.proton.send(command() as any));
  }

  protected tryDelete(name: string, context: HandlerContext): Promise<void> {
    return deleteUnlessBusy(`service ${name}`, () => context.proton.send(new DeleteServiceCommand({ name })), async () => {
      const service = await this.getOrUndefined(name, context);
      return !!service && (SERVICE_CHANGING.has(service.status!) || await this.deploying(name, service, context));
    });
  }

  protected async deleted(name: string, context: HandlerContext): Promise<boolean> {
    const service = await this.getOrUndefined(name, context);
    if (!service) return true;
    if (service.status === 'DELETE_IN_PROGRESS') {
      return await waitWithin(waitUntilServiceDeleted, { name }, context) === 'success' || !(await this.getOrUndefined(name, context));
    }
    if (service.status === 'DELETE_FAILED') {
      throw new ProtonResourceError(`Proton could not delete service ${name}: ${service.statusMessage ?? 'no status message'}`);
    }
    await this.tryDelete(name, context);
    return false;
  }

  private async deploying(name: string, service: Service, context: HandlerContext): Promise<boolean> {
    if (DEPLOYMENT_RUNNING.has(service.pipeline?.deploymentStatus ?? '')) return true;
    return (await instancesOf(name, context)).some((i) => DEPLOYMENT_RUNNING.has(i.deploymentStatus!));
  }

  /** The messages of the instances and pipeline whose deployment failed, for a failure reason. */
  private async failedDeployments(name: string, service: Service, context: HandlerContext): Promise<string> {
    const parts = (await instancesOf(name, context).catch(() => []))
      .filter((i) => i.deploymentStatus === 'FAILED')
      .map((i) => `; instance ${i.name}: ${i.deploymentStatusMessage ?? 'failed'}`);
    if (service.pipeline?.deploymentStatus === 'FAILED') parts.push(`; pipeline: ${service.pipeline.deploymentStatusMessage ?? 'failed'}`);
    return parts.join('');
  }


  private async attributes(service: Service, desired: DesiredService, context: HandlerContext): Promise<Record<string, string>> {
    const data = namedResourceData(service);
    const byInstance = new Map<string, string[]>();
    for (const ref of desired.instanceOutputs) {
      const [instance, key] = [ref.slice(0, ref.indexOf('/')), ref.slice(ref.indexOf('/') + 1)];
      byInstance.set(instance, [...(byInstance.get(instance) ?? []), key]);
    }
    for (const [instance, keys] of byInstance) {
      const pages = paginateListServiceInstanceOutputs({ client: context.proton }, { serviceName: desired.name, serviceInstanceName: instance });
      const values = await outputValues(pages, keys, `instance ${instance} of service ${desired.name}`);
      for (const [key, value] of values) data[instanceOutputAttribute(instance, key)] = value;
    }
    const pages = paginateListServicePipelineOutputs({ client: context.proton }, { serviceName: desired.name });
    for (const [key, value] of await outputValues(pages, desired.pipelineOutputs, `the pipeline of service ${desired.name}`)) {
      data[pipelineOutputAttribute(key)] = value;
    }
    return fittingData(data, `service ${desired.name}`, [...desired.instanceOutputs, ...desired.pipelineOutputs]);
  }

  protected async get(name: string, context: HandlerContext): Promise<Service> {
    return (await context.proton.send(new GetServiceCommand({ name }))).service!;
  }

}

type DeploymentCommand = UpdateServiceCommand | UpdateServiceInstanceCommand | UpdateServicePipelineCommand | UpdateComponentCommand;

/** Sends a deployment (checking first that the request still has charge of the service); answers "not yet". */
type Act = (command: () => DeploymentCommand) => Promise<IsCompleteResponse>;

const pending = (): IsCompleteResponse => ({ IsComplete: false });

/** The components attached to the instances `instanceNames` of the service. */
async function componentsAttachedTo(serviceName: string, instanceNames: string[], context: HandlerContext): Promise<ComponentSummary[]> {
  const components: ComponentSummary[] = [];
  for (const serviceInstanceName of instanceNames) {
    for await (const page of paginateListComponents({ client: context.proton }, { serviceName, serviceInstanceName })) {
      components.push(...page.components ?? []);
    }
  }
  return components;
}

/** The instances an update removes: declared before, no longer declared, and still in Proton. */
function removedBy(previous: DesiredService, desired: DesiredService, current: Map<string, ServiceInstance>): string[] {
  const declared = new Set(desired.instances.map((i) => i.name));
  return previous.instances.filter((i) => !declared.has(i.name) && current.has(i.name)).map((i) => i.name);
}

/**
 * Proton cannot move an instance to another environment (UpdateService refuses it, and UpdateServiceInstance has no
 * environment): an instance whose environment changes, or whose environment was replaced under a new name, needs a
 * new name, so that the old instance is removed and a new one created in the new environment.
 */
function refuseMoves(desired: DesiredService, instances: ServiceInstance[]): void {
  for (const want of desired.instances) {
    const running = instances.find((i) => i.name === want.name);
    if (running && running.environmentName !== want.environment) {
      throw new ProtonResourceError(`service ${desired.name}: instance ${want.name} runs in environment ${running.environmentName} and the stack `
        + `moves it to ${want.environment}, which Proton cannot do: give the instance a new name (Proton then removes ${want.name} and `
        + `creates the new instance in ${want.environment})`);
    }
  }
}

export const serviceHandler = new ServiceHandler();
