import { randomUUID } from 'crypto';
import { notFound, validationError } from '../errors';
import { Faults } from '../faults';
import { ClientTokenStore, DeletionMemory } from '../idempotency';
import { TransitionLog, TransitionKind } from '../log';
import { ProtonModel } from '../model';
import { S3StandIn } from '../s3';

/** A request body after validation against the operation's input shape. */
export type Input = Record<string, any>;

/**
 * Handles one operation. Returns the output (shaped by the model: extra members are dropped, Dates become
 * epoch seconds) or throws a ProtonError.
 */
export type OperationHandler = (input: Input) => unknown;

/** A resource family (templates, environments, services, ...): the operations it answers. */
export interface ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;
}

/** Answers why the resource `arn` is in use (e.g. "environment 'dev' uses it"), or undefined when it is not. */
export type InUseCheck = (arn: string) => string | undefined;

/** Answers why the environment `environmentName` can't be deleted (e.g. "service 'api' runs in it"), or undefined. */
export type EnvironmentInUseCheck = (environmentName: string) => string | undefined;

/**
 * Answers why the service instance `instanceName` of service `serviceName` can't be deleted (e.g. "component 'c'
 * is attached to it"), or undefined.
 */
export type ServiceInstanceInUseCheck = (serviceName: string, instanceName: string) => string | undefined;

/**
 * Answers why the service instance `instanceName` of service `serviceName` can't be deployed now (e.g. "component 'c'
 * attached to it has a deployment IN_PROGRESS"), or undefined.
 */
export type ServiceInstanceBusyCheck = (serviceName: string, instanceName: string) => string | undefined;

/** A repository linked with CreateRepository, as other families read it. */
export interface LinkedRepository {
  readonly provider: string;
  readonly name: string;
  readonly arn: string;
  readonly connectionArn: string;
}

/** Finds the repository `provider`/`name` linked with CreateRepository (the repositories family answers). */
export type RepositoryLookup = (provider: string, name: string) => LinkedRepository | undefined;

/**
 * How long (ms) a resource stays in an asynchronous state: a fixed number, or a function asked once for each
 * registration, deployment, delete or cancellation, with the resource's key (the key its faults and its
 * `transitions` entries go by: see README, "Options, timing and faults"), e.g. a seeded random range.
 */
export type Delay = number | ((resource: string) => number);

/** The emulator's timing knobs (milliseconds), mutable while it runs. */
export interface EmulatorTiming {
  /** How long a new template version stays REGISTRATION_IN_PROGRESS. */
  registrationDelayMs: Delay;
  /** How long a deployment (of an environment, a service instance, a service pipeline, ...) stays IN_PROGRESS. */
  deploymentDelayMs: Delay;
  /**
   * How long a resource with an asynchronous delete (an environment, a service with its instances and pipeline, a
   * service instance removed by UpdateService, ...) stays DELETE_IN_PROGRESS.
   */
  deleteDelayMs: Delay;
  /** How long a cancelled deployment stays CANCELLING. */
  cancelDelayMs: Delay;
}

/** A timer's callback: a promise when the change it makes comes later (a registration reads its bundle first). */
export type TimerCallback = () => void | Promise<void>;

/**
 * Timers that `stop()` clears, so that jest exits cleanly. Each timer of `after` gets a number, in the order they are
 * set: a journal records which one fired when, and a replay fires the same ones in the same order (`hold`, `fire`).
 */
export class Scheduler {
  /** Told the number of each timer of `after` once its callback has made its change, and when it began. */
  onFired?: (timer: number, at: number) => void;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private stopped = false;
  private count = 0;
  /** While replaying: the timers set so far that have not fired, by number. */
  private held?: Map<number, { ms: number; fn: TimerCallback }>;

  /** @param freezeClock holds the emulator's clock at a time while a callback makes its change (undefined: lets it go) */
  constructor(private readonly freezeClock: (at?: number) => void = () => undefined) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Runs `fn` after `ms` unless the emulator stops first. */
  after(ms: number, fn: TimerCallback): void {
    if (this.stopped) return;
    const id = ++this.count;
    if (this.held) {
      this.held.set(id, { ms, fn });
      return;
    }
    this.start(id, ms, fn);
  }

  /** Resolves after `ms`, or at once when the emulator stops (not a numbered timer: it changes no state). */
  sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise(resolve => {
      const done = () => {
        this.sleepers.delete(done);
        resolve();
      };
      this.sleepers.add(done);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        done();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** From now on timers wait for `fire` instead of their time (a replay). */
  hold(): void {
    this.held = new Map();
  }

  /** Runs the held timer `id` now, and waits for its change. */
  async fire(id: number): Promise<void> {
    const timer = this.held?.get(id);
    if (!timer) throw new Error(`emulator journal: timer ${id} was never set`);
    this.held!.delete(id);
    await timer.fn();
  }

  /** Ends the hold: the timers that did not fire start, each with its whole delay. */
  release(): void {
    const held = this.held ?? new Map();
    this.held = undefined;
    for (const [id, { ms, fn }] of held) this.start(id, ms, fn);
  }

  stop(): void {
    this.stopped = true;
    this.timers.forEach(t => clearTimeout(t));
    this.timers.clear();
    [...this.sleepers].forEach(done => done());
  }

  private start(id: number, ms: number, fn: TimerCallback): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      const at = Date.now();
      this.freezeClock(at);
      let changed: void | Promise<void>;
      try {
        changed = fn();
      } finally {
        this.freezeClock(undefined);
      }
      if (changed) void changed.then(() => this.onFired?.(id, at));
      else this.onFired?.(id, at);
    }, ms);
    this.timers.add(timer);
  }
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** Tags of every resource the emulator knows: a resource is taggable from its create until its delete. */
export class TagStore {
  private readonly tags = new Map<string, Map<string, string>>();

  constructor(private readonly maxTags: number) {}

  /** Throws the ValidationException Proton gives for these tags (reserved prefix, too many), before anything is created. */
  validate(tags: readonly Tag[] = []): void {
    this.merge(new Map(), tags, 'the resource');
  }

  register(arn: string, tags: readonly Tag[] = []): void {
    this.tags.set(arn, this.merge(new Map(), tags, arn));
  }

  forget(arn: string): void {
    this.tags.delete(arn);
  }

  list(arn: string): Tag[] {
    return [...this.resource(arn)].map(([key, value]) => ({ key, value }));
  }

  tag(arn: string, tags: readonly Tag[]): void {
    this.tags.set(arn, this.merge(this.resource(arn), tags, arn));
  }

  untag(arn: string, keys: readonly string[]): void {
    const current = this.resource(arn);
    keys.forEach(k => current.delete(k));
  }

  private merge(current: ReadonlyMap<string, string>, tags: readonly Tag[], what: string): Map<string, string> {
    const next = new Map(current);
    for (const { key, value } of tags) {
      if (key.toLowerCase().startsWith('aws:')) {
        throw validationError(`Tag key '${key}' uses the reserved prefix 'aws:'`);
      }
      next.set(key, value);
    }
    if (next.size > this.maxTags) {
      throw validationError(`${what} would have ${next.size} tags; at most ${this.maxTags} tags are allowed per resource`);
    }
    return next;
  }

  private resource(arn: string): Map<string, string> {
    const tags = this.tags.get(arn);
    if (!tags) throw notFound(`The resource ${arn} was not found`);
    return tags;
  }
}

/** What every resource family shares: identity, clock, stores, timers, faults and the in-use hooks. */
export class EmulatorContext {
  readonly model = ProtonModel.load();
  readonly scheduler = new Scheduler(at => this.frozenAt = at);
  readonly tags: TagStore;
  readonly tokens = new ClientTokenStore(() => this.now().getTime());
  readonly deletions = new DeletionMemory(() => this.now().getTime());
  /** When each asynchronous registration, deployment, delete and cancellation ended. */
  readonly transitions = new TransitionLog();
  private readonly inUseChecks: InUseCheck[] = [];
  private readonly environmentInUseChecks: EnvironmentInUseCheck[] = [];
  private readonly serviceInstanceInUseChecks: ServiceInstanceInUseCheck[] = [];
  private readonly serviceInstanceBusyChecks: ServiceInstanceBusyCheck[] = [];
  private repositoryLookup?: RepositoryLookup;
  /** While a journal replays: the time of the entry being replayed, and the ids it handed out. */
  private replay?: { at: Date; ids: string[] };
  /** The time a change began, while it is made: its timestamps are one time, the time a journal records. */
  private frozenAt?: number;
  /** Told each id handed out (a journal keeps them with the entry that made them). */
  private onId?: (id: string) => void;

  constructor(
    readonly accountId: string,
    readonly region: string,
    readonly s3: S3StandIn,
    readonly faults: Faults,
    readonly timing: EmulatorTiming,
  ) {
    this.tags = new TagStore(this.model.shape('TagList').max ?? 50);
  }

  now(): Date {
    return this.replay ? new Date(this.replay.at) : new Date(this.frozenAt ?? Date.now());
  }

  /** A new id (deployments, connections): random, or while replaying, the one the journal recorded. */
  uuid(): string {
    const id = this.replay?.ids.shift() ?? randomUUID();
    this.onId?.(id);
    return id;
  }

  /** Replays an entry of a journal: its time and ids, until `endReplay`. */
  beginReplay(at: number, ids: readonly string[]): void {
    this.replay = { at: new Date(at), ids: [...ids] };
  }

  endReplay(): void {
    this.replay = undefined;
  }

  /** Makes `change` at one time (its timestamps all read it); answers what it answers. */
  at<T>(time: number, change: () => T): T {
    this.frozenAt = time;
    try {
      return change();
    } finally {
      this.frozenAt = undefined;
    }
  }

  /** Tells `listener` of each id handed out from now on. */
  recordIds(listener: (id: string) => void): void {
    this.onId = listener;
  }

  /** The delay (ms) of `knob` for `resource`: the number, or what the function answers for it. */
  delayMs(knob: keyof EmulatorTiming, resource: string): number {
    const delay = this.timing[knob];
    return typeof delay === 'function' ? delay(resource) : delay;
  }

  /** Records that the `kind` of `resource` ended with `outcome`, now. */
  ended(kind: TransitionKind, resource: string, outcome: string): void {
    this.transitions.add({ kind, resource, outcome, at: this.now() });
  }

  /** `arn:aws:proton:<region>:<account>:<resource>` */
  arn(resource: string): string {
    return `arn:aws:proton:${this.region}:${this.accountId}:${resource}`;
  }

  /** Plugs in a check that a resource family (environments, services, ...) uses a resource. */
  addInUseCheck(check: InUseCheck): void {
    this.inUseChecks.push(check);
  }

  /** Why `arn` is in use, or undefined. */
  inUse(arn: string): string | undefined {
    for (const check of this.inUseChecks) {
      const reason = check(arn);
      if (reason) return reason;
    }
    return undefined;
  }

  /**
   * Plugs in a check that something (a service instance, a component) runs in an environment: DeleteEnvironment
   * is then a ConflictException ("blocked while components or services use it").
   */
  addEnvironmentInUseCheck(check: EnvironmentInUseCheck): void {
    this.environmentInUseChecks.push(check);
  }

  /** Why the environment `environmentName` can't be deleted, or undefined. */
  environmentInUse(environmentName: string): string | undefined {
    for (const check of this.environmentInUseChecks) {
      const reason = check(environmentName);
      if (reason) return reason;
    }
    return undefined;
  }

  /**
   * Plugs in a check that something (a component) is attached to a service instance: DeleteService, and
   * UpdateService removing that instance, are then a ConflictException (DeleteService and UpdateService API
   * reference: "You can't delete a service instance (remove it from the spec) if it has an attached component").
   */
  addServiceInstanceInUseCheck(check: ServiceInstanceInUseCheck): void {
    this.serviceInstanceInUseChecks.push(check);
  }

  /** Why the service instance can't be deleted, or undefined. */
  serviceInstanceInUse(serviceName: string, instanceName: string): string | undefined {
    for (const check of this.serviceInstanceInUseChecks) {
      const reason = check(serviceName, instanceName);
      if (reason) return reason;
    }
    return undefined;
  }

  /**
   * Plugs in a check that something attached to a service instance (a component) is deploying: UpdateServiceInstance
   * deploying the instance is then a ConflictException (UpdateServiceInstance API reference: "You can't update a
   * service instance while its deployment status, or the deployment status of a component attached to it, is
   * IN_PROGRESS").
   */
  addServiceInstanceBusyCheck(check: ServiceInstanceBusyCheck): void {
    this.serviceInstanceBusyChecks.push(check);
  }

  /** Why the service instance can't be deployed now, or undefined. */
  serviceInstanceBusy(serviceName: string, instanceName: string): string | undefined {
    for (const check of this.serviceInstanceBusyChecks) {
      const reason = check(serviceName, instanceName);
      if (reason) return reason;
    }
    return undefined;
  }

  /** The repositories family answers which repositories are linked (CreateRepository). */
  setRepositoryLookup(lookup: RepositoryLookup): void {
    this.repositoryLookup = lookup;
  }

  /** The repository `provider`/`name` linked with CreateRepository, or undefined. */
  linkedRepository(provider: string, name: string): LinkedRepository | undefined {
    return this.repositoryLookup?.(provider, name);
  }

  /**
   * The repository a request names (`what`, e.g. "provisioningRepository"), which must be linked: the API reference
   * calls each of these members "a linked repository ... that has been registered with Proton", and the user guide
   * ("Using git repositories with AWS Proton") says to "Link ... to AWS Proton before you can use it". Throws a
   * ValidationException otherwise.
   */
  requireLinkedRepository(repo: { readonly provider: string; readonly name: string }, what: string): LinkedRepository {
    const linked = this.linkedRepository(repo.provider, repo.name);
    if (!linked) {
      throw validationError(`${what}: repository ${repo.provider} ${repo.name} isn't linked with Proton: `
        + 'link it with CreateRepository first');
    }
    return linked;
  }

  /** `arn:aws:proton:<region>:<account>:repository/<provider lower case>:<name>` (user guide examples). */
  repositoryArn(provider: string, name: string): string {
    return this.arn(`repository/${provider.toLowerCase()}:${name}`);
  }
}

/**
 * One page of `items` for a List operation (paginators-1.json: `nextToken` in and out, `maxResults` as
 * the limit). The token is the opaque base64 of the offset of the next page.
 */
export function paginate<T>(items: readonly T[], input: Input, defaultPageSize = 100): { page: T[]; nextToken?: string } {
  let start = 0;
  if (input.nextToken !== undefined) {
    const match = /^offset:(\d+)$/.exec(Buffer.from(String(input.nextToken), 'base64').toString('utf-8'));
    if (!match) throw validationError('The nextToken is not valid');
    start = Number(match[1]);
  }
  const size = input.maxResults ?? defaultPageSize;
  const page = items.slice(start, start + size);
  const end = start + page.length;
  return { page, nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : undefined };
}

/**
 * One page of the `outputs` (or provisioned resources) of a List…Outputs operation. Their `nextToken` is the
 * model's `EmptyNextToken` (length 0): Proton answers everything in one response, so by default so does this,
 * without a nextToken (an empty `nextToken` in the request is the first page). With `pageSize` (the fault
 * `Faults.outputsPageSize`) the list is cut into pages with real tokens, which the model does not allow: a
 * deliberate deviation so that tests can check a caller follows nextToken anyway.
 */
export function paginateOutputs<T>(items: readonly T[], input: Input, pageSize: number | undefined): { page: T[]; nextToken?: string } {
  if (pageSize === undefined) return { page: [...items] };
  return paginate(items, { nextToken: input.nextToken || undefined, maxResults: pageSize }, pageSize);
}
