/**
 * LocalCloudFormation: deploys the custom resources of a synthesized CDK stack in-process,
 * with CloudFormation's create / update / cleanup / rollback / delete semantics.
 * See README.md in this folder.
 */
import { randomBytes, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { codeAssetIndex, readStackArtifact, substituteAssetPlaceholders, StackArtifact } from './assembly';
import { invokeLambda, LambdaFunctionSpec, LambdaInvokeResult, WarmContainers } from './lambda';
import { DEFAULT_WAITER_POLICY, ProviderExecution, ProviderFunctions, ProviderResponse, startProviderFramework, WaiterPolicy } from './provider-framework';
import { CancelSignal, schedule, ScheduleResult } from './scheduler';
import { Environment, explicitName, quotaRefusal, randomSuffix, simulatedArn, simulatedAttribute, simulateResource } from './simulated';
import {
  deepEqual, isCustomResourceType, ResolutionError, ResolverHooks, stringifyScalars, Template, TemplateModel,
  TemplateValidationError,
} from './template';
import type {
  AbandonedExecution, CustomResourceInvocationResult, CustomResourceRequest, CustomResourceRequestType, CustomResourceResponse, DeployOptions,
  DestroyOptions, HandlerInvocation, LocalCloudFormationOptions, NativeResourceContext, ResourceAction, ResourceKind, ResourceReport,
  StackReport, StackStatus,
} from './types';

/** What is persisted about one deployed resource. */
export interface ResourceState {
  readonly type: string;
  readonly kind: ResourceKind;
  readonly physicalId: string;
  /** The value of `Ref`. */
  readonly ref: any;
  /** Simulated resources: the name their attributes derive from. */
  readonly name?: string;
  /** Custom resources: the response Data; native resources: the handler's attributes. */
  readonly attributes: Record<string, any>;
  /** Resolved properties (JSON types, not stringified). */
  readonly properties: Record<string, any>;
  readonly dependsOn: string[];
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
}

/** What is persisted about a stack in `<stateDir>/<stackName>.json`. */
export interface StackState {
  readonly version: 1;
  readonly stackName: string;
  readonly stackId: string;
  readonly status: StackStatus;
  /** The assembly of the last deployment (handler code is looked up there). */
  readonly assemblyDir: string;
  readonly template: Template;
  readonly parameters: Record<string, any>;
  /** Creation order of `resources`. */
  readonly order: string[];
  readonly resources: Record<string, ResourceState>;
  readonly outputs: Record<string, { value: any; exportName?: string }>;
  /** `Code.S3Key` → local code folder, for every code asset deployed so far. */
  readonly codeAssets: Record<string, string>;
  readonly updatedAt: string;
}

/** Statuses from which an update is refused (as CloudFormation does). */
const NOT_UPDATABLE: StackStatus[] = ['ROLLBACK_FAILED', 'UPDATE_ROLLBACK_FAILED', 'DELETE_FAILED'];
const COMPLETE: StackStatus[] = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];

const MAX_RESPONSE_BYTES = 4096;
const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;
/** An emulator decision (CloudFormation documents no limit): see README. */
const DEFAULT_MAX_CONCURRENCY = 8;

/** CloudFormation's reason for a request it stopped waiting for because another resource failed. */
const CANCELLED: Record<CustomResourceRequestType, string> = {
  Create: 'Resource creation cancelled',
  Update: 'Resource update cancelled',
  Delete: 'Resource deletion cancelled',
};

/** State of one running operation (deploy, destroy, single invocation). */
interface Operation {
  readonly stackName: string;
  readonly stackId: string;
  /** Resources as they exist right now. */
  readonly live: Map<string, ResourceState>;
  readonly codeAssets: Record<string, string>;
  readonly assemblyDir: string;
  readonly reports: ResourceReport[];
  readonly requestIdFor?: DeployOptions['requestIdFor'];
  /** The template being deployed (to check attributes a custom resource must return). */
  model?: TemplateModel;
}

/** One create/update step of a deployment, kept for rollback. */
interface Step {
  readonly logicalId: string;
  readonly action: 'CREATE' | 'UPDATE' | 'REPLACE';
  /** The resource before the step (UPDATE, REPLACE). */
  readonly prev?: ResourceState;
  /** The resource after the step (when it succeeded). */
  readonly next?: ResourceState;
  /** A failed update that reached the provider: rolled back with these as OldResourceProperties. */
  readonly attemptedProps?: Record<string, any>;
  /** A failed Create that CloudFormation still sends a Delete for (with the id it has for it). */
  readonly failedCreate?: ResourceState;
}

/** The result of one resource step. */
interface StepOutcome {
  readonly ok: boolean;
  /** The resource after the step (when ok). */
  readonly state?: ResourceState;
  readonly reason?: string;
  /** Whether a request reached the resource's provider (a failed update must then be rolled back). */
  readonly sent: boolean;
  /** A failed Create that CloudFormation will still send a Delete for, with this physical id. */
  readonly orphanPhysicalId?: string;
}

interface CustomRequestArgs {
  readonly logicalId: string;
  readonly type: string;
  readonly requestType: CustomResourceRequestType;
  readonly action: ResourceAction;
  readonly props: Record<string, any>;
  readonly oldProps?: Record<string, any>;
  readonly physicalId?: string;
  readonly requestId?: string;
  /** Stringified as CloudFormation does unless given raw. */
  readonly rawResourceProperties?: Record<string, any>;
  readonly rawOldResourceProperties?: Record<string, any>;
  /** Fires when a failure elsewhere makes CloudFormation stop waiting for this request. */
  readonly signal?: CancelSignal;
}

interface CustomRequestOutcome extends CustomResourceInvocationResult {
  /** For a failed Create: the physical id CloudFormation keeps for the rollback Delete. */
  readonly orphanPhysicalId?: string;
  /** Whether the request reached the framework. */
  readonly sent: boolean;
}

/** The first response any of `executions` sends CloudFormation, with its execution; undefined when none does. */
function firstResponse(executions: ProviderExecution[]): Promise<{ sent: ProviderResponse; execution: ProviderExecution } | undefined> {
  return new Promise(resolve => {
    let pending = executions.length;
    for (const execution of executions) {
      void execution.received.then(sent => {
        if (sent) resolve({ sent, execution });
        else if (--pending === 0) resolve(undefined);
      });
    }
  });
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

function isRetain(policy: string | undefined): boolean {
  return policy === 'Retain' || policy === 'RetainExceptOnCreate';
}

/** For deletes: each of `ids` waits until the ones among `ids` that depend on it are gone. */
function dependentsAmong(ids: string[], dependsOn: (lid: string) => string[]): (lid: string) => string[] {
  return lid => ids.filter(other => dependsOn(other).includes(lid));
}

export class LocalCloudFormation {
  private readonly env: Environment;
  private readonly pollIntervalMs: number;
  /** The operation running on each stack. */
  private readonly running = new Map<string, Operation>();
  /** Executions CloudFormation stopped waiting for, until `settle()`. */
  private readonly abandoned: Array<Promise<AbandonedExecution>> = [];
  /** With `warmContainers`: the functions' idle containers. */
  private readonly containers?: WarmContainers;

  constructor(private readonly options: LocalCloudFormationOptions) {
    const partition = partitionOf(options.region);
    this.env = {
      accountId: options.accountId,
      region: options.region,
      partition,
      urlSuffix: partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
    };
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.containers = options.warmContainers ? new WarmContainers() : undefined;
  }

  /** The persisted state of a stack, or undefined when it does not exist. */
  public readState(stackName: string): StackState | undefined {
    const file = this.stateFile(stackName);
    if (!fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  }

  /**
   * Create the stack, or update it to the template in the cloud assembly.
   * Throws (changing nothing) when the template is invalid or the stack cannot be updated.
   */
  public async deploy(assemblyDir: string, stackName: string, deployOptions: DeployOptions = {}): Promise<StackReport> {
    const started = Date.now();
    const artifact = readStackArtifact(assemblyDir, stackName);
    this.assertIdle(stackName);
    const prev = this.readState(stackName);
    if (prev && NOT_UPDATABLE.includes(prev.status)) {
      throw new Error(`Stack ${stackName} is in ${prev.status} state and can not be updated.`);
    }
    // A stack in ROLLBACK_COMPLETE has no resources: like the CDK CLI, start over with a new stack.
    const base = prev && prev.status !== 'ROLLBACK_COMPLETE' ? prev : undefined;
    const isCreate = base === undefined;
    const stackId = base?.stackId
      ?? `arn:${this.env.partition}:cloudformation:${this.env.region}:${this.env.accountId}:stack/${stackName}/${randomUUID()}`;

    const op: Operation = {
      stackName,
      stackId,
      live: new Map(Object.entries(clone(base?.resources ?? {}))),
      codeAssets: { ...prev?.codeAssets, ...codeAssetIndex(artifact) },
      assemblyDir: artifact.assemblyDir,
      reports: [],
      requestIdFor: deployOptions.requestIdFor,
    };
    const parameters = this.parameterValues(artifact.template, deployOptions.parameters);
    const model = new TemplateModel(artifact.template, this.resolverHooks(op, parameters));
    op.model = model;
    return this.track(op, async () => {
      await this.publishAssets(artifact);

      // 1. Create / update: each resource as soon as its dependencies are done. The first failure
      //    cancels the requests in progress.
      const steps: Step[] = [];
      let failure: string | undefined;
      const fail = (reason: string) => {
        failure ??= reason;
        return false;
      };
      let noChanges = !isCreate;
      await this.runAll(model.order, lid => model.dependencies[lid], async (lid, signal) => {
        const res = model.resources[lid];
        const prevState = base?.resources[lid];
        const action = prevState ? 'UPDATE' : 'CREATE';
        const meta = { dependsOn: model.dependencies[lid], deletionPolicy: res.DeletionPolicy, updateReplacePolicy: res.UpdateReplacePolicy };
        let props: Record<string, any>;
        try {
          props = model.resolver.resolve(res.Properties ?? {});
        } catch (e: any) {
          return fail(this.failStep(op, lid, res.Type, action, e.message));
        }

        if (!prevState) {
          noChanges = false;
          const r = await this.createResource(op, lid, res.Type, props, 'CREATE', signal);
          if (!r.ok) {
            const failedCreate = r.orphanPhysicalId === undefined ? undefined
              : { ...this.newState(res.Type, 'custom', r.orphanPhysicalId, r.orphanPhysicalId, {}, props), ...meta };
            steps.push({ logicalId: lid, action: 'CREATE', failedCreate });
            return fail(`The following resource(s) failed to create: [${lid}]. ${r.reason}`);
          }
          const next = { ...r.state!, ...meta };
          op.live.set(lid, next);
          steps.push({ logicalId: lid, action: 'CREATE', next });
          return true;
        }
        if (prevState.type !== res.Type) {
          return fail(this.failStep(op, lid, res.Type, 'UPDATE',
            `Update of resource type is not permitted. The new template modifies resource type of the following resources: [${lid}]`));
        }
        if (deepEqual(prevState.properties, props)) {
          op.live.set(lid, { ...prevState, ...meta });
          this.record(op, this.report(lid, prevState.type, prevState.kind, 'NO_CHANGE', 'SUCCEEDED', Date.now(),
            { physicalId: prevState.physicalId, attributes: prevState.attributes }));
          return true;
        }
        noChanges = false;
        const r = await this.updateResource(op, lid, prevState, props, 'UPDATE', signal);
        if (!r.ok) {
          steps.push({ logicalId: lid, action: 'UPDATE', prev: prevState, attemptedProps: r.sent ? props : undefined });
          return fail(`The following resource(s) failed to update: [${lid}]. ${r.reason}`);
        }
        const next = { ...r.state!, ...meta };
        op.live.set(lid, next);
        steps.push({ logicalId: lid, action: next.physicalId === prevState.physicalId ? 'UPDATE' : 'REPLACE', prev: prevState, next });
        return true;
      }, true);

      // 2. Outputs.
      let outputs: StackState['outputs'] = {};
      if (!failure) {
        try {
          outputs = this.resolveOutputs(model);
        } catch (e: any) {
          failure = `Template error in Outputs: ${e.message}`;
        }
      }
      const removed = base ? base.order.filter(lid => !(lid in model.resources) && op.live.has(lid)) : [];
      if (removed.length > 0 || (base && !deepEqual(base.outputs, outputs))) noChanges = false;

      if (!failure) {
        // 3. Cleanup: old ids of replaced resources and removed resources, in reverse dependency order
        //    of the old template.
        const cleanup = new Map<string, { state: ResourceState; replaced: boolean }>();
        for (const s of steps) if (s.action === 'REPLACE') cleanup.set(s.logicalId, { state: s.prev!, replaced: true });
        for (const lid of removed) cleanup.set(lid, { state: op.live.get(lid)!, replaced: false });
        const ids = [...base?.order ?? []].reverse().filter(lid => cleanup.has(lid));
        await this.runAll(ids, dependentsAmong(ids, lid => cleanup.get(lid)!.state.dependsOn), async lid => {
          const { state, replaced } = cleanup.get(lid)!;
          const policy = replaced ? state.updateReplacePolicy : state.deletionPolicy;
          if (isRetain(policy)) {
            this.record(op, this.report(lid, state.type, state.kind, 'CLEANUP_DELETE', 'SUCCEEDED', Date.now(),
              { physicalId: state.physicalId, reason: `Retained (${replaced ? 'UpdateReplacePolicy' : 'DeletionPolicy'}: ${policy})` }));
          } else {
            await this.deleteResource(op, lid, state, 'CLEANUP_DELETE');
          }
          // A failing cleanup delete is reported; CloudFormation abandons it and the stack succeeds.
          if (!replaced) op.live.delete(lid);
          return true;
        }, false);

        const status: StackStatus = isCreate ? 'CREATE_COMPLETE' : noChanges ? base!.status : 'UPDATE_COMPLETE';
        const state: StackState = {
          version: 1,
          stackName,
          stackId,
          status,
          assemblyDir: artifact.assemblyDir,
          template: artifact.template,
          parameters,
          order: model.order,
          resources: Object.fromEntries(model.order.map(lid => [lid, op.live.get(lid)!])),
          outputs,
          codeAssets: op.codeAssets,
          updatedAt: new Date().toISOString(),
        };
        this.writeState(state);
        return this.stackReport(state, op, started, noChanges ? 'No updates are to be performed.' : undefined);
      }

      // 4. Rollback.
      let rollbackFailed = false;
      if (base) {
        // 4a. Replaced resources: the old resource is still there.
        for (const s of steps.filter(x => x.action === 'REPLACE')) op.live.set(s.logicalId, s.prev!);
        // 4b. Updated resources (the failed and cancelled ones included) go back to their old
        //     properties, in dependency order of the old template.
        const updated = new Map(steps.filter(s => s.action === 'UPDATE' && (s.next || s.attemptedProps)).map(s => [s.logicalId, s]));
        const replacedByRollback: Step[] = [];
        const rollback = await this.runAll(base.order.filter(lid => updated.has(lid)), lid => base.resources[lid].dependsOn, async lid => {
          const s = updated.get(lid)!;
          const current: ResourceState = s.next ?? { ...s.prev!, properties: s.attemptedProps! };
          const r = await this.updateResource(op, lid, current, s.prev!.properties, 'ROLLBACK_UPDATE');
          if (!r.ok) return false;
          const { dependsOn, deletionPolicy, updateReplacePolicy } = s.prev!;
          op.live.set(lid, { ...r.state!, dependsOn, deletionPolicy, updateReplacePolicy });
          if (r.state!.physicalId !== current.physicalId) replacedByRollback.push({ logicalId: lid, action: 'REPLACE', next: current });
          return true;
        }, false);
        if (rollback.failed.length > 0 || rollback.notStarted.length > 0) rollbackFailed = true;
        // 4c. Rollback cleanup: new resources and replacements.
        if (!(await this.rollbackCleanup(op, [...steps, ...replacedByRollback], model))) rollbackFailed = true;
        // The stack is back on the old template: so are the dependencies and policies of what it kept.
        for (const [lid, old] of Object.entries(base.resources)) {
          const live = op.live.get(lid);
          const { dependsOn, deletionPolicy, updateReplacePolicy } = old;
          if (live) op.live.set(lid, { ...live, dependsOn, deletionPolicy, updateReplacePolicy });
        }
        const extra = [...op.live.keys()].filter(lid => !base.order.includes(lid));
        const order = [...base.order.filter(lid => op.live.has(lid)), ...extra];
        const state: StackState = {
          ...base,
          status: rollbackFailed ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE',
          order,
          resources: Object.fromEntries(order.map(lid => [lid, op.live.get(lid)!])),
          codeAssets: op.codeAssets,
          updatedAt: new Date().toISOString(),
        };
        this.writeState(state);
        return this.stackReport(state, op, started, failure);
      }

      // First deployment: delete what was created.
      rollbackFailed = !(await this.rollbackCleanup(op, steps, model));
      const order = model.order.filter(lid => op.live.has(lid));
      const state: StackState = {
        version: 1,
        stackName,
        stackId,
        status: rollbackFailed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE',
        assemblyDir: artifact.assemblyDir,
        template: artifact.template,
        parameters,
        order,
        resources: Object.fromEntries(order.map(lid => [lid, op.live.get(lid)!])),
        outputs: {},
        codeAssets: op.codeAssets,
        updatedAt: new Date().toISOString(),
      };
      this.writeState(state);
      return this.stackReport(state, op, started, failure);
    });
  }

  /**
   * Delete the stack's resources in reverse dependency order. The first failure cancels the
   * deletes in progress and starts no more. A missing stack is already deleted.
   */
  public async destroy(stackName: string, destroyOptions: DestroyOptions = {}): Promise<StackReport> {
    const started = Date.now();
    this.assertIdle(stackName);
    const prev = this.readState(stackName);
    if (!prev) {
      return { stackName, stackId: '', status: 'DELETE_COMPLETE', resources: [], outputs: {}, reason: `Stack ${stackName} does not exist`, durationMs: 0 };
    }
    const retained = new Set(destroyOptions.retainResources ?? []);
    if (retained.size > 0 && prev.status !== 'DELETE_FAILED') {
      // Emulator decision: the wording of CloudFormation's ValidationError (the API reference states the rule only).
      throw new Error(`Invalid operation: RetainResources can only be specified when the stack ${stackName} is in DELETE_FAILED state, not ${prev.status}`);
    }
    const op: Operation = {
      stackName,
      stackId: prev.stackId,
      live: new Map(Object.entries(prev.resources)),
      codeAssets: prev.codeAssets,
      assemblyDir: prev.assemblyDir,
      reports: [],
      requestIdFor: destroyOptions.requestIdFor,
    };
    return this.track(op, async () => {
      let failed: string | undefined;
      const ids = [...prev.order].reverse().filter(lid => op.live.has(lid));
      await this.runAll(ids, dependentsAmong(ids, lid => prev.resources[lid].dependsOn), async (lid, signal) => {
        const state = op.live.get(lid)!;
        if (isRetain(state.deletionPolicy) || retained.has(lid)) {
          op.live.delete(lid);
          const why = retained.has(lid) ? 'RetainResources' : `DeletionPolicy: ${state.deletionPolicy}`;
          this.record(op, this.report(lid, state.type, state.kind, 'DELETE', 'SUCCEEDED', Date.now(), { physicalId: state.physicalId, reason: `Retained (${why})` }));
          return true;
        }
        const r = await this.deleteResource(op, lid, state, 'DELETE', state.physicalId, signal);
        if (!r.ok) {
          failed ??= `The following resource(s) failed to delete: [${lid}]. ${r.reason}`;
          return false;
        }
        op.live.delete(lid);
        return true;
      }, true);
      if (!failed) {
        fs.rmSync(this.stateFile(stackName), { force: true });
        return { stackName, stackId: prev.stackId, status: 'DELETE_COMPLETE', resources: op.reports, outputs: {}, durationMs: Date.now() - started };
      }
      const order = prev.order.filter(lid => op.live.has(lid));
      const state: StackState = {
        ...prev,
        status: 'DELETE_FAILED',
        order,
        resources: Object.fromEntries(order.map(lid => [lid, op.live.get(lid)!])),
        updatedAt: new Date().toISOString(),
      };
      this.writeState(state);
      return this.stackReport(state, op, started, failed);
    });
  }

  /**
   * The resources of a stack as they exist right now: during an operation, what it has created,
   * updated and not yet deleted; otherwise the persisted state. Undefined when there is no stack.
   */
  public liveResources(stackName: string): ReadonlyMap<string, ResourceState> | undefined {
    const op = this.running.get(stackName);
    if (op) return new Map(op.live);
    const state = this.readState(stackName);
    return state && new Map(Object.entries(state.resources));
  }

  /**
   * Wait for every execution CloudFormation stopped waiting for (cancelled requests, ServiceTimeout)
   * to end, and answer what each did. Call it before stopping what the handlers call.
   */
  public async settle(): Promise<AbandonedExecution[]> {
    const settled: AbandonedExecution[] = [];
    while (this.abandoned.length > 0) settled.push(...await Promise.all(this.abandoned.splice(0)));
    return settled;
  }

  /**
   * Send one request to a deployed custom resource through its Provider framework (user handlers
   * from `assemblyDir`), without changing the persisted stack. Missing event fields are filled
   * from the deployed stack: the resource's properties and physical id, a new RequestId.
   * For replay tests: send the same RequestId twice, a Delete after a failed Create, ...
   */
  public async invokeCustomResource(assemblyDir: string, stackName: string, logicalId: string,
    request: CustomResourceRequest): Promise<CustomResourceInvocationResult> {
    const prev = this.readState(stackName);
    if (!prev) throw new Error(`Stack ${stackName} is not deployed`);
    const artifact = readStackArtifact(assemblyDir, stackName);
    const op: Operation = {
      stackName,
      stackId: prev.stackId,
      live: new Map(Object.entries(clone(prev.resources))),
      codeAssets: { ...prev.codeAssets, ...codeAssetIndex(artifact) },
      assemblyDir: artifact.assemblyDir,
      reports: [],
    };
    let type = prev.resources[logicalId]?.type;
    let props = prev.resources[logicalId]?.properties;
    if (!props) {
      const model = new TemplateModel(artifact.template, this.resolverHooks(op, prev.parameters));
      const res = model.resources[logicalId];
      if (!res) throw new Error(`Resource ${logicalId} not found in stack ${stackName}`);
      type = res.Type;
      props = model.resolver.resolve(res.Properties ?? {}) as Record<string, any>;
    }
    if (!isCustomResourceType(type!)) throw new Error(`${logicalId} is a ${type}, not a custom resource`);
    const outcome = await this.customRequest(op, {
      logicalId,
      type: type!,
      requestType: request.RequestType,
      action: request.RequestType === 'Create' ? 'CREATE' : request.RequestType === 'Update' ? 'UPDATE' : 'DELETE',
      props,
      oldProps: request.RequestType === 'Update' ? props : undefined,
      physicalId: request.RequestType === 'Create' ? undefined : request.PhysicalResourceId ?? prev.resources[logicalId]?.physicalId,
      requestId: request.RequestId,
      rawResourceProperties: request.ResourceProperties ? { ServiceToken: props.ServiceToken, ...request.ResourceProperties } : undefined,
      rawOldResourceProperties: request.OldResourceProperties,
    });
    return {
      event: outcome.event,
      status: outcome.status,
      physicalId: outcome.physicalId,
      data: outcome.data,
      reason: outcome.reason,
      response: outcome.response,
      responseBytes: outcome.responseBytes,
      invocations: outcome.invocations,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Resource steps

  private async createResource(op: Operation, lid: string, type: string, props: Record<string, any>, action: ResourceAction,
    signal?: CancelSignal): Promise<StepOutcome> {
    const started = Date.now();
    const kind = this.kindOf(op, type, props);
    if (kind === 'custom') {
      const r = await this.customRequest(op, { logicalId: lid, type, requestType: 'Create', action, props, signal });
      const state = r.status === 'SUCCEEDED'
        ? this.newState(type, 'custom', r.physicalId!, r.physicalId!, r.data ?? {}, props)
        : undefined;
      return { ok: r.status === 'SUCCEEDED', state, reason: r.reason, sent: r.sent, orphanPhysicalId: r.orphanPhysicalId };
    }
    if (kind === 'native') {
      try {
        const res = await this.options.nativeResources![type].create(clone(props), this.nativeContext(op, lid, type, action));
        const state = this.newState(type, 'native', res.physicalId, res.physicalId, res.attributes ?? {}, props);
        this.record(op, this.report(lid, type, kind, action, 'SUCCEEDED', started, { physicalId: res.physicalId, attributes: state.attributes }));
        return { ok: true, state, sent: true };
      } catch (e: any) {
        this.record(op, this.report(lid, type, kind, action, 'FAILED', started, { reason: e?.message ?? String(e) }));
        return { ok: false, reason: e?.message ?? String(e), sent: true };
      }
    }
    const refused = quotaRefusal(type, props);
    if (refused) {
      this.record(op, this.report(lid, type, kind, action, 'FAILED', started, { reason: refused }));
      return { ok: false, reason: refused, sent: true };
    }
    const sim = simulateResource(op.stackName, lid, type, props, this.env);
    const state: ResourceState = { ...this.newState(type, 'simulated', sim.physicalId, sim.ref, {}, props), name: sim.name };
    this.record(op, this.report(lid, type, kind, action, 'SUCCEEDED', started, { physicalId: state.physicalId }));
    return { ok: true, state, sent: true };
  }

  private async updateResource(op: Operation, lid: string, current: ResourceState, props: Record<string, any>,
    action: ResourceAction, signal?: CancelSignal): Promise<StepOutcome> {
    const started = Date.now();
    const type = current.type;
    if (current.kind === 'custom') {
      const r = await this.customRequest(op, {
        logicalId: lid, type, requestType: 'Update', action, props, oldProps: current.properties, physicalId: current.physicalId, signal,
      }, (physicalId) => (physicalId === current.physicalId || action === 'ROLLBACK_UPDATE' ? action : 'REPLACE'));
      const state = r.status === 'SUCCEEDED' ? { ...current, physicalId: r.physicalId!, ref: r.physicalId!, attributes: r.data ?? {}, properties: props } : undefined;
      return { ok: r.status === 'SUCCEEDED', state, reason: r.reason, sent: r.sent };
    }
    if (current.kind === 'native') {
      try {
        const res = await this.options.nativeResources![type].update(current.physicalId, clone(props), clone(current.properties),
          this.nativeContext(op, lid, type, action));
        const state: ResourceState = {
          ...current, physicalId: res.physicalId, ref: res.physicalId, attributes: res.attributes ?? {}, properties: props,
        };
        const reported = res.physicalId !== current.physicalId && action === 'UPDATE' ? 'REPLACE' : action;
        this.record(op, this.report(lid, type, 'native', reported, 'SUCCEEDED', started, { physicalId: res.physicalId, attributes: state.attributes }));
        return { ok: true, state, sent: true };
      } catch (e: any) {
        this.record(op, this.report(lid, type, 'native', action, 'FAILED', started, { physicalId: current.physicalId, reason: e?.message ?? String(e) }));
        return { ok: false, reason: e?.message ?? String(e), sent: true };
      }
    }
    const refused = quotaRefusal(type, props);
    if (refused) {
      this.record(op, this.report(lid, type, 'simulated', action, 'FAILED', started, { physicalId: current.physicalId, reason: refused }));
      return { ok: false, reason: refused, sent: true };
    }
    // Simulated: a change of the explicit name is a replacement.
    const oldName = explicitName(type, current.properties);
    const newName = explicitName(type, props);
    let state: ResourceState = { ...current, properties: props };
    if (oldName !== newName) {
      const sim = simulateResource(op.stackName, lid, type, props, this.env);
      state = { ...state, physicalId: sim.physicalId, ref: sim.ref, name: sim.name };
    }
    const reported = state.physicalId !== current.physicalId && action === 'UPDATE' ? 'REPLACE' : action;
    this.record(op, this.report(lid, type, 'simulated', reported, 'SUCCEEDED', started, { physicalId: state.physicalId }));
    return { ok: true, state, sent: true };
  }

  private async deleteResource(op: Operation, lid: string, state: ResourceState, action: ResourceAction,
    physicalId = state.physicalId, signal?: CancelSignal): Promise<StepOutcome> {
    const started = Date.now();
    if (state.kind === 'custom') {
      const r = await this.customRequest(op, {
        logicalId: lid, type: state.type, requestType: 'Delete', action, props: state.properties, physicalId, signal,
      });
      return { ok: r.status === 'SUCCEEDED', reason: r.reason, sent: r.sent };
    }
    if (state.kind === 'native') {
      try {
        await this.options.nativeResources![state.type].delete(physicalId, clone(state.properties), this.nativeContext(op, lid, state.type, action));
        this.record(op, this.report(lid, state.type, 'native', action, 'SUCCEEDED', started, { physicalId }));
        return { ok: true, sent: true };
      } catch (e: any) {
        this.record(op, this.report(lid, state.type, 'native', action, 'FAILED', started, { physicalId, reason: e?.message ?? String(e) }));
        return { ok: false, reason: e?.message ?? String(e), sent: true };
      }
    }
    this.record(op, this.report(lid, state.type, 'simulated', action, 'SUCCEEDED', started, { physicalId }));
    return { ok: true, sent: true };
  }

  /**
   * Rollback cleanup, in reverse dependency order of the new template: resources created in this
   * deployment, failed Creates CloudFormation still has an id for, and the new resources of
   * replacements. Returns false when a delete failed (the resource then stays in the stack, and
   * so do the resources it depends on).
   */
  private async rollbackCleanup(op: Operation, steps: Step[], model: TemplateModel): Promise<boolean> {
    const toDelete = new Map<string, { state: ResourceState; replaced: boolean }>();
    for (const s of steps) {
      const created = s.action === 'CREATE' ? s.next ?? s.failedCreate : undefined;
      if (s.action === 'REPLACE') toDelete.set(s.logicalId, { state: s.next!, replaced: true });
      else if (created) toDelete.set(s.logicalId, { state: created, replaced: false });
    }
    const ids = [...model.order].reverse().filter(lid => toDelete.has(lid));
    const result = await this.runAll(ids, dependentsAmong(ids, lid => model.dependencies[lid]), async lid => {
      const { state, replaced } = toDelete.get(lid)!;
      // Retain keeps even a resource created by the failed deployment (RetainExceptOnCreate does not).
      if (!replaced && state.deletionPolicy === 'Retain') {
        op.live.delete(lid);
        this.record(op, this.report(lid, state.type, state.kind, 'ROLLBACK_DELETE', 'SUCCEEDED', Date.now(),
          { physicalId: state.physicalId, reason: 'Retained (DeletionPolicy: Retain)' }));
        return true;
      }
      const r = await this.deleteResource(op, lid, state, 'ROLLBACK_DELETE');
      if (!replaced) {
        if (r.ok) op.live.delete(lid);
        else op.live.set(lid, state);
      }
      return r.ok;
    }, false);
    return result.failed.length === 0 && result.notStarted.length === 0;
  }

  /**
   * One request to a custom resource through the Provider framework, judged as CloudFormation
   * would (4096-byte responses, ServiceTimeout, attributes referenced by the template).
   */
  private async customRequest(op: Operation, args: CustomRequestArgs,
    actionFor?: (physicalId: string) => ResourceAction): Promise<CustomRequestOutcome> {
    const started = Date.now();
    const { logicalId: lid, type, requestType, action } = args;
    const requestId = args.requestId ?? op.requestIdFor?.(lid, requestType, action) ?? randomUUID();
    const event: Record<string, any> = {
      RequestType: requestType,
      ServiceToken: String(args.props.ServiceToken),
      ResponseURL: this.responseUrl(op.stackId, lid, requestId),
      StackId: op.stackId,
      RequestId: requestId,
      LogicalResourceId: lid,
      ...(requestType === 'Create' ? {} : { PhysicalResourceId: args.physicalId }),
      ResourceType: type,
      ResourceProperties: stringifyScalars(args.rawResourceProperties ?? args.props),
      ...(requestType === 'Update' ? { OldResourceProperties: stringifyScalars(args.rawOldResourceProperties ?? args.oldProps ?? {}) } : {}),
    };
    const madeUpId = () => (requestType === 'Create' ? `${op.stackName}-${lid}-${randomSuffix()}` : args.physicalId);
    const finish = (r: Omit<CustomRequestOutcome, 'event'>): CustomRequestOutcome => {
      const reportAction = r.status === 'SUCCEEDED' && actionFor ? actionFor(r.physicalId!) : action;
      this.record(op, this.report(lid, type, 'custom', reportAction, r.status, started, {
        physicalId: r.status === 'SUCCEEDED' ? r.physicalId : args.physicalId ?? r.orphanPhysicalId,
        attributes: r.data,
        reason: r.reason,
        requestId,
        response: r.response,
        responseBytes: r.responseBytes,
        invocations: r.invocations,
      }));
      return { event, ...r };
    };

    let fns: ProviderFunctions | undefined;
    try {
      fns = this.findProvider(op, event.ServiceToken);
    } catch (e: any) {
      return finish({ status: 'FAILED', reason: e.message, invocations: [], sent: false });
    }
    if (!fns) {
      return finish({
        status: 'FAILED',
        reason: `local-cfn: the ServiceToken ${event.ServiceToken} of ${lid} is not a Provider framework function of this stack`,
        invocations: [],
        sent: false,
      });
    }

    const start = () => startProviderFramework(event, fns, {
      invoke: (spec, payload) => this.invoke(op, spec, payload),
      pollIntervalMs: this.pollIntervalMs,
      serviceTimeoutSeconds: Number(args.props.ServiceTimeout ?? DEFAULT_SERVICE_TIMEOUT_SECONDS),
    });
    // Delivered twice: both executions run, CloudFormation takes the first response.
    const executions = this.options.duplicateDeliveries ? [start(), start()] : [start()];
    const cancelled = args.signal?.whenCancelled.then(() => 'cancelled' as const);
    const first = firstResponse(executions);
    const received = await Promise.race(cancelled ? [first, cancelled] : [first]);
    if (received === undefined || received === 'cancelled') {
      // CloudFormation stops waiting (and later ignores the response); the execution goes on.
      const reason = received === 'cancelled' ? CANCELLED[requestType]
        : `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}]. `
          + 'If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.';
      for (const e of executions) this.abandon(op, lid, requestType, requestId, e, reason);
      return finish({ status: 'FAILED', reason, invocations: [...executions[0].invocations], sent: true, orphanPhysicalId: madeUpId() });
    }
    const { execution } = received;
    for (const other of executions.filter(e => e !== execution)) {
      this.abandon(op, lid, requestType, requestId, other, 'Duplicate delivery: CloudFormation took the response of the other one');
    }
    const invocations: HandlerInvocation[] = [...execution.invocations];
    const response: CustomResourceResponse = received.sent.response;
    const responseBytes = Buffer.byteLength(JSON.stringify(response), 'utf8');
    const common = { response, responseBytes, invocations, sent: true };
    if (responseBytes > MAX_RESPONSE_BYTES) {
      return finish({ ...common, status: 'FAILED', reason: 'Response object is too long.', orphanPhysicalId: madeUpId() });
    }
    if (response.Status !== 'SUCCESS') {
      return finish({ ...common, status: 'FAILED', reason: received.sent.errorMessage ?? response.Reason, orphanPhysicalId: response.PhysicalResourceId });
    }
    const data = response.Data ?? {};
    if (requestType !== 'Delete' && (action === 'CREATE' || action === 'UPDATE') && op.model) {
      const missing = op.model.attributesReferenced(lid).find(attr => !(attr in data));
      if (missing !== undefined) {
        return finish({
          ...common,
          status: 'FAILED',
          reason: `CustomResource attribute error: Vendor response doesn't contain ${missing} key in object ${op.stackId}|${lid}|${requestId} `
            + `in S3 bucket cloudformation-custom-resource-storage-${this.env.region.replace(/-/g, '')}`,
          data,
          orphanPhysicalId: response.PhysicalResourceId,
        });
      }
    }
    return finish({ ...common, status: 'SUCCEEDED', physicalId: response.PhysicalResourceId, data });
  }

  /** Keep an execution CloudFormation stopped waiting for running (or stop it), for `settle()`. */
  private abandon(op: Operation, logicalId: string, requestType: CustomResourceRequestType, requestId: string,
    execution: ProviderExecution, reason: string): void {
    const invocationsBeforeAbandoned = execution.invocations.length;
    if (this.options.abandonedExecutions === 'stop') execution.stop();
    this.abandoned.push(execution.finished.then(sent => ({
      stackName: op.stackName,
      logicalId,
      requestId,
      requestType,
      reason,
      invocations: execution.invocations,
      invocationsBeforeAbandoned,
      ...(sent ? { response: sent.response } : {}),
    })));
  }

  /** Invoke a user function with `handlerEnv`, then its own `functionEnv`. */
  private invoke(op: Operation, spec: LambdaFunctionSpec, payload: unknown): Promise<LambdaInvokeResult> {
    const functionEnv = this.options.functionEnv?.({
      stackName: op.stackName, logicalId: spec.logicalId!, functionName: spec.functionName, roleArn: spec.roleArn,
    });
    return invokeLambda(spec, payload, {
      region: this.env.region,
      extraEnv: { ...this.options.handlerEnv, ...functionEnv },
      onLog: this.options.onHandlerLog,
      containers: this.containers,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** CloudFormation runs one operation at a time on a stack. */
  private assertIdle(stackName: string): void {
    if (this.running.has(stackName)) throw new Error(`Stack ${stackName} has an operation in progress and can not be updated.`);
  }

  /** Run `body` as the stack's operation, its resources visible to `liveResources` meanwhile. */
  private async track<T>(op: Operation, body: () => Promise<T>): Promise<T> {
    this.running.set(op.stackName, op);
    try {
      return await body();
    } finally {
      this.running.delete(op.stackName);
    }
  }

  private runAll(ids: string[], waitsFor: (lid: string) => string[], run: (lid: string, signal: CancelSignal) => Promise<boolean>,
    cancelOnFailure: boolean): Promise<ScheduleResult> {
    return schedule(ids, waitsFor, run, {
      maxConcurrency: this.options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      shuffleSeed: this.options.shuffleSeed,
      cancelOnFailure,
    });
  }

  private kindOf(op: Operation, type: string, props: Record<string, any>): ResourceKind {
    if (this.options.nativeResources?.[type]) return 'native';
    if (!isCustomResourceType(type)) return 'simulated';
    if (this.options.unsupportedCustomResources === 'simulate') {
      try {
        if (!this.findProvider(op, String(props.ServiceToken))) return 'simulated';
      } catch {
        return 'simulated';
      }
    }
    return 'custom';
  }

  /** The simulated function behind a name, an ARN or a qualified ARN (version, alias), with its logical id. */
  private findFunction(op: Operation, arnOrName: string): [string, ResourceState] | undefined {
    const parts = arnOrName.split(':');
    if (parts.length === 8 && parts[5] === 'function') arnOrName = parts.slice(0, 7).join(':');
    for (const [lid, state] of op.live) {
      if (state.type !== 'AWS::Lambda::Function' || state.kind !== 'simulated') continue;
      const name = state.name ?? state.physicalId;
      if (arnOrName === name || arnOrName === simulatedArn(state.type, name, this.env)) return [lid, state];
    }
    return undefined;
  }

  /** The Provider framework behind a ServiceToken, or undefined when it is not one. */
  private findProvider(op: Operation, serviceToken: string): ProviderFunctions | undefined {
    const framework = this.findFunction(op, serviceToken);
    const vars: Record<string, any> = framework?.[1].properties.Environment?.Variables ?? {};
    if (!vars.USER_ON_EVENT_FUNCTION_ARN) return undefined;
    const userFunction = (arn: string) => {
      const fn = this.findFunction(op, arn);
      if (!fn) throw new Error(`local-cfn: the Provider's user function ${arn} is not deployed in this stack`);
      return this.functionSpec(op, ...fn);
    };
    return {
      onEvent: userFunction(vars.USER_ON_EVENT_FUNCTION_ARN),
      isComplete: vars.USER_IS_COMPLETE_FUNCTION_ARN ? userFunction(vars.USER_IS_COMPLETE_FUNCTION_ARN) : undefined,
      waiter: this.waiterPolicy(op, vars.WAITER_STATE_MACHINE_ARN),
    };
  }

  /** The isComplete retry policy of the Provider's waiter state machine. */
  private waiterPolicy(op: Operation, stateMachineArn: string | undefined): WaiterPolicy {
    if (!stateMachineArn) return DEFAULT_WAITER_POLICY;
    const sm = [...op.live.values()].find(s => s.type === 'AWS::StepFunctions::StateMachine' && s.ref === stateMachineArn);
    const definition = sm?.properties.DefinitionString ?? sm?.properties.Definition;
    try {
      const parsed = typeof definition === 'string' ? JSON.parse(definition) : definition;
      const retry = parsed.States['framework-isComplete-task'].Retry[0];
      return {
        intervalSeconds: Number(retry.IntervalSeconds ?? 1),
        maxAttempts: Number(retry.MaxAttempts ?? 3),
        backoffRate: Number(retry.BackoffRate ?? 2),
      };
    } catch {
      return DEFAULT_WAITER_POLICY;
    }
  }

  private functionSpec(op: Operation, logicalId: string, fn: ResourceState): LambdaFunctionSpec {
    const p = fn.properties;
    const name = fn.name ?? fn.physicalId;
    let codeDir: string | undefined;
    let inlineCode: string | undefined;
    if (typeof p.Code?.ZipFile === 'string') {
      inlineCode = p.Code.ZipFile;
      codeDir = op.assemblyDir;
    } else if (typeof p.Code?.S3Key === 'string') {
      const key: string = p.Code.S3Key;
      const fallback = path.join(op.assemblyDir, `asset.${key.replace(/\.zip$/, '')}`);
      codeDir = op.codeAssets[key] ?? (fs.existsSync(fallback) ? fallback : undefined);
      if (!codeDir || !fs.existsSync(codeDir)) {
        throw new Error(`local-cfn: the code of function ${name} (S3 key ${key}) is not a folder of the cloud assembly`);
      }
    } else {
      throw new Error(`local-cfn: function ${name} has no code it can run (ZipFile or S3Key of a folder asset)`);
    }
    const variables: Record<string, string> = {};
    for (const [k, v] of Object.entries<any>(p.Environment?.Variables ?? {})) variables[k] = String(v);
    return {
      functionName: name,
      functionArn: simulatedArn(fn.type, name, this.env),
      codeDir,
      inlineCode,
      handler: p.Handler ?? 'index.handler',
      runtime: p.Runtime,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      environment: variables,
      logicalId,
      ...(typeof p.Role === 'string' ? { roleArn: p.Role } : {}),
    };
  }

  private resolverHooks(op: Operation, parameters: Record<string, any>): ResolverHooks {
    return {
      pseudo: {
        'AWS::AccountId': this.env.accountId,
        'AWS::Region': this.env.region,
        'AWS::Partition': this.env.partition,
        'AWS::URLSuffix': this.env.urlSuffix,
        'AWS::StackName': op.stackName,
        'AWS::StackId': op.stackId,
        'AWS::NotificationARNs': [],
      },
      parameters,
      ref: (lid) => {
        const state = op.live.get(lid);
        if (!state) throw new ResolutionError(`Resource ${lid} is not available (not created)`);
        return state.ref;
      },
      getAtt: (lid, attr) => {
        const state = op.live.get(lid);
        if (!state) throw new ResolutionError(`Resource ${lid} is not available (not created)`);
        if (attr in state.attributes) return state.attributes[attr];
        if (state.kind === 'simulated') return simulatedAttribute(state.type, state.name ?? state.physicalId, attr, this.env);
        if (state.kind === 'custom') {
          throw new ResolutionError(`CustomResource attribute error: Vendor response doesn't contain ${attr} key for ${lid}`);
        }
        throw new ResolutionError(`Template error: resource ${lid} does not support attribute type ${attr} in Fn::GetAtt`);
      },
      importValue: (name) => this.importValue(op.stackName, name),
    };
  }

  private importValue(stackName: string, exportName: string): any {
    if (fs.existsSync(this.options.stateDir)) {
      for (const file of fs.readdirSync(this.options.stateDir).filter(f => f.endsWith('.json'))) {
        const state: StackState = JSON.parse(fs.readFileSync(path.join(this.options.stateDir, file), 'utf8'));
        if (state.stackName === stackName || !COMPLETE.includes(state.status)) continue;
        const output = Object.values(state.outputs ?? {}).find(o => o.exportName === exportName);
        if (output) return output.value;
      }
    }
    throw new ResolutionError(`No export named ${exportName} found.`);
  }

  private parameterValues(template: Template, overrides: Record<string, string> = {}): Record<string, any> {
    const values: Record<string, any> = {};
    for (const [name, def] of Object.entries(template.Parameters ?? {})) {
      const value = overrides[name] ?? def.Default;
      if (value === undefined) throw new TemplateValidationError(`Parameters: [${name}] must have values`);
      values[name] = def.Type === 'CommaDelimitedList' || def.Type.startsWith('List<') ? String(value).split(',') : String(value);
    }
    return values;
  }

  private resolveOutputs(model: TemplateModel): StackState['outputs'] {
    const outputs: StackState['outputs'] = {};
    for (const [key, output] of Object.entries(model.template.Outputs ?? {})) {
      if (output.Condition !== undefined && !model.resolver.condition(output.Condition)) continue;
      const value = model.resolver.resolve(output.Value);
      const exportName = output.Export ? String(model.resolver.resolve(output.Export.Name)) : undefined;
      outputs[key] = exportName === undefined ? { value } : { value, exportName };
    }
    return outputs;
  }

  private async publishAssets(artifact: StackArtifact): Promise<void> {
    const publish = this.options.publishFileAsset;
    if (!publish) return;
    for (const asset of artifact.fileAssets) {
      // Folder assets (Lambda code) run from their folder: nothing to publish.
      if (asset.packaging !== 'file') continue;
      const body = fs.readFileSync(asset.sourcePath);
      for (const d of asset.destinations) {
        await publish(substituteAssetPlaceholders(d.bucketName, this.env), substituteAssetPlaceholders(d.objectKey, this.env), body);
      }
    }
  }

  private nativeContext(op: Operation, lid: string, type: string, action: ResourceAction): NativeResourceContext {
    return {
      stackName: op.stackName,
      stackId: op.stackId,
      logicalId: lid,
      resourceType: type,
      accountId: this.env.accountId,
      region: this.env.region,
      partition: this.env.partition,
      action,
    };
  }

  private newState(type: string, kind: ResourceKind, physicalId: string, ref: any, attributes: Record<string, any>,
    properties: Record<string, any>): ResourceState {
    return { type, kind, physicalId, ref, attributes, properties, dependsOn: [] };
  }

  /** Adds a step to the operation's report, and tells `onProgress` at once. */
  private record(op: Operation, report: ResourceReport): void {
    op.reports.push(report);
    this.options.onProgress?.(op.stackName, report);
  }

  /** Report a step that failed before any request was sent; returns the stack reason. */
  private failStep(op: Operation, lid: string, type: string, action: ResourceAction, reason: string): string {
    this.record(op, this.report(lid, type, this.options.nativeResources?.[type] ? 'native' : isCustomResourceType(type) ? 'custom' : 'simulated',
      action, 'FAILED', Date.now(), { reason }));
    return `The following resource(s) failed to ${action === 'CREATE' ? 'create' : 'update'}: [${lid}]. ${reason}`;
  }

  private report(logicalId: string, type: string, kind: ResourceKind, action: ResourceAction, status: 'SUCCEEDED' | 'FAILED', started: number,
    extra: Partial<ResourceReport> = {}): ResourceReport {
    const endedAt = new Date();
    const out: Record<string, any> = { logicalId, type, action, status, kind, durationMs: endedAt.getTime() - started, endedAt };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
    return out as ResourceReport;
  }

  private stackReport(state: StackState, op: Operation, started: number, reason?: string): StackReport {
    const outputs = Object.fromEntries(Object.entries(state.outputs).map(([k, o]) => [k, o.value]));
    return {
      stackName: state.stackName,
      stackId: state.stackId,
      status: state.status,
      resources: op.reports,
      ...(reason ? { reason } : {}),
      outputs,
      durationMs: Date.now() - started,
    };
  }

  /** A made-up presigned S3 URL, shaped like CloudFormation's. */
  private responseUrl(stackId: string, lid: string, requestId: string): string {
    const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const region = this.env.region;
    const credential = encodeURIComponent(`AKIA${randomSuffix(16)}/${now.slice(0, 8)}/${region}/s3/aws4_request`);
    return `https://cloudformation-custom-resource-response-${region.replace(/-/g, '')}.s3.${region}.${this.env.urlSuffix}/`
      + `${encodeURIComponent(`${stackId}|${lid}|${requestId}`)}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${now}`
      + `&X-Amz-SignedHeaders=host&X-Amz-Expires=7200&X-Amz-Credential=${credential}&X-Amz-Signature=${randomBytes(32).toString('hex')}`;
  }

  private stateFile(stackName: string): string {
    return path.join(this.options.stateDir, `${stackName}.json`);
  }

  private writeState(state: StackState): void {
    fs.mkdirSync(this.options.stateDir, { recursive: true });
    fs.writeFileSync(this.stateFile(state.stackName), JSON.stringify(state, null, 2));
  }
}
