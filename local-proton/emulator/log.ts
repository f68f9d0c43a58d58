import type { AuthorizationRecord } from './iam/authorizer';

/** One request the emulator received. */
export interface RequestLogEntry {
  /** The operation named by `X-Amz-Target`, e.g. `CreateEnvironmentTemplateVersion`. */
  readonly operation: string;
  /** The request body as parsed JSON. */
  readonly input: Record<string, unknown>;
  /** HTTP status of the answer (0 while the request is still being handled). */
  status: number;
  /** `__type` of the error answered, if any. */
  error?: string;
  /** The message of the error answered, if any. */
  errorMessage?: string;
  /** The principal that signed the request (once authenticated). */
  principal?: string;
  /** The IAM checks made for the request, up to the first one denied. */
  authorization?: AuthorizationRecord[];
  /** When the request arrived. */
  readonly at: Date;
}

/** Every request the emulator received, in arrival order (including throttled and failed ones). */
export class RequestLog {
  private readonly items: RequestLogEntry[] = [];

  get entries(): readonly RequestLogEntry[] {
    return this.items;
  }

  /** How many requests of `operation` arrived (whatever their outcome), optionally only those whose input passes `filter`. */
  count(operation: string, filter?: (input: Record<string, unknown>) => boolean): number {
    return this.ofOperation(operation).filter(e => !filter || filter(e.input)).length;
  }

  ofOperation(operation: string): RequestLogEntry[] {
    return this.items.filter(e => e.operation === operation);
  }

  clear(): void {
    this.items.length = 0;
  }

  /** @internal */
  add(entry: RequestLogEntry): void {
    this.items.push(entry);
  }
}
