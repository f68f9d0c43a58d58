import { Faults } from './faults';
import { ProtonIam } from './iam/authorizer';
import { Journal, ReplaySummary } from './journal';
import { RequestLog, TransitionLog } from './log';
import { S3StandIn } from './s3';
import { ProtonServer } from './server';
import { AccountConnectionFamily } from './state/account-connections';
import { AccountSettingsFamily } from './state/account-settings';
import { ComponentFamily } from './state/components';
import { Delay, EmulatorContext, EmulatorTiming, EnvironmentInUseCheck, ResourceFamily, ServiceInstanceInUseCheck } from './state/context';
import { EnvironmentFamily } from './state/environments';
import { RepositoryFamily } from './state/repositories';
import { ServiceFamily } from './state/services';
import { SyncConfigFamily } from './state/sync-configs';
import { TaggingFamily } from './state/tagging';
import { TemplateFamily } from './state/templates';

export { S3StandIn } from './s3';
export { type JournalEntry, type ReplaySummary } from './journal';
export { RequestLog, type RequestLogEntry, TransitionLog, type TransitionLogEntry, type TransitionKind } from './log';
export { END_OF_SUPPORT_MESSAGE, Faults, type OutputEntry } from './faults';
export { type Delay, type EmulatorTiming, type EnvironmentInUseCheck, type ServiceInstanceInUseCheck } from './state/context';
export { MAX_INSTANCES_PER_SERVICE, serviceInstanceKey, servicePipelineKey } from './state/services';
export { MAX_COMPONENTS } from './state/components';
export { ProtonIam, type Principal, type PrincipalResolver, type AuthorizationRecord } from './iam/authorizer';
export { type PolicyDocument } from './iam/policy-evaluation';

export interface ProtonEmulatorOptions {
  /** @default '111111111111' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /**
   * How long (ms) a new template version stays REGISTRATION_IN_PROGRESS: a number, or a function of the version's
   * `<template>:<major>.<minor>` (every delay takes one, of the resource's key). @default 50
   */
  readonly registrationDelayMs?: Delay;
  /**
   * How long (ms) a deployment (of an environment, a service instance, a service pipeline, a component) stays
   * IN_PROGRESS. @default 50
   */
  readonly deploymentDelayMs?: Delay;
  /**
   * How long (ms) an asynchronous delete (DeleteEnvironment, DeleteService, an instance removed by UpdateService,
   * DeleteComponent) stays DELETE_IN_PROGRESS before the resource is gone. @default 50
   */
  readonly deleteDelayMs?: Delay;
  /** How long (ms) a cancelled deployment stays CANCELLING before it is CANCELLED. @default 20 */
  readonly cancelDelayMs?: Delay;
  /** Seed of the PRNG used for fault injection (reproducible runs). @default 1 */
  readonly seed?: number;
  /**
   * A file that keeps the state across processes: replayed at start when it exists, then appended to with every
   * change (`journal.ts`). Faults set before are not kept. @default none (the state ends with the emulator)
   */
  readonly journal?: string;
}

/**
 * An in-memory AWS Proton API emulator that the real `@aws-sdk/client-proton` talks to over HTTP
 * (AWS JSON 1.0). Requests are validated against the Proton API model (`proton-model.json`), errors carry
 * the model's `__type`, and template versions register asynchronously from real bundles in `s3`.
 *
 * ```ts
 * const proton = await ProtonEmulator.start();
 * Object.assign(process.env, proton.clientEnv()); // or new ProtonClient({ endpoint: proton.endpoint, ... })
 * ...
 * await proton.stop();
 * ```
 */
export class ProtonEmulator {
  static async start(options: ProtonEmulatorOptions = {}): Promise<ProtonEmulator> {
    const ctx = new EmulatorContext(
      options.accountId ?? '111111111111',
      options.region ?? 'us-east-1',
      new S3StandIn(),
      new Faults(options.seed ?? 1),
      {
        registrationDelayMs: options.registrationDelayMs ?? 50,
        deploymentDelayMs: options.deploymentDelayMs ?? 50,
        deleteDelayMs: options.deleteDelayMs ?? 50,
        cancelDelayMs: options.cancelDelayMs ?? 20,
      },
    );
    const log = new RequestLog();
    const iam = await ProtonIam.load('aws', ctx.region, ctx.accountId);
    const server = new ProtonServer(ctx, ProtonEmulator.families(ctx), log, iam);
    const replayed = options.journal ? await new Journal(options.journal).open(ctx, server) : undefined;
    const port = await server.listen();
    return new ProtonEmulator(ctx, server, log, iam, `http://127.0.0.1:${port}`, replayed);
  }

  /** The resource families the emulator answers for: adding one is one more file in state/ and one line here. */
  private static families(ctx: EmulatorContext): ResourceFamily[] {
    const environmentTemplates = new TemplateFamily(ctx, 'environment');
    const serviceTemplates = new TemplateFamily(ctx, 'service', environmentTemplates);
    const accountConnections = new AccountConnectionFamily(ctx);
    const environments = new EnvironmentFamily(ctx, environmentTemplates, accountConnections);
    const services = new ServiceFamily(ctx, serviceTemplates, environments);
    return [
      environmentTemplates, serviceTemplates, accountConnections, environments, services,
      new AccountSettingsFamily(ctx), new TaggingFamily(ctx),
      new RepositoryFamily(ctx),
      new SyncConfigFamily(ctx, environmentTemplates, serviceTemplates, services),
      new ComponentFamily(ctx, environments, services),
    ];
  }

  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  /** The S3 stand-in template version registration reads bundles from. */
  readonly s3: S3StandIn;
  /** Every request received. */
  readonly log: RequestLog;
  /** When each registration, deployment, asynchronous delete, cancellation and service workflow ended, and how. */
  readonly transitions: TransitionLog;
  readonly faults: Faults;
  /** Timing knobs (ms), mutable while running. */
  readonly timing: EmulatorTiming;
  /**
   * IAM: every request is authorized for the principal whose access key signed it. `clientEnv()`'s key is an
   * administrator; other keys are known through `iam.addPrincipalResolver` (local CloudFormation's function roles).
   */
  readonly iam: ProtonIam;
  /** With `journal`: what the replay of the file did at start (`failed` lists requests that no longer succeeded). */
  readonly replayed?: ReplaySummary;

  private constructor(private readonly ctx: EmulatorContext, private readonly server: ProtonServer, log: RequestLog, iam: ProtonIam,
    endpoint: string, replayed?: ReplaySummary) {
    this.replayed = replayed;
    this.endpoint = endpoint;
    this.accountId = ctx.accountId;
    this.region = ctx.region;
    this.s3 = ctx.s3;
    this.log = log;
    this.transitions = ctx.transitions;
    this.faults = ctx.faults;
    this.timing = ctx.timing;
    this.iam = iam;
  }

  /**
   * Makes DeleteEnvironment a ConflictException while `check` answers a reason for the environment (the services
   * family plugs in its instances, the components family its components; a test can use it to stand for them).
   */
  addEnvironmentInUseCheck(check: EnvironmentInUseCheck): void {
    this.ctx.addEnvironmentInUseCheck(check);
  }

  /**
   * Makes DeleteService, and UpdateService removing the instance, a ConflictException while `check` answers a reason
   * for the service instance (the components family plugs in attached components: "You can't delete a service instance
   * (remove it from the spec) if it has an attached component"; a test can use it to stand for components).
   */
  addServiceInstanceInUseCheck(check: ServiceInstanceInUseCheck): void {
    this.ctx.addServiceInstanceInUseCheck(check);
  }

  /** Environment for an SDK client (or a handler under test) to reach this emulator with dummy credentials. */
  clientEnv(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_PROTON: this.endpoint,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: ProtonIam.ADMINISTRATOR_KEY,
      AWS_SECRET_ACCESS_KEY: 'proton-emulator-secret',
    };
  }

  /**
   * Closes the port, keeping the state: from now on a connection to `endpoint` is refused (ECONNREFUSED), as when
   * Proton's endpoint is gone. `stop()` still stops the rest.
   */
  async closePort(): Promise<void> {
    await this.server.close();
  }

  /** Stops the server and clears every timer (pending registrations never complete). */
  async stop(): Promise<void> {
    this.ctx.scheduler.stop();
    await this.server.close();
  }
}
