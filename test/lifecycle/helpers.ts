import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ListEnvironmentTemplateVersionsCommand, ProtonClient } from '@aws-sdk/client-proton';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { StackReport } from '../../local-proton/local-cfn';
import { LocalProton, LocalProtonOptions } from '../../local-proton/local-proton';
import {
  ComponentSource, Environment, EnvironmentTemplate, EnvironmentTemplateVersion, ProtonServiceRole, ServiceTemplate, ServiceTemplateVersion, Spec,
  TemplateBundle,
} from '../../src';
import { listFiles, writeDeterministicArchive } from '../../src/constructs/bundles/archive';
import { ENV_BUNDLE, SERVICE_BUNDLE } from '../constructs/helpers';

/** Synthesizes a one-stack app into a fresh directory and returns the cloud assembly's path. */
export function synth(stackName: string, build: (stack: Stack) => void): string {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-assembly-')) });
  build(new Stack(app, stackName));
  return app.synth().directory;
}

/** The `major.minor` versions Proton holds for an environment template, with their status. */
export async function versionsOf(client: ProtonClient, templateName: string): Promise<Record<string, string>> {
  const out = await client.send(new ListEnvironmentTemplateVersionsCommand({ templateName }));
  return Object.fromEntries((out.templateVersions ?? []).map((v) => [`${v.majorVersion}.${v.minorVersion}`, v.status!]));
}

/** The report steps of one resource type, as `action status` strings. */
export function stepsOf(report: StackReport, type: string): string[] {
  return report.resources.filter((r) => r.type === type).map((r) => `${r.action} ${r.status}`);
}

/**
 * Starts one LocalProton for the test file and stops it after the last test; before each test it clears the
 * faults, the request log and whatever `eachTest` resets. `started` receives it once it runs.
 */
export function useLocalProton(
  options: LocalProtonOptions,
  started: (proton: LocalProton) => void | Promise<void>,
  eachTest?: (proton: LocalProton) => void,
): void {
  let proton: LocalProton | undefined;
  beforeAll(async () => {
    proton = await LocalProton.start(options);
    await started(proton);
  });
  afterAll(async () => proton?.stop());
  beforeEach(() => {
    proton!.emulator.faults.clear();
    proton!.emulator.log.clear();
    eachTest?.(proton!);
  });
}

/** The CodeStar connection the tests' repositories go through, and a service's source repository (for a pipeline). */
export { CONNECTION_ARN as CONNECTION, SERVICE_REPOSITORY } from '../constructs/helpers';

export interface PlatformOptions {
  /** Names templates `<prefix>-env`, `<prefix>-svc` and environments `<prefix>-<name>`. */
  readonly prefix: string;
  /** The environments to create. @default none */
  readonly environments?: string[];
  /** Gives each environment a component role. @default no role */
  readonly componentRole?: boolean;
  /** @default the fixture service bundle */
  readonly serviceBundle?: string;
  /** @default none */
  readonly componentSources?: ComponentSource[];
}

export interface Platform {
  readonly envTemplate: EnvironmentTemplate;
  readonly envV1: EnvironmentTemplateVersion;
  readonly protonServiceRole: ProtonServiceRole;
  readonly environments: Record<string, Environment>;
  readonly svcTemplate: ServiceTemplate;
  readonly svcV1: ServiceTemplateVersion;
}

/** An environment template and a service template compatible with it (version 1 of each), and environments of it. */
export function basePlatform(stack: Stack, options: PlatformOptions): Platform {
  const envTemplate = new EnvironmentTemplate(stack, 'EnvTemplate', { templateName: `${options.prefix}-env` });
  const envV1 = envTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  const protonServiceRole = new ProtonServiceRole(stack, 'ProtonRole');
  const componentRole = options.componentRole
    ? new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') })
    : undefined;
  const environments = Object.fromEntries((options.environments ?? []).map((name) => [name, new Environment(stack, `Env-${name}`, {
    environmentName: `${options.prefix}-${name}`, templateVersion: envV1, spec: Spec.fromObject({}), protonServiceRole, componentRole,
  })]));
  const svcTemplate = new ServiceTemplate(stack, 'SvcTemplate', { templateName: `${options.prefix}-svc` });
  const svcV1 = svcTemplate.addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(options.serviceBundle ?? SERVICE_BUNDLE),
    compatibleEnvironmentTemplates: [envV1],
    supportedComponentSources: options.componentSources,
  });
  return { envTemplate, envV1, protonServiceRole, environments, svcTemplate, svcV1 };
}

/** Uploads a bundle directory to the emulator's S3 stand-in, as `aws s3 cp` would to a bucket: the source of a version made by hand. */
export function uploadBundle(proton: LocalProton, dir: string, key: string): { s3: { bucket: string; key: string } } {
  const archive = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-upload-')), 'bundle.tar.gz');
  writeDeterministicArchive(dir, listFiles(dir), archive);
  proton.emulator.s3.putObject('hand-made-bundles', key, fs.readFileSync(archive));
  return { s3: { bucket: 'hand-made-bundles', key } };
}

/** Polls `check` every 20 ms until it holds, for at most 6 s: Proton's asynchronous states, from a test. */
export async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

/** Deletes a resource a test made by hand, when it is still there, and waits until Proton no longer has it. */
export async function removeByHand(get: () => Promise<unknown>, remove: () => Promise<unknown>): Promise<void> {
  const exists = () => get().then(() => true, () => false);
  if (!(await exists())) return;
  await remove();
  await until(async () => !(await exists()));
}
