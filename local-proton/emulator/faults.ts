/** The message of the AccessDeniedException every request gets with `Faults.endOfSupport` (emulator decision: its wording). */
export const END_OF_SUPPORT_MESSAGE = 'AWS Proton reached end of support on October 7, 2026: this account can no longer access the service';

interface InjectedFailure {
  readonly errorType: string;
  readonly message: string;
  remaining: number;
}

/** A failure of an asynchronous workflow (deployment, deletion, cancellation) of one resource, `remaining` times. */
interface WorkflowFailure {
  readonly message: string;
  remaining: number;
}

/** An output of a deployed resource, as List…Outputs answers it. */
export interface OutputEntry {
  readonly key: string;
  readonly valueString?: string;
}

/** The faults a journal records (see `Faults.onChange`). */
export type WorkflowFaultMethod = 'failRegistration' | 'failDeployment' | 'failDeletion' | 'failCancellation' | 'setOutputs' | 'clear';

/**
 * Fault injection. Random decisions (throttling) come from a PRNG seeded by `ProtonEmulatorOptions.seed`,
 * so a run with the same seed and the same requests fails the same requests.
 */
export class Faults {
  /** Fraction (0..1) of requests answered with ThrottlingException before they are handled. */
  throttleFraction = 0;
  /** Delay (ms) added before every request is handled. */
  latencyMs = 0;
  /**
   * When set, List…Outputs operations (ListEnvironmentOutputs, ...) answer pages of this many outputs with a
   * nextToken. **Not what Proton does**: their nextToken is the model's `EmptyNextToken` (length 0), so Proton
   * answers all outputs at once; while this is set the emulator also accepts the non-empty tokens it hands
   * out. It exists to check that a caller reads every page anyway. @default undefined (one response)
   */
  outputsPageSize: number | undefined = undefined;
  /**
   * Proton after its end of support (2026-10-07): every request, of any principal, is answered
   * AccessDeniedException ({@link END_OF_SUPPORT_MESSAGE}) before it is authorized or validated.
   * Emulator decision: AWS documents neither the error nor its wording for a discontinued service; an
   * AccessDeniedException is what AWS answers an account that may no longer use a service.
   */
  endOfSupport = false;
  /**
   * Told each call that changes how workflows end (failRegistration, failDeployment, failDeletion, failCancellation,
   * setOutputs, clear): a journal records them, since a replayed deployment must end as the original did.
   */
  onChange?: (method: WorkflowFaultMethod, args: unknown[]) => void;

  private readonly injected = new Map<string, InjectedFailure[]>();
  private readonly registrationFailures = new Map<string, string>();
  private readonly deploymentFailures = new Map<string, WorkflowFailure>();
  private readonly deletionFailures = new Map<string, WorkflowFailure>();
  private readonly cancellationFailures = new Map<string, WorkflowFailure>();
  private readonly outputs = new Map<string, OutputEntry[]>();
  private state: number;

  constructor(seed: number) {
    // mulberry32 state: any 32-bit value
    this.state = Math.floor(seed) >>> 0; // eslint-disable-line no-bitwise
  }

  /** Every version of template `templateName` (either kind) whose registration completes from now on ends REGISTRATION_FAILED with `message`. */
  failRegistration(templateName: string, message: string): void {
    this.onChange?.('failRegistration', [templateName, message]);
    this.registrationFailures.set(templateName, message);
  }

  /**
   * The next `times` deployments (default: every one from now on) of the resource named `resourceName` that complete
   * end FAILED with `deploymentStatusMessage` `message`. Names: an environment's name; a service instance
   * `<service>/<instance>` (`serviceInstanceKey`); a service pipeline `<service>:pipeline` (`servicePipelineKey`); a
   * component's name (shared with an environment of the same name).
   */
  failDeployment(resourceName: string, message: string, times: number = Infinity): void {
    this.onChange?.('failDeployment', [resourceName, message, finite(times)]);
    this.deploymentFailures.set(resourceName, { message, remaining: times });
  }

  /**
   * The next `times` asynchronous deletes (default: every one) of `resourceName` that complete end DELETE_FAILED with
   * `message`: an environment, a service (its name), a service instance or pipeline, a component (the keys of
   * `failDeployment`).
   */
  failDeletion(resourceName: string, message: string, times: number = Infinity): void {
    this.onChange?.('failDeletion', [resourceName, message, finite(times)]);
    this.deletionFailures.set(resourceName, { message, remaining: times });
  }

  /**
   * The next `times` cancellations (default: every one) of a deployment of `resourceName` fail: the deployment
   * ends FAILED with `message` (Cancel…Deployment API reference: "If the cancellation attempt fails, the
   * resulting deployment state is FAILED").
   */
  failCancellation(resourceName: string, message: string, times: number = Infinity): void {
    this.onChange?.('failCancellation', [resourceName, message, finite(times)]);
    this.cancellationFailures.set(resourceName, { message, remaining: times });
  }

  /**
   * The outputs of the deployments of `resourceName` (named as for `failDeployment`) that succeed from now on,
   * instead of those read from the template bundle: a map of key to value, or a list as List…Outputs answers it.
   */
  setOutputs(resourceName: string, outputs: Readonly<Record<string, string>> | readonly OutputEntry[]): void {
    const list = Array.isArray(outputs)
      ? (outputs as readonly OutputEntry[]).map(o => ({ key: o.key, valueString: o.valueString }))
      : Object.entries(outputs).map(([key, valueString]) => ({ key, valueString }));
    this.onChange?.('setOutputs', [resourceName, list]);
    this.outputs.set(resourceName, list);
  }

  /** The next `times` requests of `operation` are answered with `errorType` (e.g. 'InternalServerException') and `message`, without being handled. */
  failNext(operation: string, errorType: string, message: string, times: number = 1): void {
    const queue = this.injected.get(operation) ?? [];
    queue.push({ errorType, message, remaining: times });
    this.injected.set(operation, queue);
  }

  /**
   * Removes every fault: endOfSupport, throttling, latency, outputsPageSize, pending failNext, failRegistration,
   * failDeployment, failDeletion, failCancellation and setOutputs.
   */
  clear(): void {
    this.onChange?.('clear', []);
    this.endOfSupport = false;
    this.throttleFraction = 0;
    this.latencyMs = 0;
    this.outputsPageSize = undefined;
    this.injected.clear();
    this.registrationFailures.clear();
    this.deploymentFailures.clear();
    this.deletionFailures.clear();
    this.cancellationFailures.clear();
    this.outputs.clear();
  }

  /** @internal the failure injected for this request of `operation`, consumed. */
  takeInjected(operation: string): { errorType: string; message: string } | undefined {
    const queue = this.injected.get(operation);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    next.remaining--;
    if (next.remaining <= 0) queue.shift();
    return { errorType: next.errorType, message: next.message };
  }

  /** @internal whether to throttle this request. */
  shouldThrottle(): boolean {
    return this.throttleFraction > 0 && this.random() < this.throttleFraction;
  }

  /** @internal */
  registrationFailure(templateName: string): string | undefined {
    return this.registrationFailures.get(templateName);
  }

  /** @internal the failure of this deployment of `resourceName`, consumed. */
  takeDeploymentFailure(resourceName: string): string | undefined {
    return take(this.deploymentFailures, resourceName);
  }

  /** @internal the failure of this deletion of `resourceName`, consumed. */
  takeDeletionFailure(resourceName: string): string | undefined {
    return take(this.deletionFailures, resourceName);
  }

  /** @internal the failure of this cancellation of a deployment of `resourceName`, consumed. */
  takeCancellationFailure(resourceName: string): string | undefined {
    return take(this.cancellationFailures, resourceName);
  }

  /** @internal the outputs set for `resourceName`, if any. */
  outputsOverride(resourceName: string): OutputEntry[] | undefined {
    return this.outputs.get(resourceName)?.map(o => ({ ...o }));
  }

  /** mulberry32: a small, fast, seedable PRNG giving [0, 1). */
  private random(): number {
    /* eslint-disable no-bitwise */
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    /* eslint-enable no-bitwise */
  }
}

function take(failures: Map<string, WorkflowFailure>, name: string): string | undefined {
  const failure = failures.get(name);
  if (!failure) return undefined;
  failure.remaining--;
  if (failure.remaining <= 0) failures.delete(name);
  return failure.message;
}

/** `times` as JSON keeps it: undefined for every time (JSON has no Infinity). */
function finite(times: number): number | undefined {
  return Number.isFinite(times) ? times : undefined;
}
