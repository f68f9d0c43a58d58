import { isDeepStrictEqual } from 'util';
import { TagResourceCommand } from '@aws-sdk/client-proton';
import * as YAML from 'js-yaml';
import { ProtonResourceError } from './errors';
import { ownerTag } from './ownership';
import { booleanProperty, Delivered } from './properties';
import { requestTag } from './takeover';
import type { HandlerContext, OnEventRequest } from './types';
import { AdoptableProperties } from '../contract';

/**
 * Adoption: a Create that finds the resource in Proton already (made in the console or the CLI) takes it over
 * instead of creating it, when the stack asks (`adopt: true`) and Proton's resource is what the stack declares.
 * It deploys nothing: it tags the resource as the stack's. While `Adopt` stays set, a Delete keeps the resource
 * (the rollback of the adopting deployment must not delete what the stack did not make: withRemovalPolicy).
 */
export function adopts(props: Delivered<AdoptableProperties>): boolean {
  return booleanProperty<AdoptableProperties>(props, 'Adopt', false);
}

/** One way Proton's resource differs from the stack's: what, Proton's value, the stack's. */
export type Difference = readonly [what: string, proton: unknown, stack: unknown];

/** The differences that stand: those whose values are not equal (specs compared as the documents they hold). */
export function differing(pairs: Difference[]): Difference[] {
  return pairs.filter(([what, proton, stack]) => (/spec\b/.test(what) ? !sameSpec(proton as string, stack as string) : proton !== stack));
}

/** Two spec documents that hold the same inputs, however they are written. */
export function sameSpec(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  try {
    return isDeepStrictEqual(YAML.load(a), YAML.load(b));
  } catch {
    return false;
  }
}

/** Where two spec documents differ, as paths (`spec.vpc_cidr`); values are not shown, a spec may hold secrets. */
function specPaths(a: unknown, b: unknown, at: string): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(a) || !isMap(b)) return [at || 'the document'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) => specPaths(a[key], b[key], at ? `${at}.${key}` : key));
}

function describeDifference([what, proton, stack]: Difference): string {
  if (!/spec\b/.test(what)) return `${what}: Proton has ${JSON.stringify(proton) ?? 'none'}, the stack declares ${JSON.stringify(stack) ?? 'none'}`;
  let paths: string[];
  try {
    paths = specPaths(YAML.load(String(proton ?? '')), YAML.load(String(stack ?? '')), '');
  } catch {
    paths = ['the document'];
  }
  return `${what}: the inputs differ at ${paths.join(', ')} (values not shown)`;
}

/** Takes over the Proton resource `arn` for the stack, or fails naming how it differs from what the stack declares. */
export async function adopt(what: string, arn: string, differences: Difference[], tags: ReadonlyArray<{ key: string; value: string }>,
  event: OnEventRequest, context: HandlerContext): Promise<void> {
  const standing = differing(differences);
  if (standing.length > 0) {
    throw new ProtonResourceError(`${what} exists in Proton and differs from what the stack declares, so it is not adopted:\n`
      + standing.map((d) => `  - ${describeDifference(d)}`).join('\n')
      + '\ndeclare what Proton runs (npx cdk-proton import writes it), deploy to adopt it, then change it');
  }
  await context.proton.send(new TagResourceCommand({ resourceArn: arn, tags: [...tags, ownerTag(event), requestTag(event)] }));
}
