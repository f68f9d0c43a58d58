import type { Output } from '@aws-sdk/client-proton';
import { NamedResourceAttribute, outputAttribute } from '../contract';
import { ProtonResourceError } from './errors';

/** The response data of a resource known by its name: its ARN (its name is the physical id). */
export function namedResourceData(resource: { readonly arn?: string }): Record<string, string> {
  return { [NamedResourceAttribute.ARN]: resource.arn! };
}

/** Data beyond this many bytes would not leave room in CloudFormation's 4096-byte response. */
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

/**
 * The values of the outputs `keys` of `owner` (e.g. "environment beta"), read from Proton's pages of its outputs
 * (a paginator: read only when there are keys); fails naming the missing keys and the outputs there are.
 */
export async function outputValues(pages: AsyncIterable<{ outputs?: Output[] }>, keys: readonly string[],
  owner: string): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  if (keys.length === 0) return outputs;
  for await (const page of pages) {
    for (const output of page.outputs ?? []) outputs.set(output.key!, output.valueString ?? '');
  }
  const missing = keys.filter((key) => !outputs.has(key));
  if (missing.length > 0) {
    throw new ProtonResourceError(`${owner} has no output ${missing.join(', ')}: `
      + `its outputs are ${[...outputs.keys()].sort().join(', ') || 'none'}`);
  }
  return new Map(keys.map((key) => [key, outputs.get(key)!]));
}

/** The response data of a resource with outputs: `data` plus the referenced outputs as `Outputs.<key>`, if they fit. */
export async function withOutputs(data: Record<string, string>, pages: AsyncIterable<{ outputs?: Output[] }>,
  keys: readonly string[], owner: string): Promise<Record<string, string>> {
  for (const [key, value] of await outputValues(pages, keys, owner)) data[outputAttribute(key)] = value;
  return fittingData(data, owner, keys);
}
