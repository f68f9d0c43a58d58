import { validationError } from './errors';

/** How long Proton remembers a client token, and (in this emulator) a successful delete. */
export const IDEMPOTENCY_WINDOW_MS = 8 * 60 * 60 * 1000;

/**
 * A fingerprint of request parameters: canonical JSON (object keys sorted) of `input` without the members
 * named in `ignore` (the client token itself).
 */
export function fingerprint(input: Record<string, unknown>, ignore: readonly string[] = []): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value).sort().map(k => [k, canonical((value as Record<string, unknown>)[k])]));
    }
    return value;
  };
  const rest = Object.fromEntries(Object.entries(input).filter(([k, v]) => !ignore.includes(k) && v !== undefined && v !== null));
  return JSON.stringify(canonical(rest));
}

interface TokenEntry {
  readonly params: string;
  readonly resourceArn: string;
  readonly at: number;
}

/**
 * Client tokens of the "idempotent create APIs with a client token" (API reference, Ensuring Idempotency):
 * the same token with the same parameters gives back the original resource and creates nothing; the same
 * token with different parameters is a ValidationException (IdempotentParameterMismatch). A token is
 * forgotten after 8 hours or when its resource is deleted.
 */
export class ClientTokenStore {
  private readonly entries = new Map<string, TokenEntry>();

  constructor(private readonly now: () => number = Date.now, private readonly windowMs = IDEMPOTENCY_WINDOW_MS) {}

  /**
   * The ARN of the resource an earlier request with this token created, if the token is known and the
   * parameters are the same; throws IdempotentParameterMismatch if they differ.
   */
  lookup(operation: string, token: string | undefined, params: string): string | undefined {
    if (!token) return undefined;
    const key = `${operation}\u0000${token}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at >= this.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    if (entry.params !== params) {
      throw validationError(`IdempotentParameterMismatch: the client token '${token}' was already used for ${operation} with different parameters. `
        + 'Use a new client token, or repeat the original request unchanged.');
    }
    return entry.resourceArn;
  }

  remember(operation: string, token: string | undefined, params: string, resourceArn: string): void {
    if (!token) return;
    this.entries.set(`${operation}\u0000${token}`, { params, resourceArn, at: this.now() });
  }

  /** Forgets every token that created `resourceArn` (it was deleted). */
  forgetResource(resourceArn: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.resourceArn === resourceArn) this.entries.delete(key);
    }
  }
}

/**
 * Proton's synchronous deletes are idempotent: a retry of a delete that succeeded answers an empty
 * response instead of ResourceNotFoundException. This remembers what was deleted, for the same window as
 * client tokens (the API reference gives no window for deletes: an emulator choice), until it is created again.
 */
export class DeletionMemory {
  private readonly deleted = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now, private readonly windowMs = IDEMPOTENCY_WINDOW_MS) {}

  remember(id: string): void {
    this.deleted.set(id, this.now());
  }

  forget(id: string): void {
    this.deleted.delete(id);
  }

  wasDeleted(id: string): boolean {
    const at = this.deleted.get(id);
    return at !== undefined && this.now() - at < this.windowMs;
  }
}
