import * as path from 'path';
import * as zlib from 'zlib';
import { Parser, ReadEntry } from 'tar';
import * as YAML from 'yaml';

/** Proton's template bundle limits (user guide, "Template bundles"; PROTON.md). */
export const BUNDLE_LIMITS = {
  /** The compressed bundle. */
  maxBundleBytes: 5 * 1024 * 1024,
  maxFiles: 10,
  /** `schema/schema.yaml` and every `manifest.yaml`. */
  maxSchemaOrManifestBytes: 50 * 1024,
  /** Every other file (infrastructure as code templates, scripts). */
  maxOtherFileBytes: 200 * 1024,
} as const;

const RENDERING_ENGINES = ['jinja', 'hcl', 'codebuild'];

export interface BundleRules {
  readonly kind: 'environment' | 'service';
  /**
   * Environment templates: `provisioning: CUSTOMER_MANAGED` (the bundle carries a schema only).
   * Service templates: `pipelineProvisioning: CUSTOMER_MANAGED` (no pipeline_infrastructure/ needed).
   */
  readonly customerManaged: boolean;
}

/** The parts of an OpenAPI object schema Proton reads from `schema.types`. */
export interface InputTypeSchema {
  readonly type?: string;
  readonly required?: string[];
  readonly properties?: Record<string, { readonly type?: string; readonly default?: unknown }>;
}

/** The `schema:` document of `schema/schema.yaml`. */
export interface TemplateSchemaDoc {
  readonly format?: { readonly openapi?: unknown };
  readonly environment_input_type?: string;
  readonly service_input_type?: string;
  readonly pipeline_input_type?: string;
  readonly types?: Record<string, InputTypeSchema>;
}

export type BundleCheck =
  | {
    readonly ok: true;
    readonly schemaText: string;
    readonly schema: TemplateSchemaDoc;
    /** Every regular file of the bundle by path (e.g. `infrastructure/cloudformation.yaml`): deployments read outputs from them. */
    readonly files: ReadonlyMap<string, Buffer>;
  }
  | { readonly ok: false; readonly message: string };

/**
 * Checks a template bundle (the bytes of the `.tar.gz` in S3) the way Proton does when it registers a
 * template version, and answers the schema, or the status message of a failed registration.
 */
export async function checkBundle(bytes: Buffer, rules: BundleRules): Promise<BundleCheck> {
  try {
    return { ok: true, ...await inspect(bytes, rules) };
  } catch (e) {
    if (e instanceof BundleProblem) return { ok: false, message: e.message };
    throw e;
  }
}

/**
 * Why a new minor version's schema is not backwards compatible with the previous minor version of the
 * same major version, or undefined when it is. Incompatible: an input (property of an input type) removed
 * or changed type, an input newly required without a default, an input type that is no longer named.
 */
export function incompatibility(previous: TemplateSchemaDoc, next: TemplateSchemaDoc): string | undefined {
  for (const key of ['environment_input_type', 'service_input_type', 'pipeline_input_type'] as const) {
    const before = previous[key] ? previous.types?.[previous[key]!] : undefined;
    if (!before) continue;
    const after = next[key] ? next.types?.[next[key]!] : undefined;
    if (!after) return `${key} was removed`;
    for (const [name, property] of Object.entries(before.properties ?? {})) {
      const now = after.properties?.[name];
      if (!now) return `input '${name}' of ${next[key]} was removed`;
      if (now.type !== property.type) return `input '${name}' of ${next[key]} changed type from ${property.type} to ${now.type}`;
    }
    for (const name of after.required ?? []) {
      if (!(before.required ?? []).includes(name) && after.properties?.[name]?.default === undefined) {
        return `input '${name}' of ${next[key]} is newly required and has no default`;
      }
    }
  }
  return undefined;
}

class BundleProblem extends Error {}

function fail(message: string): never {
  throw new BundleProblem(message);
}

async function inspect(
  bytes: Buffer, rules: BundleRules,
): Promise<{ schemaText: string; schema: TemplateSchemaDoc; files: ReadonlyMap<string, Buffer> }> {
  if (bytes.length > BUNDLE_LIMITS.maxBundleBytes) {
    fail(`Template bundle is ${bytes.length} bytes; the maximum size of a template bundle is 5 MB`);
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    fail('Template bundle is not a gzip-compressed tar archive (.tar.gz)');
  }
  let tarBytes: Buffer;
  try {
    tarBytes = zlib.gunzipSync(bytes, { maxOutputLength: 64 * 1024 * 1024 });
  } catch (e) {
    fail(`Template bundle could not be decompressed: ${(e as Error).message}`);
  }
  const files = await readTar(tarBytes);

  if (files.size === 0) fail('Template bundle contains no files');
  if (files.size > BUNDLE_LIMITS.maxFiles) {
    fail(`Template bundle contains ${files.size} files; a template bundle can contain at most ${BUNDLE_LIMITS.maxFiles} files`);
  }
  for (const [name, content] of files) {
    const limited = name === 'schema/schema.yaml' || path.posix.basename(name) === 'manifest.yaml';
    const max = limited ? BUNDLE_LIMITS.maxSchemaOrManifestBytes : BUNDLE_LIMITS.maxOtherFileBytes;
    if (content.length > max) {
      fail(`File ${name} is ${content.length} bytes; the maximum size of ${limited ? 'a schema or manifest file is 50 KB' : 'a template file is 200 KB'}`);
    }
  }

  const hasPipeline = [...files.keys()].some(f => f.startsWith('pipeline_infrastructure/'));
  const schemaText = required(files, 'schema/schema.yaml');
  const schema = checkSchema(schemaText, rules, hasPipeline);

  if (rules.kind === 'environment') {
    if (!rules.customerManaged) checkManifest(files, 'infrastructure');
  } else {
    checkManifest(files, 'instance_infrastructure');
    if (!rules.customerManaged) {
      if (!hasPipeline) {
        fail('Template bundle is missing pipeline_infrastructure/manifest.yaml: a service template with a pipeline '
          + '(no pipelineProvisioning CUSTOMER_MANAGED) needs a pipeline_infrastructure folder');
      }
      checkManifest(files, 'pipeline_infrastructure');
    }
  }
  return { schemaText, schema, files };
}

function required(files: ReadonlyMap<string, Buffer>, name: string): string {
  const content = files.get(name);
  if (!content) fail(`Template bundle is missing required file ${name}`);
  return content.toString('utf-8');
}

function parseYaml(text: string, name: string): unknown {
  try {
    return YAML.parse(text);
  } catch (e) {
    fail(`${name} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

function checkSchema(text: string, rules: BundleRules, hasPipeline: boolean): TemplateSchemaDoc {
  const doc = parseYaml(text, 'schema/schema.yaml') as { schema?: TemplateSchemaDoc } | null;
  const schema = doc?.schema;
  if (!schema || typeof schema !== 'object') fail('schema/schema.yaml has no top-level schema section');
  if (String(schema.format?.openapi) !== '3.0.0') {
    fail(`schema/schema.yaml: schema.format.openapi must be "3.0.0", found ${JSON.stringify(schema.format?.openapi ?? null)}`);
  }
  const keys: Array<'environment_input_type' | 'service_input_type' | 'pipeline_input_type'> = rules.kind === 'environment'
    ? ['environment_input_type']
    : ['service_input_type', ...(hasPipeline ? ['pipeline_input_type' as const] : [])];
  for (const key of keys) {
    const typeName = schema[key];
    if (!typeName) fail(`schema/schema.yaml: schema.${key} is required`);
    if (!schema.types || typeof schema.types[typeName] !== 'object' || schema.types[typeName] === null) {
      fail(`schema/schema.yaml: ${key} '${typeName}' is not defined in schema.types`);
    }
  }
  return schema;
}

function checkManifest(files: ReadonlyMap<string, Buffer>, folder: string): void {
  const name = `${folder}/manifest.yaml`;
  const manifest = parseYaml(required(files, name), name) as { infrastructure?: { templates?: unknown } } | null;
  const templates = manifest?.infrastructure?.templates;
  if (!Array.isArray(templates) || templates.length === 0) fail(`${name} must list at least one entry in infrastructure.templates`);
  templates.forEach((entry: { file?: unknown; rendering_engine?: unknown; settings?: { provision?: unknown } }, i: number) => {
    const where = `${name}: infrastructure.templates[${i}]`;
    if (!RENDERING_ENGINES.includes(String(entry?.rendering_engine))) {
      fail(`${where}.rendering_engine must be one of ${RENDERING_ENGINES.join(', ')}, found ${JSON.stringify(entry?.rendering_engine ?? null)}`);
    }
    if (entry.rendering_engine === 'codebuild') {
      if (!Array.isArray(entry.settings?.provision) || entry.settings.provision.length === 0) {
        fail(`${where}.settings.provision must list the commands that provision the infrastructure`);
      }
      return;
    }
    if (typeof entry.file !== 'string' || entry.file === '') fail(`${where}.file is required`);
    if (entry.file === '*') {
      if (![...files.keys()].some(f => f.startsWith(`${folder}/`) && f !== name)) fail(`${where}.file '*' matches no file in ${folder}/`);
    } else if (!files.has(path.posix.normalize(`${folder}/${entry.file}`))) {
      fail(`${name} lists file ${entry.file}, which is not in the template bundle (expected ${folder}/${entry.file})`);
    }
  });
}

/** Regular files of a tar archive, by path relative to the bundle root (a leading `./` removed). */
function readTar(tarBytes: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    let invalid: string | undefined;
    const parser = new Parser({
      strict: false,
      onwarn: (code: string, message: string) => {
        invalid ??= `${code}: ${message}`;
      },
      onReadEntry: (entry: ReadEntry) => {
        if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        const name = path.posix.normalize(entry.path).replace(/^(\.\/)+/, '');
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => files.set(name, Buffer.concat(chunks)));
      },
    });
    parser.on('error', (e: Error) => reject(new BundleProblem(`Template bundle is not a valid tar archive: ${e.message}`)));
    parser.on('end', () => {
      if (invalid && files.size === 0) reject(new BundleProblem(`Template bundle is not a valid tar archive (${invalid})`));
      else resolve(files);
    });
    parser.end(tarBytes);
  });
}
