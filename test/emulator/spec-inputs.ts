import * as YAML from 'yaml';
import { InputTypeSchema, TemplateSchemaDoc } from './bundle';
import { validationError } from './errors';

/** The placeholder that keeps an input's current value on update (Proton user guide, "Update ..."). */
export const CURRENT_VAL = '${Proton::CURRENT_VAL}';

/**
 * Reads an environment spec (`SpecContents`, YAML): a mapping with `proton: EnvironmentSpec` and a `spec:`
 * mapping of inputs (an empty `spec:` means no inputs). Answers the inputs. Throws a ValidationException
 * otherwise; the spec is sensitive in the model, so messages never quote it.
 */
export function parseEnvironmentSpec(text: string): Record<string, unknown> {
  const doc = parseYaml(text);
  if (!isMapping(doc)) throw validationError('The spec must be a YAML mapping with proton: EnvironmentSpec and a spec: section');
  if (doc.proton !== 'EnvironmentSpec') {
    throw validationError(`The spec must declare proton: EnvironmentSpec (found ${typeof doc.proton === 'string' ? doc.proton : 'none'})`);
  }
  const inputs = doc.spec ?? {};
  if (!isMapping(inputs)) throw validationError('The spec section of the spec must be a mapping of inputs');
  return inputs;
}

/** One entry of the `instances:` list of a service spec. */
export interface ServiceSpecInstance {
  readonly name: string;
  readonly environment: string;
  /** The entry's `spec:` mapping (none: no inputs). */
  readonly inputs: Record<string, unknown>;
}

/** A service spec (`proton: ServiceSpec`) as read by `parseServiceSpec`. */
export interface ServiceSpecDoc {
  /** The `pipeline:` mapping of inputs, undefined when the spec has no `pipeline:` key. */
  readonly pipeline?: Record<string, unknown>;
  /** The `instances:` list (none: empty), in order. */
  readonly instances: readonly ServiceSpecInstance[];
}

/**
 * Reads a service spec (Proton user guide, "Create a service"): a YAML mapping with `proton: ServiceSpec`, an
 * optional `pipeline:` mapping of pipeline inputs and an `instances:` list of `{ name, environment, spec }` (`spec:`
 * the instance's inputs, optional). Throws a ValidationException otherwise, without quoting the spec (sensitive).
 * Instance names are not checked here (the caller knows the name pattern and whether duplicates matter).
 */
export function parseServiceSpec(text: string): ServiceSpecDoc {
  const doc = parseYaml(text);
  if (!isMapping(doc)) throw validationError('The spec must be a YAML mapping with proton: ServiceSpec, instances: and an optional pipeline:');
  if (doc.proton !== 'ServiceSpec') {
    throw validationError(`The spec must declare proton: ServiceSpec (found ${typeof doc.proton === 'string' ? doc.proton : 'none'})`);
  }
  let pipeline: Record<string, unknown> | undefined;
  if (doc.pipeline !== undefined) {
    const p = doc.pipeline ?? {};
    if (!isMapping(p)) throw validationError('The pipeline section of the spec must be a mapping of pipeline inputs');
    pipeline = p;
  }
  const list = doc.instances ?? [];
  if (!Array.isArray(list)) throw validationError('The instances section of the spec must be a list of { name, environment, spec }');
  const instances = list.map((entry: unknown, i: number): ServiceSpecInstance => {
    const where = `instances[${i}]`;
    if (!isMapping(entry)) throw validationError(`The spec's ${where} must be a mapping with name, environment and spec`);
    if (typeof entry.name !== 'string' || entry.name === '') throw validationError(`The spec's ${where} has no name`);
    if (typeof entry.environment !== 'string' || entry.environment === '') {
      throw validationError(`The spec's instance ${entry.name} has no environment`);
    }
    const inputs = entry.spec ?? {};
    if (!isMapping(inputs)) throw validationError(`The spec section of instance ${entry.name} must be a mapping of inputs`);
    return { name: entry.name, environment: entry.environment, inputs };
  });
  return { pipeline, instances };
}

/**
 * Checks spec inputs against the input type `inputTypeKey` (`environment_input_type`, ...) of a template
 * version's schema: every required input without a default is given, and given inputs have the schema's
 * type (string, number, integer, boolean, array, object). `${Proton::CURRENT_VAL}` passes for any input.
 * Inputs the schema does not name are accepted (OpenAPI objects allow additional properties by default).
 */
export function checkInputs(
  inputs: Record<string, unknown>,
  schema: TemplateSchemaDoc | undefined,
  inputTypeKey: 'environment_input_type' | 'service_input_type' | 'pipeline_input_type',
  what: string,
): void {
  const typeName = schema?.[inputTypeKey];
  const type: InputTypeSchema | undefined = typeName ? schema?.types?.[typeName] : undefined;
  if (!type) return;
  for (const name of type.required ?? []) {
    if (inputs[name] === undefined && type.properties?.[name]?.default === undefined) {
      throw validationError(`The spec is missing the required input '${name}' of ${typeName} (${what})`);
    }
  }
  for (const [name, value] of Object.entries(inputs)) {
    const expected = type.properties?.[name]?.type;
    if (!expected || value === CURRENT_VAL || value === null) continue;
    if (!hasType(value, expected)) {
      throw validationError(`The spec input '${name}' must be of type ${expected} as ${typeName} declares it (${what})`);
    }
  }
}

function parseYaml(text: string): unknown {
  try {
    return YAML.parse(text);
  } catch (e) {
    throw validationError(`The spec is not valid YAML: ${(e as Error).message.split('\n')[0].replace(/ at line .*/, '')}`);
  }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return isMapping(value);
    default: return true;
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
