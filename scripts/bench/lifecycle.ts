/**
 * The lifecycle half of the benchmark (issue 13): what the custom resources cost while Proton works, measured
 * through the real chain (LocalProton: local-cfn running the built handler bundle, the real `@aws-sdk/client-proton`
 * and its waiters, the Proton emulator). Needs `npx projen bundle` first.
 *
 * 1. Detection latency: the emulator finishes registrations and deployments at seeded random times and records when
 *    each reached its terminal state (`emulator.transitions`); local-cfn records when each custom resource's
 *    response arrived (`ResourceReport.endedAt`). The difference, over 55 objects of each kind.
 * 2. API calls per lifecycle (create, update, delete) of each resource type, from the emulator's request log, with
 *    30 s deployments; the 5-minute read count is derived from the waiter's schedule (see `readsAt`).
 * 3. Scale: 40 environments and 80 services deployed at once, wall time against the sum of their deployment times.
 *
 * `npx ts-node --project test/tsconfig.json scripts/bench/lifecycle.ts` prints the figures as JSON (about 5 minutes).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import type { RequestLogEntry } from '../../local-proton/emulator';
import type { ResourceReport, StackReport } from '../../local-proton/local-cfn';
import { LocalProton } from '../../local-proton/local-proton';
import {
  Component, ComponentManifest, ComponentSource, Environment, EnvironmentTemplate, Provisioning, Service, ServiceTemplate, Spec, TemplateBundle,
} from '../../src';
import { WAITER_MAX_DELAY_SECONDS, WAITER_MIN_DELAY_SECONDS } from '../../src/custom-resources/handlers/waiting';
import { bundleCopy, COMPONENT_DIR, ENV_BUNDLE, SERVICE_BUNDLE } from '../../test/constructs/helpers';
import { basePlatform, SERVICE_REPOSITORY, synth } from '../../test/lifecycle/helpers';

/** The longest one isComplete invocation waits (`MAX_WAIT_SECONDS` in waiting.ts, not exported). */
const MAX_WAIT_SECONDS = 60;
/** The Provider's queryInterval between isComplete invocations (`src/custom-resources/provider.ts`). */
const QUERY_INTERVAL_SECONDS = 5;
/** `BENCH_LIFECYCLE_QUICK=1`: a smoke run of the script itself (few objects, short times); its figures mean nothing. */
const QUICK = process.env.BENCH_LIFECYCLE_QUICK === '1';
/** Objects of each kind in the latency stack (at least 50 samples each). */
const SAMPLES = QUICK ? 3 : 55;
/**
 * Deployment and registration times of the latency stack: uniform in this range (seconds). All end within the first
 * isComplete invocation's wait (60 s), so local-cfn's compressed queryInterval plays no part in these samples; the
 * longer deployments, whose waits span invocations, are modelled (`longDeployments`).
 */
const LATENCY_RANGE_S: [number, number] = QUICK ? [1, 3] : [5, 45];
/** The deployment time of the call-count stacks. */
const CALLS_DEPLOYMENT_S = QUICK ? 3 : 30;
/** The deployment of the stack that measures reads across isComplete invocations. */
const LONG_DEPLOYMENT_S = QUICK ? 6 : 130;
/** Deployment times of the scale stack (seconds). */
const SCALE_RANGE_S: [number, number] = QUICK ? [1, 2] : [5, 20];
/** The measured environment's delete (see `deleteDelayMs` below). */
const ENVIRONMENT_DELETE_MS = 2000;
/** Prerequisites of the measured objects: fast. */
const PREREQUISITE_MS = 1000;
/**
 * CloudFormation documents no limit on how many resources it creates at once, and each custom resource gets its own
 * Step Functions execution and Lambda invocations: local-cfn's default of 8 (its emulator decision) would measure
 * local-cfn, not the library. Every resource of these stacks may run at once.
 */
const MAX_CONCURRENCY = 300;

export type DetectedKind = 'registration' | 'environment' | 'service' | 'component';
export type CountedType = 'environmentTemplateVersion' | 'serviceTemplateVersion' | 'environment' | 'service' | 'component';
export type Lifecycle = 'create' | 'update' | 'delete';

export interface Quantiles {
  readonly samples: number;
  readonly medianSeconds: number;
  readonly p95Seconds: number;
  readonly maxSeconds: number;
}

export interface CallCounts {
  /** Every call that is not a Get or List call: Create*, Update*, Delete*, Tag*, Untag*, Cancel*, ... */
  readonly mutating: number;
  /** The mutating operations, `Operation×count`. */
  readonly mutatingOperations: string[];
  /** Get and List calls local-cfn saw, with a 30 s deployment (registration, delete). */
  readonly readsMeasured: number;
  /**
   * The same on the real timeline: `readsMeasured`, except where isComplete answers at once without waiting (an
   * environment's delete polls one Get per invocation): local-cfn invokes it every 20 ms instead of every
   * queryInterval, so the count is its reads per invocation times the invocations of 30 s at the queryInterval.
   */
  readonly readsAt30Seconds: number;
  /** Get* and List* calls of a 5-minute deployment, derived from the waiter's schedule (see notes). */
  readonly readsAt5Minutes: number;
}

export interface WaiterChoice {
  readonly minDelaySeconds: number;
  readonly maxDelaySeconds: number;
  /** The Provider's queryInterval between isComplete invocations (5 s in provider.ts). */
  readonly queryIntervalSeconds: number;
  /** Modelled detection latency of a deployment of 2 to 20 minutes (waits spanning invocations, queryInterval included). */
  readonly longDeployments: { readonly medianSeconds: number; readonly p95Seconds: number };
  /** Modelled detection latency of a deployment of 5 to 45 s (the measured regime). */
  readonly shortDeployments: { readonly medianSeconds: number; readonly p95Seconds: number };
  /** Modelled Proton read calls per minute of waiting, steady state. */
  readonly readsPerMinute: number;
}

export interface LifecycleFigures {
  readonly waiter: {
    readonly minDelaySeconds: number;
    readonly maxDelaySeconds: number;
    readonly maxWaitSeconds: number;
    readonly queryIntervalSeconds: number;
  };
  /** Measured: Proton's terminal state → the custom resource's response, deployments of 5 to 45 s. */
  readonly detection: Record<DetectedKind, Quantiles>;
  /** Measured: the resources' read calls per minute they spent waiting (the latency stack). */
  readonly readsPerMinuteOfWaiting: number;
  /** Modelled from the SDK waiter's schedule, with the per-call overhead measured above: the current and alternative waiters. */
  readonly waiterChoices: WaiterChoice[];
  readonly calls: Record<CountedType, Record<Lifecycle, CallCounts>>;
  readonly scale: {
    readonly environments: number;
    readonly services: number;
    readonly wallSeconds: number;
    /** The sum of every environment's, instance's and pipeline's simulated deployment time. */
    readonly simulatedDeploymentSeconds: number;
    /** The longest chain: the slowest environment plus the slowest service that waited for it. */
    readonly criticalPathSeconds: number;
    /** simulatedDeploymentSeconds / wallSeconds. */
    readonly parallelism: number;
  };
  readonly wallSeconds: number;
  readonly notes: string[];
}

// ---- small helpers ------------------------------------------------------------------------------

/** A seeded PRNG (Park and Miller's minimal standard): the same run draws the same durations in the same order. */
function prng(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

function quantiles(secondsList: number[]): Quantiles {
  return {
    samples: secondsList.length,
    medianSeconds: round(quantile(secondsList, 0.5)),
    p95Seconds: round(quantile(secondsList, 0.95)),
    maxSeconds: round(Math.max(...secondsList)),
  };
}

const isRead = (operation: string) => /^(Get|List)/.test(operation);

/** Which resource type a handler call is about, by its operation or the ARN it tags. */
function familyOf(e: RequestLogEntry): CountedType | undefined {
  const op = e.operation;
  const arn = typeof e.input.resourceArn === 'string' ? e.input.resourceArn : '';
  if (/EnvironmentTemplate/.test(op) || arn.includes(':environment-template/')) return 'environmentTemplateVersion';
  if (/ServiceTemplate/.test(op) || arn.includes(':service-template/')) return 'serviceTemplateVersion';
  if (/Component/.test(op) || arn.includes(':component/')) return 'component';
  if (/Service/.test(op) || arn.includes(':service/')) return 'service';
  if (/Environment/.test(op) || arn.includes(':environment/')) return 'environment';
  return undefined;
}

/** A delay function for the emulator: the first rule whose pattern the resource key matches decides. */
function delays(rules: Array<[RegExp, () => number]>, record?: Map<string, number>): (resource: string) => number {
  return (resource) => {
    const rule = rules.find(([pattern]) => pattern.test(resource));
    const ms = rule ? rule[1]() : PREREQUISITE_MS;
    record?.set(resource, (record.get(resource) ?? 0) + ms);
    return ms;
  };
}

function failed(report: StackReport): string[] {
  return report.resources.filter((r) => r.status !== 'SUCCEEDED').map((r) => `${r.action} ${r.logicalId}: ${r.reason}`);
}

function expectStatus(report: StackReport, status: string): StackReport {
  if (report.status !== status) {
    throw new Error(`${report.stackName}: ${report.status}, expected ${status}: ${report.reason}\n${failed(report).join('\n')}`);
  }
  return report;
}

// ---- the waiter's schedule (the SDK's own algorithm, @smithy/core util-waiter poller.js) -----------------

/** The delay before poll `attempt` (1, 2, ...) of an SDK waiter, as `exponentialBackoffWithJitter` draws it. */
function waiterDelay(minDelay: number, maxDelay: number, attempt: number, random: () => number): number {
  const ceiling = Math.log(maxDelay / minDelay) / Math.log(2) + 1;
  if (attempt > ceiling) return maxDelay;
  const capped = Math.min(minDelay * 2 ** (attempt - 1), maxDelay);
  return minDelay + random() * (capped - minDelay);
}

/**
 * When the polls of a whole wait happen (seconds from the first isComplete invocation's start), in the real
 * timeline: each invocation polls at once, then after each waiter delay while it fits in `MAX_WAIT_SECONDS`; then
 * the framework waits `QUERY_INTERVAL_SECONDS` and invokes again (a new waiter, its backoff from minDelay).
 * `perCall` is the measured time one poll and one invocation take.
 */
function pollTimes(minDelay: number, maxDelay: number, until: number, random: () => number, perCall: number,
  gap = QUERY_INTERVAL_SECONDS): number[] {
  const polls: number[] = [];
  let start = 0;
  // Ends at the first poll after `until` (the inner loop returns it).
  for (;;) {
    let t = start;
    const end = start + MAX_WAIT_SECONDS;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        let delay = waiterDelay(minDelay, maxDelay, attempt, random);
        if (attempt <= Math.log(maxDelay / minDelay) / Math.log(2) + 1 && t + delay > end) delay = Math.max(0, end - t - 0.5);
        if (t + delay > end) break;
        t += delay;
      }
      t += perCall;
      polls.push(t);
      if (t > until) return polls;
    }
    start = t + gap;
  }
}

/** Modelled detection latency of deployments whose durations `durations` draws (seconds after the wait starts). */
function modelLatency(minDelay: number, maxDelay: number, durations: () => number, overhead: number, random: () => number,
  queryInterval = QUERY_INTERVAL_SECONDS) {
  const latencies: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const d = durations();
    const polls = pollTimes(minDelay, maxDelay, d, random, 0, queryInterval);
    latencies.push(polls.find((t) => t >= d)! - d + overhead);
  }
  return { medianSeconds: round(quantile(latencies, 0.5)), p95Seconds: round(quantile(latencies, 0.95)) };
}

/** Modelled polls per minute of a long wait (20 minutes), queryInterval gaps included. */
function modelReadsPerMinute(minDelay: number, maxDelay: number, random: () => number, extraReadsPerInvocation: number,
  queryInterval = QUERY_INTERVAL_SECONDS): number {
  const minutes = 20;
  let polls = 0;
  let invocations = 0;
  for (let i = 0; i < 200; i++) {
    const times = pollTimes(minDelay, maxDelay, minutes * 60, random, 0, queryInterval);
    polls += times.length;
    invocations += Math.ceil(minutes * 60 / (MAX_WAIT_SECONDS + queryInterval));
  }
  return round((polls + invocations * extraReadsPerInvocation) / 200 / minutes, 1);
}

// ---- the apps -----------------------------------------------------------------------------------

const MANIFEST = () => ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml'));
const TEMPLATE_FILE = path.join(COMPONENT_DIR, 'cloudformation.yaml');

/** A copy of the component's template file with `comment` appended (an update of the component). */
function templateFileWith(comment: string): string {
  const dir = bundleCopy(() => undefined, COMPONENT_DIR);
  const file = path.join(dir, 'cloudformation.yaml');
  fs.appendFileSync(file, `# ${comment}\n`);
  return file;
}

/**
 * The latency stack: 55 versions of one environment template (each starts a new major version, so they register at
 * once); 55 environments of another template; with `services`, 55 services (one instance each) and 55 components in
 * those environments.
 */
const latencyApp = (services: boolean) => synth('BenchLatency', (stack) => {
  const { envV1, protonServiceRole, svcV1 } = basePlatform(stack, {
    prefix: 'bl', componentRole: true, componentSources: [ComponentSource.DIRECTLY_DEFINED],
  });
  const registered = new EnvironmentTemplate(stack, 'RegTemplate', {});
  for (let i = 0; i < SAMPLES; i++) registered.addVersion(`V${i}`, { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  const componentRole = (stack.node.tryFindChild('ComponentRole') as any);
  for (let i = 0; i < SAMPLES; i++) {
    const environment = new Environment(stack, `Env${i}`, {
      templateVersion: envV1, spec: Spec.fromObject({}), protonServiceRole, componentRole,
    });
    if (!services) continue;
    new Service(stack, `Svc${i}`, { templateVersion: svcV1, ...SERVICE_REPOSITORY, instances: [{ name: 'main', environment }] });
    new Component(stack, `Cmp${i}`, { environment, manifest: MANIFEST(), templateFile: TEMPLATE_FILE });
  }
});

/**
 * One stack per measured resource type, its prerequisites fast (1 s) and the measured one 30 s (`callsRules`).
 * `revision` is what an update changes.
 */
const CALL_STACKS: Record<CountedType, string> = {
  environmentTemplateVersion: 'BcEnvVer', serviceTemplateVersion: 'BcSvcVer', environment: 'BcEnv', service: 'BcSvc', component: 'BcCmp',
};

function callsApp(type: CountedType, revision: number, stackName = CALL_STACKS[type], prefix = stackName.toLowerCase()): string {
  return synth(stackName, (stack: Stack) => {
    const withEnvironment = type === 'environment' || type === 'service' || type === 'component';
    const { envTemplate, svcTemplate, environments: { dev } } = basePlatform(stack, {
      prefix, environments: withEnvironment ? ['dev'] : [], componentRole: type === 'component',
    });
    // The versions carry a description the update changes (UpdateEnvironmentTemplateVersion / UpdateServiceTemplateVersion).
    const describe = (construct: any) => {
      const resource = construct.node.findAll().find((c: any) => c.cfnResourceType?.startsWith('Custom::Proton') && /TemplateVersion/.test(c.cfnResourceType));
      if (resource) resource.addPropertyOverride('Description', `revision ${revision}`);
    };
    if (type === 'environmentTemplateVersion') describe(envTemplate.node.findChild('V1'));
    if (type === 'serviceTemplateVersion') describe(svcTemplate.node.findChild('V1'));
    if (type === 'environment') {
      (dev.node.findAll().find((c: any) => c.cfnResourceType === 'Custom::ProtonEnvironment') as any)
        .addPropertyOverride('Spec', `proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.${revision}.0.0/16\n`);
    }
    if (type === 'service') {
      const web = new ServiceTemplate(stack, 'WebTemplate', { templateName: `${prefix}-web`, pipelineProvisioning: Provisioning.CUSTOMER_MANAGED })
        .addVersion('V1', {
          bundle: TemplateBundle.fromDirectory(bundleCopy((dir) => fs.rmSync(path.join(dir, 'pipeline_infrastructure'), { recursive: true }), SERVICE_BUNDLE)),
          compatibleEnvironmentTemplates: [envTemplate.node.findChild('V1') as any],
        });
      new Service(stack, 'Measured', {
        serviceName: `${prefix}-api`, templateVersion: web, instances: [{ name: 'main', environment: dev, spec: Spec.fromObject({ port: 8000 + revision }) }],
      });
    }
    if (type === 'component') {
      new Component(stack, 'Measured', {
        componentName: `${prefix}-cmp`, environment: dev, manifest: MANIFEST(), templateFile: revision === 0 ? TEMPLATE_FILE : templateFileWith(`revision ${revision}`),
      });
    }
  });
}

/** 40 environments and 80 services of one instance each, every fourth with a pipeline (test/lifecycle/scale.test.ts). */
const scaleApp = () => synth('BenchScale', (stack) => {
  const { envV1, protonServiceRole, svcV1 } = basePlatform(stack, { prefix: 'bsc' });
  const webV1 = new ServiceTemplate(stack, 'WebTemplate', { templateName: 'bsc-web', pipelineProvisioning: Provisioning.CUSTOMER_MANAGED })
    .addVersion('V1', {
      bundle: TemplateBundle.fromDirectory(bundleCopy((dir) => fs.rmSync(path.join(dir, 'pipeline_infrastructure'), { recursive: true }), SERVICE_BUNDLE)),
      compatibleEnvironmentTemplates: [envV1],
    });
  const environments = Array.from({ length: 40 }, (_, i) => new Environment(stack, `Env${i}`, {
    templateVersion: envV1, spec: Spec.fromObject({ vpc_cidr: '10.0.0.0/16' }), protonServiceRole,
  }));
  for (let i = 0; i < 80; i++) {
    const service = new Service(stack, `Svc${i}`, i % 4 === 0
      ? { templateVersion: svcV1, pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) }, ...SERVICE_REPOSITORY }
      : { templateVersion: webV1 });
    service.addInstance('main', { environment: environments[i % 40], spec: Spec.fromObject({ port: 8000 + i }) });
  }
});

const RESOURCE_TYPES: Record<CountedType, string> = {
  environmentTemplateVersion: 'Custom::ProtonEnvironmentTemplateVersion',
  serviceTemplateVersion: 'Custom::ProtonServiceTemplateVersion',
  environment: 'Custom::ProtonEnvironment',
  service: 'Custom::ProtonService',
  component: 'Custom::ProtonComponent',
};
const LIFECYCLE_ACTIONS: Record<Lifecycle, ResourceReport['action']> = { create: 'CREATE', update: 'UPDATE', delete: 'DELETE' };

// ---- measurement --------------------------------------------------------------------------------

/** The custom resource steps of `type` in `report` with their Proton key. */
function steps(report: StackReport, type: string, action: ResourceReport['action']): ResourceReport[] {
  return report.resources.filter((r) => r.type === type && r.action === action && r.status === 'SUCCEEDED');
}

export async function measureLifecycle(): Promise<LifecycleFigures> {
  const started = Date.now();
  const notes: string[] = [];
  const random = prng(13);
  const uniform = ([lo, hi]: [number, number]) => () => (lo + random() * (hi - lo)) * 1000;
  const latency = uniform(LATENCY_RANGE_S);
  const scaleDurations = new Map<string, number>();
  const scale = uniform(SCALE_RANGE_S);
  const calls = () => CALLS_DEPLOYMENT_S * 1000;
  // Keys: `<template>:<major>.<minor>`, environment and component names, `<service>/<instance>`, `<service>:pipeline`,
  // service names. Generated names start with the stack's name.
  const rules: Array<[RegExp, () => number]> = [
    [/^BenchLatency-.*RegTemplate/, latency],
    [/^BenchLatency-.*(Env|Svc|Cmp)\d+/, latency],
    [/^bcenvver-env:/, calls], [/^bcsvcver-svc:/, calls],
    [/^bcenv-dev$/, calls], [/^bcsvc-api/, calls], [/^bccmp-cmp$/, calls],
    [/^bclong-dev$/, () => LONG_DEPLOYMENT_S * 1000],
    [/^BenchScale-.*(Env|Svc)\d+/, scale],
  ];
  const proton = await LocalProton.start({
    registrationDelayMs: delays(rules),
    deploymentDelayMs: delays(rules, scaleDurations),
    // An environment's delete has no waiter: isComplete answers at once and local-cfn invokes it again after 20 ms, so
    // the Provider's attempts (30 min of queryInterval) last a few seconds of real time. The measured one takes 2 s;
    // its reads are converted to the real timeline per invocation (see readsAt30Seconds).
    deleteDelayMs: delays([[/^bcenv-dev$/, () => ENVIRONMENT_DELETE_MS], ...rules.filter(([p]) => !/Bench/.test(p.source))]),
    cancelDelayMs: 100,
    maxConcurrency: MAX_CONCURRENCY,
    warmContainers: true,
  });
  const log = proton.emulator.log;
  const handlerCalls = (from: number, to: number, stackName: string) => log.entries.filter((e) =>
    e.principal !== undefined && e.principal.includes(`/${stackName}-`)
    && e.at.getTime() >= from && e.at.getTime() <= to);

  try {
    // Synthesize everything first: synthesis would otherwise hold the event loop while deployments run.
    const latency1 = latencyApp(false);
    const latency2 = latencyApp(true);
    const types = Object.keys(CALL_STACKS) as CountedType[];
    const callsV0 = types.map((t) => callsApp(t, 0));
    const callsV1 = types.map((t) => callsApp(t, 1));
    const longApp = callsApp('environment', 0, 'BcLong', 'bclong');
    const scaleAssembly = scaleApp();

    // Phase 1: the latency stack's registrations and environments; the call-count stacks' creates; the long wait.
    const phase: Record<Lifecycle, [number, number]> = { create: [0, 0], update: [0, 0], delete: [0, 0] };
    /** Runs one phase, noting when it started and ended. */
    const timed = async <T>(lifecycle: Lifecycle, run: () => Promise<T>): Promise<T> => {
      phase[lifecycle][0] = Date.now();
      const result = await run();
      phase[lifecycle][1] = Date.now();
      return result;
    };
    const longDeploy = proton.deploy(longApp, 'BcLong');
    const [first, ...created] = await timed('create', () => Promise.all([
      proton.deploy(latency1, 'BenchLatency'),
      ...types.map((t, i) => proton.deploy(callsV0[i], CALL_STACKS[t])),
    ]));
    expectStatus(first, 'CREATE_COMPLETE');
    created.forEach((r) => expectStatus(r, 'CREATE_COMPLETE'));

    // Phase 2: services and components of the latency stack; the call-count stacks' updates.
    const [second, ...updated] = await timed('update', () => Promise.all([
      proton.deploy(latency2, 'BenchLatency'),
      ...types.map((t, i) => proton.deploy(callsV1[i], CALL_STACKS[t])),
    ]));
    expectStatus(second, 'UPDATE_COMPLETE');
    updated.forEach((r) => expectStatus(r, 'UPDATE_COMPLETE'));

    // Phase 3: the call-count stacks' deletes; then the long wait ends.
    const destroyed = await timed('delete', () => Promise.all(types.map((t) => proton.destroy(CALL_STACKS[t]))));
    destroyed.forEach((r) => expectStatus(r, 'DELETE_COMPLETE'));
    const long = expectStatus(await longDeploy, 'CREATE_COMPLETE');

    // ---- 1. detection latency
    const transitions = proton.emulator.transitions;
    const live = proton.cfn.liveResources('BenchLatency')!;
    const endOf = (kind: Parameters<typeof transitions.of>[0], key: string) => {
      const ends = transitions.of(kind, key);
      if (ends.length !== 1) throw new Error(`expected one ${kind} end of ${key}, found ${ends.length}`);
      return ends[0].at.getTime();
    };
    const detected = (reports: ResourceReport[], terminal: (r: ResourceReport) => number) =>
      quantiles(reports.map((r) => (r.endedAt.getTime() - terminal(r)) / 1000));
    const registrations = steps(first, 'Custom::ProtonEnvironmentTemplateVersion', 'CREATE')
      .filter((r) => /RegTemplate/.test(live.get(r.logicalId)!.properties.TemplateName));
    const waitingSamples = {
      registration: registrations,
      environment: steps(first, 'Custom::ProtonEnvironment', 'CREATE'),
      service: steps(second, 'Custom::ProtonService', 'CREATE'),
      component: steps(second, 'Custom::ProtonComponent', 'CREATE'),
    };
    const detection: Record<DetectedKind, Quantiles> = {
      registration: detected(registrations, (r) => endOf('registration',
        `${live.get(r.logicalId)!.properties.TemplateName}:${r.attributes!.MajorVersion}.${r.attributes!.MinorVersion}`)),
      environment: detected(waitingSamples.environment, (r) => endOf('deployment', r.physicalId!)),
      service: detected(waitingSamples.service, (r) => endOf('service', r.physicalId!)),
      component: detected(waitingSamples.component, (r) => endOf('deployment', r.physicalId!)),
    };
    for (const [kind, q] of Object.entries(detection)) {
      if (q.samples < Math.min(50, SAMPLES)) throw new Error(`only ${q.samples} ${kind} samples`);
    }
    // Reads per minute of waiting: every read call of the latency stack's handlers during the two deploys, over the
    // time its sampled resources spent in their steps.
    const latencyReads = log.entries.filter((e) => e.principal?.includes('/BenchLatency-') && isRead(e.operation)).length;
    const waitingMinutes = Object.values(waitingSamples).flat().reduce((sum, r) => sum + r.durationMs, 0) / 60_000;
    const readsPerMinuteOfWaiting = round(latencyReads / waitingMinutes, 1);

    // ---- 2. calls per lifecycle
    const reports: Record<Lifecycle, StackReport[]> = { create: created, update: updated, delete: destroyed };
    const counted = {} as Record<CountedType, Record<Lifecycle, { mutating: RequestLogEntry[]; reads: number }>>;
    types.forEach((type, i) => {
      counted[type] = {} as Record<Lifecycle, { mutating: RequestLogEntry[]; reads: number }>;
      for (const lifecycle of ['create', 'update', 'delete'] as Lifecycle[]) {
        const entries = handlerCalls(phase[lifecycle][0], phase[lifecycle][1], reports[lifecycle][i].stackName)
          .filter((e) => familyOf(e) === type);
        counted[type][lifecycle] = {
          mutating: entries.filter((e) => !isRead(e.operation)),
          reads: entries.filter((e) => isRead(e.operation)).length,
        };
      }
    });
    // The long wait: its reads against the 30 s environment create's, per invocation.
    const longStep = steps(long, 'Custom::ProtonEnvironment', 'CREATE')[0];
    const longReads = log.entries.filter((e) => e.principal?.includes('/BcLong-') && familyOf(e) === 'environment' && isRead(e.operation)).length;
    const longInvocations = (longStep.invocations ?? []).filter((i) => i.handler === 'isComplete').length;
    // In local-cfn the long wait's invocations follow each other at once: in its real-time model, every invocation but
    // the first starts the queryInterval later. Reads a poll model does not explain are the handlers' own (per invocation).
    const averagePolls = (seconds: number, gap: number) => {
      let total = 0;
      for (let i = 0; i < 500; i++) total += pollTimes(WAITER_MIN_DELAY_SECONDS, WAITER_MAX_DELAY_SECONDS, seconds, random, 0, gap).length;
      return total / 500;
    };
    // local-cfn's timeline: the invocations follow each other after 20 ms.
    const longModelPolls = averagePolls(LONG_DEPLOYMENT_S, 0.02);
    const pollsModel = (seconds: number) => averagePolls(seconds, QUERY_INTERVAL_SECONDS);
    const extraReadsPerInvocation = Math.max(0, (longReads - counted.environment.create.reads - (longModelPolls - pollsModel(CALLS_DEPLOYMENT_S)))
      / Math.max(1, longInvocations - 1));
    /** Reads of a deployment of `seconds`: the measured 30 s count plus the polls and invocations the longer wait adds. */
    const readsAt = (reads30: number, waits: boolean, seconds: number) => {
      if (!waits) return reads30;
      const extraInvocations = Math.floor(seconds / (MAX_WAIT_SECONDS + QUERY_INTERVAL_SECONDS));
      return Math.round(reads30 + pollsModel(seconds) - pollsModel(CALLS_DEPLOYMENT_S) + extraInvocations * extraReadsPerInvocation);
    };
    const asyncOf: Record<CountedType, Record<Lifecycle, boolean>> = {
      environmentTemplateVersion: { create: true, update: false, delete: false },
      serviceTemplateVersion: { create: true, update: false, delete: false },
      environment: { create: true, update: true, delete: true },
      service: { create: true, update: true, delete: true },
      component: { create: true, update: true, delete: true },
    };
    const callFigures = Object.fromEntries(types.map((type) => [type, Object.fromEntries((['create', 'update', 'delete'] as Lifecycle[]).map((lc) => {
      const c = counted[type][lc];
      const step = reports[lc][types.indexOf(type)].resources.find((r) => r.type === RESOURCE_TYPES[type] && r.action === LIFECYCLE_ACTIONS[lc]);
      const isCompletes = (step?.invocations ?? []).filter((inv) => inv.handler === 'isComplete');
      const meanMs = isCompletes.reduce((sum, inv) => sum + inv.durationMs, 0) / Math.max(1, isCompletes.length);
      // isComplete returns at once (no waiter): the Provider invokes it every queryInterval, local-cfn every 20 ms.
      const pollsByInvocation = isCompletes.length > 3 && meanMs < 1000;
      const real = (seconds: number) => Math.round((c.reads / isCompletes.length) * (1 + Math.floor(seconds / QUERY_INTERVAL_SECONDS)));
      const byOp = new Map<string, number>();
      c.mutating.forEach((e) => byOp.set(e.operation, (byOp.get(e.operation) ?? 0) + 1));
      return [lc, {
        mutating: c.mutating.length,
        mutatingOperations: [...byOp].map(([op, n]) => `${op}×${n}`),
        readsMeasured: c.reads,
        readsAt30Seconds: pollsByInvocation ? real(CALLS_DEPLOYMENT_S) : c.reads,
        readsAt5Minutes: pollsByInvocation ? real(300) : readsAt(c.reads, asyncOf[type][lc], 300),
      } satisfies CallCounts];
    }))])) as unknown as Record<CountedType, Record<Lifecycle, CallCounts>>;

    // ---- the waiter, modelled: the measured overhead is what the measured latency has beyond the poll schedule.
    const shortDurations = () => LATENCY_RANGE_S[0] + random() * (LATENCY_RANGE_S[1] - LATENCY_RANGE_S[0]);
    const longDurations = () => 120 + random() * (1200 - 120);
    const allLatencies = Object.values(waitingSamples).flat().length;
    const modelNoOverhead = modelLatency(WAITER_MIN_DELAY_SECONDS, WAITER_MAX_DELAY_SECONDS, shortDurations, 0, random);
    const measuredMedian = quantile(Object.values(detection).map((q) => q.medianSeconds), 0.5);
    const overhead = Math.max(0, measuredMedian - modelNoOverhead.medianSeconds);
    // [minDelay, maxDelay, the Provider's queryInterval]: the last one is not the waiter's, but between invocations no
    // waiter polls, and a deployment ending then waits for the next invocation.
    const choices: Array<[number, number, number]> = [
      [WAITER_MIN_DELAY_SECONDS, WAITER_MAX_DELAY_SECONDS, QUERY_INTERVAL_SECONDS], [1, 5, 10], [1, 4, 10], [1, 3, 10], [1, 2, 10],
      [1, 3, 5], [1, 4, 5], [1, 3, 2], [1, 4, 2],
    ];
    const waiterChoices: WaiterChoice[] = choices.map(([min, max, queryInterval]) => ({
      minDelaySeconds: min,
      maxDelaySeconds: max,
      queryIntervalSeconds: queryInterval,
      shortDeployments: modelLatency(min, max, shortDurations, overhead, random, queryInterval),
      longDeployments: modelLatency(min, max, longDurations, overhead, random, queryInterval),
      readsPerMinute: modelReadsPerMinute(min, max, random, extraReadsPerInvocation, queryInterval),
    }));

    // ---- 3. scale
    proton.emulator.log.clear();
    scaleDurations.clear();
    const scaleStarted = Date.now();
    const scaled = expectStatus(await proton.deploy(scaleAssembly, 'BenchScale'), 'CREATE_COMPLETE');
    const scaleWall = (Date.now() - scaleStarted) / 1000;
    const simulated = [...scaleDurations].filter(([key]) => key.startsWith('BenchScale-')).reduce((sum, [, ms]) => sum + ms, 0) / 1000;
    const envTime = (name: string) => (scaleDurations.get(name) ?? 0) / 1000;
    const scaleLive = proton.cfn.liveResources('BenchScale')!;
    const critical = Math.max(...[...scaleLive.values()].filter((r) => r.type === 'Custom::ProtonService').map((r) => {
      const instances = JSON.stringify(r.properties);
      const env = [...scaleLive.values()].find((e) => e.type === 'Custom::ProtonEnvironment' && instances.includes(e.physicalId));
      return (env ? envTime(env.physicalId) : 0) + Math.max(...[...scaleDurations].filter(([k]) => k.startsWith(`${r.physicalId}/`) || k === `${r.physicalId}:pipeline`).map(([, ms]) => ms / 1000));
    }));
    void scaled;

    notes.push(
      `Detection latency: the emulator's terminal state (emulator.transitions: a version DRAFT, an environment's or a component's deployment SUCCEEDED, a service's workflow ACTIVE) to local-cfn receiving the custom resource's response (ResourceReport.endedAt). ${SAMPLES} objects of each kind in one stack, registrations and deployments drawn uniformly in ${LATENCY_RANGE_S[0]}–${LATENCY_RANGE_S[1]} s (seeded), every resource allowed to run at once (maxConcurrency ${MAX_CONCURRENCY}), warm Lambda containers. Includes the handler's work after detection (publishing a version, reading outputs) and the machine's load (${allLatencies} resources on ${os.cpus().length} cores).`,
      `Every sampled wait ends within the first isComplete invocation (waiter maxWaitTime ${MAX_WAIT_SECONDS} s), so local-cfn's compressed queryInterval (20 ms instead of ${QUERY_INTERVAL_SECONDS} s) hides nothing in the measured samples. Longer deployments (waiterChoices.longDeployments, 2–20 min) are modelled on the real timeline: the SDK waiter's own delay algorithm per invocation, ${QUERY_INTERVAL_SECONDS} s of queryInterval between invocations (the virtual interval local-cfn skips), plus the measured overhead (${round(overhead)} s: the measured median minus the modelled one).`,
      `Reads per minute of waiting: every Get*/List* call of the latency stack's handlers over the minutes its ${allLatencies} sampled resources spent in their steps (a bound from above: the prerequisites' reads count too).`,
      `Calls per lifecycle: one stack per resource type, its prerequisites taking ${PREREQUISITE_MS / 1000} s and the measured resource ${CALLS_DEPLOYMENT_S} s (registration, deployment and delete); calls counted from the emulator's request log by the stack's provider role and the resource type the operation (or the tagged ARN) names. Update: a version's description, an environment's spec, a service instance's spec, a component's template file. Template version updates and deletes do not wait. An environment's delete has no waiter: each isComplete invocation reads once and answers; local-cfn invokes it every 20 ms, so its reads are converted to the real timeline (readsMeasured: what local-cfn saw; readsAt30Seconds: one invocation per ${QUERY_INTERVAL_SECONDS} s queryInterval), and its detection latency is up to the queryInterval (${QUERY_INTERVAL_SECONDS} s), not measured here.`,
      `readsAt5Minutes: the measured 30 s count, plus the polls the SDK waiter's schedule adds between 30 s and 300 s on the real timeline (${QUERY_INTERVAL_SECONDS} s queryInterval between ${MAX_WAIT_SECONDS} s invocations), plus ${round(extraReadsPerInvocation, 1)} reads of the handler's own per extra isComplete invocation, measured on a ${LONG_DEPLOYMENT_S} s environment create (${longReads} reads, ${longInvocations} isComplete invocations) against the 30 s one.`,
      `Scale: ${scaleWall.toFixed(1)} s wall for 40 environments and 80 services (every fourth with a pipeline) whose deployments take ${SCALE_RANGE_S[0]}–${SCALE_RANGE_S[1]} s each (seeded), registrations ${PREREQUISITE_MS / 1000} s; every resource allowed to run at once. The longest chain (environment then the service waiting for it) is ${critical.toFixed(1)} s of it; the rest is detection latency and the machine.`,
    );

    return {
      waiter: {
        minDelaySeconds: WAITER_MIN_DELAY_SECONDS,
        maxDelaySeconds: WAITER_MAX_DELAY_SECONDS,
        maxWaitSeconds: MAX_WAIT_SECONDS,
        queryIntervalSeconds: QUERY_INTERVAL_SECONDS,
      },
      detection,
      readsPerMinuteOfWaiting,
      waiterChoices,
      calls: callFigures,
      scale: {
        environments: 40,
        services: 80,
        wallSeconds: round(scaleWall, 1),
        simulatedDeploymentSeconds: round(simulated, 1),
        criticalPathSeconds: round(critical, 1),
        parallelism: round(simulated / scaleWall, 1),
      },
      wallSeconds: round((Date.now() - started) / 1000, 1),
      notes,
    };
  } finally {
    await proton.stop();
  }
}

if (require.main === module) {
  measureLifecycle().then((figures) => console.log(JSON.stringify(figures, null, 2)), (error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
