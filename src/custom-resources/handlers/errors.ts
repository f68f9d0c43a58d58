/**
 * The framework reports a handler's error message (plus its own stack lines) as the
 * CloudFormation reason, and the whole response must stay under 4096 bytes: our part
 * gets at most this many bytes.
 */
export const MAX_REASON_BYTES = 2000;

/** An error whose message is already a CloudFormation failure reason. */
export class ProtonResourceError extends Error {
  constructor(message: string) {
    super(truncateUtf8(message, MAX_REASON_BYTES));
    this.name = 'ProtonResourceError';
  }
}

/**
 * Cuts a string to at most `maxBytes` of UTF-8 as it is sent: inside the JSON of the response, where a quote, a
 * backslash or a control character takes two bytes or more. Marks the cut, never splits a character.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (jsonBytes(text) <= maxBytes) {
    return text;
  }
  const marker = ' [truncated]';
  let out = '';
  let used = Buffer.byteLength(marker, 'utf8');
  for (const ch of text) {
    const size = jsonBytes(ch);
    if (used + size > maxBytes) break;
    out += ch;
    used += size;
  }
  return out + marker;
}

/** The UTF-8 bytes of `text` inside a JSON string. */
function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

export function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

export function isNotFound(error: unknown): boolean {
  return errorName(error) === 'ResourceNotFoundException';
}

export function isConflict(error: unknown): boolean {
  return errorName(error) === 'ConflictException';
}

/** The answer of a Get call, or undefined when Proton does not know the resource (any other error is thrown). */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Node's codes for a connection that failed or broke before an answer came. */
const CONNECTION_ERROR_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE'];
const CONNECTION_ERROR = new RegExp(`\\b(${CONNECTION_ERROR_CODES.join('|')})\\b|socket hang up`);

/**
 * Whether the call never got an answer: the connection failed (no HTTP status). The SDK may wrap Node's error
 * ("AWS SDK error wrapper for Error: connect ECONNREFUSED …"), so its code is looked for in the message too.
 */
export function isConnectionError(error: unknown, depth = 0): boolean {
  const e = error as { code?: string; message?: string; cause?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!e || e.$metadata?.httpStatusCode !== undefined) return false;
  if (CONNECTION_ERROR_CODES.includes(e.code ?? '') || CONNECTION_ERROR.test(e.message ?? '')) return true;
  return depth < 5 && e.cause !== undefined && isConnectionError(e.cause, depth + 1);
}

/**
 * Whether Proton does not answer as a service: unreachable, or refusing access (what an account gets from a
 * service it can no longer use, e.g. after Proton's end of support on 2026-10-07; also a missing permission).
 */
export function isProtonUnavailable(error: unknown): boolean {
  return isConnectionError(error) || errorName(error) === 'AccessDeniedException';
}

/** The error, short, for a reason: its name and Proton's (or Node's) message, truncated. */
export function describeError(error: unknown): string {
  const name = errorName(error) ?? 'Error';
  const message = (error as { message?: string } | undefined)?.message ?? String(error);
  return truncateUtf8(`${name}: ${message}`, 600);
}
