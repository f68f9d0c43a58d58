import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ProtonClient,
  UpdateEnvironmentCommand,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceInstanceCommand,
  UpdateServicePipelineCommand,
  UpdateServiceTemplateVersionCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceCreated,
  waitUntilServiceInstanceDeployed,
  waitUntilServicePipelineDeployed,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor, CONNECTION_ARN, deployedEnvironment, envBundleFiles, fastWaiter, publishedEnvironmentTemplate, serviceBundleWithOutputs, serviceSpec, tarGz } from './helpers';

/**
 * The deploymentType rules (API reference of UpdateEnvironment, UpdateServiceInstance and UpdateServicePipeline,
 * `deploymentType`), request by request, for the three resources that have them. Each template has versions 1.0, 1.1
 * and 2.0 PUBLISHED and 1.2 DRAFT: the recommended version is 2.0, the recommended minor version of major 1 is 1.1.
 */

let proton: ProtonEmulator;
let client: ProtonClient;
const ENV_TEMPLATE = 'dt-env';
const SVC_TEMPLATE = 'dt-svc';
const HOST_TEMPLATE = 'dt-host';
const HOST = 'dt-host-env';

/** Versions 1.0, 1.1, 2.0 published, then 1.2 registered and left DRAFT. */
async function versions(kind: 'environment' | 'service', templateName: string): Promise<void> {
  const files = kind === 'environment' ? envBundleFiles() : serviceBundleWithOutputs();
  proton.s3.putObject('dt-bundles', `${templateName}.tar.gz`, tarGz(files));
  const source = { s3: { bucket: 'dt-bundles', key: `${templateName}.tar.gz` } };
  for (const [majorVersion, publish] of [[undefined, true], ['1', true], [undefined, true], ['1', false]] as const) {
    const v = kind === 'environment'
      ? (await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName, majorVersion, source }))).environmentTemplateVersion!
      : (await client.send(new CreateServiceTemplateVersionCommand({
        templateName, majorVersion, source, compatibleEnvironmentTemplates: [{ templateName: HOST_TEMPLATE, majorVersion: '1' }],
      }))).serviceTemplateVersion!;
    const id = { templateName, majorVersion: v.majorVersion!, minorVersion: v.minorVersion! };
    if (kind === 'environment') {
      await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), id);
      if (publish) await client.send(new UpdateEnvironmentTemplateVersionCommand({ ...id, status: 'PUBLISHED' }));
    } else {
      await waitUntilServiceTemplateVersionRegistered(fastWaiter(client), id);
      if (publish) await client.send(new UpdateServiceTemplateVersionCommand({ ...id, status: 'PUBLISHED' }));
    }
  }
}

/** The repository members a service with a pipeline needs. */
const REPOSITORY = { repositoryConnectionArn: CONNECTION_ARN, repositoryId: 'org/app', branchName: 'main' };
const SPEC = serviceSpec([{ name: 'api', environment: HOST, inputs: { image: 'api:1' } }], { unit_test_command: 'npm test' });

interface Deployed {
  readonly templateMajorVersion?: string;
  readonly templateMinorVersion?: string;
  readonly lastAttemptedDeploymentId?: string;
}

interface DeploymentTypeInput {
  deploymentType: 'NONE' | 'CURRENT_VERSION' | 'MINOR_VERSION' | 'MAJOR_VERSION';
  templateMajorVersion?: string;
  templateMinorVersion?: string;
}

/** One resource with deployment types, running version 1.0. */
interface Target {
  /** Sends the Update… and waits until the deployment it started (if any) is over. */
  update(input: DeploymentTypeInput): Promise<void>;
  get(): Promise<Deployed>;
}

let counter = 0;

async function environment(): Promise<Target> {
  const name = `dt-env-${++counter}`;
  await deployedEnvironment(client, name, ENV_TEMPLATE, { templateMinorVersion: '0' });
  return {
    update: async input => {
      await client.send(new UpdateEnvironmentCommand({ name, ...input }));
      await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    },
    get: async () => (await client.send(new GetEnvironmentCommand({ name }))).environment!,
  };
}

/** A service of version 1.0 with instance `api` and a pipeline. */
async function service(): Promise<string> {
  const name = `dt-svc-${++counter}`;
  await client.send(new CreateServiceCommand({ name, templateName: SVC_TEMPLATE, templateMajorVersion: '1', templateMinorVersion: '0', spec: SPEC, ...REPOSITORY }));
  await waitUntilServiceCreated(fastWaiter(client), { name });
  return name;
}

async function serviceInstance(): Promise<Target> {
  const serviceName = await service();
  const id = { serviceName, name: 'api' };
  return {
    update: async input => {
      await client.send(new UpdateServiceInstanceCommand({ ...id, ...input }));
      await waitUntilServiceInstanceDeployed(fastWaiter(client), id);
    },
    get: async () => (await client.send(new GetServiceInstanceCommand(id))).serviceInstance!,
  };
}

async function servicePipeline(): Promise<Target> {
  const name = await service();
  return {
    update: async input => {
      await client.send(new UpdateServicePipelineCommand({ serviceName: name, spec: SPEC, ...input }));
      await waitUntilServicePipelineDeployed(fastWaiter(client), { name });
    },
    get: async () => (await client.send(new GetServiceCommand({ name }))).service!.pipeline!,
  };
}

beforeAll(async () => {
  proton = await ProtonEmulator.start({ registrationDelayMs: 5, deploymentDelayMs: 10, deleteDelayMs: 10 });
  client = clientFor(proton);
  await publishedEnvironmentTemplate(proton, client, HOST_TEMPLATE);
  await deployedEnvironment(client, HOST, HOST_TEMPLATE);
  await client.send(new CreateEnvironmentTemplateCommand({ name: ENV_TEMPLATE }));
  await versions('environment', ENV_TEMPLATE);
  await client.send(new CreateServiceTemplateCommand({ name: SVC_TEMPLATE }));
  await versions('service', SVC_TEMPLATE);
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

/** Requests Proton refuses for a resource running 1.0, and the ValidationException's message. */
const REFUSED: Array<[string, DeploymentTypeInput, RegExp]> = [
  ['CURRENT_VERSION with a major version', { deploymentType: 'CURRENT_VERSION', templateMajorVersion: '1' },
    /^Don't include templateMajorVersion or templateMinorVersion with deploymentType CURRENT_VERSION: .*in use \(1\.0\)/],
  ['CURRENT_VERSION with a minor version', { deploymentType: 'CURRENT_VERSION', templateMinorVersion: '1' },
    /^Don't include templateMajorVersion or templateMinorVersion with deploymentType CURRENT_VERSION/],
  ['MINOR_VERSION of another major version', { deploymentType: 'MINOR_VERSION', templateMajorVersion: '2', templateMinorVersion: '0' },
    /^deploymentType MINOR_VERSION stays in the major version in use \(1\); use MAJOR_VERSION to deploy major version 2$/],
  ['MINOR_VERSION of the minor version in use', { deploymentType: 'MINOR_VERSION', templateMinorVersion: '0' },
    /already uses version 1\.0 of (environment|service) template dt-(env|svc): MINOR_VERSION deploys a different minor version/],
  ['MINOR_VERSION of a DRAFT minor version', { deploymentType: 'MINOR_VERSION', templateMinorVersion: '2' },
    /template version dt-(env|svc):1\.2 is DRAFT: only a PUBLISHED template version can be deployed$/],
  ['MINOR_VERSION of a minor version that does not exist', { deploymentType: 'MINOR_VERSION', templateMinorVersion: '9' },
    /template version dt-(env|svc):1\.9 does not exist$/],
  ['MAJOR_VERSION of the major version in use', { deploymentType: 'MAJOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '1' },
    /^deploymentType MAJOR_VERSION deploys a major version higher than the one in use \(1\), not 1$/],
  ['MAJOR_VERSION of a major version that does not exist', { deploymentType: 'MAJOR_VERSION', templateMajorVersion: '3' },
    /template dt-(env|svc) has no published minor version of major version 3$/],
  ['MAJOR_VERSION with a minor version only (emulator decision)', { deploymentType: 'MAJOR_VERSION', templateMinorVersion: '0' },
    /^templateMinorVersion needs templateMajorVersion with deploymentType MAJOR_VERSION$/],
];

describe.each([
  ['environment', environment],
  ['service instance', serviceInstance],
  ['service pipeline', servicePipeline],
])('%s: deployment types', (_, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });

  test.each(REFUSED)('%s: ValidationException, nothing deployed', async (_case, input, message) => {
    const before = await target.get();
    const refused = await target.update(input).catch(e => e);
    expect(refused).toBeInstanceOf(ValidationException);
    expect(refused.message).toMatch(message);
    expect(await target.get()).toMatchObject({
      templateMajorVersion: '1', templateMinorVersion: '0', lastAttemptedDeploymentId: before.lastAttemptedDeploymentId,
    });
  });

  test('NONE uses no version numbers; MINOR_VERSION moves to the recommended minor, back to a lower one; MAJOR_VERSION only up', async () => {
    const version = async () => {
      const { templateMajorVersion, templateMinorVersion } = await target.get();
      return `${templateMajorVersion}.${templateMinorVersion}`;
    };
    const before = await target.get();
    await target.update({ deploymentType: 'NONE', templateMajorVersion: '2', templateMinorVersion: '0' });
    expect(await target.get()).toMatchObject({ templateMajorVersion: '1', lastAttemptedDeploymentId: before.lastAttemptedDeploymentId });

    await target.update({ deploymentType: 'CURRENT_VERSION' });
    expect(await version()).toBe('1.0');
    await target.update({ deploymentType: 'MINOR_VERSION' }); // the recommended minor version of major 1
    expect(await version()).toBe('1.1');
    await target.update({ deploymentType: 'MINOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '0' }); // "a different minor version"
    expect(await version()).toBe('1.0');
    await target.update({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2' }); // its recommended minor version
    expect(await version()).toBe('2.0');

    // in major version 2: nothing higher to go to, and no way back
    await expect(target.update({ deploymentType: 'MAJOR_VERSION' })).rejects.toThrow(
      /^(Environment|Service) template dt-(env|svc) has no published major version higher than 2 \(recommended version: 2\.0\)$/);
    await expect(target.update({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '1' }))
      .rejects.toThrow(/^deploymentType MAJOR_VERSION deploys a major version higher than the one in use \(2\), not 1$/);
    await expect(target.update({ deploymentType: 'MINOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '1' }))
      .rejects.toThrow(/^deploymentType MINOR_VERSION stays in the major version in use \(2\)/);
    expect(await version()).toBe('2.0');
  });
});

test('MAJOR_VERSION without numbers deploys the template\'s recommended version', async () => {
  const env = await environment();
  await env.update({ deploymentType: 'MAJOR_VERSION' });
  expect(await env.get()).toMatchObject({ templateMajorVersion: '2', templateMinorVersion: '0' });
});
