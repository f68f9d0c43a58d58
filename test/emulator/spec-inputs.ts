import * as YAML from 'yaml';
import { InputTypeSchema, TemplateSchemaDoc } from './bundle';
import { validationError } from './errors';

/** The placeholder that keeps an input's current value on update (Proton user guide, "Update ..."). */
export const CURRENT_VAL = '${Proton::CURRENT_VAL}';

/**
 * Reads a spec (`SpecContents`, YAML): a mapping with `proton: <kind>` and, for environment specs, a `spec:`
 * mapping of inputs (an empty `spec:` means no inputs). Answers the inputs. Throws a ValidationException
 * otherwise; the spec is sensitive in the model, so messages never quote it.
 */
export function parseEnvironmentSpec(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw validationError(`The spec is not valid YAML: ${(e as Error).message.split('\n')[0].replace(/ at line .*/, '')}`);
  }
  if (!isMapping(doc)) throw validationError('The spec must be a YAML mapping with proton: EnvironmentSpec and a spec: section');
  if (doc.proton !== 'EnvironmentSpec') {
    throw validationError(`The spec must declare proton: EnvironmentSpec (found ${typeof doc.proton === 'string' ? doc.proton : 'none'})`);
  }
  const inputs = doc.spec ?? {};
  if (!isMapping(inputs)) throw validationError('The spec section of the spec must be a mapping of inputs');
  return inputs;
}

/**
 * Checks spec inputs against the input type `inputTypeKey` (`environment_input_type`, ...) of a template
 * version's schema: every required input without a default is given, and given inputs have the schema's
 * type (string, number, integer, boolean, array, object). `${Proton::CURRENT_VAL}` passes for any input.
 * Inputs the schema does not name are accepted (OpenAPI objects allow additional properties by default).
 */
export function checkInputs(
  inputs: Record<string, unknown>, schema: TemplateSchemaDoc | undefined, inputTypeKey: 'environment_input_type', what: string,
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
