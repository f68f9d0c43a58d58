/**
 * Derives the project's own, committed copies of the facts it needs from the AWS Proton API model
 * (`service-2.json` and `paginators-1.json` as botocore ships them, kept outside the repository in
 * `../shared/proton-api/`):
 *
 * - `local-proton/emulator/proton-model.json`: operations (input, output, errors), every shape reachable from
 *   them with its constraints, the error shapes with their HTTP status codes, and the paginators.
 *   The Proton emulator validates requests and shapes responses from it.
 * - `src/proton-limits.generated.ts`: plain constants the construct library checks at synth time.
 *
 * Usage: `npx ts-node --project test/tsconfig.json scripts/derive-proton-model.ts [--check] [--model-dir <dir>]`
 * `--check` writes nothing and exits 1 when a committed file differs from what the model gives.
 */
import * as fs from 'fs';
import * as path from 'path';

interface BotocoreMemberRef {
  readonly shape: string;
  readonly idempotencyToken?: boolean;
}

interface BotocoreShape {
  readonly type: string;
  readonly members?: Record<string, BotocoreMemberRef>;
  readonly required?: string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: string[];
  readonly member?: BotocoreMemberRef;
  readonly key?: BotocoreMemberRef;
  readonly value?: BotocoreMemberRef;
  readonly sensitive?: boolean;
  readonly union?: boolean;
  readonly exception?: boolean;
  readonly fault?: boolean;
  readonly error?: { readonly httpStatusCode?: number };
  readonly retryable?: { readonly throttling?: boolean };
}

interface BotocoreOperation {
  readonly name: string;
  readonly input?: { readonly shape: string };
  readonly output?: { readonly shape: string };
  readonly errors?: { readonly shape: string }[];
}

interface BotocoreModel {
  readonly metadata: Record<string, string>;
  readonly operations: Record<string, BotocoreOperation>;
  readonly shapes: Record<string, BotocoreShape>;
}

const ROOT = path.resolve(__dirname, '..');
const MODEL_JSON = path.join(ROOT, 'local-proton', 'emulator', 'proton-model.json');
const LIMITS_TS = path.join(ROOT, 'src', 'proton-limits.generated.ts');

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const dirFlag = argv.indexOf('--model-dir');
  const modelDir = dirFlag >= 0 ? path.resolve(argv[dirFlag + 1]) : path.resolve(ROOT, '..', 'shared', 'proton-api');

  const service = readJson<BotocoreModel>(path.join(modelDir, 'service-2.json'));
  const paginators = readJson<{ pagination: Record<string, unknown> }>(path.join(modelDir, 'paginators-1.json'));

  const outputs: Array<[string, string]> = [
    [MODEL_JSON, JSON.stringify(deriveModel(service, paginators.pagination), undefined, 2) + '\n'],
    [LIMITS_TS, deriveLimits(service)],
  ];

  let stale = 0;
  for (const [file, text] of outputs) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : undefined;
    if (current === text) continue;
    if (check) {
      process.stderr.write(`${path.relative(ROOT, file)} is out of date: run scripts/derive-proton-model.ts\n`);
      stale++;
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      process.stdout.write(`wrote ${path.relative(ROOT, file)}\n`);
    }
  }
  return stale > 0 ? 1 : 0;
}

/** The trimmed model: no documentation, only shapes the operations can reach. */
export function deriveModel(service: BotocoreModel, pagination: Record<string, unknown>) {
  const operations: Record<string, { input?: string; output?: string; errors: string[] }> = {};
  const reachable = new Set<string>();
  const errorShapes = new Set<string>();

  for (const name of Object.keys(service.operations).sort()) {
    const op = service.operations[name];
    const errors = (op.errors ?? []).map(e => e.shape);
    operations[name] = { input: op.input?.shape, output: op.output?.shape, errors };
    for (const root of [op.input?.shape, op.output?.shape, ...errors]) {
      if (root) collect(service, root, reachable);
    }
    errors.forEach(e => errorShapes.add(e));
  }

  const shapes: Record<string, unknown> = {};
  for (const name of [...reachable].sort()) {
    shapes[name] = trimShape(name, service.shapes[name], errorShapes.has(name));
  }

  const paginators: Record<string, unknown> = {};
  for (const name of Object.keys(pagination).sort()) {
    if (operations[name]) paginators[name] = pagination[name];
  }

  const { apiVersion, jsonVersion, protocol, serviceId, signingName, targetPrefix } = service.metadata;
  return {
    '//': 'Derived from the AWS Proton API model (botocore service-2.json, paginators-1.json) by scripts/derive-proton-model.ts. Do not edit.',
    'metadata': { apiVersion, jsonVersion, protocol, serviceId, signingName, targetPrefix },
    operations,
    shapes,
    paginators,
  };
}

function collect(service: BotocoreModel, name: string, seen: Set<string>): void {
  if (seen.has(name)) return;
  const shape = service.shapes[name];
  if (!shape) throw new Error(`shape ${name} is referenced but not defined in the model`);
  seen.add(name);
  const refs = [
    ...Object.values(shape.members ?? {}),
    shape.member, shape.key, shape.value,
  ];
  for (const ref of refs) {
    if (ref) collect(service, ref.shape, seen);
  }
}

/** HTTP status of Proton's errors in the Smithy model (see `trimShape`). */
const SMITHY_HTTP_STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  ConflictException: 409,
  InternalServerException: 500,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  ValidationException: 400,
};

function trimShape(name: string, shape: BotocoreShape, isError: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { type: shape.type };
  if (shape.members) {
    out.members = Object.fromEntries(Object.entries(shape.members).map(([m, ref]) => [m, ref.shape]));
    const tokens = Object.entries(shape.members).filter(([, ref]) => ref.idempotencyToken).map(([m]) => m);
    if (tokens.length > 1) throw new Error('a structure with more than one idempotency token is not supported');
    if (tokens.length === 1) out.idempotencyToken = tokens[0];
  }
  if (shape.required?.length) out.required = [...shape.required];
  if (shape.union) out.union = true;
  for (const key of ['min', 'max', 'pattern'] as const) {
    if (shape[key] !== undefined) out[key] = shape[key];
  }
  if (shape.enum) out.enum = [...shape.enum];
  if (shape.member) out.member = shape.member.shape;
  if (shape.key) out.key = shape.key.shape;
  if (shape.value) out.value = shape.value.shape;
  if (shape.sensitive) out.sensitive = true;
  if (isError || shape.exception) {
    // The botocore model gives no `error.httpStatusCode` for Proton's errors; the Smithy model that
    // @aws-sdk/client-proton is generated from does (its `httpError` traits). Otherwise the AWS JSON
    // default: 400 for a client (sender) fault, 500 for a server fault.
    out.httpStatusCode = shape.error?.httpStatusCode ?? SMITHY_HTTP_STATUS[name] ?? (shape.fault ? 500 : 400);
    out.fault = shape.fault ? 'server' : 'client';
    if (shape.retryable) out.retryable = { throttling: !!shape.retryable.throttling };
  }
  return out;
}

/** `src/proton-limits.generated.ts`: the constants the construct library checks at synth time. */
export function deriveLimits(service: BotocoreModel): string {
  const shapes = service.shapes;
  const shape = (name: string, type: string): BotocoreShape => {
    const s = shapes[name];
    if (!s) throw new Error(`shape ${name} is missing from the model`);
    if (s.type !== type) throw new Error(`shape ${name} is a ${s.type}, expected ${type}`);
    if (s.min === undefined || s.max === undefined) throw new Error(`shape ${name} has no min/max`);
    return s;
  };
  const stringLimit = (constName: string, shapeName: string) => {
    const s = shape(shapeName, 'string');
    const pattern = s.pattern !== undefined ? `, pattern: ${tsString(s.pattern)}` : '';
    return `/** Shape \`${shapeName}\`. */\nexport const ${constName}: StringLimit = { min: ${s.min}, max: ${s.max}${pattern} };\n`;
  };
  const tags = shape('TagList', 'list');
  const compatible = shape('CompatibleEnvironmentTemplateInputList', 'list');

  return [
    '// Generated by scripts/derive-proton-model.ts from the AWS Proton API model (botocore service-2.json).',
    '// Do not edit: run `npx ts-node --project test/tsconfig.json scripts/derive-proton-model.ts` instead.',
    '',
    '/** Length limits of a string in the Proton API, and its pattern when the model gives one. */',
    'export interface StringLimit { readonly min: number; readonly max: number; readonly pattern?: string }',
    '',
    stringLimit('RESOURCE_NAME', 'ResourceName'),
    stringLimit('TEMPLATE_VERSION_PART', 'TemplateVersionPart'),
    stringLimit('DESCRIPTION', 'Description'),
    stringLimit('DISPLAY_NAME', 'DisplayName'),
    stringLimit('SPEC_CONTENTS', 'SpecContents'),
    stringLimit('TEMPLATE_MANIFEST_CONTENTS', 'TemplateManifestContents'),
    stringLimit('TEMPLATE_FILE_CONTENTS', 'TemplateFileContents'),
    stringLimit('CLIENT_TOKEN', 'ClientToken'),
    stringLimit('TAG_KEY', 'TagKey'),
    stringLimit('TAG_VALUE', 'TagValue'),
    `/** Shape \`TagList\`: the most tags a resource carries. */\nexport const MAX_TAGS: number = ${tags.max};\n`,
    '/** Shape `CompatibleEnvironmentTemplateInputList`. */',
    `export const COMPATIBLE_ENVIRONMENT_TEMPLATES: { readonly min: number; readonly max: number } = { min: ${compatible.min}, max: ${compatible.max} };`,
    '',
  ].join('\n');
}

/** A single-quoted TypeScript string literal holding exactly `s`. */
function tsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function readJson<T>(file: string): T {
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: pass --model-dir <dir holding service-2.json and paginators-1.json>`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf-8')) as T;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
