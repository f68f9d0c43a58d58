import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProtonClient, ProtonClientConfig } from '@aws-sdk/client-proton';
import * as tar from 'tar';
import { ProtonEmulator } from '.';

/** A ProtonClient (the real SDK) pointed at the emulator with dummy credentials. */
export function clientFor(emulator: ProtonEmulator, maxAttempts = 1, config: ProtonClientConfig = {}): ProtonClient {
  return new ProtonClient({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
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
