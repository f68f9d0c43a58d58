/**
 * Renders a template authored as CDK stacks (`TemplateBundle.fromStack`) into a bundle directory: the
 * stacks' CloudFormation with Proton's parameters as Jinja, the manifests, and the schema from the inputs.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Token, cx_api as cxapi } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { specYaml } from './spec-yaml';
import { protonError, userError } from './validation';
import type { TemplateInput } from '../bundles/stack-template';

/** The Jinja parameter a reference renders, kept as a marker until the template is written (so that escaping spares it). */
export const MARKER = /@@proton\[([a-z_]+(?:\.[a-z]+\.[A-Za-z0-9_]+|\.name))\]@@/g;
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function reference(parameter: string, name?: string): string {
  if (name !== undefined && (Token.isUnresolved(name) || !INPUT_NAME.test(name))) {
    throw userError(`"${name}" is not a Proton input or output name: use letters, digits and underscores, starting with a letter`);
  }
  return `@@proton[${name === undefined ? parameter : `${parameter}.${name}`}]@@`;
}

/** Which parameters a part of a template may reference, and the inputs it declares. */
export interface TemplatePart {
  /** The bundle folder: infrastructure, instance_infrastructure or pipeline_infrastructure. */
  readonly folder: string;
  readonly stack: Stack;
  /** The parameter whose names the inputs declare (environment.inputs, ...). */
  readonly inputsParameter: string;
  /** Other parameters it may reference. */
  readonly otherParameters: string[];
  readonly inputs: Record<string, TemplateInput>;
}

/** The CloudFormation template of a part, with Proton's parameters as Jinja and every other Jinja delimiter escaped. */
function renderPart(scope: Construct, part: TemplatePart): string {
  const root = part.stack.node.root;
  if (root === scope.node.root) {
    throw protonError(scope, `the template's stack ${part.stack.node.path} is a stack of this app, which cdk deploy would deploy: `
      + 'make it a ProtonTemplateStack (an app of its own)');
  }
  const assembly = (root as App).synth();
  const artifact = assembly.getStackArtifact(part.stack.artifactId);
  // The synthesizer lists the stack's template among its file assets; anything else is an asset Proton would need published.
  const manifests = artifact.dependencies.filter((d): d is cxapi.AssetManifestArtifact => d instanceof cxapi.AssetManifestArtifact);
  const assets = manifests.flatMap((manifest) => [
    ...Object.values(manifest.contents.files ?? {}).map((file) => file.source.path).filter((p) => p !== artifact.templateFile),
    ...Object.values(manifest.contents.dockerImages ?? {}).map((image) => image.source.directory ?? image.source.executable?.join(' ')),
  ]);
  if (assets.length > 0) {
    throw protonError(scope, `the template's stack ${part.stack.node.path} has assets (${assets.join(', ')}): `
      + 'Proton deploys the template as it is and cannot publish them; use inline code or name objects that already exist in S3');
  }
  const declared = new Set(Object.keys(part.inputs));
  const problems: string[] = [];
  // A `{{`, `{%` or `{#` of the stack's own (a dynamic reference such as `{{resolve:ssm:...}}`) is printed as it is.
  const escaped = JSON.stringify(artifact.template, undefined, 2).replace(/\{[{%#]/g, (delimiter) => `{{ '${delimiter}' }}`);
  const text = escaped.replace(MARKER, (_, parameter: string) => {
    const [namespace, kind, name] = parameter.split('.');
    const base = name === undefined ? parameter : `${namespace}.${kind}`;
    if (base === part.inputsParameter && !declared.has(name)) {
      problems.push(`it references input ${name}, which the inputs do not declare: declare it (declared: ${[...declared].join(', ') || 'none'})`);
    } else if (base !== part.inputsParameter && !part.otherParameters.includes(base)) {
      problems.push(`it references ${parameter}, which a template's ${part.folder} cannot: use ${[part.inputsParameter, ...part.otherParameters].join(', ')}`);
    }
    return `{{ ${parameter} }}`;
  });
  if (problems.length > 0) {
    throw protonError(scope, `the template's stack ${part.stack.node.path}:\n  - ${[...new Set(problems)].join('\n  - ')}`);
  }
  return text;
}

/** Whether a value, or any value inside it, is a token (a string, number or list one). */
function hasToken(value: unknown): boolean {
  if (Token.isUnresolved(value)) return true;
  if (Array.isArray(value)) return value.some(hasToken);
  return typeof value === 'object' && value !== null && Object.values(value).some(hasToken);
}

function inputType(scope: Construct, inputs: Record<string, TemplateInput>): Record<string, unknown> {
  for (const [name, input] of Object.entries(inputs)) {
    // The schema is a file in the bundle: a value known only at deploy time has no place in it.
    if (!INPUT_NAME.test(name) || hasToken(name) || hasToken(input._schema)) {
      throw protonError(scope, `template input ${Token.isUnresolved(name) ? '(a token)' : `"${name}"`}: names and options must be literal `
        + 'values written into the bundle\'s schema, and a name letters, digits and underscores, starting with a letter');
    }
  }
  const properties = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input._schema]));
  const required = Object.entries(inputs).filter(([, input]) => input._required).map(([name]) => name);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}

/**
 * Writes the bundle of a template authored as stacks: the schema from the declared inputs, and each
 * part's manifest and template. Answers the directory, named after the content's hash, so that an
 * unchanged template is the same bundle.
 */
export function writeStackBundle(scope: Construct, parts: TemplatePart[], inputTypes: Record<string, string>): string {
  for (const name of Object.values(inputTypes)) {
    if (!INPUT_NAME.test(name)) throw protonError(scope, `input type name "${name}" is not a name the schema can use: use letters, digits and underscores`);
  }
  const types: Record<string, unknown> = {};
  for (const part of parts) types[inputTypes[part.inputsParameter]] = inputType(scope, part.inputs);
  const keys = Object.fromEntries(Object.entries(inputTypes).map(([parameter, name]) => [INPUT_TYPE_KEYS[parameter], name]));
  const files: Record<string, string> = {
    'schema/schema.yaml': specYaml({ schema: { format: { openapi: '3.0.0' }, ...keys, types } }),
  };
  for (const part of parts) {
    files[`${part.folder}/manifest.yaml`] = specYaml({
      infrastructure: { templates: [{ file: 'cloudformation.yaml', rendering_engine: 'jinja', template_language: 'cloudformation' }] },
    });
    files[`${part.folder}/cloudformation.yaml`] = renderPart(scope, part);
  }
  const hash = createHash('sha256');
  for (const [file, text] of Object.entries(files)) hash.update(`\0${file}\0${text}`);
  const dir = path.join(os.tmpdir(), 'cdk-proton-stack-bundles', hash.digest('hex').slice(0, 32));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** The schema key that names each part's input type. */
const INPUT_TYPE_KEYS: Record<string, string> = {
  'environment.inputs': 'environment_input_type',
  'service_instance.inputs': 'service_input_type',
  'pipeline.inputs': 'pipeline_input_type',
};
