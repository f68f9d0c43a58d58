/**
 * `cdk-proton types`: TypeScript for the inputs a template bundle's schema declares, so that a spec
 * with a misspelt input, a wrong type or a value outside an enum fails `tsc`, not `cdk synth` (or a
 * deployment). The types follow what Proton (and the synth-time check, src/constructs/internal/spec-validation.ts)
 * accepts: an input is required when the type lists it in `required` without a `default`; nested objects
 * take other properties unless `additionalProperties: false`; the input type itself takes none.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** An OpenAPI 3.0 schema object, as far as the types need it. */
interface SchemaObject {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: unknown[];
  readonly properties?: Record<string, SchemaObject>;
  readonly required?: string[];
  readonly items?: SchemaObject;
  readonly additionalProperties?: boolean | SchemaObject;
  readonly nullable?: boolean;
  readonly $ref?: string;
  readonly [keyword: string]: unknown;
}

/** The input type names a bundle's schema gives, and the spec helper each gets. */
const ROLES = [
  { key: 'environment_input_type', helper: 'environmentSpec', kind: 'an environment' },
  { key: 'service_input_type', helper: 'serviceInstanceSpec', kind: 'a service instance' },
  { key: 'pipeline_input_type', helper: 'pipelineSpec', kind: 'a service pipeline' },
] as const;

/** The limits a doc comment states, in the words of the schema. */
const LIMITS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'format'];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function docComment(schema: SchemaObject, indent: string): string[] {
  const lines: string[] = [];
  if (schema.title) lines.push(schema.title);
  if (schema.description) lines.push(...(schema.title ? [''] : []), schema.description);
  const limits = LIMITS.filter((k) => schema[k] !== undefined).map((k) => `${k}: ${JSON.stringify(schema[k])}`);
  if (limits.length > 0) lines.push(...(lines.length ? [''] : []), `Limits: ${limits.join(', ')}`);
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (lines.length === 0) return [];
  // A comment must not end early: `*/` in a description would.
  const safe = lines.map((l) => l.replace(/\*\//g, '*\\/'));
  return [`${indent}/**`, ...safe.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

class TypeWriter {
  constructor(private readonly types: Record<string, SchemaObject>, private readonly schemaFile: string) {}

  /** The TypeScript type of a schema, written at `indent` (nested objects span lines). */
  public typeOf(schema: SchemaObject, indent: string, where: string): string {
    const base = this.baseType(schema, indent, where);
    return schema.nullable ? `${base} | null` : base;
  }

  /** The interface of a named type. */
  public declaration(name: string): string {
    const schema = this.types[name];
    if (!schema) throw new Error(`${this.schemaFile}: the schema names input type ${name}, which is not in types`);
    if (schema.type !== undefined && schema.type !== 'object') {
      return [...docComment(schema, ''), `export type ${name} = ${this.typeOf(schema, '', name)};`].join('\n');
    }
    // The input type of a spec takes no other inputs: Proton refuses them.
    return [...docComment(schema, ''), `export interface ${name} ${this.objectBody(schema, '', name, false)}`].join('\n');
  }

  private baseType(schema: SchemaObject, indent: string, where: string): string {
    if (schema.$ref) {
      const name = /^#\/types\/(.+)$/.exec(schema.$ref)?.[1];
      if (!name || !this.types[name]) throw new Error(`${this.schemaFile}: ${where}: $ref ${schema.$ref} is not a type of the schema`);
      return name;
    }
    if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
    switch (schema.type) {
      case 'string': return 'string';
      case 'number':
      case 'integer': return 'number';
      case 'boolean': return 'boolean';
      case 'array': {
        const items = schema.items ? this.typeOf(schema.items, indent, `${where}[]`) : 'unknown';
        return /^[\w.]+$/.test(items) ? `${items}[]` : `Array<${items}>`;
      }
      case 'object':
      case undefined:
        if (schema.type === undefined && !schema.properties) return 'unknown';
        return this.objectBody(schema, indent, where, schema.additionalProperties !== false);
      default:
        throw new Error(`${this.schemaFile}: ${where}: type ${schema.type} is not an OpenAPI 3.0 type`);
    }
  }

  private objectBody(schema: SchemaObject, indent: string, where: string, open: boolean): string {
    const inner = `${indent}  `;
    const required = new Set(schema.required ?? []);
    const members = Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
      // A required input with a default may be left out: Proton fills it in.
      const optional = !required.has(name) || property.default !== undefined;
      const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
      return [...docComment(property, inner), `${inner}readonly ${key}${optional ? '?' : ''}: ${this.typeOf(property, inner, `${where}.${name}`)};`];
    });
    if (open) members.push(`${inner}readonly [name: string]: unknown;`);
    return members.length === 0 ? '{}' : `{\n${members.join('\n')}\n${indent}}`;
  }
}

/** The TypeScript of a bundle's inputs: one interface per type of its schema, and a typed spec helper per input type it names. */
export function schemaTypes(bundleDir: string, shownAs: string = bundleDir): string {
  const schemaFile = path.join(bundleDir, 'schema', 'schema.yaml');
  if (!fs.existsSync(schemaFile)) throw new Error(`${schemaFile} does not exist: give a template bundle's directory (it holds schema/schema.yaml)`);
  const document = yaml.load(fs.readFileSync(schemaFile, 'utf8')) as { schema?: Record<string, any> } | undefined;
  const schema = document?.schema;
  if (!schema?.types || typeof schema.types !== 'object') throw new Error(`${schemaFile}: no schema.types: not a Proton template schema`);
  const writer = new TypeWriter(schema.types, schemaFile);
  const roles = ROLES.filter((role) => typeof schema[role.key] === 'string');
  return [
    `// Generated by \`cdk-proton types ${shownAs.split(path.sep).join('/')}\` from schema/schema.yaml: regenerate it when the schema changes.`,
    "import { Spec } from 'cdk-proton';",
    '',
    ...Object.keys(schema.types).map((name) => `${writer.declaration(name)}\n`),
    ...roles.map((role) => [
      `/** The spec of ${role.kind} of this template (${role.key}: ${schema[role.key]}), type-checked. */`,
      `export function ${role.helper}(inputs: ${schema[role.key]}): Spec {`,
      '  return Spec.fromObject({ ...inputs });',
      '}',
      '',
    ].join('\n')),
  ].join('\n');
}
