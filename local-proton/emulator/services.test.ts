import {
  CancelServiceInstanceDeploymentCommand,
  CancelServicePipelineDeploymentCommand,
  ConflictException,
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceCommandInput,
  CreateServiceInstanceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  DeleteEnvironmentCommand,
  DeleteServiceCommand,
  DeleteServiceTemplateVersionCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  ListServiceInstanceOutputsCommand,
  ListServiceInstanceProvisionedResourcesCommand,
  ListServiceInstancesCommand,
  ListServicePipelineOutputsCommand,
  ListServicePipelineProvisionedResourcesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ProtonClient,
  ResourceNotFoundException,
  Service,
  ServiceInstance,
  ServiceQuotaExceededException,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
  UpdateServicePipelineCommand,
  UpdateServiceTemplateVersionCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceCreated,
  waitUntilServiceDeleted,
  waitUntilServiceInstanceDeployed,
  waitUntilServicePipelineDeployed,
  waitUntilServiceTemplateVersionRegistered,
  waitUntilServiceUpdated,
} from '@aws-sdk/client-proton';
import { ProtonEmulator, serviceInstanceKey, servicePipelineKey } from '.';
import { ServiceBundleOptions, clientFor, envBundleFiles, fastWaiter, serviceBundleWithOutputs, serviceSpec, tarGz } from './helpers';
import { parseServiceSpec } from './spec-inputs';

let proton: ProtonEmulator;
let client: ProtonClient;
const BUCKET = 'svc-bundles';
const ROLE = 'arn:aws:iam::123456789012:role/proton-service';
const NO_REPO = { repositoryConnectionArn: undefined, repositoryId: undefined, branchName: undefined };
const REPO = {
  repositoryConnectionArn: 'arn:aws:codestar-connections:eu-west-1:123456789012:connection/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
  repositoryId: 'myorg/myapp',
  branchName: 'main',
};
const DELAYS = { registrationDelayMs: 5, deploymentDelayMs: 25, deleteDelayMs: 25, cancelDelayMs: 10 };

/** Environments of ENV_TEMPLATE major version 1 (compatible with the service templates) and of OTHER_TEMPLATE. */
const ENV_TEMPLATE = 'web-env';
const OTHER_TEMPLATE = 'batch-env';
const DEV = 'dev';
const PROD = 'prod';
const OTHER = 'batch';

/** Instances "attached to a component" for the in-use hook (`<service>/<instance>`). */
const attached = new Set<string>();

beforeAll(async () => {
  proton = await ProtonEmulator.start({ accountId: '123456789012', region: 'eu-west-1', ...DELAYS });
  client = clientFor(proton);
  proton.addServiceInstanceInUseCheck((service, instance) => (attached.has(`${service}/${instance}`) ? 'component \'cache\' is attached to it' : undefined));
  for (const t of [ENV_TEMPLATE, OTHER_TEMPLATE]) {
    await client.send(new CreateEnvironmentTemplateCommand({ name: t }));
    proton.s3.putObject(BUCKET, `${t}.tar.gz`, tarGz(envBundleFiles()));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: t, source: { s3: { bucket: BUCKET, key: `${t}.tar.gz` } } }));
    await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), { templateName: t, majorVersion: '1', minorVersion: '0' });
    await client.send(new UpdateEnvironmentTemplateVersionCommand({ templateName: t, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' }));
  }
  await Promise.all([environment(DEV), environment(PROD), environment(OTHER, OTHER_TEMPLATE)]);
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

afterEach(() => {
  proton.faults.clear();
  Object.assign(proton.timing, DELAYS);
  attached.clear();
});

let counter = 0;
function unique(prefix: string): string {
  return `${prefix}-${++counter}`;
}

async function environment(name: string, templateName = ENV_TEMPLATE): Promise<string> {
  await client.send(new CreateEnvironmentCommand({
    name, templateName, templateMajorVersion: '1', spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n', protonServiceRoleArn: ROLE,
  }));
  await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
  return name;
}

interface VersionOptions {
  readonly majorVersion?: string;
  readonly bundle?: ServiceBundleOptions;
  readonly compatible?: Array<{ templateName: string; majorVersion: string }>;
  readonly publish?: boolean;
}

/** Registers (and publishes, unless `publish` is false) a version of service template `templateName`. */
async function addVersion(templateName: string, options: VersionOptions = {}) {
  const key = `svc/${++counter}.tar.gz`;
  proton.s3.putObject(BUCKET, key, tarGz(serviceBundleWithOutputs(options.bundle)));
  const v = (await client.send(new CreateServiceTemplateVersionCommand({
    templateName,
    majorVersion: options.majorVersion,
    source: { s3: { bucket: BUCKET, key } },
    compatibleEnvironmentTemplates: options.compatible ?? [{ templateName: ENV_TEMPLATE, majorVersion: '1' }],
  }))).serviceTemplateVersion!;
  const id = { templateName, majorVersion: v.majorVersion!, minorVersion: v.minorVersion! };
  await waitUntilServiceTemplateVersionRegistered(fastWaiter(client), id);
  if (options.publish !== false) await client.send(new UpdateServiceTemplateVersionCommand({ ...id, status: 'PUBLISHED' }));
  return id;
}

/** A service template with a published version 1.0; CUSTOMER_MANAGED pipeline provisioning: no pipeline. */
async function serviceTemplate(options: VersionOptions & { pipelineProvisioning?: 'CUSTOMER_MANAGED' } = {}): Promise<string> {
  const name = unique('svc-tmpl');
  await client.send(new CreateServiceTemplateCommand({ name, pipelineProvisioning: options.pipelineProvisioning }));
  const pipeline = options.pipelineProvisioning !== 'CUSTOMER_MANAGED';
  await addVersion(name, { ...options, bundle: { pipeline, ...options.bundle } });
  return name;
}

const TWO_INSTANCES = serviceSpec([
  { name: 'dev-api', environment: DEV, inputs: { image: 'api:1' } },
  { name: 'prod-api', environment: PROD, inputs: { image: 'api:1', port: 8080 } },
], { unit_test_command: 'npm test' });

function create(input: Partial<CreateServiceCommandInput> & { templateName: string }) {
  return client.send(new CreateServiceCommand({ name: unique('svc'), templateMajorVersion: '1', spec: TWO_INSTANCES, ...REPO, ...input }));
}

/** Creates a service (two instances and a pipeline by default) and waits until it is ACTIVE. */
async function active(input: Partial<CreateServiceCommandInput> & { templateName: string }): Promise<Service> {
  const service = (await create(input)).service!;
  await waitUntilServiceCreated(fastWaiter(client), { name: service.name! });
  return getService(service.name!);
}

async function getService(name: string): Promise<Service> {
  return (await client.send(new GetServiceCommand({ name }))).service!;
}

async function getInstance(serviceName: string, name: string): Promise<ServiceInstance> {
  return (await client.send(new GetServiceInstanceCommand({ serviceName, name }))).serviceInstance!;
}

async function instanceOutputs(serviceName: string, serviceInstanceName: string, deploymentId?: string): Promise<Record<string, string>> {
  const { outputs } = await client.send(new ListServiceInstanceOutputsCommand({ serviceName, serviceInstanceName, deploymentId }));
  return Object.fromEntries((outputs ?? []).map(o => [o.key!, o.valueString!]));
}

async function pipelineOutputs(serviceName: string, deploymentId?: string): Promise<Record<string, string>> {
  const { outputs } = await client.send(new ListServicePipelineOutputsCommand({ serviceName, deploymentId }));
  return Object.fromEntries((outputs ?? []).map(o => [o.key!, o.valueString!]));
}

/** Polls `read` until `done` holds (ResourceNotFoundException reads as undefined). */
async function until<T>(read: () => Promise<T>, done: (value: T | undefined) => boolean): Promise<T | undefined> {
  for (let i = 0; i < 300; i++) {
    const value = await read().catch(e => {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    });
    if (done(value)) return value;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error('the expected state was never reached');
}

describe('CreateService', () => {
  test('a service with two instances and a pipeline: CREATE_IN_PROGRESS, then ACTIVE with the outputs of the bundle', async () => {
    const templateName = await serviceTemplate();
    const name = unique('svc');
    proton.timing.deploymentDelayMs = 1000;
    const created = (await create({ name, templateName, description: 'the API', tags: [{ key: 'team', value: 'api' }] })).service!;
    const arn = `arn:aws:proton:eu-west-1:123456789012:service/${name}`;
    expect(created).toMatchObject({ name, arn, templateName, status: 'CREATE_IN_PROGRESS', spec: TWO_INSTANCES, description: 'the API', ...REPO });
    expect(created.pipeline).toMatchObject({
      arn: `${arn}/pipeline`, templateName, templateMajorVersion: '1', templateMinorVersion: '0', deploymentStatus: 'IN_PROGRESS', spec: TWO_INSTANCES,
    });
    expect(await getInstance(name, 'prod-api')).toMatchObject({
      name: 'prod-api',
      arn: `${arn}/service-instance/prod-api`,
      serviceName: name,
      environmentName: PROD,
      templateName,
      templateMajorVersion: '1',
      templateMinorVersion: '0',
      deploymentStatus: 'IN_PROGRESS',
      spec: TWO_INSTANCES, // "The service spec that was used to create the service instance"
    });

    expect((await waitUntilServiceCreated(fastWaiter(client), { name })).state).toBe('SUCCESS');
    expect((await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'dev-api' })).state).toBe('SUCCESS');
    expect((await waitUntilServicePipelineDeployed(fastWaiter(client), { name })).state).toBe('SUCCESS');
    const service = await getService(name);
    expect(service.status).toBe('ACTIVE');
    expect(service.statusMessage).toBeUndefined();
    expect(service.pipeline!.deploymentStatus).toBe('SUCCEEDED');
    expect(service.pipeline!.lastSucceededDeploymentId).toBe(created.pipeline!.lastAttemptedDeploymentId);
    const prod = await getInstance(name, 'prod-api');
    expect(prod.deploymentStatus).toBe('SUCCEEDED');
    expect(prod.lastSucceededDeploymentId).toMatch(/^[0-9a-f]{8}-/);

    expect(await instanceOutputs(name, 'prod-api')).toEqual({
      ServiceEndpoint: `ServiceEndpoint-${name}-prod-api`, ServiceArn: `ServiceArn-${name}-prod-api`,
    });
    expect(await pipelineOutputs(name)).toEqual({ PipelineEndpoint: `PipelineEndpoint-${name}-pipeline` });
    const resources = await client.send(new ListServiceInstanceProvisionedResourcesCommand({ serviceName: name, serviceInstanceName: 'dev-api' }));
    expect(resources.provisionedResources).toEqual([]);
    expect((await client.send(new ListServicePipelineProvisionedResourcesCommand({ serviceName: name }))).provisionedResources).toEqual([]);
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'team', value: 'api' }]);

    const summary = (await client.send(new ListServicesCommand({}))).services!.find(s => s.name === name)!;
    expect(summary).toMatchObject({ name, arn, status: 'ACTIVE', templateName });
    expect(summary).not.toHaveProperty('spec');
  });

  test('faults.setOutputs, keyed <service>/<instance> and <service>:pipeline, replaces the outputs', async () => {
    const templateName = await serviceTemplate();
    const name = unique('svc');
    proton.faults.setOutputs(serviceInstanceKey(name, 'dev-api'), { Url: 'https://dev.example.com' });
    proton.faults.setOutputs(servicePipelineKey(name), [{ key: 'PipelineName', valueString: 'p1' }]);
    await active({ name, templateName });
    expect(await instanceOutputs(name, 'dev-api')).toEqual({ Url: 'https://dev.example.com' });
    expect(await instanceOutputs(name, 'prod-api')).toHaveProperty('ServiceEndpoint');
    expect(await pipelineOutputs(name)).toEqual({ PipelineName: 'p1' });
  });

  test('a template without a pipeline refuses the repository fields and pipeline inputs; one with a pipeline requires the fields', async () => {
    const noPipeline = await serviceTemplate({ pipelineProvisioning: 'CUSTOMER_MANAGED' });
    const instancesOnly = serviceSpec([{ name: 'dev-api', environment: DEV }]);
    await expect(create({ templateName: noPipeline, spec: instancesOnly }))
      .rejects.toThrow(/Don't include repositoryConnectionArn, repositoryId, branchName: service template version .* doesn't include a service pipeline/);
    await expect(create({ templateName: noPipeline, spec: instancesOnly, ...NO_REPO, branchName: 'main' }))
      .rejects.toThrow(/Don't include branchName/);
    await expect(create({ templateName: noPipeline, spec: TWO_INSTANCES, ...NO_REPO }))
      .rejects.toThrow(/Don't include pipeline inputs in the spec/);
    const svc = (await create({ templateName: noPipeline, spec: instancesOnly, ...NO_REPO })).service!;
    expect(svc.pipeline).toBeUndefined();
    expect(svc.repositoryId).toBeUndefined();
    await waitUntilServiceCreated(fastWaiter(client), { name: svc.name! });
    await expect(client.send(new ListServicePipelineOutputsCommand({ serviceName: svc.name! }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new UpdateServicePipelineCommand({ serviceName: svc.name!, spec: instancesOnly, deploymentType: 'CURRENT_VERSION' })))
      .rejects.toThrow(/has no service pipeline/);
    await expect(client.send(new UpdateServiceCommand({ name: svc.name!, spec: TWO_INSTANCES })))
      .rejects.toThrow(/^Don't include pipeline inputs in the spec: service .* has no service pipeline$/);

    const withPipeline = await serviceTemplate();
    await expect(create({ templateName: withPipeline, branchName: undefined }))
      .rejects.toThrow(/includes a service pipeline: repositoryConnectionArn, repositoryId and branchName are required \(missing branchName\)/);
    await expect(create({ templateName: withPipeline, ...NO_REPO })).rejects.toThrow(ValidationException);
  });

  test('instances: environments must exist and be compatible, names unique, inputs as the schema says', async () => {
    const templateName = await serviceTemplate({ bundle: { instanceRequired: 'image', pipelineRequired: 'unit_test_command' } });
    const spec = (instances: Parameters<typeof serviceSpec>[0], pipeline: Record<string, unknown> = { unit_test_command: 'npm test' }) => serviceSpec(instances, pipeline);
    await expect(create({ templateName, spec: spec([{ name: 'batch-api', environment: OTHER, inputs: { image: 'a' } }]) }))
      .rejects.toThrow(new RegExp(`environment ${OTHER} uses environment template ${OTHER_TEMPLATE} major version 1, which service template version `
        + `${templateName}:1.0 doesn't list in its compatibleEnvironmentTemplates \\(${ENV_TEMPLATE}:1\\)`));
    await expect(create({ templateName, spec: spec([{ name: 'x', environment: 'no-such-env', inputs: { image: 'a' } }]) }))
      .rejects.toThrow(ResourceNotFoundException);
    await expect(create({ templateName, spec: spec([{ name: 'a', environment: DEV, inputs: { image: 'a' } }, { name: 'a', environment: PROD, inputs: { image: 'a' } }]) }))
      .rejects.toThrow(/lists service instance a more than once/);
    await expect(create({ templateName, spec: spec([{ name: 'bad name', environment: DEV, inputs: { image: 'a' } }]) })).rejects.toThrow(ValidationException);
    await expect(create({ templateName, spec: spec([{ name: 'a', environment: DEV }]) }))
      .rejects.toThrow(/missing the required input 'image' of ServiceInput \(service instance a/);
    await expect(create({ templateName, spec: spec([{ name: 'a', environment: DEV, inputs: { image: 'a', port: 'eighty' } }]) }))
      .rejects.toThrow(/input 'port' must be of type integer/);
    await expect(create({ templateName, spec: spec([{ name: 'a', environment: DEV, inputs: { image: 'a' } }], {}) }))
      .rejects.toThrow(/missing the required input 'unit_test_command' of PipelineInput/);
    await expect(create({ templateName, spec: 'proton: EnvironmentSpec\nspec: {}\n' })).rejects.toThrow(/proton: ServiceSpec/);
    await expect(create({ templateName: 'no-such-template' })).rejects.toThrow(ResourceNotFoundException);

    await addVersion(templateName, { majorVersion: '1', publish: false }); // 1.1 DRAFT
    await expect(create({ templateName, templateMinorVersion: '1', spec: spec([{ name: 'a', environment: DEV, inputs: { image: 'a' } }]) }))
      .rejects.toThrow(/1\.1 is DRAFT: only a PUBLISHED template version can be deployed/);
    // compatibleEnvironmentTemplates changed on the version: now the batch environment is welcome
    await client.send(new UpdateServiceTemplateVersionCommand({
      templateName, majorVersion: '1', minorVersion: '0', compatibleEnvironmentTemplates: [{ templateName: OTHER_TEMPLATE, majorVersion: '1' }],
    }));
    const svc = await active({ templateName, spec: spec([{ name: 'batch-api', environment: OTHER, inputs: { image: 'a' } }]) });
    expect(svc.status).toBe('ACTIVE');
  });

  test('compatibleEnvironmentTemplates holds for instances added later too (UpdateService, CreateServiceInstance)', async () => {
    const templateName = await serviceTemplate(); // compatible with web-env:1 only
    const name = (await active({ templateName })).name!;
    const batch = { name: 'batch-api', environment: OTHER, inputs: { image: 'a' } };
    const incompatible = new RegExp(`environment ${OTHER} uses environment template ${OTHER_TEMPLATE} major version 1, which service template `
      + `version ${templateName}:1.0 doesn't list in its compatibleEnvironmentTemplates`);
    const kept = [{ name: 'dev-api', environment: DEV }, { name: 'prod-api', environment: PROD }];
    const added = await client.send(new UpdateServiceCommand({ name, spec: serviceSpec([...kept, batch]) })).catch(e => e);
    expect(added).toBeInstanceOf(ValidationException);
    expect(added.message).toMatch(incompatible);
    const created = await client.send(new CreateServiceInstanceCommand({ serviceName: name, name: 'batch-api', spec: serviceSpec([batch]) })).catch(e => e);
    expect(created).toBeInstanceOf(ValidationException);
    expect(created.message).toMatch(incompatible);
    expect((await getService(name)).status).toBe('ACTIVE');
    expect((await client.send(new ListServiceInstancesCommand({ serviceName: name }))).serviceInstances!.map(i => i.name)).toEqual(['dev-api', 'prod-api']);
  });

  test('idempotent without a token: same parameters answer the service, others or a modified service are refused', async () => {
    const templateName = await serviceTemplate();
    const name = unique('svc');
    const first = (await create({ name, templateName })).service!;
    const again = (await create({ name, templateName })).service!;
    expect(again.createdAt).toEqual(first.createdAt);
    expect(proton.log.ofOperation('CreateService').filter(e => e.input.name === name)).toHaveLength(2);
    await expect(create({ name, templateName, description: 'other' })).rejects.toThrow(/IdempotentParameterMismatch/);
    await waitUntilServiceCreated(fastWaiter(client), { name });
    await client.send(new UpdateServiceCommand({ name, description: 'changed' }));
    await expect(create({ name, templateName })).rejects.toThrow(ConflictException);
  });

  test('at most 20 instances: the 21st is a ServiceQuotaExceededException (CreateService, UpdateService, CreateServiceInstance)', async () => {
    const templateName = await serviceTemplate({ pipelineProvisioning: 'CUSTOMER_MANAGED' });
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `i${i + 1}`, environment: i % 2 ? DEV : PROD }));
    await expect(create({ templateName, spec: serviceSpec(many(21)), ...NO_REPO })).rejects.toThrow(ServiceQuotaExceededException);
    const svc = await active({ templateName, spec: serviceSpec(many(20)), ...NO_REPO });
    expect(svc.status).toBe('ACTIVE');
    await expect(client.send(new UpdateServiceCommand({ name: svc.name!, spec: serviceSpec(many(21)) })))
      .rejects.toThrow(ServiceQuotaExceededException);
    const extra = serviceSpec([{ name: 'i21', environment: DEV }]);
    await expect(client.send(new CreateServiceInstanceCommand({ serviceName: svc.name!, name: 'i21', spec: extra })))
      .rejects.toThrow(ServiceQuotaExceededException);
    // removing one and adding another in the same spec stays within the quota
    await client.send(new UpdateServiceCommand({ name: svc.name!, spec: serviceSpec([...many(19), { name: 'i21', environment: DEV }]) }));
    await waitUntilServiceUpdated(fastWaiter(client), { name: svc.name! });
    const { serviceInstances } = await client.send(new ListServiceInstancesCommand({ serviceName: svc.name! }));
    expect(serviceInstances).toHaveLength(20);
    expect(serviceInstances!.map(i => i.name)).toContain('i21');
    expect(serviceInstances!.map(i => i.name)).not.toContain('i20');
  });

  test('a failing instance: CREATE_FAILED with a statusMessage naming it; the waiters fail', async () => {
    const templateName = await serviceTemplate();
    const name = unique('svc');
    proton.faults.failDeployment(serviceInstanceKey(name, 'prod-api'), 'Stack prod-api: CREATE_FAILED (Resource limit exceeded)');
    await create({ name, templateName });
    await expect(waitUntilServiceCreated(fastWaiter(client), { name })).rejects.toThrow(/CREATE_FAILED/);
    const service = await getService(name);
    expect(service.status).toBe('CREATE_FAILED');
    expect(service.statusMessage).toBe(`service instance prod-api of service ${name}: deployment FAILED: Stack prod-api: CREATE_FAILED (Resource limit exceeded)`);
    await expect(waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'prod-api' })).rejects.toThrow();
    expect(await getInstance(name, 'prod-api')).toMatchObject({
      deploymentStatus: 'FAILED', deploymentStatusMessage: 'Stack prod-api: CREATE_FAILED (Resource limit exceeded)',
    });
    expect((await getInstance(name, 'dev-api')).deploymentStatus).toBe('SUCCEEDED');
    expect(await instanceOutputs(name, 'prod-api')).toEqual({});
    // a failed service can be deleted
    await client.send(new DeleteServiceCommand({ name }));
    await waitUntilServiceDeleted(fastWaiter(client), { name });
  });

  test('a failing pipeline: CREATE_FAILED; the ServicePipelineDeployed waiter fails', async () => {
    const templateName = await serviceTemplate();
    const name = unique('svc');
    proton.faults.failDeployment(servicePipelineKey(name), 'CodePipeline stack failed');
    await create({ name, templateName });
    await expect(waitUntilServicePipelineDeployed(fastWaiter(client), { name })).rejects.toThrow();
    const service = (await until(() => getService(name), s => s?.status !== 'CREATE_IN_PROGRESS'))!;
    expect(service.status).toBe('CREATE_FAILED');
    expect(service.statusMessage).toBe(`pipeline of service ${name}: deployment FAILED: CodePipeline stack failed`);
    expect(service.pipeline).toMatchObject({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'CodePipeline stack failed' });
  });
});

describe('UpdateService', () => {
  test('adds then removes an instance: UPDATE_IN_PROGRESS, then ACTIVE', async () => {
    const templateName = await serviceTemplate();
    const one = serviceSpec([{ name: 'dev-api', environment: DEV, inputs: { image: 'api:1' } }], { unit_test_command: 'npm test' });
    const svc = await active({ templateName, spec: one });
    const name = svc.name!;
    Object.assign(proton.timing, { deploymentDelayMs: 150, deleteDelayMs: 150 });

    const updating = (await client.send(new UpdateServiceCommand({ name, spec: TWO_INSTANCES, description: 'two now' }))).service!;
    expect(updating).toMatchObject({ status: 'UPDATE_IN_PROGRESS', spec: TWO_INSTANCES, description: 'two now' });
    expect((await getInstance(name, 'prod-api')).deploymentStatus).toBe('IN_PROGRESS');
    await expect(client.send(new UpdateServiceCommand({ name, description: 'again' }))).rejects.toThrow(ConflictException);
    expect((await waitUntilServiceUpdated(fastWaiter(client), { name })).state).toBe('SUCCESS');
    expect(await getInstance(name, 'prod-api')).toMatchObject({ deploymentStatus: 'SUCCEEDED', templateMinorVersion: '0', spec: TWO_INSTANCES });
    expect(await instanceOutputs(name, 'prod-api')).toHaveProperty('ServiceArn', `ServiceArn-${name}-prod-api`);
    const devBefore = await getInstance(name, 'dev-api');
    expect(devBefore.spec).toBe(one); // not redeployed

    const onlyProd = serviceSpec([{ name: 'prod-api', environment: PROD, inputs: { image: 'api:1', port: 8080 } }], { unit_test_command: 'npm test' });
    await client.send(new UpdateServiceCommand({ name, spec: onlyProd }));
    expect((await getInstance(name, 'dev-api')).deploymentStatus).toBe('DELETE_IN_PROGRESS');
    await waitUntilServiceUpdated(fastWaiter(client), { name });
    await expect(getInstance(name, 'dev-api')).rejects.toThrow(ResourceNotFoundException);
    const { serviceInstances } = await client.send(new ListServiceInstancesCommand({ serviceName: name }));
    expect(serviceInstances!.map(i => i.name)).toEqual(['prod-api']);
    expect((await getService(name)).status).toBe('ACTIVE');
  });

  test('existing instances and the pipeline are not edited: changed inputs are not applied, a changed environment is refused', async () => {
    const templateName = await serviceTemplate();
    const svc = await active({ templateName });
    const name = svc.name!;
    const prodBefore = await getInstance(name, 'prod-api');
    const edited = serviceSpec([
      { name: 'dev-api', environment: DEV, inputs: { image: 'api:2' } },
      { name: 'prod-api', environment: PROD, inputs: { image: 'api:2' } },
    ], { unit_test_command: 'make test' });
    await client.send(new UpdateServiceCommand({ name, spec: edited }));
    await waitUntilServiceUpdated(fastWaiter(client), { name });
    const prodAfter = await getInstance(name, 'prod-api');
    expect(prodAfter.lastAttemptedDeploymentId).toBe(prodBefore.lastAttemptedDeploymentId);
    expect(prodAfter.spec).toBe(TWO_INSTANCES);
    expect((await getService(name)).pipeline!.spec).toBe(TWO_INSTANCES);
    expect((await getService(name)).spec).toBe(edited);

    const moved = serviceSpec([{ name: 'dev-api', environment: PROD }, { name: 'prod-api', environment: PROD }], { unit_test_command: 'npm test' });
    await expect(client.send(new UpdateServiceCommand({ name, spec: moved }))).rejects.toThrow(/runs in environment dev and can't move to prod/);
  });

  test('a failing addition: UPDATE_FAILED; a failing removal: UPDATE_COMPLETE_CLEANUP_FAILED, then removed by the next update', async () => {
    const templateName = await serviceTemplate();
    const svc = await active({ templateName });
    const name = svc.name!;
    proton.faults.failDeployment(serviceInstanceKey(name, 'qa-api'), 'qa stack failed', 1);
    const three = serviceSpec([
      { name: 'dev-api', environment: DEV }, { name: 'prod-api', environment: PROD }, { name: 'qa-api', environment: DEV },
    ], { unit_test_command: 'npm test' });
    await client.send(new UpdateServiceCommand({ name, spec: three }));
    await expect(waitUntilServiceUpdated(fastWaiter(client), { name })).rejects.toThrow(/UPDATE_FAILED/);
    expect((await getService(name)).statusMessage).toMatch(/service instance qa-api .*: deployment FAILED: qa stack failed/);

    proton.faults.failDeletion(serviceInstanceKey(name, 'qa-api'), 'the stack can\'t be deleted', 1);
    await client.send(new UpdateServiceCommand({ name, spec: TWO_INSTANCES }));
    await expect(waitUntilServiceUpdated(fastWaiter(client), { name })).rejects.toThrow(/UPDATE_COMPLETE_CLEANUP_FAILED/);
    expect(await getInstance(name, 'qa-api')).toMatchObject({ deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'the stack can\'t be deleted' });

    await client.send(new UpdateServiceCommand({ name, spec: TWO_INSTANCES }));
    await waitUntilServiceUpdated(fastWaiter(client), { name });
    await expect(getInstance(name, 'qa-api')).rejects.toThrow(ResourceNotFoundException);
  });

  test('ConflictException while the service, an instance or the pipeline deploys', async () => {
    const templateName = await serviceTemplate();
    proton.timing.deploymentDelayMs = 1500;
    const name = (await create({ templateName })).service!.name!;
    const updateInstance = () => client.send(new UpdateServiceInstanceCommand({ serviceName: name, name: 'dev-api', deploymentType: 'CURRENT_VERSION' }));
    await expect(client.send(new UpdateServiceCommand({ name, description: 'x' }))).rejects.toThrow(/CREATE_IN_PROGRESS/);
    await expect(client.send(new DeleteServiceCommand({ name }))).rejects.toThrow(ConflictException);
    await expect(updateInstance()).rejects.toThrow(ConflictException);
    await expect(client.send(new UpdateServicePipelineCommand({ serviceName: name, spec: TWO_INSTANCES, deploymentType: 'CURRENT_VERSION' })))
      .rejects.toThrow(ConflictException);
    await waitUntilServiceCreated(fastWaiter(client), { name });

    await updateInstance();
    await expect(updateInstance()).rejects.toThrow(/has a deployment IN_PROGRESS/);
    await expect(client.send(new UpdateServiceCommand({ name, spec: TWO_INSTANCES }))).rejects.toThrow(/while the service instance dev-api .* is IN_PROGRESS/);
    await expect(client.send(new DeleteServiceCommand({ name }))).rejects.toThrow(ConflictException);
    // NONE deploys nothing: accepted while the deployment runs
    await client.send(new UpdateServiceInstanceCommand({ serviceName: name, name: 'dev-api', deploymentType: 'NONE' }));
    await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'dev-api' });

    await client.send(new UpdateServicePipelineCommand({ serviceName: name, spec: TWO_INSTANCES, deploymentType: 'CURRENT_VERSION' }));
    await expect(client.send(new UpdateServiceCommand({ name, description: 'y' }))).rejects.toThrow(/pipeline of service .* is IN_PROGRESS/);
    await waitUntilServicePipelineDeployed(fastWaiter(client), { name });
    await client.send(new UpdateServiceCommand({ name, description: 'y' }));
  });
});

describe('service instances', () => {
  test('UpdateServiceInstance: CURRENT_VERSION deploys a new spec, MINOR_VERSION another minor version; outputs per deployment', async () => {
    const templateName = await serviceTemplate();
    const name = (await active({ templateName })).name!;
    const first = await getInstance(name, 'dev-api');
    await addVersion(templateName, { majorVersion: '1', bundle: { instanceOutputs: ['ServiceEndpoint', 'ServiceArn', 'QueueUrl'] } }); // 1.1

    const update = (input: Partial<ConstructorParameters<typeof UpdateServiceInstanceCommand>[0]>) => client.send(new UpdateServiceInstanceCommand({
      serviceName: name, name: 'dev-api', deploymentType: 'CURRENT_VERSION', ...input,
    }));
    await expect(update({ templateMinorVersion: '1' })).rejects.toThrow(/Don't include templateMajorVersion or templateMinorVersion with deploymentType CURRENT_VERSION/);
    const v2 = serviceSpec([{ name: 'dev-api', environment: DEV, inputs: { image: 'api:2' } }]);
    await expect(update({ spec: serviceSpec([{ name: 'other', environment: DEV }]) })).rejects.toThrow(/must list service instance dev-api/);
    await expect(update({ spec: serviceSpec([{ name: 'dev-api', environment: PROD }]) })).rejects.toThrow(/can't move to another environment/);
    await expect(update({ spec: serviceSpec([{ name: 'dev-api', environment: DEV, inputs: { port: 'x' } }]) })).rejects.toThrow(/must be of type integer/);

    const current = (await update({ spec: v2, clientToken: 'deploy-v2' })).serviceInstance!;
    expect(current).toMatchObject({ deploymentStatus: 'IN_PROGRESS', spec: v2, templateMajorVersion: '1', templateMinorVersion: '0', lastClientRequestToken: 'deploy-v2' });
    await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'dev-api' });
    // the same token and parameters: the original result, no new deployment; other parameters: a mismatch
    expect((await update({ spec: v2, clientToken: 'deploy-v2' })).serviceInstance!.lastAttemptedDeploymentId).toBe(current.lastAttemptedDeploymentId);
    await expect(update({ spec: TWO_INSTANCES, clientToken: 'deploy-v2' })).rejects.toThrow(/IdempotentParameterMismatch/);

    const minor = (await update({ deploymentType: 'MINOR_VERSION' })).serviceInstance!;
    expect(minor).toMatchObject({ templateMinorVersion: '1', spec: v2, deploymentStatus: 'IN_PROGRESS' });
    await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'dev-api' });
    expect(Object.keys(await instanceOutputs(name, 'dev-api'))).toEqual(['ServiceEndpoint', 'ServiceArn', 'QueueUrl']);
    expect(Object.keys(await instanceOutputs(name, 'dev-api', first.lastSucceededDeploymentId))).toEqual(['ServiceEndpoint', 'ServiceArn']);
    await expect(instanceOutputs(name, 'dev-api', '00000000-0000-4000-8000-000000000000')).rejects.toThrow(ResourceNotFoundException);
    await expect(update({ deploymentType: 'MINOR_VERSION' })).rejects.toThrow(/MINOR_VERSION deploys a different minor version/);
    await expect(update({ deploymentType: 'MAJOR_VERSION' })).rejects.toThrow(/no published major version higher than 1/);
    // back to 1.0: a lower minor version is a different one
    await update({ deploymentType: 'MINOR_VERSION', templateMinorVersion: '0' });
    await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'dev-api' });
    expect((await getInstance(name, 'dev-api')).templateMinorVersion).toBe('0');

    // MAJOR_VERSION: a higher major version, here the recommended 2.0, compatible with the instance's environment
    await addVersion(templateName, { compatible: [{ templateName: OTHER_TEMPLATE, majorVersion: '1' }] });
    await expect(update({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '1' })).rejects.toThrow(/higher than the one in use/);
    await expect(update({ deploymentType: 'MAJOR_VERSION' })).rejects.toThrow(/doesn't list in its compatibleEnvironmentTemplates/);
    await client.send(new UpdateServiceTemplateVersionCommand({
      templateName, majorVersion: '2', minorVersion: '0', compatibleEnvironmentTemplates: [{ templateName: ENV_TEMPLATE, majorVersion: '1' }],
    }));
    expect((await update({ deploymentType: 'MAJOR_VERSION' })).serviceInstance).toMatchObject({ templateMajorVersion: '2', templateMinorVersion: '0' });
    await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'dev-api' });
  });

  test('CancelServiceInstanceDeployment: CANCELLING, then CANCELLED and back to the last successful spec; or FAILED', async () => {
    const templateName = await serviceTemplate();
    const name = (await active({ templateName })).name!;
    Object.assign(proton.timing, { deploymentDelayMs: 2_000, cancelDelayMs: 150 });
    const cancel = () => client.send(new CancelServiceInstanceDeploymentCommand({ serviceName: name, serviceInstanceName: 'dev-api' }));
    await expect(cancel()).rejects.toThrow(/no deployment IN_PROGRESS to cancel \(deployment status SUCCEEDED\)/);
    const v2 = serviceSpec([{ name: 'dev-api', environment: DEV, inputs: { image: 'api:2' } }]);
    await client.send(new UpdateServiceInstanceCommand({ serviceName: name, name: 'dev-api', deploymentType: 'CURRENT_VERSION', spec: v2 }));
    expect((await cancel()).serviceInstance!.deploymentStatus).toBe('CANCELLING');
    await expect(cancel()).rejects.toThrow(ConflictException);
    const cancelled = (await until(() => getInstance(name, 'dev-api'), i => i?.deploymentStatus !== 'CANCELLING'))!;
    expect(cancelled).toMatchObject({ deploymentStatus: 'CANCELLED', deploymentStatusMessage: 'The deployment was cancelled', spec: TWO_INSTANCES });
    // the ServiceInstanceDeployed waiter doesn't end on CANCELLED (PROTON.md): poll

    proton.faults.failCancellation(serviceInstanceKey(name, 'dev-api'), 'could not stop the stack update');
    await client.send(new UpdateServiceInstanceCommand({ serviceName: name, name: 'dev-api', deploymentType: 'CURRENT_VERSION', spec: v2 }));
    await cancel();
    await expect(waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'dev-api' })).rejects.toThrow();
    expect(await getInstance(name, 'dev-api')).toMatchObject({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'could not stop the stack update' });
  });

  test('a pipeline deployment that ends before the cancellation starts ends SUCCEEDED (the cancellation has no effect)', async () => {
    const templateName = await serviceTemplate();
    const name = (await active({ templateName })).name!;
    Object.assign(proton.timing, { deploymentDelayMs: 200, cancelDelayMs: 600 }); // the deployment ends first
    const spec = serviceSpec([{ name: 'dev-api', environment: DEV }, { name: 'prod-api', environment: PROD }], { unit_test_command: 'make' });
    await client.send(new UpdateServicePipelineCommand({ serviceName: name, deploymentType: 'CURRENT_VERSION', spec }));
    const cancelling = (await client.send(new CancelServicePipelineDeploymentCommand({ serviceName: name }))).pipeline!;
    expect(cancelling.deploymentStatus).toBe('CANCELLING');
    const ended = (await until(async () => (await getService(name)).pipeline!, p => p?.deploymentStatus !== 'CANCELLING'))!;
    expect(ended).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec, lastSucceededDeploymentId: cancelling.lastAttemptedDeploymentId });
    await new Promise(resolve => setTimeout(resolve, 600)); // past the cancellation's time: it has no effect
    expect((await getService(name)).pipeline).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec });
  });

  test('CreateServiceInstance: into an ACTIVE service, with the service\'s version; a client token replays it', async () => {
    const templateName = await serviceTemplate();
    proton.timing.deploymentDelayMs = 1000;
    const name = (await create({ templateName })).service!.name!;
    const spec = serviceSpec([{ name: 'extra', environment: PROD, inputs: { image: 'x' } }]);
    const add = (input: Partial<ConstructorParameters<typeof CreateServiceInstanceCommand>[0]> = {}) => client.send(new CreateServiceInstanceCommand({
      serviceName: name, name: 'extra', spec, clientToken: 'add-extra', ...input,
    }));
    await expect(add()).rejects.toThrow(/is CREATE_IN_PROGRESS: service instances can be added to an ACTIVE service only/);
    await waitUntilServiceCreated(fastWaiter(client), { name });
    await addVersion(templateName, { majorVersion: '1' }); // 1.1: not taken without version numbers

    const created = (await add({ tags: [{ key: 'tier', value: 'extra' }] })).serviceInstance!;
    expect(created).toMatchObject({
      name: 'extra',
      environmentName: PROD,
      deploymentStatus: 'IN_PROGRESS',
      templateMajorVersion: '1',
      templateMinorVersion: '0',
      spec,
      lastClientRequestToken: 'add-extra',
    });
    const replay = (await add({ tags: [{ key: 'tier', value: 'extra' }] })).serviceInstance!;
    expect(replay.lastAttemptedDeploymentId).toBe(created.lastAttemptedDeploymentId);
    await expect(add({ clientToken: 'another-token' })).rejects.toThrow(/already exists/);
    await expect(add({ clientToken: 'another-token', name: 'missing' })).rejects.toThrow(/must list service instance missing/);
    await expect(add({ clientToken: 'third', name: 'latest', templateMinorVersion: '1', spec: serviceSpec([{ name: 'latest', environment: DEV }]) }))
      .resolves.toMatchObject({ serviceInstance: { templateMinorVersion: '1' } });
    await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: name, name: 'extra' });
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: created.arn! }))).tags).toEqual([{ key: 'tier', value: 'extra' }]);
    expect(await instanceOutputs(name, 'extra')).toHaveProperty('ServiceEndpoint', `ServiceEndpoint-${name}-extra`);
  });

  test('ListServiceInstances: filters, sorting and pages', async () => {
    const templateName = await serviceTemplate();
    const a = (await active({ templateName })).name!;
    const before = new Date();
    await new Promise(r => setTimeout(r, 5));
    const b = (await active({ templateName })).name!;
    const list = async (input: ConstructorParameters<typeof ListServiceInstancesCommand>[0] = {}) =>
      (await client.send(new ListServiceInstancesCommand(input))).serviceInstances!.map(i => `${i.serviceName}/${i.name}`);

    expect(await list({ serviceName: a })).toEqual([`${a}/dev-api`, `${a}/prod-api`]);
    expect(await list({ filters: [{ key: 'templateName', value: templateName }] })).toEqual([`${a}/dev-api`, `${a}/prod-api`, `${b}/dev-api`, `${b}/prod-api`]);
    expect(await list({ filters: [{ key: 'templateName', value: templateName }, { key: 'environmentName', value: PROD }] }))
      .toEqual([`${a}/prod-api`, `${b}/prod-api`]);
    expect(await list({ filters: [{ key: 'serviceName', value: a }, { key: 'serviceName', value: b }, { key: 'name', value: 'dev-api' }] }))
      .toEqual([`${a}/dev-api`, `${b}/dev-api`]);
    expect(await list({ filters: [{ key: 'templateName', value: templateName }, { key: 'createdAtAfter', value: before.toISOString() }] }))
      .toEqual([`${b}/dev-api`, `${b}/prod-api`]);
    expect(await list({ filters: [{ key: 'templateName', value: templateName }, { key: 'deployedTemplateVersionStatus', value: 'PUBLISHED' }] }))
      .toHaveLength(4);
    expect(await list({ filters: [{ key: 'templateName', value: templateName }], sortBy: 'name', sortOrder: 'DESCENDING' }))
      .toEqual([`${b}/prod-api`, `${a}/prod-api`, `${b}/dev-api`, `${a}/dev-api`]);
    await expect(list({ filters: [{ key: 'createdAtBefore', value: 'yesterday' }] })).rejects.toThrow(/RFC 3339/);
    await expect(list({ serviceName: 'no-such-service' })).rejects.toThrow(ResourceNotFoundException);

    const page = await client.send(new ListServiceInstancesCommand({ serviceName: a, maxResults: 1 }));
    expect(page.serviceInstances!.map(i => i.name)).toEqual(['dev-api']);
    const next = await client.send(new ListServiceInstancesCommand({ serviceName: a, maxResults: 1, nextToken: page.nextToken }));
    expect(next.serviceInstances!.map(i => i.name)).toEqual(['prod-api']);
    expect(next.nextToken).toBeUndefined();
    expect(next.serviceInstances![0]).not.toHaveProperty('spec');
  });
});

describe('UpdateServicePipeline', () => {
  test('CURRENT_VERSION deploys a new spec, MINOR_VERSION another minor; NONE deploys nothing; cancel', async () => {
    const templateName = await serviceTemplate({ bundle: { pipelineRequired: 'unit_test_command' } });
    const name = (await active({ templateName })).name!;
    await addVersion(templateName, { majorVersion: '1', bundle: { pipelineRequired: 'unit_test_command', pipelineOutputs: ['PipelineEndpoint', 'PipelineArn'] } });
    const update = (input: Partial<ConstructorParameters<typeof UpdateServicePipelineCommand>[0]>) => client.send(new UpdateServicePipelineCommand({
      serviceName: name, deploymentType: 'CURRENT_VERSION', spec: TWO_INSTANCES, ...input,
    }));
    const makeTest = serviceSpec([], { unit_test_command: 'make test' });
    await expect(update({ spec: serviceSpec([], {}) })).rejects.toThrow(/missing the required input 'unit_test_command' of PipelineInput/);
    await expect(update({ templateMajorVersion: '1' })).rejects.toThrow(ValidationException);

    const none = (await update({ deploymentType: 'NONE', spec: makeTest })).pipeline!;
    expect(none).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: TWO_INSTANCES });

    const current = (await update({ spec: makeTest })).pipeline!;
    expect(current).toMatchObject({ deploymentStatus: 'IN_PROGRESS', spec: makeTest, templateMinorVersion: '0' });
    expect((await waitUntilServicePipelineDeployed(fastWaiter(client), { name })).state).toBe('SUCCESS');
    expect((await getService(name)).pipeline).toMatchObject({ deploymentStatus: 'SUCCEEDED', lastSucceededDeploymentId: current.lastAttemptedDeploymentId });

    await update({ deploymentType: 'MINOR_VERSION', spec: makeTest });
    await waitUntilServicePipelineDeployed(fastWaiter(client), { name });
    expect((await getService(name)).pipeline!.templateMinorVersion).toBe('1');
    expect(await pipelineOutputs(name)).toEqual({ PipelineEndpoint: `PipelineEndpoint-${name}-pipeline`, PipelineArn: `PipelineArn-${name}-pipeline` });
    expect(await pipelineOutputs(name, current.lastAttemptedDeploymentId)).toEqual({ PipelineEndpoint: `PipelineEndpoint-${name}-pipeline` });

    proton.timing.deploymentDelayMs = 2_000;
    await update({ spec: TWO_INSTANCES });
    const cancelling = (await client.send(new CancelServicePipelineDeploymentCommand({ serviceName: name }))).pipeline!;
    expect(cancelling.deploymentStatus).toBe('CANCELLING');
    const cancelled = await until(() => getService(name), s => s?.pipeline?.deploymentStatus === 'CANCELLED');
    expect(cancelled!.pipeline!.spec).toBe(makeTest);
  });
});

describe('DeleteService', () => {
  test('asynchronous: DELETE_IN_PROGRESS with its instances and pipeline, a retry answers it, then gone; a retry then answers nothing', async () => {
    const templateName = await serviceTemplate();
    const svc = await active({ templateName });
    const name = svc.name!;
    proton.timing.deleteDelayMs = 1500;
    const deleting = (await client.send(new DeleteServiceCommand({ name }))).service!;
    expect(deleting.status).toBe('DELETE_IN_PROGRESS');
    expect(deleting.pipeline!.deploymentStatus).toBe('DELETE_IN_PROGRESS');
    expect((await getInstance(name, 'dev-api')).deploymentStatus).toBe('DELETE_IN_PROGRESS');
    expect((await client.send(new DeleteServiceCommand({ name }))).service!.status).toBe('DELETE_IN_PROGRESS');
    await expect(client.send(new UpdateServiceInstanceCommand({ serviceName: name, name: 'dev-api', deploymentType: 'CURRENT_VERSION' })))
      .rejects.toThrow(/is being deleted and can't be updated/);
    await expect(create({ name, templateName })).rejects.toThrow(/^Service .* is being deleted \(DELETE_IN_PROGRESS\): wait until it is gone/);
    expect((await waitUntilServiceDeleted(fastWaiter(client), { name })).state).toBe('SUCCESS');
    await expect(getService(name)).rejects.toThrow(ResourceNotFoundException);
    await expect(getInstance(name, 'dev-api')).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new ListTagsForResourceCommand({ resourceArn: svc.arn! }))).rejects.toThrow(ResourceNotFoundException);
    expect((await client.send(new DeleteServiceCommand({ name }))).service).toBeUndefined();
    await expect(client.send(new DeleteServiceCommand({ name: 'never-existed' }))).rejects.toThrow(ResourceNotFoundException);
    // the name can be used again
    await active({ name, templateName });
  });

  test('faults.failDeletion: DELETE_FAILED (the waiter fails), deleting again works', async () => {
    const templateName = await serviceTemplate();
    const name = (await active({ templateName })).name!;
    proton.faults.failDeletion(name, 'Service role missing', 1);
    proton.faults.failDeletion(serviceInstanceKey(name, 'prod-api'), 'prod stack DELETE_FAILED', 1);
    await client.send(new DeleteServiceCommand({ name }));
    await expect(waitUntilServiceDeleted(fastWaiter(client), { name })).rejects.toThrow(/DELETE_FAILED/);
    const failed = await getService(name);
    expect(failed.statusMessage).toBe('Service role missing; service instance prod-api: prod stack DELETE_FAILED');
    expect(failed.pipeline).toBeUndefined(); // deleted
    expect((await getInstance(name, 'prod-api')).deploymentStatus).toBe('DELETE_FAILED');
    await expect(getInstance(name, 'dev-api')).rejects.toThrow(ResourceNotFoundException);
    await client.send(new DeleteServiceCommand({ name }));
    await waitUntilServiceDeleted(fastWaiter(client), { name });
  });

  test('an instance in use (a component attached): DeleteService and removing it from the spec are ConflictExceptions', async () => {
    const templateName = await serviceTemplate();
    const name = (await active({ templateName })).name!;
    attached.add(`${name}/prod-api`);
    await expect(client.send(new DeleteServiceCommand({ name }))).rejects.toThrow(/its service instance prod-api is in use: component 'cache' is attached to it/);
    const onlyDev = serviceSpec([{ name: 'dev-api', environment: DEV }], { unit_test_command: 'npm test' });
    await expect(client.send(new UpdateServiceCommand({ name, spec: onlyDev }))).rejects.toThrow(ConflictException);
    attached.clear();
    await client.send(new DeleteServiceCommand({ name }));
    await waitUntilServiceDeleted(fastWaiter(client), { name });
  });
});

describe('what services use', () => {
  test('an environment an instance runs in can\'t be deleted until the service is gone', async () => {
    const envName = await environment(unique('env'));
    const templateName = await serviceTemplate();
    const name = (await active({ templateName, spec: serviceSpec([{ name: 'api', environment: envName }], { unit_test_command: 'npm test' }) })).name!;
    await expect(client.send(new DeleteEnvironmentCommand({ name: envName })))
      .rejects.toThrow(new RegExp(`in use: service instance 'api' of service '${name}' runs in it`));
    await client.send(new DeleteServiceCommand({ name }));
    await waitUntilServiceDeleted(fastWaiter(client), { name });
    expect((await client.send(new DeleteEnvironmentCommand({ name: envName }))).environment!.deploymentStatus).toBe('DELETE_IN_PROGRESS');
  });

  test('the template version instances and the pipeline use can\'t be deleted', async () => {
    const templateName = await serviceTemplate();
    const name = (await active({ templateName })).name!;
    const deleteVersion = () => client.send(new DeleteServiceTemplateVersionCommand({ templateName, majorVersion: '1', minorVersion: '0' }));
    await expect(deleteVersion()).rejects.toThrow(new RegExp(`is in use: service instance 'dev-api' of service '${name}' uses it`));
    await client.send(new UpdateServiceCommand({ name, spec: serviceSpec([], { unit_test_command: 'npm test' }) }));
    await waitUntilServiceUpdated(fastWaiter(client), { name });
    await expect(deleteVersion()).rejects.toThrow(new RegExp(`is in use: the pipeline of service '${name}' uses it`));
    await client.send(new DeleteServiceCommand({ name }));
    await waitUntilServiceDeleted(fastWaiter(client), { name });
    await deleteVersion();
  });
});

describe('parseServiceSpec', () => {
  test('reads pipeline inputs and instances; refuses what is not a service spec', () => {
    expect(parseServiceSpec('proton: ServiceSpec\ninstances:\n  - name: a\n    environment: dev\n')).toEqual({
      pipeline: undefined, instances: [{ name: 'a', environment: 'dev', inputs: {} }],
    });
    expect(parseServiceSpec('proton: ServiceSpec\npipeline:\n  x: 1\n').pipeline).toEqual({ x: 1 });
    expect(() => parseServiceSpec('proton: ServiceSpec\ninstances: {}\n')).toThrow(/must be a list/);
    expect(() => parseServiceSpec('proton: ServiceSpec\ninstances:\n  - name: a\n')).toThrow(/instance a has no environment/);
    expect(() => parseServiceSpec('proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n    spec: [1]\n')).toThrow(/mapping of inputs/);
    expect(() => parseServiceSpec(': : :')).toThrow(/not valid YAML/);
  });
});
