import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentCommandInput,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  ProtonClient,
  ProtonClientConfig,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceCreated,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import * as tar from 'tar';
import { ProtonEmulator, ProtonIam } from '.';

/** A ProtonClient (the real SDK) pointed at the emulator with the administrator's credentials. */
export function clientFor(emulator: ProtonEmulator, maxAttempts = 1, config: ProtonClientConfig = {}): ProtonClient {
  return new ProtonClient({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: ProtonIam.ADMINISTRATOR_KEY, secretAccessKey: 'test-secret' },
    maxAttempts,
    ...config,
  });
}

type RetryStrategyV2 = Extract<NonNullable<ProtonClientConfig['retryStrategy']>, { refreshRetryTokenForRetry: unknown }>;

/**
 * A client that retries by the SDK's standard rule (an error the SDK classifies as THROTTLING or TRANSIENT,
 * up to `maxAttempts`: ThrottlingException yes, ConflictException no) but waits only `delayMs` between
 * attempts instead of the SDK's backoff (a second or more after throttling), to keep the suite fast.
 */
export function clientWithFastRetries(emulator: ProtonEmulator, maxAttempts: number, delayMs = 5): ProtonClient {
  const token = (count: number) => ({ getRetryCount: () => count, getRetryDelay: () => delayMs });
  const retryStrategy: RetryStrategyV2 = {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, errorInfo) => {
      const retries = previous.getRetryCount() + 1;
      if (!['THROTTLING', 'TRANSIENT'].includes(errorInfo.errorType) || retries >= maxAttempts) {
        throw new Error(`not retried: ${errorInfo.errorType} after ${retries} attempt(s)`);
      }
      return token(retries);
    },
    recordSuccess: () => undefined,
  };
  return clientFor(emulator, maxAttempts, { retryStrategy });
}

/** Waiter options that keep the suite fast: registration takes tens of milliseconds in the emulator. */
export function fastWaiter(client: ProtonClient) {
  return { client, maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 };
}

/** A real `.tar.gz` of `files` (path in the bundle → content), built with the `tar` package from a temp dir. */
export function tarGz(files: Record<string, string | Buffer>): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proton-bundle-'));
  try {
    const root = path.join(dir, 'root');
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), content);
    }
    const archive = path.join(dir, 'bundle.tar.gz');
    tar.c({ gzip: true, sync: true, file: archive, cwd: root, portable: true }, Object.keys(files).sort());
    return fs.readFileSync(archive);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function schemaYaml(options: { environment?: boolean; pipeline?: boolean; extraRequired?: string } = {}): string {
  const inputKey = options.environment === false ? 'service_input_type: "ServiceInput"' : 'environment_input_type: "EnvInput"';
  const inputType = options.environment === false ? 'ServiceInput' : 'EnvInput';
  const lines = [
    'schema:',
    '  format:',
    '    openapi: "3.0.0"',
    `  ${inputKey}`,
    ...(options.pipeline ? ['  pipeline_input_type: "PipelineInput"'] : []),
    '  types:',
    `    ${inputType}:`,
    '      type: object',
    ...(options.extraRequired ? ['      required:', `        - ${options.extraRequired}`] : []),
    '      properties:',
    '        vpc_cidr:',
    '          type: string',
    '          default: 10.0.0.0/16',
    ...(options.extraRequired ? [`        ${options.extraRequired}:`, '          type: string'] : []),
    ...(options.pipeline ? ['    PipelineInput:', '      type: object', '      properties:', '        unit_test_command:', '          type: string'] : []),
  ];
  return lines.join('\n') + '\n';
}

export function manifestYaml(file = 'cloudformation.yaml'): string {
  return ['infrastructure:', '  templates:', `    - file: "${file}"`, '      rendering_engine: jinja', '      template_language: cloudformation', ''].join('\n');
}

export const CFN_TEMPLATE = 'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: "{{ environment.inputs.vpc_cidr }}"\n';

/** Files of a good environment template bundle. */
export function envBundleFiles(extraRequired?: string): Record<string, string> {
  return {
    'schema/schema.yaml': schemaYaml({ extraRequired }),
    'infrastructure/manifest.yaml': manifestYaml(),
    'infrastructure/cloudformation.yaml': CFN_TEMPLATE,
  };
}

/** Files of a good service template bundle, with a pipeline unless `pipeline` is false. */
export function serviceBundleFiles(pipeline = true): Record<string, string> {
  return {
    'schema/schema.yaml': schemaYaml({ environment: false, pipeline }),
    'instance_infrastructure/manifest.yaml': manifestYaml(),
    'instance_infrastructure/cloudformation.yaml': CFN_TEMPLATE,
    ...(pipeline ? {
      'pipeline_infrastructure/manifest.yaml': manifestYaml('pipeline.yaml'),
      'pipeline_infrastructure/pipeline.yaml': 'Resources: {}\n',
    } : {}),
  };
}

export interface ServiceBundleOptions {
  /** With `pipeline_infrastructure/` and `pipeline_input_type`. @default true */
  readonly pipeline?: boolean;
  /** An input of ServiceInput that is required, without default (a string). */
  readonly instanceRequired?: string;
  /** An input of PipelineInput that is required, without default (a string). */
  readonly pipelineRequired?: string;
  /** The Outputs of the instance's CloudFormation template. @default ['ServiceEndpoint', 'ServiceArn'] */
  readonly instanceOutputs?: readonly string[];
  /** The Outputs of the pipeline's CloudFormation template. @default ['PipelineEndpoint'] */
  readonly pipelineOutputs?: readonly string[];
}

/** A Jinja-rendered CloudFormation template whose Outputs are `outputs` (short-form intrinsics). */
export function cfnTemplateWithOutputs(outputs: readonly string[], inputsOf = 'service_instance'): string {
  return [
    'Resources:',
    '  Queue:',
    '    Type: AWS::SQS::Queue',
    '    Properties:',
    `      DelaySeconds: {{ ${inputsOf}.inputs.port | default(0) }}`,
    ...(outputs.length > 0 ? ['Outputs:'] : []),
    ...outputs.flatMap(key => [`  ${key}:`, '    Value: !GetAtt Queue.Arn']),
    '',
  ].join('\n');
}

/**
 * Files of a service template bundle whose infrastructure declares outputs: `schema/schema.yaml` with
 * `service_input_type: ServiceInput` (`port` integer with a default, `image` string) and, with a pipeline,
 * `pipeline_input_type: PipelineInput` (`unit_test_command` string); `instance_infrastructure/` and
 * `pipeline_infrastructure/` each with a manifest and a CloudFormation file with Outputs.
 */
export function serviceBundleWithOutputs(options: ServiceBundleOptions = {}): Record<string, string> {
  const pipeline = options.pipeline ?? true;
  const required = (name?: string) => (name ? ['      required:', `        - ${name}`] : []);
  const declared = ['port', 'image', 'unit_test_command'];
  const property = (name?: string) => (name && !declared.includes(name) ? [`        ${name}:`, '          type: string'] : []);
  const schema = [
    'schema:',
    '  format:',
    '    openapi: "3.0.0"',
    '  service_input_type: "ServiceInput"',
    ...(pipeline ? ['  pipeline_input_type: "PipelineInput"'] : []),
    '  types:',
    '    ServiceInput:',
    '      type: object',
    ...required(options.instanceRequired),
    '      properties:',
    '        port:',
    '          type: integer',
    '          default: 80',
    '        image:',
    '          type: string',
    ...property(options.instanceRequired),
    ...(pipeline ? [
      '    PipelineInput:',
      '      type: object',
      ...required(options.pipelineRequired),
      '      properties:',
      '        unit_test_command:',
      '          type: string',
      ...property(options.pipelineRequired),
    ] : []),
  ];
  return {
    'schema/schema.yaml': schema.join('\n') + '\n',
    'instance_infrastructure/manifest.yaml': manifestYaml('instance.yaml'),
    'instance_infrastructure/instance.yaml': cfnTemplateWithOutputs(options.instanceOutputs ?? ['ServiceEndpoint', 'ServiceArn']),
    ...(pipeline ? {
      'pipeline_infrastructure/manifest.yaml': manifestYaml('pipeline.yaml'),
      'pipeline_infrastructure/pipeline.yaml': cfnTemplateWithOutputs(options.pipelineOutputs ?? ['PipelineEndpoint'], 'pipeline'),
    } : {}),
  };
}

/** A service spec (`proton: ServiceSpec`) with `instances` (inputs under each `spec:`) and, if given, `pipeline` inputs. */
export function serviceSpec(
  instances: ReadonlyArray<{ name: string; environment: string; inputs?: Record<string, unknown> }>,
  pipeline?: Record<string, unknown>,
): string {
  const yamlValue = (v: unknown) => JSON.stringify(v);
  const lines = ['proton: ServiceSpec'];
  if (pipeline) {
    lines.push('pipeline:', ...Object.entries(pipeline).map(([k, v]) => `  ${k}: ${yamlValue(v)}`));
  }
  lines.push('instances:');
  if (instances.length === 0) lines[lines.length - 1] = 'instances: []';
  for (const i of instances) {
    lines.push(`  - name: ${i.name}`, `    environment: ${i.environment}`);
    const inputs = Object.entries(i.inputs ?? {});
    if (inputs.length > 0) lines.push('    spec:', ...inputs.map(([k, v]) => `      ${k}: ${yamlValue(v)}`));
  }
  return lines.join('\n') + '\n';
}

/** A connection ARN of the form CreateRepository takes (AWS CodeStar Connections). */
export const CONNECTION_ARN = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

/**
 * Creates environment template `name` with version 1.0 (`envBundleFiles()`: input `vpc_cidr` with a default),
 * registered and published. The bundle goes to `proton.s3` under bucket `fixtures`.
 */
export async function publishedEnvironmentTemplate(proton: ProtonEmulator, client: ProtonClient, name: string): Promise<void> {
  await client.send(new CreateEnvironmentTemplateCommand({ name }));
  proton.s3.putObject('fixtures', `${name}.tar.gz`, tarGz(envBundleFiles()));
  await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: name, source: { s3: { bucket: 'fixtures', key: `${name}.tar.gz` } } }));
  const id = { templateName: name, majorVersion: '1', minorVersion: '0' };
  await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), id);
  await client.send(new UpdateEnvironmentTemplateVersionCommand({ ...id, status: 'PUBLISHED' }));
}

export interface PublishedServiceTemplateOptions {
  /** The environment template (major version 1) its instances may run in. */
  readonly environmentTemplate: string;
  /** The version's supportedComponentSources. @default none */
  readonly supportedComponentSources?: ReadonlyArray<'DIRECTLY_DEFINED'>;
}

/**
 * Creates service template `name` (pipelineProvisioning CUSTOMER_MANAGED: no pipeline) with version 1.0
 * (`serviceBundleWithOutputs({ pipeline: false })`), registered and published.
 */
export async function publishedServiceTemplate(
  proton: ProtonEmulator, client: ProtonClient, name: string, options: PublishedServiceTemplateOptions,
): Promise<void> {
  await client.send(new CreateServiceTemplateCommand({ name, pipelineProvisioning: 'CUSTOMER_MANAGED' }));
  proton.s3.putObject('fixtures', `${name}.tar.gz`, tarGz(serviceBundleWithOutputs({ pipeline: false })));
  await client.send(new CreateServiceTemplateVersionCommand({
    templateName: name,
    source: { s3: { bucket: 'fixtures', key: `${name}.tar.gz` } },
    compatibleEnvironmentTemplates: [{ templateName: options.environmentTemplate, majorVersion: '1' }],
    supportedComponentSources: options.supportedComponentSources ? [...options.supportedComponentSources] : undefined,
  }));
  const id = { templateName: name, majorVersion: '1', minorVersion: '0' };
  await waitUntilServiceTemplateVersionRegistered(fastWaiter(client), id);
  await client.send(new UpdateServiceTemplateVersionCommand({ ...id, status: 'PUBLISHED' }));
}

/** Creates environment `name` of version 1 of `templateName` (AWS-managed, `protonServiceRoleArn`) and waits until it is deployed. */
export async function deployedEnvironment(
  client: ProtonClient, name: string, templateName: string, extra: Partial<CreateEnvironmentCommandInput> = {},
): Promise<void> {
  await client.send(new CreateEnvironmentCommand({
    name,
    templateName,
    templateMajorVersion: '1',
    spec: 'proton: EnvironmentSpec\nspec: {}\n',
    protonServiceRoleArn: 'arn:aws:iam::111111111111:role/proton-service',
    ...extra,
  }));
  await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
}

/** Creates service `name` of version 1 of `templateName` with `instances` and waits until it is ACTIVE. */
export async function activeService(
  client: ProtonClient, name: string, templateName: string, instances: ReadonlyArray<{ name: string; environment: string }>,
): Promise<void> {
  await client.send(new CreateServiceCommand({ name, templateName, templateMajorVersion: '1', spec: serviceSpec(instances) }));
  await waitUntilServiceCreated(fastWaiter(client), { name });
}
