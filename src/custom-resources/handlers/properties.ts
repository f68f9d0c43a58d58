import { OwnedProperties, RemovableProperties, RemovalMode, RemovalModeName } from '../contract';

/**
 * CloudFormation sends every scalar as a string: these parse them back, strictly. Each reader takes the
 * properties as one of the contract's interfaces (`P`) and a name of it, so a property renamed in the
 * contract fails to compile here as it does in the construct that writes it.
 */

/** Properties as CloudFormation delivers them: the contract's names, values of any shape until read. */
export type Delivered<P> = { readonly [K in keyof P]?: unknown };

/** A property name of the contract's `P`; none for untyped properties (a string index), so every read names its interface. */
type NameOf<P> = string extends keyof P ? never : keyof P & string;
type ElementOf<T> = T extends ReadonlyArray<infer E> ? E : never;

export function requiredString<P>(props: Delivered<P>, name: NameOf<P>): string {
  const value = props[name];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`property ${name} is required (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function optionalString<P>(props: Delivered<P>, name: NameOf<P>): string | undefined {
  const value = props[name];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new Error(`property ${name} must be a string (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function booleanProperty<P>(props: Delivered<P>, name: NameOf<P>, defaultValue: boolean): boolean {
  const value = props[name];
  if (value === undefined || value === '') return defaultValue;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  throw new Error(`property ${name} must be "true" or "false" (got ${JSON.stringify(value)})`);
}

/** A required property that is one of an SDK enum's values (`values`: e.g. `Object.values(TemplateType)`). */
export function enumProperty<P, E extends string>(props: Delivered<P>, name: NameOf<P>, values: readonly E[]): E {
  const value = requiredString(props, name);
  if (!(values as readonly string[]).includes(value)) {
    throw new Error(`property ${name} must be one of ${values.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as E;
}

/** `RemovalPolicy`: absent is delete. */
export function removalMode<P extends RemovableProperties>(props: Delivered<P>): RemovalModeName {
  const value = optionalString<RemovableProperties>(props, 'RemovalPolicy') ?? RemovalMode.DELETE;
  if (value !== RemovalMode.DELETE && value !== RemovalMode.RETAIN) {
    throw new Error(`property RemovalPolicy must be "${RemovalMode.DELETE}" or "${RemovalMode.RETAIN}" (got "${value}")`);
  }
  return value;
}

/** Whether the resource's removal policy keeps it in Proton when CloudFormation deletes it. */
export function retains<P extends RemovableProperties>(props: Delivered<P>): boolean {
  return removalMode(props) === RemovalMode.RETAIN;
}

/** A list of strings; absent is empty. */
export function stringList<P>(props: Delivered<P>, name: NameOf<P>): string[] {
  const value = props[name];
  return Array.isArray(value) ? value.map(String) : [];
}

/** A list of objects of the contract's shape (each read with the readers above); absent is empty. */
export function objectList<P, K extends NameOf<P>>(props: Delivered<P>, name: K): Array<Delivered<ElementOf<NonNullable<P[K]>>>> {
  const value = props[name];
  return Array.isArray(value) ? value : [];
}

/** An object of the contract's shape (read with the readers above), or undefined. */
export function optionalObject<P, K extends NameOf<P>>(props: Delivered<P>, name: K): Delivered<NonNullable<P[K]>> | undefined {
  const value = props[name];
  return value && typeof value === 'object' ? value as Delivered<NonNullable<P[K]>> : undefined;
}

export function tagList<P>(props: Delivered<P>, name: NameOf<P>): Array<{ key: string; value: string }> {
  const value = props[name];
  if (value === undefined || value === '') return [];
  if (!Array.isArray(value)) {
    throw new Error(`property ${name} must be a list of { key, value } (got ${JSON.stringify(value)})`);
  }
  return value.map((tag) => ({ key: String(tag.key), value: String(tag.value ?? '') }));
}

/** A list of an SDK enum's values (`values`: e.g. `Object.values(TemplateType)`); absent is empty. */
export function enumList<P, E extends string>(props: Delivered<P>, name: NameOf<P>, values: readonly E[]): E[] {
  const list = stringList(props, name);
  const unknown = list.filter((value) => !(values as readonly string[]).includes(value));
  if (unknown.length > 0) {
    throw new Error(`property ${name} must list values of ${values.join(', ')} (got ${JSON.stringify(unknown)})`);
  }
  return list as E[];
}

/** What the stack declares of every Proton resource besides what it is: its tags and whether Proton keeps it on delete. */
export interface Owned {
  readonly tags: Array<{ key: string; value: string }>;
  readonly retain: boolean;
}

export function owned<P extends OwnedProperties>(props: Delivered<P>): Owned {
  const owning = props as Delivered<OwnedProperties>;
  return { tags: tagList(owning, 'Tags'), retain: retains(owning) };
}
