interface InjectedFailure {
  readonly errorType: string;
  readonly message: string;
  remaining: number;
}

/**
 * Fault injection. Random decisions (throttling) come from a PRNG seeded by `ProtonEmulatorOptions.seed`,
 * so a run with the same seed and the same requests fails the same requests.
 */
export class Faults {
  /** Fraction (0..1) of requests answered with ThrottlingException before they are handled. */
  throttleFraction = 0;
  /** Delay (ms) added before every request is handled. */
  latencyMs = 0;

  private readonly injected = new Map<string, InjectedFailure[]>();
  private readonly registrationFailures = new Map<string, string>();
  private state: number;

  constructor(seed: number) {
    // mulberry32 state: any 32-bit value
    this.state = Math.floor(seed) >>> 0; // eslint-disable-line no-bitwise
  }

  /** Every version of template `templateName` (either kind) whose registration completes from now on ends REGISTRATION_FAILED with `message`. */
  failRegistration(templateName: string, message: string): void {
    this.registrationFailures.set(templateName, message);
  }

  /** The next `times` requests of `operation` are answered with `errorType` (e.g. 'InternalServerException') and `message`, without being handled. */
  failNext(operation: string, errorType: string, message: string, times: number = 1): void {
    const queue = this.injected.get(operation) ?? [];
    queue.push({ errorType, message, remaining: times });
    this.injected.set(operation, queue);
  }

  /** Removes every fault: throttling, latency, pending failNext and failRegistration. */
  clear(): void {
    this.throttleFraction = 0;
    this.latencyMs = 0;
    this.injected.clear();
    this.registrationFailures.clear();
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
