import {
  CancelEnvironmentDeploymentCommand,
  CreateEnvironmentCommand,
  DeleteEnvironmentCommand,
  DeploymentUpdateType,
  Environment,
  GetEnvironmentCommand,
  paginateListEnvironmentOutputs,
  paginateListEnvironmentTemplateVersions,
  RepositoryProvider,
  UpdateEnvironmentCommand,
  waitUntilEnvironmentDeployed,
} from '@aws-sdk/client-proton';
import { EnvironmentProperties } from '../contract';
import { adopt, adopts, sameSpec } from './adoption';
import { deleteUnlessBusy, deployUnlessBusy } from './busy';
import { DEPLOYMENT_RUNNING } from './deployment-states';
import { ProtonResourceError } from './errors';
import { DeployedResourceHandler } from './named-resource';
import { Delivered, enumProperty, optionalObject, optionalString, Owned, owned, requiredString, stringList } from './properties';
import { namedResourceData, withOutputs } from './response-data';
import { syncTags } from './tags';
import { stopIfTakenOver, tagsOnCreate, takeOver } from './takeover';
import type { HandlerContext, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './types';
import { createdFrom, fromTemplate, FromTemplate, refuseLowerMajor } from './versions';
import { waitWithin } from './waiting';

interface DesiredEnvironment extends FromTemplate, Owned {
  readonly adopt: boolean;
  readonly protonServiceRoleArn?: string;
  readonly codebuildRoleArn?: string;
  readonly componentRoleArn?: string;
  readonly environmentAccountConnectionId?: string;
  readonly provisioningRepository?: { provider: RepositoryProvider; name: string; branch: string };
  readonly outputs: string[];
}

function desiredEnvironment(props: Delivered<EnvironmentProperties>): DesiredEnvironment {
  const repository = optionalObject(props, 'ProvisioningRepository');
  return {
    ...fromTemplate(props, requiredString(props, 'Spec')),
    protonServiceRoleArn: optionalString(props, 'ProtonServiceRoleArn'),
    codebuildRoleArn: optionalString(props, 'CodebuildRoleArn'),
    componentRoleArn: optionalString(props, 'ComponentRoleArn'),
    environmentAccountConnectionId: optionalString(props, 'EnvironmentAccountConnectionId'),
    provisioningRepository: repository && {
      provider: enumProperty(repository, 'provider', Object.values(RepositoryProvider)),
      name: requiredString(repository, 'name'),
      branch: requiredString(repository, 'branch'),
    },
    ...owned(props),
    adopt: adopts(props),
    outputs: stringList(props, 'Outputs'),
  };
}

/** What an environment was, or is being, deployed with. */
interface Deployed {
  readonly majorVersion?: string;
  /** Absent in the stack's properties: the recommended minor version of the major. */
  readonly minorVersion?: string;
  readonly spec?: string;
}

/**
 * The deployment a change needs: a new major or minor version moves the environment to it (with
 * the new spec), a new spec alone redeploys the current version, anything else (description,
 * roles) deploys nothing. `current` is either what the stack declared before (`fromStack`) or
 * what Proton reports.
 */
export function deploymentTypeFor(current: Deployed, desired: Deployed, fromStack: boolean): DeploymentUpdateType {
  if (desired.majorVersion !== current.majorVersion) return DeploymentUpdateType.MAJOR_VERSION;
  const minorChanged = desired.minorVersion === undefined
    // From a pinned minor version to "the recommended one": let Proton move it.
    ? fromStack && current.minorVersion !== undefined
    : desired.minorVersion !== current.minorVersion;
  if (minorChanged) return DeploymentUpdateType.MINOR_VERSION;
  if (desired.spec !== current.spec) return DeploymentUpdateType.CURRENT_VERSION;
  return DeploymentUpdateType.NONE;
}

function deployedState(environment: Environment): Deployed {
  return { majorVersion: environment.templateMajorVersion, minorVersion: environment.templateMinorVersion, spec: environment.spec };
}

/**
 * Deploys a Proton environment and keeps it in the state the stack declares. isComplete
 * reconciles: it waits while Proton deploys, finishes when the environment runs the declared
 * version and spec, fails with Proton's message when that deployment failed, and (re)starts the
 * deployment when Proton was busy (a deployment already in progress) or a deployment was cancelled.
 */
export class EnvironmentHandler extends DeployedResourceHandler<Environment, DesiredEnvironment> {
  protected desired(props: Delivered<EnvironmentProperties>): DesiredEnvironment {
    return desiredEnvironment(props);
  }

  protected async reconcile(event: IsCompleteRequest, desired: DesiredEnvironment, context: HandlerContext): Promise<IsCompleteResponse> {
    const what = `environment ${desired.name}`;
    let environment = await this.get(desired.name, context);
    await stopIfTakenOver(environment.arn!, event, what, context);
    if (environment.deploymentStatus?.startsWith('DELETE')) {
      throw new ProtonResourceError(`${what} is being deleted (${environment.deploymentStatus}): a Delete has taken charge of it`);
    }
    if (environment.deploymentStatus === 'IN_PROGRESS') {
      const outcome = await waitWithin(waitUntilEnvironmentDeployed, { name: desired.name }, context);
      if (outcome === 'pending') return { IsComplete: false };
      environment = await this.get(desired.name, context);
    }
    if (DEPLOYMENT_RUNNING.has(environment.deploymentStatus!)) {
      return { IsComplete: false };
    }
    if (runs(environment, desired)) {
      if (environment.deploymentStatus === 'SUCCEEDED') {
        return { IsComplete: true, Data: await this.attributes(environment, desired, context) };
      }
      if (environment.deploymentStatus === 'FAILED') {
        throw new ProtonResourceError(
          `Proton could not deploy environment ${desired.name}: ${environment.deploymentStatusMessage ?? 'no status message'}`);
      }
    }
    // Not (or no longer) what the stack declares: Proton was busy, or the deployment was cancelled.
    // After a cancellation, deploy the declared spec again even if Proton reports it: the
    // environment's infrastructure is only known good after a deployment that succeeded.
    const deploymentType = deploymentTypeFor(deployedState(environment), desired, false);
    const redeploy = deploymentType === DeploymentUpdateType.NONE && environment.deploymentStatus === 'CANCELLED';
    refuseLowerMajor(what, environment.templateMajorVersion, desired.majorVersion);
    // Checked again right before the change: the wait above may have outlasted this request.
    await stopIfTakenOver(environment.arn!, event, what, context);
    await this.tryUpdate(redeploy ? DeploymentUpdateType.CURRENT_VERSION : deploymentType, desired, context);
    return { IsComplete: false };
  }

  protected async onUpdate(event: OnEventRequest, desired: DesiredEnvironment, context: HandlerContext): Promise<OnEventResponse> {
    const previous = desiredEnvironment(event.OldResourceProperties ?? {});
    if (desired.name !== previous.name || desired.templateName !== previous.templateName) {
      if (desired.name === previous.name) {
        throw new ProtonResourceError(
          `environment ${desired.name}: a new template (${previous.templateName} to ${desired.templateName}) replaces the environment, `
          + 'and the new one needs a name of its own: change environmentName too, or omit it to have one generated');
      }
      await this.create(desired, event, context);
      return { PhysicalResourceId: desired.name };
    }
    const environment = await this.get(desired.name, context);
    await takeOver(environment.arn!, event, context);
    if (DEPLOYMENT_RUNNING.has(environment.deploymentStatus!) && runs(environment, previous) && !runs(environment, desired)) {
      // A rollback (or a retry after CloudFormation stopped waiting) while the deployment it
      // undoes still runs: stop that deployment; isComplete then restores the declared state.
      if (environment.deploymentStatus === 'IN_PROGRESS') {
        await context.proton.send(new CancelEnvironmentDeploymentCommand({ environmentName: desired.name }));
      }
    } else {
      refuseLowerMajor(`environment ${desired.name}`, environment.templateMajorVersion, desired.majorVersion);
      let deploymentType = deploymentTypeFor(previous, desired, true);
      if (deploymentType === DeploymentUpdateType.MINOR_VERSION && desired.majorVersion === environment.templateMajorVersion
        && (desired.minorVersion ?? await this.recommendedMinor(desired, context)) === environment.templateMinorVersion) {
        // Pinning the minor version in use (the rollback of an unpin, say), or unpinning it while it is the
        // recommended one: Proton takes MINOR_VERSION to "a different minor version" only, so deploy what else changed.
        deploymentType = deploymentTypeFor(deployedState(environment), desired, false);
      }
      // A new spec Proton already runs, deployed: this request replayed after its deployment ended. Deploying it
      // again would be a second deployment of one request (UpdateEnvironment takes no client token).
      const replayed = deploymentType === DeploymentUpdateType.CURRENT_VERSION && environment.deploymentStatus === 'SUCCEEDED'
        && runs(environment, desired);
      if (!replayed) await this.tryUpdate(deploymentType, desired, context);
    }
    await syncTags(environment.arn!, previous.tags, desired.tags, context);
    return { PhysicalResourceId: desired.name };
  }

  /** The recommended minor version of the declared major version, which an environment without a pinned minor runs. */
  private async recommendedMinor(desired: DesiredEnvironment, context: HandlerContext): Promise<string | undefined> {
    const input = { templateName: desired.templateName, majorVersion: desired.majorVersion };
    for await (const page of paginateListEnvironmentTemplateVersions({ client: context.proton }, input)) {
      const recommended = page.templateVersions?.find((v) => v.recommendedMinorVersion !== undefined)?.recommendedMinorVersion;
      if (recommended !== undefined) return recommended;
    }
    return undefined;
  }

  protected async create(desired: DesiredEnvironment, event: OnEventRequest, context: HandlerContext): Promise<void> {
    const existing = desired.adopt ? await this.getOrUndefined(desired.name, context) : undefined;
    if (existing) {
      return adopt(`environment ${desired.name}`, existing.arn!, [
        ['template', existing.templateName, desired.templateName],
        ['major version', existing.templateMajorVersion, desired.majorVersion],
        ...(desired.minorVersion === undefined ? [] : [['minor version', existing.templateMinorVersion, desired.minorVersion] as const]),
        ['spec', existing.spec, desired.spec],
        ['protonServiceRoleArn', existing.protonServiceRoleArn, desired.protonServiceRoleArn],
        ['codebuildRoleArn', existing.codebuildRoleArn, desired.codebuildRoleArn],
        ['componentRoleArn', existing.componentRoleArn, desired.componentRoleArn],
        ['environmentAccountConnectionId', existing.environmentAccountConnectionId, desired.environmentAccountConnectionId],
        ['provisioningRepository', branchOf(existing.provisioningRepository), branchOf(desired.provisioningRepository)],
      ], desired.tags, event, context);
    }
    // Proton's create is idempotent without a token: the same request returns the same environment.
    await context.proton.send(new CreateEnvironmentCommand({
      ...createdFrom(desired),
      ...provisioning(desired),
      tags: tagsOnCreate(desired.tags, event),
    }));
  }

  /** Starts the deployment; a deployment already in progress is waited out by isComplete, not failed. */
  private async tryUpdate(deploymentType: DeploymentUpdateType, desired: DesiredEnvironment, context: HandlerContext): Promise<void> {
    const versions = deploymentType === DeploymentUpdateType.MAJOR_VERSION || deploymentType === DeploymentUpdateType.MINOR_VERSION
      ? { templateMajorVersion: desired.majorVersion, templateMinorVersion: desired.minorVersion }
      : {};
    await deployUnlessBusy(`environment ${desired.name}`, () => context.proton.send(new UpdateEnvironmentCommand({
      name: desired.name,
      deploymentType,
      ...versions,
      spec: deploymentType === DeploymentUpdateType.NONE ? undefined : desired.spec,
      description: desired.description ?? '',
      ...provisioning(desired),
    })));
  }

  protected tryDelete(name: string, context: HandlerContext): Promise<void> {
    return deleteUnlessBusy(`environment ${name}`, () => context.proton.send(new DeleteEnvironmentCommand({ name })), async () => {
      const environment = await this.getOrUndefined(name, context);
      // A deployment in progress ends by itself: isComplete deletes after it.
      return !!environment && DEPLOYMENT_RUNNING.has(environment.deploymentStatus!);
    });
  }

  /** Proton deletes asynchronously and has no waiter for it: poll until the environment is gone. */
  protected async deleted(name: string, context: HandlerContext): Promise<boolean> {
    const environment = await this.getOrUndefined(name, context);
    if (!environment) return true;
    switch (environment.deploymentStatus) {
      case 'DELETE_IN_PROGRESS':
        return false;
      case 'DELETE_FAILED':
        throw new ProtonResourceError(`Proton could not delete environment ${name}: ${environment.deploymentStatusMessage ?? 'no status message'}`);
      default:
        if (!DEPLOYMENT_RUNNING.has(environment.deploymentStatus!)) await this.tryDelete(name, context);
        return false;
    }
  }

  private attributes(environment: Environment, desired: DesiredEnvironment, context: HandlerContext): Promise<Record<string, string>> {
    const pages = paginateListEnvironmentOutputs({ client: context.proton }, { environmentName: desired.name });
    const data = namedResourceData(environment);
    return withOutputs(data, pages, desired.outputs, `environment ${desired.name}`);
  }

  protected async get(name: string, context: HandlerContext): Promise<Environment> {
    const out = await context.proton.send(new GetEnvironmentCommand({ name }));
    return out.environment!;
  }

}

/** The environment runs (or is deploying) the declared template version and spec. */
function runs(environment: Environment, desired: DesiredEnvironment): boolean {
  return environment.templateName === desired.templateName
    && environment.templateMajorVersion === desired.majorVersion
    && (desired.minorVersion === undefined || environment.templateMinorVersion === desired.minorVersion)
    // An adopted environment's spec was written by someone else: the same inputs are the same spec.
    && sameSpec(environment.spec, desired.spec);
}

/** A provisioning repository's branch, as one comparable value. */
function branchOf(repository?: { provider?: string; name?: string; branch?: string }): string | undefined {
  return repository && `${repository.provider}:${repository.name}@${repository.branch}`;
}

function provisioning(desired: DesiredEnvironment) {
  return {
    protonServiceRoleArn: desired.protonServiceRoleArn,
    codebuildRoleArn: desired.codebuildRoleArn,
    componentRoleArn: desired.componentRoleArn,
    environmentAccountConnectionId: desired.environmentAccountConnectionId,
    provisioningRepository: desired.provisioningRepository,
  };
}

export const environmentHandler = new EnvironmentHandler();
