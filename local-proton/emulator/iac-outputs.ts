import * as path from 'path';
import * as YAML from 'yaml';

/**
 * The CloudFormation intrinsic functions with a short form (`!Ref`, `!GetAtt`, `!Sub`, ...; CloudFormation
 * template reference, "Intrinsic function reference"). Each resolves to its long form (`{ "Fn::GetAtt": ... }`)
 * in scalar, sequence and mapping form, so that a plain YAML parser reads a CloudFormation template.
 */
const CFN_SHORT_FORMS = [
  'And', 'Base64', 'Cidr', 'Condition', 'Equals', 'FindInMap', 'ForEach', 'GetAtt', 'GetAZs', 'If', 'ImportValue',
  'Join', 'Length', 'Not', 'Or', 'Ref', 'Select', 'Split', 'Sub', 'ToJsonString', 'Transform',
];

type Collection = { toJSON(): unknown };

const CFN_TAGS: YAML.Tags = CFN_SHORT_FORMS.flatMap(name => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (value: Collection) => ({ [key]: value.toJSON() }) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (value: Collection) => ({ [key]: value.toJSON() }) },
  ] as YAML.Tags;
});

/**
 * Parses a CloudFormation template (YAML with short-form intrinsic tags, or JSON). Throws on YAML errors.
 */
export function parseCloudFormation(text: string): unknown {
  const doc = YAML.parseDocument(text, { customTags: CFN_TAGS, logLevel: 'silent', uniqueKeys: false });
  if (doc.errors.length > 0) throw new Error(doc.errors[0].message.split('\n')[0]);
  return doc.toJS({ maxAliasCount: -1 });
}

/**
 * The keys of the `Outputs:` section of a CloudFormation template that Proton renders with Jinja. Jinja
 * statements (`{% ... %}`, `{# ... #}`) are dropped and expressions (`{{ ... }}`) replaced before parsing; a
 * template that still isn't YAML is read line by line (the keys one indentation level under `Outputs:`).
 */
export function cloudFormationOutputKeys(text: string): string[] {
  const plain = text
    .replace(/\{#[\s\S]*?#\}/g, '')
    .replace(/^[ \t]*\{%[\s\S]*?%\}[ \t]*$/gm, '')
    .replace(/\{%[\s\S]*?%\}/g, '')
    .replace(/\{\{[\s\S]*?\}\}/g, 'jinja');
  try {
    const doc = parseCloudFormation(plain) as { Outputs?: unknown } | null;
    const outputs = doc?.Outputs;
    return outputs && typeof outputs === 'object' && !Array.isArray(outputs) ? Object.keys(outputs) : [];
  } catch {
    return outputKeysByIndentation(plain);
  }
}

function outputKeysByIndentation(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex(l => /^Outputs\s*:\s*(#.*)?$/.test(l));
  if (start < 0) return [];
  const keys: string[] = [];
  let indent: number | undefined;
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const lead = line.length - line.trimStart().length;
    if (lead === 0) break;
    indent ??= lead;
    const key = /^\s*["']?([A-Za-z0-9]+)["']?\s*:/.exec(line);
    if (lead === indent && key) keys.push(key[1]);
  }
  return keys;
}

/** The names of the `output "<name>" { ... }` blocks of a Terraform file. */
export function terraformOutputKeys(text: string): string[] {
  return [...text.matchAll(/^\s*output\s+"([^"]+)"\s*\{/gm)].map(m => m[1]);
}

interface ManifestEntry {
  readonly file?: unknown;
  readonly rendering_engine?: unknown;
  readonly template_language?: unknown;
}

/**
 * The outputs a template bundle's infrastructure declares, in order, without duplicates: for every entry of
 * `<folder>/manifest.yaml` (`infrastructure`, `instance_infrastructure`, ...) with `template_language:
 * cloudformation`, the keys of the `Outputs:` section of its file(s); with `template_language: terraform`, the
 * `output` blocks of its `.tf` file(s). CodeBuild provisioning declares none (its outputs are whatever the
 * provisioning commands write).
 */
export function declaredOutputKeys(files: ReadonlyMap<string, Buffer>, folder: string): string[] {
  const manifest = files.get(`${folder}/manifest.yaml`);
  if (!manifest) return [];
  let entries: ManifestEntry[];
  try {
    const doc = YAML.parse(manifest.toString('utf-8')) as { infrastructure?: { templates?: unknown } } | null;
    entries = Array.isArray(doc?.infrastructure?.templates) ? doc!.infrastructure!.templates as ManifestEntry[] : [];
  } catch {
    return [];
  }
  const keys: string[] = [];
  for (const entry of entries) {
    const language = String(entry?.template_language ?? '').toLowerCase();
    if (entry?.rendering_engine === 'codebuild' || typeof entry?.file !== 'string') continue;
    const paths = entry.file === '*'
      ? [...files.keys()].filter(f => f.startsWith(`${folder}/`) && f !== `${folder}/manifest.yaml`).sort()
      : [path.posix.normalize(`${folder}/${entry.file}`)];
    for (const p of paths) {
      const text = files.get(p)?.toString('utf-8');
      if (text === undefined) continue;
      if (language === 'cloudformation') keys.push(...cloudFormationOutputKeys(text));
      else if (language === 'terraform' && p.endsWith('.tf')) keys.push(...terraformOutputKeys(text));
    }
  }
  return [...new Set(keys)];
}
