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

/** What ended: a template version's registration, a deployment, an asynchronous delete, a cancellation, a service's workflow. */
export type TransitionKind = 'registration' | 'deployment' | 'deletion' | 'cancellation' | 'service';

/** The moment an asynchronous state of a resource ended (the emulator's own clock, not a request). */
export interface TransitionLogEntry {
  readonly kind: TransitionKind;
  /**
   * The resource, by the key its faults go by: `<template>:<major>.<minor>` for a template version, an environment's
   * or a component's name, `<service>/<instance>`, `<service>:pipeline`, a service's name (its delete and its workflow).
   */
  readonly resource: string;
  /**
   * The state it ended in: DRAFT or REGISTRATION_FAILED; SUCCEEDED, FAILED or CANCELLED; DELETED or DELETE_FAILED;
   * the service's status once its workflow ended (ACTIVE, CREATE_FAILED, UPDATE_FAILED, UPDATE_COMPLETE_CLEANUP_FAILED).
   */
  readonly outcome: string;
  readonly at: Date;
}

/** Every terminal state the emulator's asynchronous work reached, in the order reached (emulator decision: Proton keeps no such log). */
export class TransitionLog {
  private readonly items: TransitionLogEntry[] = [];

  get entries(): readonly TransitionLogEntry[] {
    return this.items;
  }

  /** The entries of `kind`, optionally only those of `resource`. */
  of(kind: TransitionKind, resource?: string): TransitionLogEntry[] {
    return this.items.filter(e => e.kind === kind && (resource === undefined || e.resource === resource));
  }

  clear(): void {
    this.items.length = 0;
  }

  /** @internal */
  add(entry: TransitionLogEntry): void {
    this.items.push(entry);
  }
}
