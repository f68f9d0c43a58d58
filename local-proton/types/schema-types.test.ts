import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { schemaTypes } from './schema-types';
import { main } from '../cli/main';

const ROOT = path.join(__dirname, '..', '..');
const CLUSTER_BUNDLE = path.join(ROOT, 'test', 'fixtures', 'spec-validation', 'cluster-env');
const SERVICE_BUNDLE = path.join(ROOT, 'examples', 'my-platform', 'templates', 'api-svc', 'v1');

/**
 * Type-checks `files` (generated ones and a user's), as a user's app would: `cdk-proton` is the compiled library's
 * declarations (lib/, which the test task compiles first). Answers each error as `file:line: message`.
 */
function typeErrors(files: Record<string, string>): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-types-'));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const program = ts.createProgram(Object.keys(files).map((file) => path.join(dir, file)), {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    skipLibCheck: true,
    paths: { 'cdk-proton': [path.join(ROOT, 'lib', 'index.d.ts')] },
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${d.file ? path.basename(d.file.fileName) : ''}:${line}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe('cdk-proton types: TypeScript from a bundle\'s schema', () => {
  test('an interface per input type, named as the schema names it, with the schema\'s words as doc comments', () => {
    const text = schemaTypes(CLUSTER_BUNDLE);
    expect(text).toContain('export interface ClusterEnvironmentInput {');
    expect(text).toMatch(/\* The stage the cluster serves\n\s+\*\/\n\s+readonly tier: "dev" \| "staging" \| "prod";/);
    expect(text).toMatch(/Limits: minimum: 1, maximum: 50\n\s+\* @default 2\n\s+\*\/\n\s+readonly node_count\?: number;/);
    expect(text).toContain('export function environmentSpec(inputs: ClusterEnvironmentInput): Spec {');
    const service = schemaTypes(SERVICE_BUNDLE);
    expect(service).toContain('export function serviceInstanceSpec(inputs: ApiServiceInput): Spec {');
    expect(service).toContain('export function pipelineSpec(inputs: PipelineInput): Spec {');
  });

  test('a spec that matches the schema compiles; a wrong enum value, a wrong type, a misspelt or a missing input fail tsc', () => {
    const errors = typeErrors({
      'cluster-env.ts': schemaTypes(CLUSTER_BUNDLE),
      'api-svc.ts': schemaTypes(SERVICE_BUNDLE),
      'good.ts': `
        import { Spec } from 'cdk-proton';
        import { ClusterEnvironmentInput, environmentSpec } from './cluster-env';
        import { pipelineSpec, serviceInstanceSpec } from './api-svc';
        const inputs: ClusterEnvironmentInput = {
          cluster_name: 'shared-dev', tier: 'prod', node_count: 3, availability_zones: ['us-east-1a', 'us-east-1b'],
          logging: { retention_days: 30, enabled: false }, node_groups: [{ name: 'general' }], owner_email: null,
        };
        const specs: Spec[] = [environmentSpec(inputs), serviceInstanceSpec({ port: 8080 }), pipelineSpec({})];
        export default specs;
      `,
      'bad.ts': [
        "import { environmentSpec } from './cluster-env';",
        "import { serviceInstanceSpec } from './api-svc';",
        "environmentSpec({ cluster_name: 'a', tier: 'qa' });",
        "serviceInstanceSpec({ port: '8080' });",
        'serviceInstanceSpec({ prot: 8080 });',
        "environmentSpec({ tier: 'dev' });",
        "environmentSpec({ cluster_name: 'a', tier: 'dev', logging: { retention_days: 14 } });",
      ].join('\n'),
    });
    expect(errors).toEqual([
      expect.stringMatching(/^bad.ts:3: Type '"qa"' is not assignable to type '"dev" \| "staging" \| "prod"'/),
      expect.stringMatching(/^bad.ts:4: Type 'string' is not assignable to type 'number'/),
      expect.stringMatching(/^bad.ts:5: Object literal may only specify known properties, .*'prot' does not exist in type 'ApiServiceInput'/),
      expect.stringMatching(/^bad.ts:6: .*Property 'cluster_name' is missing/),
      expect.stringMatching(/^bad.ts:7: Type '14' is not assignable to type '7 \| 30 \| 90'/),
    ]);
  });

  test('a bundle without a schema, or a $ref to a type it does not have, is refused with the file and the fix', () => {
    expect(() => schemaTypes('/nonexistent')).toThrow(/schema\/schema.yaml does not exist: give a template bundle's directory/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-ref-'));
    fs.mkdirSync(path.join(dir, 'schema'));
    fs.writeFileSync(path.join(dir, 'schema', 'schema.yaml'), [
      'schema:', '  format: { openapi: "3.0.0" }', '  environment_input_type: In', '  types:',
      '    In: { type: object, properties: { a: { $ref: "#/types/Missing" } } }',
    ].join('\n'));
    expect(() => schemaTypes(dir)).toThrow(/In.a: \$ref #\/types\/Missing is not a type of the schema/);
  });

  test('npx cdk-proton types writes the file, or prints it; a bundle without a schema exits 1, bad usage 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'types-cli-'));
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), cwd: ROOT };
    expect(await main(['types', 'test/fixtures/spec-validation/cluster-env', '--out', path.join(dir, 'inputs', 'cluster.ts')], io)).toBe(0);
    const written = fs.readFileSync(path.join(dir, 'inputs', 'cluster.ts'), 'utf8');
    expect(written).toBe(schemaTypes(CLUSTER_BUNDLE, 'test/fixtures/spec-validation/cluster-env'));
    expect(written.split('\n')[0]).toBe('// Generated by `cdk-proton types test/fixtures/spec-validation/cluster-env` '
      + 'from schema/schema.yaml: regenerate it when the schema changes.');
    lines.length = 0;
    expect(await main(['types', 'examples/my-platform/templates/api-svc/v1'], io)).toBe(0);
    expect(lines.join('\n')).toContain('export interface ApiServiceInput {');
    lines.length = 0;
    expect(await main(['types', 'nonexistent'], io)).toBe(1);
    expect(lines.join('\n')).toMatch(/nonexistent\/schema\/schema.yaml does not exist/);
    expect(await main(['types'], io)).toBe(2);
  });
});
