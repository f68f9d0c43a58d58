/**
 * CloudFormation template handling: intrinsic functions, conditions, dependencies and ordering.
 */

/** Thrown when the template is invalid as a whole (CloudFormation rejects it before doing anything). */
export class TemplateValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateValidationError';
  }
}

/** Thrown when a value cannot be resolved while deploying (fails the resource being resolved). */
export class ResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResolutionError';
  }
}

/** `Ref: AWS::NoValue`: removes the property or list element holding it. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, any>;
}

export interface Template {
  readonly Parameters?: Record<string, { Type: string; Default?: any }>;
  readonly Conditions?: Record<string, any>;
  readonly Mappings?: Record<string, Record<string, Record<string, any>>>;
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value: any; Condition?: string; Export?: { Name: any } }>;
  readonly Rules?: Record<string, any>;
}

/** Resource types that are never deployed. */
const IGNORED_TYPES = new Set(['AWS::CDK::Metadata']);

/** Everything the resolver needs from the outside world. */
export interface ResolverHooks {
  /** Pseudo parameters (AWS::Region, ...), without AWS::NoValue. */
  readonly pseudo: Record<string, any>;
  /** Parameter values. */
  readonly parameters: Record<string, any>;
  /** Fn::GetAZs. */
  readonly availabilityZones?: string[];
  /** Ref of a resource. */
  ref(logicalId: string): any;
  /** Fn::GetAtt of a resource. */
  getAtt(logicalId: string, attribute: string): any;
  /** Fn::ImportValue. */
  importValue?(exportName: string): any;
}

const INTRINSIC_KEYS = new Set([
  'Ref', 'Condition', 'Fn::GetAtt', 'Fn::Join', 'Fn::Sub', 'Fn::Select', 'Fn::Split', 'Fn::If', 'Fn::Equals', 'Fn::Not',
  'Fn::And', 'Fn::Or', 'Fn::FindInMap', 'Fn::Base64', 'Fn::GetAZs', 'Fn::ImportValue', 'Fn::ToJsonString', 'Fn::Length',
  'Fn::Cidr', 'Fn::Transform', 'Fn::Contains', 'Fn::EachMemberEquals', 'Fn::EachMemberIn', 'Fn::RefAll', 'Fn::ValueOf', 'Fn::ValueOfAll',
]);

function isIntrinsic(value: any): value is Record<string, any> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSIC_KEYS.has(keys[0]);
}

/** Split `${...}` placeholders of an Fn::Sub string. `${!Literal}` stands for `${Literal}`. */
export function parseSub(template: string): Array<{ literal: string } | { variable: string }> {
  const parts: Array<{ literal: string } | { variable: string }> = [];
  let rest = template;
  let literal = '';
  while (rest.length > 0) {
    const start = rest.indexOf('${');
    if (start < 0) {
      literal += rest;
      break;
    }
    literal += rest.slice(0, start);
    const end = rest.indexOf('}', start);
    if (end < 0) {
      literal += rest.slice(start);
      break;
    }
    const inner = rest.slice(start + 2, end);
    if (inner.startsWith('!')) {
      literal += '${' + inner.slice(1) + '}';
    } else {
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ variable: inner.trim() });
    }
    rest = rest.slice(end + 1);
  }
  if (literal) parts.push({ literal });
  return parts;
}

function splitGetAtt(args: any): [any, any] {
  if (typeof args === 'string') {
    const dot = args.indexOf('.');
    if (dot < 0) throw new TemplateValidationError(`Template error: invalid Fn::GetAtt "${args}"`);
    return [args.slice(0, dot), args.slice(dot + 1)];
  }
  if (!Array.isArray(args) || args.length !== 2) {
    throw new TemplateValidationError(`Template error: invalid Fn::GetAtt ${JSON.stringify(args)}`);
  }
  return [args[0], args[1]];
}

function asString(value: any, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ResolutionError(`Template error: ${where} expects a string, got ${JSON.stringify(value)}`);
}

/**
 * Resolves intrinsic functions against live values. Conditions are evaluated lazily and cached.
 */
export class IntrinsicResolver {
  private readonly conditionCache = new Map<string, boolean>();

  constructor(private readonly template: Template, private readonly hooks: ResolverHooks) {}

  /** Evaluate a named condition of the template. */
  public condition(name: string): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new TemplateValidationError(`Template error: unresolved condition dependency ${name}`);
    const value = this.resolve(definition);
    if (typeof value !== 'boolean') throw new TemplateValidationError(`Template error: condition ${name} is not a boolean`);
    this.conditionCache.set(name, value);
    return value;
  }

  /** Resolve a value; `AWS::NoValue` inside objects and lists is removed, at the top it returns NO_VALUE. */
  public resolve(value: any): any {
    if (Array.isArray(value)) {
      return value.map(v => this.resolve(v)).filter(v => v !== NO_VALUE);
    }
    if (isIntrinsic(value)) {
      const key = Object.keys(value)[0];
      return this.intrinsic(key, value[key]);
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, any> = {};
      for (const [k, v] of Object.entries(value)) {
        const r = this.resolve(v);
        if (r !== NO_VALUE) out[k] = r;
      }
      return out;
    }
    return value;
  }

  private intrinsic(name: string, args: any): any {
    switch (name) {
      case 'Ref': return this.ref(this.resolve(args));
      case 'Condition': return this.condition(asString(args, 'Condition'));
      case 'Fn::GetAtt': {
        const [lid, attr] = splitGetAtt(args);
        return this.hooks.getAtt(asString(this.resolve(lid), 'Fn::GetAtt'), asString(this.resolve(attr), 'Fn::GetAtt'));
      }
      case 'Fn::Join': {
        if (!Array.isArray(args) || args.length !== 2) throw new TemplateValidationError('Template error: Fn::Join requires [delimiter, list]');
        const delimiter = asString(this.resolve(args[0]), 'Fn::Join');
        const list = this.resolve(args[1]);
        if (!Array.isArray(list)) throw new ResolutionError('Template error: Fn::Join expects a list');
        return list.map(v => asString(v, 'Fn::Join')).join(delimiter);
      }
      case 'Fn::Sub': return this.sub(args);
      case 'Fn::Select': {
        if (!Array.isArray(args) || args.length !== 2) throw new TemplateValidationError('Template error: Fn::Select requires [index, list]');
        const index = Number(this.resolve(args[0]));
        const list = this.resolve(args[1]);
        if (!Array.isArray(list)) throw new ResolutionError('Template error: Fn::Select expects a list');
        if (!Number.isInteger(index) || index < 0 || index >= list.length) {
          throw new ResolutionError(`Template error: Fn::Select cannot select nonexistent value at index ${args[0]}`);
        }
        return list[index];
      }
      case 'Fn::Split': {
        if (!Array.isArray(args) || args.length !== 2) throw new TemplateValidationError('Template error: Fn::Split requires [delimiter, string]');
        return asString(this.resolve(args[1]), 'Fn::Split').split(asString(this.resolve(args[0]), 'Fn::Split'));
      }
      case 'Fn::If': {
        if (!Array.isArray(args) || args.length !== 3) throw new TemplateValidationError('Template error: Fn::If requires [condition, then, else]');
        return this.condition(asString(args[0], 'Fn::If')) ? this.resolve(args[1]) : this.resolve(args[2]);
      }
      case 'Fn::Equals': {
        if (!Array.isArray(args) || args.length !== 2) throw new TemplateValidationError('Template error: Fn::Equals requires two values');
        return stableStringify(this.resolve(args[0])) === stableStringify(this.resolve(args[1]));
      }
      case 'Fn::Not': return !this.bool(Array.isArray(args) ? args[0] : args);
      case 'Fn::And': return (args as any[]).every(a => this.bool(a));
      case 'Fn::Or': return (args as any[]).some(a => this.bool(a));
      case 'Fn::FindInMap': {
        const [map, k1, k2] = (args as any[]).map(a => this.resolve(a));
        const value = this.template.Mappings?.[map]?.[k1]?.[k2];
        if (value === undefined) throw new ResolutionError(`Template error: Unable to get mapping for ${map}::${k1}::${k2}`);
        return value;
      }
      case 'Fn::Base64': return Buffer.from(asString(this.resolve(args), 'Fn::Base64'), 'utf8').toString('base64');
      case 'Fn::GetAZs': {
        const region = this.resolve(args) || this.hooks.pseudo['AWS::Region'];
        return this.hooks.availabilityZones ?? ['a', 'b', 'c'].map(s => `${region}${s}`);
      }
      case 'Fn::ImportValue': {
        const exportName = asString(this.resolve(args), 'Fn::ImportValue');
        if (!this.hooks.importValue) throw new ResolutionError(`No export named ${exportName} found.`);
        return this.hooks.importValue(exportName);
      }
      case 'Fn::ToJsonString': return JSON.stringify(this.resolve(args));
      case 'Fn::Length': {
        const list = this.resolve(args);
        if (!Array.isArray(list)) throw new ResolutionError('Template error: Fn::Length expects a list');
        return list.length;
      }
      default:
        throw new ResolutionError(`local-cfn does not support the intrinsic function ${name}`);
    }
  }

  private bool(value: any): boolean {
    const r = this.resolve(value);
    if (typeof r !== 'boolean') throw new TemplateValidationError(`Template error: expected a condition, got ${JSON.stringify(value)}`);
    return r;
  }

  private ref(target: any): any {
    const name = asString(target, 'Ref');
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name.startsWith('AWS::')) {
      if (!(name in this.hooks.pseudo)) throw new TemplateValidationError(`Template error: unknown pseudo parameter ${name}`);
      return this.hooks.pseudo[name];
    }
    if (this.template.Parameters && name in this.template.Parameters) return this.hooks.parameters[name];
    return this.hooks.ref(name);
  }

  private sub(args: any): string {
    let template: string;
    let variables: Record<string, any> = {};
    if (typeof args === 'string') {
      template = args;
    } else if (Array.isArray(args) && args.length === 2) {
      template = asString(args[0], 'Fn::Sub');
      variables = this.resolve(args[1]) ?? {};
    } else {
      throw new TemplateValidationError('Template error: Fn::Sub requires a string or [string, variables]');
    }
    return parseSub(template).map(part => {
      if ('literal' in part) return part.literal;
      const v = part.variable;
      if (v in variables) return asString(variables[v], `Fn::Sub variable ${v}`);
      const dot = v.indexOf('.');
      if (dot > 0 && !v.startsWith('AWS::')) {
        return asString(this.hooks.getAtt(v.slice(0, dot), v.slice(dot + 1)), `Fn::Sub \${${v}}`);
      }
      return asString(this.ref(v), `Fn::Sub \${${v}}`);
    }).join('');
  }
}

/** A reference from one place of a template to a resource. */
export interface ResourceReference {
  readonly logicalId: string;
  /** undefined for Ref. */
  readonly attribute?: string;
}

/** All Ref / Fn::GetAtt / Fn::Sub references to resource-like names (no pseudo parameters) in a value. */
export function findReferences(value: any, out: ResourceReference[] = []): ResourceReference[] {
  if (Array.isArray(value)) {
    value.forEach(v => findReferences(v, out));
  } else if (value !== null && typeof value === 'object') {
    if (isIntrinsic(value)) {
      const key = Object.keys(value)[0];
      const args = value[key];
      if (key === 'Ref' && typeof args === 'string') {
        if (!args.startsWith('AWS::')) out.push({ logicalId: args });
        return out;
      }
      if (key === 'Fn::GetAtt') {
        const [lid, attr] = splitGetAtt(args);
        if (typeof lid === 'string') out.push({ logicalId: lid, attribute: typeof attr === 'string' ? attr : undefined });
        findReferences(attr, out);
        return out;
      }
      if (key === 'Fn::Sub') {
        const template = typeof args === 'string' ? args : Array.isArray(args) ? args[0] : undefined;
        const variables = Array.isArray(args) && args[1] && typeof args[1] === 'object' ? args[1] : {};
        if (typeof template === 'string') {
          for (const part of parseSub(template)) {
            if (!('variable' in part) || part.variable in variables || part.variable.startsWith('AWS::')) continue;
            const dot = part.variable.indexOf('.');
            out.push(dot > 0
              ? { logicalId: part.variable.slice(0, dot), attribute: part.variable.slice(dot + 1) }
              : { logicalId: part.variable });
          }
        }
        findReferences(variables, out);
        return out;
      }
    }
    Object.values(value).forEach(v => findReferences(v, out));
  }
  return out;
}

/** Custom resources: `AWS::CloudFormation::CustomResource` and `Custom::*`. */
export function isCustomResourceType(type: string): boolean {
  return type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::');
}

/** A template prepared for deployment: active resources, their dependencies, a creation order. */
export class TemplateModel {
  /** Active resources (Condition true, not ignored). */
  public readonly resources: Record<string, TemplateResource>;
  /** Direct dependencies of each active resource (references and DependsOn). */
  public readonly dependencies: Record<string, string[]>;
  /** Creation order: every resource after the resources it depends on (template order otherwise). */
  public readonly order: string[];
  public readonly resolver: IntrinsicResolver;

  constructor(public readonly template: Template, hooks: ResolverHooks) {
    this.resolver = new IntrinsicResolver(template, hooks);
    const all = template.Resources ?? {};
    const parameters = new Set(Object.keys(template.Parameters ?? {}));

    this.resources = {};
    for (const [lid, res] of Object.entries(all)) {
      if (!res || typeof res.Type !== 'string') throw new TemplateValidationError(`Template format error: resource ${lid} has no Type`);
      if (IGNORED_TYPES.has(res.Type)) continue;
      if (res.Condition !== undefined && !this.resolver.condition(res.Condition)) continue;
      this.resources[lid] = res;
    }

    const unresolved = new Set<string>();
    this.dependencies = {};
    for (const [lid, res] of Object.entries(this.resources)) {
      assertNoNulls(res.Properties, `/Resources/${lid}/Properties`);
      if (isCustomResourceType(res.Type) && res.Type.length > 60) {
        throw new TemplateValidationError(`Template format error: resource type ${res.Type} of ${lid} is longer than 60 characters`);
      }
      const deps = new Set<string>();
      for (const ref of findReferences(res.Properties ?? {})) {
        if (parameters.has(ref.logicalId)) continue;
        if (!(ref.logicalId in all)) unresolved.add(ref.logicalId);
        else if (ref.logicalId in this.resources) deps.add(ref.logicalId);
      }
      const dependsOn = res.DependsOn === undefined ? [] : Array.isArray(res.DependsOn) ? res.DependsOn : [res.DependsOn];
      for (const d of dependsOn) {
        if (!(d in all)) unresolved.add(d);
        else if (d in this.resources) deps.add(d);
      }
      deps.delete(lid);
      this.dependencies[lid] = [...deps];
    }
    for (const output of Object.values(template.Outputs ?? {})) {
      for (const ref of findReferences(output)) {
        if (!parameters.has(ref.logicalId) && !(ref.logicalId in all)) unresolved.add(ref.logicalId);
      }
    }
    if (unresolved.size > 0) {
      throw new TemplateValidationError(`Template format error: Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`);
    }
    this.order = topologicalOrder(Object.keys(this.resources), this.dependencies);
  }

  /** The attributes of `logicalId` used with Fn::GetAtt / Fn::Sub anywhere in the active template. */
  public attributesReferenced(logicalId: string): string[] {
    const attrs = new Set<string>();
    const scan = (value: any) => {
      for (const ref of findReferences(value)) {
        if (ref.logicalId === logicalId && ref.attribute !== undefined) attrs.add(ref.attribute);
      }
    };
    Object.values(this.resources).forEach(r => scan(r.Properties ?? {}));
    for (const output of Object.values(this.template.Outputs ?? {})) {
      if (output.Condition === undefined || this.resolver.condition(output.Condition)) scan(output);
    }
    return [...attrs];
  }
}

/** Kahn's algorithm, stable with respect to `ids` order. */
export function topologicalOrder(ids: string[], dependencies: Record<string, string[]>): string[] {
  const remaining = new Set(ids);
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = ids.find(id => remaining.has(id) && (dependencies[id] ?? []).every(d => !remaining.has(d)));
    if (ready === undefined) {
      throw new TemplateValidationError(`Circular dependency between resources: [${[...remaining].join(', ')}]`);
    }
    order.push(ready);
    remaining.delete(ready);
  }
  return order;
}

function assertNoNulls(value: any, where: string): void {
  if (value === null) throw new TemplateValidationError(`Template format error: [${where}] 'null' values are not allowed in templates`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoNulls(v, `${where}/${i}`));
  } else if (typeof value === 'object' && value !== undefined) {
    for (const [k, v] of Object.entries(value)) assertNoNulls(v, `${where}/${k}`);
  }
}

/** What CloudFormation does to custom resource properties: every scalar becomes a string. */
export function stringifyScalars(value: any): any {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = stringifyScalars(v);
    return out;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}

/** JSON with sorted object keys, for comparisons. */
export function stableStringify(value: any): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function deepEqual(a: any, b: any): boolean {
  return stableStringify(a) === stableStringify(b);
}
