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
