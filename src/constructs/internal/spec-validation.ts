import * as fs from 'fs';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { load as loadYaml } from 'js-yaml';
// Types only: this module must load without aws-cdk-lib, so that the Proton emulator's tests can share its rules.
import type { Spec } from '../specs';

/*
 * Spec inputs checked against a template's schema (`schema/schema.yaml`): the input type the schema names,
 * an OpenAPI 3.0 schema object, converted to JSON Schema (draft-07) and checked with ajv. The first half of
 * this module is pure (no aws-cdk-lib: the Proton emulator in local-proton/emulator/ checks specs with it too); the
 * second half turns its problems into the synth-time messages of Environment, Service and ServiceInstance.
 */

/** The placeholder that keeps an input's current value on update: accepted as any value. */
export const CURRENT_VAL = '${Proton::CURRENT_VAL}';

/** The keys of a schema that name an input type. */
export type InputTypeKey = 'environment_input_type' | 'service_input_type' | 'pipeline_input_type';

/** The `schema:` document of a bundle's `schema/schema.yaml`. */
export interface TemplateSchemaDocument {
  readonly format?: { readonly openapi?: unknown };
  readonly environment_input_type?: string;
  readonly service_input_type?: string;
  readonly pipeline_input_type?: string;
  readonly types?: { readonly [name: string]: unknown };
}

/** A path to a value in a spec: mapping keys and list indexes. */
export type InputPath = ReadonlyArray<string | number>;

/**
 * Why an input does not fit the schema: `REQUIRED` (a required input without default is not given), `UNKNOWN` (an
 * input the input type does not declare), `TYPE` (a value of another type than the schema's), `CONSTRAINT` (any other
 * keyword: enum, minimum, maxLength, pattern, minItems, ...) or `SCHEMA` (the input type is not a schema ajv can compile).
 */
export type InputProblemKind = 'REQUIRED' | 'UNKNOWN' | 'TYPE' | 'CONSTRAINT' | 'SCHEMA';

/** One problem of a spec's inputs. */
export interface InputProblem {
  readonly kind: InputProblemKind;
  /** Where, relative to the inputs (`[]`: the inputs themselves). */
  readonly path: InputPath;
  /** What the schema wants, as a phrase to follow the path: `must be at most 65535`, `is required and has no default`. */
  readonly wants: string;
  /** For TYPE problems: the schema's type (`integer`, `string or null`). */
  readonly type?: string;
  /** The value given; absent when nothing is given (REQUIRED, SCHEMA). */
  readonly given?: { readonly value: unknown };
}

/** The outcome of checking inputs against one input type. */
export interface InputCheck {
  /** The input type's name; undefined when the schema names no such input type (nothing is checked). */
  readonly typeName?: string;
  readonly problems: InputProblem[];
}

/** Options of `checkSpecInputs`. */
export interface InputCheckOptions {
  /**
   * Values known only later (deploy-time tokens): they and what depends on them are not checked.
   * `${Proton::CURRENT_VAL}` is always accepted.
   */
  readonly isKnownLater?: (value: unknown) => boolean;
}

/** OpenAPI keywords that only annotate a schema (and `format`, which is not checked). */
const IGNORED_KEYWORDS = new Set(['title', 'description', 'example', 'examples', 'externalDocs', 'xml', 'deprecated', 'readOnly', 'writeOnly', 'discriminator', 'format']);
/** Keywords whose outcome depends on the contents of a whole value: not checked when a part of it is known later. */
const WHOLE_VALUE_KEYWORDS = new Set(['uniqueItems', 'enum', 'const', 'oneOf', 'anyOf', 'allOf', 'not']);
/** What stands in for a value known later: present (for `required`, counts and unknown inputs), never checked. */
const KNOWN_LATER = '(known at deploy time)';

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, Map<string, ValidateFunction | Error>>();

/**
 * Checks spec inputs against the input type `key` names in a template's schema, and reports every problem:
 * the JSON Schema keywords of OpenAPI 3.0 (`type`, `required`, `properties`, `enum`, `minimum`/`maximum`,
 * `minLength`/`maxLength`, `pattern`, `items`, `minItems`/`maxItems`, nested objects and arrays, ...),
 * `nullable`, a required input with a `default` is not required, and inputs the input type does not declare
 * are reported (nested objects follow OpenAPI: other properties are allowed unless `additionalProperties: false`).
 */
export function checkSpecInputs(
  schema: TemplateSchemaDocument | undefined, key: InputTypeKey, inputs: unknown, options: InputCheckOptions = {},
): InputCheck {
  const typeName = schema?.[key];
  const types = schema?.types;
  if (typeof typeName !== 'string' || !isMapping(types) || !isMapping(types[typeName])) {
    return { typeName: undefined, problems: [] };
  }
  const validate = compile(types as Record<string, unknown>, typeName);
  if (validate instanceof Error) {
    return { typeName, problems: [{ kind: 'SCHEMA', path: [], wants: `cannot be checked: input type ${typeName} is not a valid schema (${validate.message})` }] };
  }
  const knownLater: InputPath[] = [];
  const isKnownLater = (value: unknown) => value === CURRENT_VAL || (options.isKnownLater?.(value) ?? false);
  const data = standInForKnownLater(inputs, [], knownLater, isKnownLater);
  if (knownLater.some((path) => path.length === 0)) {
    return { typeName, problems: [] };
  }
  validate(data);
  const problems = (validate.errors ?? [])
    .map((error) => toProblem(error, data, typeName))
    .filter((problem): problem is InputProblem & { keyword: string } => problem !== undefined)
    .filter((problem) => !dependsOnKnownLater(problem, knownLater))
    .map(({ keyword: _keyword, ...problem }) => problem);
  return { typeName, problems: dedupe(problems).sort((a, b) => comparePaths(a.path, b.path)) };
}

/** A path as written in messages: `instances[1].spec.port`, `spec["odd key"]`. */
export function formatInputPath(path: InputPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** A value as quoted in messages, cut to a readable length. */
export function formatValue(value: unknown): string {
  if (value === KNOWN_LATER) return 'a value known at deploy time';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** OpenAPI 3.0 schema object to JSON Schema draft-07, recursively. `#/types/X` references point at the other types. */
export function openApiToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiToJsonSchema);
  if (!isMapping(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (IGNORED_KEYWORDS.has(keyword) || keyword.startsWith('x-')) continue;
    switch (keyword) {
      case 'properties':
        out.properties = isMapping(value) ? mapValues(value, openApiToJsonSchema) : value;
        break;
      case 'items':
      case 'not':
      case 'additionalProperties':
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[keyword] = openApiToJsonSchema(value);
        break;
      case '$ref':
        out.$ref = typeof value === 'string' ? value.replace(/^#\/types\//, '#/definitions/') : value;
        break;
      case 'nullable':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        break; // below
      default:
        out[keyword] = value; // type, required, enum, minimum, maxLength, pattern, default, ...: data, as given
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  // OpenAPI 3.0 (like draft-04): exclusiveMinimum is a boolean that makes minimum exclusive.
  for (const [exclusive, limit] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (node[exclusive] === true && typeof node[limit] === 'number') {
      out[exclusive] = node[limit];
      delete out[limit];
    } else if (typeof node[exclusive] === 'number') {
      out[exclusive] = node[exclusive];
    }
  }
  // Proton fills in defaults: a required input with a default may be left out.
  if (Array.isArray(node.required) && isMapping(node.properties)) {
    const properties = node.properties;
    out.required = node.required.filter((name) => !(typeof name === 'string' && isMapping(properties[name]) && properties[name].default !== undefined));
  }
  return out;
}

function compile(types: Record<string, unknown>, typeName: string): ValidateFunction | Error {
  let byType = compiled.get(types);
  if (!byType) {
    byType = new Map();
    compiled.set(types, byType);
  }
  let validate = byType.get(typeName);
  if (!validate) {
    const root = openApiToJsonSchema(types[typeName]) as Record<string, unknown>;
    const definitions = mapValues(types, openApiToJsonSchema);
    // The inputs are what the input type declares: Proton does not ignore others.
    const schema = { ...root, additionalProperties: root.additionalProperties ?? false, definitions };
    try {
      // Without the meta-schema check (the slowest part of a first compile): ajv still refuses a keyword with a value
      // of the wrong kind, and Proton checks the schema when it registers the version.
      ajv ??= new Ajv({
        allErrors: true, strict: false, verbose: true, validateFormats: false, unicodeRegExp: false, logger: false, validateSchema: false,
      });
      validate = ajv.compile(schema);
    } catch (error) {
      validate = error as Error;
    }
    byType.set(typeName, validate);
  }
  return validate;
}

/** A copy of `value` where a stand-in replaces each value known later (their paths go to `paths`). */
function standInForKnownLater(value: unknown, path: InputPath, paths: InputPath[], isKnownLater: (v: unknown) => boolean): unknown {
  if (isKnownLater(value)) {
    paths.push(path);
    return KNOWN_LATER;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => standInForKnownLater(item, [...path, i], paths, isKnownLater));
  }
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) { // undefined is not written into the spec
        out[key] = standInForKnownLater(item, [...path, key], paths, isKnownLater);
      }
    }
    return out;
  }
  return value;
}

function toProblem(error: ErrorObject, data: unknown, typeName: string): (InputProblem & { keyword: string }) | undefined {
  const path = instancePath(error.instancePath, data);
  const given = { value: error.data };
  const p = error.params as Record<string, any>;
  const base = { keyword: error.keyword, path };
  switch (error.keyword) {
    case 'required':
      return { ...base, kind: 'REQUIRED', path: [...path, p.missingProperty], wants: 'is required and has no default' };
    case 'additionalProperties': {
      const declared = Object.keys((error.parentSchema as any)?.properties ?? {});
      const owner = path.length === 0 ? `an input of ${typeName}` : 'a property the schema declares here';
      return {
        ...base,
        kind: 'UNKNOWN',
        path: [...path, p.additionalProperty],
        wants: `is not ${owner} (${declared.length > 0 ? `declared: ${declared.join(', ')}` : 'it declares none'})`,
        given: { value: (error.data as any)?.[p.additionalProperty] },
      };
    }
    case 'type': {
      const type = ([] as string[]).concat(p.type).join(' or ');
      return { ...base, kind: 'TYPE', type, wants: `must be ${([] as string[]).concat(p.type).map(describeType).join(' or ')}`, given };
    }
    case 'if':
      return undefined; // its branch reports the problem
    default:
      return { ...base, kind: 'CONSTRAINT', wants: describeConstraint(error), given };
  }
}

function describeType(type: string): string {
  switch (type) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'integer': return 'an integer';
    case 'boolean': return 'a boolean (true or false)';
    case 'array': return 'a list';
    case 'object': return 'a mapping';
    case 'null': return 'null';
    default: return type;
  }
}

function describeConstraint(error: ErrorObject): string {
  const p = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'enum': return `must be one of ${(p.allowedValues as unknown[]).map(formatValue).join(', ')}`;
    case 'minimum': return `must be at least ${p.limit}`;
    case 'exclusiveMinimum': return `must be greater than ${p.limit}`;
    case 'maximum': return `must be at most ${p.limit}`;
    case 'exclusiveMaximum': return `must be less than ${p.limit}`;
    case 'multipleOf': return `must be a multiple of ${p.multipleOf}`;
    case 'minLength': return `must have at least ${count(p.limit, 'character')} (it has ${String(error.data).length})`;
    case 'maxLength': return `must have at most ${count(p.limit, 'character')} (it has ${String(error.data).length})`;
    case 'pattern': return `must match the pattern ${p.pattern}`;
    case 'minItems': return `must have at least ${count(p.limit, 'item')} (it has ${(error.data as unknown[]).length})`;
    case 'maxItems': return `must have at most ${count(p.limit, 'item')} (it has ${(error.data as unknown[]).length})`;
    case 'uniqueItems': return `must not repeat items (items ${p.j} and ${p.i} are the same)`;
    case 'minProperties': return `must have at least ${count(p.limit, 'entry', 'entries')}`;
    case 'maxProperties': return `must have at most ${count(p.limit, 'entry', 'entries')}`;
    default: return error.message ?? `must satisfy ${error.keyword}`;
  }
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A JSON pointer of ajv as a path, with list indexes as numbers (read from the data). */
function instancePath(pointer: string, data: unknown): InputPath {
  const path: Array<string | number> = [];
  let node: any = data;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const part = Array.isArray(node) ? Number(key) : key;
    path.push(part);
    node = node?.[part];
  }
  return path;
}

/**
 * Whether a problem may go away with the values known later: a problem of such a value (but an unknown input
 * is unknown whatever its value), or of the contents of a value that holds one.
 */
function dependsOnKnownLater(problem: InputProblem & { keyword: string }, knownLater: InputPath[]): boolean {
  return knownLater.some((later) => (problem.kind !== 'UNKNOWN' && startsWith(problem.path, later))
    || (WHOLE_VALUE_KEYWORDS.has(problem.keyword) && startsWith(later, problem.path)));
}

function startsWith(path: InputPath, prefix: InputPath): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => path[i] === part);
}

function comparePaths(a: InputPath, b: InputPath): number {
  const x = formatInputPath(a);
  const y = formatInputPath(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function dedupe(problems: InputProblem[]): InputProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${formatInputPath(problem.path)} ${problem.wants}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function mapValues(object: Record<string, unknown>, fn: (value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value)]));
}

function isMapping(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- synth time -------------------------------------------------------------------------------------

/** A bundle's schema, as a template version in the app knows it. */
export interface TemplateSchema {
  /** The `schema/schema.yaml` file it was read from. */
  readonly file: string;
  /** Its `schema:` document. */
  readonly document: TemplateSchemaDocument;
}

/** Reads a bundle's `schema/schema.yaml` (already checked by the bundle: it parses). */
export function readTemplateSchema(file: string): TemplateSchema {
  const parsed: any = loadYaml(fs.readFileSync(file, 'utf8'));
  return { file, document: isMapping(parsed) && isMapping(parsed.schema) ? parsed.schema : {} };
}

/** One spec of a construct, to check against its template's schema. */
export interface SpecUnderCheck {
  /** Which spec, as messages name it: `the environment spec`, `instance "beta"'s spec`, `the pipeline spec`. */
  readonly name: string;
  /** The input type it must match. */
  readonly inputType: InputTypeKey;
  /** Its inputs (may hold tokens). */
  readonly inputs: unknown;
  /** Where the inputs are in the spec document deployed, such as `['instances', 1, 'spec']`. */
  readonly at: InputPath;
  /** The spec, for the file and line of a problem when it was read from YAML. */
  readonly spec?: Spec;
}

/**
 * The synth-time errors of `specs` against `schema`: one message per spec that does not match, listing all
 * its problems. `isKnownLater` tells the values known only at deploy time (`Token.isUnresolved`).
 */
export function specValidationErrors(
  schema: TemplateSchema | undefined, specs: SpecUnderCheck[], isKnownLater: (value: unknown) => boolean,
): string[] {
  if (!schema) return [];
  const errors: string[] = [];
  for (const spec of specs) {
    const check = checkSpecInputs(schema.document, spec.inputType, spec.inputs, { isKnownLater });
    if (check.problems.length === 0) continue;
    const source = spec.spec?._source();
    const lines = check.problems.map((problem) => {
      const line = spec.spec?._lineOf(problem.path);
      const where = `${formatInputPath([...spec.at, ...problem.path])}${line !== undefined ? ` (line ${line})` : ''}`;
      const given = problem.kind === 'REQUIRED' ? ', not given' : problem.given ? `, given ${formatValue(problem.given.value)}` : '';
      return `    - ${where}: ${problem.wants}${given}`;
    });
    const summary = check.problems.length === 1 ? '1 problem' : `${check.problems.length} problems`;
    errors.push(`${spec.name}${source ? ` (${source})` : ''} does not match input type ${check.typeName} (${spec.inputType}) `
      + `of the template's schema ${schema.file}, ${summary}:\n${lines.join('\n')}\n    fix the spec to match the schema (or the schema, if it is the one that is wrong)`);
  }
  return errors;
}
