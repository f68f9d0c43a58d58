import * as fs from 'fs';
import * as path from 'path';
import { load as loadYaml } from 'js-yaml';

/** Bundle limits from the Proton documentation (../shared/docs/PROTON.md, "Names and sizes"). */
export const BUNDLE_LIMITS = {
  maxArchiveBytes: 5 * 1024 * 1024,
  maxFiles: 10,
  maxManifestOrSchemaBytes: 50 * 1024,
  maxOtherFileBytes: 200 * 1024,
};

/** Which bundle layout to expect. */
export interface BundleExpectations {
  readonly kind: 'ENVIRONMENT' | 'SERVICE';
  /** A customer-managed environment template carries a schema only. */
  readonly customerManaged?: boolean;
  /** A service template with a Proton pipeline needs pipeline_infrastructure/. */
  readonly pipeline?: boolean;
}

const SCHEMA_FILE = 'schema/schema.yaml';

/** Problems found in a bundle directory, each saying what is wrong and how to fix it; empty when it is good. */
export function checkBundle(dir: string, files: string[], expect: BundleExpectations): string[] {
  const problems: string[] = [];
  const has = (file: string) => files.includes(file);

  if (files.length > BUNDLE_LIMITS.maxFiles) {
    problems.push(`it has ${files.length} files, Proton accepts at most ${BUNDLE_LIMITS.maxFiles}: remove files the templates do not use`);
  }
  for (const file of files) {
    const size = fs.statSync(path.join(dir, file)).size;
    const isManifestOrSchema = file === SCHEMA_FILE || file.endsWith('/manifest.yaml');
    const max = isManifestOrSchema ? BUNDLE_LIMITS.maxManifestOrSchemaBytes : BUNDLE_LIMITS.maxOtherFileBytes;
    if (size > max) {
      problems.push(`${file} is ${size} bytes, Proton accepts at most ${max}: make it smaller`);
    }
  }

  const schema = readYaml(dir, SCHEMA_FILE, files, problems, 'add the schema that declares the template inputs');
  if (schema !== undefined) {
    problems.push(...checkSchema(schema, expect));
  }

  if (expect.kind === 'ENVIRONMENT' && !expect.customerManaged) {
    problems.push(...checkInfrastructure(dir, 'infrastructure', files));
  }
  if (expect.kind === 'SERVICE') {
    problems.push(...checkInfrastructure(dir, 'instance_infrastructure', files));
    if (expect.pipeline) {
      problems.push(...checkInfrastructure(dir, 'pipeline_infrastructure', files));
    } else if (files.some((f) => f.startsWith('pipeline_infrastructure/'))) {
      problems.push('it has pipeline_infrastructure/ but the template has no Proton pipeline: remove the folder or let Proton provision pipelines');
    }
  }
  if (!has(SCHEMA_FILE) && files.length === 0) {
    problems.unshift('the directory is empty');
  }
  return problems;
}

function checkSchema(doc: any, expect: BundleExpectations): string[] {
  const problems: string[] = [];
  const schema = doc?.schema;
  if (schema?.format?.openapi !== '3.0.0') {
    problems.push(`${SCHEMA_FILE} must set schema.format.openapi to "3.0.0" (found ${JSON.stringify(schema?.format?.openapi)})`);
  }
  const types = schema?.types ?? {};
  const required = expect.kind === 'ENVIRONMENT' ? 'environment_input_type' : 'service_input_type';
  const named: Array<[string, boolean]> = [[required, !expect.customerManaged], ['pipeline_input_type', false]];
  for (const [key, mustExist] of named) {
    const typeName = schema?.[key];
    if (typeName === undefined) {
      if (mustExist) problems.push(`${SCHEMA_FILE} must name its input type in schema.${key}`);
    } else if (typeof typeName !== 'string' || !(typeName in types)) {
      problems.push(`${SCHEMA_FILE} names ${key} "${typeName}" but schema.types has no such type (it has: ${Object.keys(types).join(', ') || 'none'})`);
    }
  }
  return problems;
}

function checkInfrastructure(dir: string, folder: string, files: string[]): string[] {
  const problems: string[] = [];
  const manifestFile = `${folder}/manifest.yaml`;
  const manifest = readYaml(dir, manifestFile, files, problems, `add ${manifestFile} listing the infrastructure template files`);
  if (manifest === undefined) return problems;
  const templates = manifest?.infrastructure?.templates;
  if (!Array.isArray(templates) || templates.length === 0) {
    problems.push(`${manifestFile} must list infrastructure.templates (each with file, rendering_engine and template_language)`);
    return problems;
  }
  for (const entry of templates) {
    const file = entry?.file;
    if (typeof file !== 'string' || file === '') {
      problems.push(`${manifestFile} has a template entry without a file`);
    } else if (!files.includes(`${folder}/${file}`)) {
      problems.push(`${manifestFile} names ${file} but ${folder}/${file} does not exist: add the file or fix the manifest`);
    }
  }
  return problems;
}

function readYaml(dir: string, file: string, files: string[], problems: string[], fix: string): any {
  if (!files.includes(file)) {
    problems.push(`${file} is missing: ${fix}`);
    return undefined;
  }
  try {
    return loadYaml(fs.readFileSync(path.join(dir, file), 'utf8'));
  } catch (error) {
    problems.push(`${file} is not valid YAML: ${(error as Error).message}`);
    return undefined;
  }
}
