import * as YAML from 'yaml';
import { TemplateSchemaDoc } from './bundle';
import { validationError } from './errors';
import { checkSpecInputs, formatInputPath, InputProblem } from '../../src/constructs/internal/spec-validation';

/** The placeholder that keeps an input's current value on update (Proton user guide, "Update ..."). */
export { CURRENT_VAL } from '../../src/constructs/internal/spec-validation';

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
 * version's schema with the library's own synth-time rules (`src/constructs/spec-validation.ts`, so that a spec
 * that passes synth passes here and one that fails synth is refused here): the OpenAPI 3.0 keywords (type,
 * required without default, enum, minimum/maximum, minLength/maxLength, pattern, items, minItems/maxItems, nested
 * objects and arrays, nullable), inputs the input type does not declare refused, `${Proton::CURRENT_VAL}` accepted
 * for any input. Every problem goes into one ValidationException; the spec is sensitive, so it names inputs and
 * what the schema wants, never the values given. A schema that names no such input type checks nothing.
 */
export function checkInputs(
  inputs: Record<string, unknown>,
  schema: TemplateSchemaDoc | undefined,
  inputTypeKey: 'environment_input_type' | 'service_input_type' | 'pipeline_input_type',
  what: string,
): void {
  const { typeName, problems } = checkSpecInputs(schema, inputTypeKey, inputs);
  if (problems.length === 0) return;
  const sentences = problems.map(problem => describe(problem, typeName!));
  const message = sentences.join('; ');
  throw validationError(`${message.charAt(0).toUpperCase()}${message.slice(1)} (${what})`);
}

function describe(problem: InputProblem, typeName: string): string {
  const input = `'${formatInputPath(problem.path)}'`;
  switch (problem.kind) {
    case 'REQUIRED': return `the spec is missing the required input ${input} of ${typeName}`;
    case 'TYPE': return `the spec input ${input} must be of type ${problem.type} as ${typeName} declares it`;
    case 'UNKNOWN': return `the spec input ${input} ${problem.wants}`;
    case 'SCHEMA': return `the spec ${problem.wants}`;
    default: return `the spec input ${input} ${problem.wants} as ${typeName} declares it`;
  }
}

function parseYaml(text: string): unknown {
  try {
    return YAML.parse(text);
  } catch (e) {
    throw validationError(`The spec is not valid YAML: ${(e as Error).message.split('\n')[0].replace(/ at line .*/, '')}`);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
