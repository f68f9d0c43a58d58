import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentTemplateVersionCommand,
  GetServiceTemplateVersionCommand,
  ProtonClient,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor, envBundleFiles, fastWaiter, manifestYaml, schemaYaml, serviceBundleFiles, tarGz } from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;
const BUCKET = 'bundles';
let counter = 0;

beforeAll(async () => {
  proton = await ProtonEmulator.start({ registrationDelayMs: 10 });
  client = clientFor(proton);
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

/** Creates an environment template (optionally customer managed), registers `bundle` as a version, answers its final state. */
async function registerEnv(bundle: Buffer | undefined, options: { provisioning?: 'CUSTOMER_MANAGED'; templateName?: string; majorVersion?: string } = {}) {
  const templateName = options.templateName ?? `env-${++counter}`;
  if (!options.templateName) {
    await client.send(new CreateEnvironmentTemplateCommand({ name: templateName, provisioning: options.provisioning }));
  }
  const key = `env/${++counter}.tar.gz`;
  if (bundle) proton.s3.putObject(BUCKET, key, bundle);
  const v = (await client.send(new CreateEnvironmentTemplateVersionCommand({
    templateName, majorVersion: options.majorVersion, source: { s3: { bucket: BUCKET, key } },
  }))).environmentTemplateVersion!;
  const id = { templateName, majorVersion: v.majorVersion, minorVersion: v.minorVersion };
  await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), id).catch(() => undefined);
  return { key, templateName, version: (await client.send(new GetEnvironmentTemplateVersionCommand(id))).environmentTemplateVersion! };
}

async function registerService(bundle: Buffer, pipelineProvisioning?: 'CUSTOMER_MANAGED') {
  const envName = (await registerEnv(tarGz(envBundleFiles()))).templateName;
  const templateName = `svc-${++counter}`;
  await client.send(new CreateServiceTemplateCommand({ name: templateName, pipelineProvisioning }));
  const key = `svc/${counter}.tar.gz`;
  proton.s3.putObject(BUCKET, key, bundle);
  await client.send(new CreateServiceTemplateVersionCommand({
    templateName, source: { s3: { bucket: BUCKET, key } }, compatibleEnvironmentTemplates: [{ templateName: envName, majorVersion: '1' }],
  }));
  const id = { templateName, majorVersion: '1', minorVersion: '0' };
  await waitUntilServiceTemplateVersionRegistered(fastWaiter(client), id).catch(() => undefined);
  return (await client.send(new GetServiceTemplateVersionCommand(id))).serviceTemplateVersion!;
}

describe('registration reads the real bundle bytes and checks them as Proton does', () => {
  test('a good environment bundle registers as DRAFT with its schema', async () => {
    const { version } = await registerEnv(tarGz(envBundleFiles()));
    expect(version.status).toBe('DRAFT');
    expect(version.statusMessage).toBeUndefined();
    expect(version.schema).toBe(schemaYaml());
  });

  test.each([
    ['no schema', (f: Record<string, string>) => { delete f['schema/schema.yaml']; }, /missing required file schema\/schema\.yaml/],
    ['a manifest naming a missing file', (f: Record<string, string>) => { f['infrastructure/manifest.yaml'] = manifestYaml('vpc.yaml'); },
      /infrastructure\/manifest\.yaml lists file vpc\.yaml, which is not in the template bundle/],
    ['no manifest', (f: Record<string, string>) => { delete f['infrastructure/manifest.yaml']; }, /missing required file infrastructure\/manifest\.yaml/],
    ['too many files', (f: Record<string, string>) => {
      for (let i = 0; i < 8; i++) f[`infrastructure/extra-${i}.yaml`] = 'x: 1\n';
    }, /contains 11 files; a template bundle can contain at most 10 files/],
    ['a schema that is not YAML', (f: Record<string, string>) => { f['schema/schema.yaml'] = 'schema: [unclosed\n'; }, /schema\/schema\.yaml is not valid YAML/],
    ['the wrong openapi version', (f: Record<string, string>) => { f['schema/schema.yaml'] = schemaYaml().replace('3.0.0', '3.1.0'); },
      /schema\.format\.openapi must be "3\.0\.0", found "3\.1\.0"/],
    ['its input type missing from types', (f: Record<string, string>) => {
      f['schema/schema.yaml'] = schemaYaml().replace('environment_input_type: "EnvInput"', 'environment_input_type: "Other"');
    }, /environment_input_type 'Other' is not defined in schema\.types/],
    ['an unknown rendering engine', (f: Record<string, string>) => {
      f['infrastructure/manifest.yaml'] = manifestYaml().replace('jinja', 'mustache');
    }, /rendering_engine must be one of jinja, hcl, codebuild/],
    ['a schema over 50 KB', (f: Record<string, string>) => { f['schema/schema.yaml'] += `# ${'x'.repeat(51 * 1024)}\n`; },
      /File schema\/schema\.yaml is \d+ bytes/],
  ])('a bundle with %s fails registration with a message naming it', async (_what, mutate, message) => {
    const files = envBundleFiles();
    mutate(files);
    const { version } = await registerEnv(tarGz(files));
    expect(version.status).toBe('REGISTRATION_FAILED');
    expect(version.statusMessage).toMatch(message);
    expect(version.schema).toBeUndefined();
  });

  test('a bundle that is not gzip, or over 5 MB, fails registration', async () => {
    const plain = await registerEnv(Buffer.from('just text'));
    expect(plain.version.statusMessage).toMatch(/not a gzip-compressed tar archive/);
    const huge = await registerEnv(Buffer.alloc(5 * 1024 * 1024 + 1, 1));
    expect(huge.version.statusMessage).toMatch(/the maximum size of a template bundle is 5 MB/);
  });

  test('a missing S3 object fails registration with a message naming bucket and key', async () => {
    const { key, version } = await registerEnv(undefined);
    expect(version.status).toBe('REGISTRATION_FAILED');
    expect(version.statusMessage).toContain(`s3://${BUCKET}/${key}`);
  });

  test('a customer-managed environment template needs the schema only', async () => {
    const { version } = await registerEnv(tarGz({ 'schema/schema.yaml': schemaYaml() }), { provisioning: 'CUSTOMER_MANAGED' });
    expect(version.status).toBe('DRAFT');
    const managed = await registerEnv(tarGz({ 'schema/schema.yaml': schemaYaml() }));
    expect(managed.version.status).toBe('REGISTRATION_FAILED');
  });

  test('a service bundle needs pipeline_infrastructure/ and pipeline_input_type, unless the template has no pipeline', async () => {
    expect((await registerService(tarGz(serviceBundleFiles()))).status).toBe('DRAFT');
    const noPipeline = await registerService(tarGz(serviceBundleFiles(false)));
    expect(noPipeline.status).toBe('REGISTRATION_FAILED');
    expect(noPipeline.statusMessage).toMatch(/missing pipeline_infrastructure\/manifest\.yaml/);
    expect((await registerService(tarGz(serviceBundleFiles(false)), 'CUSTOMER_MANAGED')).status).toBe('DRAFT');

    const files = serviceBundleFiles();
    files['schema/schema.yaml'] = schemaYaml({ environment: false });
    const noPipelineType = await registerService(tarGz(files));
    expect(noPipelineType.statusMessage).toMatch(/schema\.pipeline_input_type is required/);
  });

  test('a new minor version must be backwards compatible with the one before', async () => {
    const first = await registerEnv(tarGz(envBundleFiles()));
    const compatible = await registerEnv(tarGz(envBundleFiles()), { templateName: first.templateName, majorVersion: '1' });
    expect(compatible.version).toMatchObject({ minorVersion: '1', status: 'DRAFT' });
    const breaking = await registerEnv(tarGz(envBundleFiles('subnet_id')), { templateName: first.templateName, majorVersion: '1' });
    expect(breaking.version.status).toBe('REGISTRATION_FAILED');
    expect(breaking.version.statusMessage).toMatch(/not backwards compatible with 1\.1: input 'subnet_id' of EnvInput is newly required and has no default/);
    // the same change as a new major version is fine
    const major = await registerEnv(tarGz(envBundleFiles('subnet_id')), { templateName: first.templateName });
    expect(major.version).toMatchObject({ majorVersion: '2', status: 'DRAFT' });
  });

  test('failRegistration makes every later version of that template fail with the message', async () => {
    const templateName = `env-${++counter}`;
    await client.send(new CreateEnvironmentTemplateCommand({ name: templateName }));
    proton.faults.failRegistration(templateName, 'injected: bundle rejected');
    try {
      const failed = await registerEnv(tarGz(envBundleFiles()), { templateName });
      expect(failed.version).toMatchObject({ status: 'REGISTRATION_FAILED', statusMessage: 'injected: bundle rejected' });
      const other = await registerEnv(tarGz(envBundleFiles()));
      expect(other.version.status).toBe('DRAFT');
    } finally {
      proton.faults.clear();
    }
  });
});
