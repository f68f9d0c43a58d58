import { ProtonResourceError } from './errors';

/** Data beyond this many bytes would not leave room in CloudFormation's 4096-byte response (as for environments). */
export const MAX_DATA_BYTES = 3000;

/** `data`, or a failure naming `what` and the outputs the app references when they do not fit in the response. */
export function fittingData(data: Record<string, string>, what: string, outputs: readonly string[]): Record<string, string> {
  const size = Buffer.byteLength(JSON.stringify(data), 'utf8');
  if (size > MAX_DATA_BYTES) {
    throw new ProtonResourceError(`the outputs of ${what} the app references take ${size} bytes, `
      + `more than fit in CloudFormation's 4096-byte response: reference fewer outputs (${outputs.join(', ')})`);
  }
  return data;
}
