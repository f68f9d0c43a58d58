import {
  CancelComponentDeploymentCommand,
  Component,
  ConflictException,
  CreateComponentCommand,
  CreateComponentCommandInput,
  DeleteComponentCommand,
  DeleteEnvironmentCommand,
  DeleteServiceCommand,
  GetComponentCommand,
  GetServiceInstanceCommand,
  ListComponentOutputsCommand,
  ListComponentProvisionedResourcesCommand,
  ListComponentsCommand,
  ListTagsForResourceCommand,
  paginateListComponentOutputs,
  ProtonClient,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  UpdateComponentCommand,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
  UpdateServiceTemplateVersionCommand,
  ValidationException,
  waitUntilComponentDeleted,
  waitUntilComponentDeployed,
  waitUntilServiceDeleted,
  waitUntilServiceInstanceDeployed,
  waitUntilServiceUpdated,
} from '@aws-sdk/client-proton';
import { MAX_COMPONENTS, ProtonEmulator } from '.';
import {
  activeService, cfnTemplateWithOutputs, clientFor, deployedEnvironment, fastWaiter, publishedEnvironmentTemplate, publishedServiceTemplate,
  serviceSpec,
} from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;
const DELAYS = { registrationDelayMs: 5, deploymentDelayMs: 50, deleteDelayMs: 250, cancelDelayMs: 250 }; // deleting and cancelling last long enough for a second request under load
const COMPONENT_ROLE = 'arn:aws:iam::111111111111:role/proton-components';

const ENV_TEMPLATE = 'web-env';
/** Service templates whose version 1.0 supports directly defined components, and one that doesn't. */
const WITH_COMPONENTS = 'svc-components';
const WITHOUT_COMPONENTS = 'svc-plain';
/** Environments with a component role (dev, prod) and one without. */
const DEV = 'dev';
const PROD = 'prod';
const NO_ROLE = 'no-role';

const MANIFEST = [
  'infrastructure:', '  templates:', '    - file: "cloudformation.yaml"', '      rendering_engine: jinja', '      template_language: cloudformation', '',
].join('\n');
const TEMPLATE = cfnTemplateWithOutputs(['QueueUrl', 'QueueArn']);

beforeAll(async () => {
  proton = await ProtonEmulator.start({ ...DELAYS });
  client = clientFor(proton);
  await publishedEnvironmentTemplate(proton, client, ENV_TEMPLATE);
  await publishedServiceTemplate(proton, client, WITH_COMPONENTS, { environmentTemplate: ENV_TEMPLATE, supportedComponentSources: ['DIRECTLY_DEFINED'] });
  await publishedServiceTemplate(proton, client, WITHOUT_COMPONENTS, { environmentTemplate: ENV_TEMPLATE });
  await Promise.all([
    deployedEnvironment(client, DEV, ENV_TEMPLATE, { componentRoleArn: COMPONENT_ROLE }),
    deployedEnvironment(client, PROD, ENV_TEMPLATE, { componentRoleArn: COMPONENT_ROLE }),
    deployedEnvironment(client, NO_ROLE, ENV_TEMPLATE),
  ]);
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

afterEach(() => {
  proton.faults.clear();
  Object.assign(proton.timing, DELAYS);
});

let counter = 0;
function unique(prefix: string): string {
  return `${prefix}-${++counter}`;
}

async function get(name: string): Promise<Component> {
  return (await client.send(new GetComponentCommand({ name }))).component!;
}

function create(input: Partial<CreateComponentCommandInput> & { name: string }) {
  return client.send(new CreateComponentCommand({ manifest: MANIFEST, templateFile: TEMPLATE, ...input }));
}

/** Creates a component (detached in `dev` unless attached by `input`) and waits until it is deployed. */
async function deployed(input: Partial<CreateComponentCommandInput> & { name: string }): Promise<Component> {
  await create(input.serviceName ? input : { environmentName: DEV, ...input });
  await waitUntilComponentDeployed(fastWaiter(client), { name: input.name });
  return get(input.name);
}

/** A service of `template` (components supported by default) with one instance in each of `environments`, ACTIVE. */
async function service(environments: string[] = [DEV], template = WITH_COMPONENTS): Promise<string> {
  const name = unique('svc');
  await activeService(client, name, template, environments.map(environment => ({ name: `${environment}-api`, environment })));
  return name;
}

function attach(serviceName: string, environment = DEV) {
  return { serviceName, serviceInstanceName: `${environment}-api`, serviceSpec: serviceSpec([{ name: `${environment}-api`, environment }]) };
}

async function outputs(componentName: string, deploymentId?: string) {
  return (await client.send(new ListComponentOutputsCommand({ componentName, deploymentId }))).outputs;
}

describe('components', () => {
  test('an environment without componentRoleArn takes no component; a detached one deploys and answers its template file\'s Outputs', async () => {
    const refused = await create({ name: unique('cache'), environmentName: NO_ROLE }).catch(e => e);
    expect(refused).toBeInstanceOf(ValidationException);
    expect(refused.message).toMatch(/Environment no-role has no componentRoleArn/);

    const name = unique('cache');
    const started = (await create({ name, environmentName: DEV, description: 'a queue', tags: [{ key: 'team', value: 'api' }] })).component!;
    expect(started).toMatchObject({ name, environmentName: DEV, deploymentStatus: 'IN_PROGRESS', description: 'a queue' });
    expect(started.arn).toBe(`arn:aws:proton:us-east-1:111111111111:component/${name}`);
    expect(started.serviceName).toBeUndefined();
    expect(started.lastClientRequestToken).toBeDefined(); // the SDK fills in the client token
    await waitUntilComponentDeployed(fastWaiter(client), { name });
    const c = await get(name);
    expect(c).toMatchObject({ deploymentStatus: 'SUCCEEDED', lastSucceededDeploymentId: c.lastAttemptedDeploymentId });
    expect(await outputs(name)).toEqual([{ key: 'QueueUrl', valueString: `QueueUrl-${name}` }, { key: 'QueueArn', valueString: `QueueArn-${name}` }]);
    expect(await outputs(name, c.lastSucceededDeploymentId)).toHaveLength(2);
    await expect(outputs(name, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(ResourceNotFoundException);
    expect((await client.send(new ListComponentProvisionedResourcesCommand({ componentName: name }))).provisionedResources).toEqual([]);
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: c.arn }))).tags).toEqual([{ key: 'team', value: 'api' }]);

    // the SDK paginator follows nextToken when outputsPageSize cuts the list
    proton.faults.outputsPageSize = 1;
    const pages = [];
    for await (const page of paginateListComponentOutputs({ client }, { componentName: name })) pages.push(page.outputs!);
    expect(pages).toHaveLength(2);
  });

  test('what CreateComponent checks: environment, serviceSpec only when attached, both service members, the manifest, the name', async () => {
    await expect(create({ name: unique('c') })).rejects.toThrow(/Specify environmentName for a component that isn't attached/);
    await expect(create({ name: unique('c'), environmentName: 'nope' })).rejects.toThrow(ResourceNotFoundException);
    await expect(create({ name: unique('c'), environmentName: DEV, serviceSpec: 'proton: ServiceSpec\ninstances: []\n' }))
      .rejects.toThrow(/serviceSpec is for a component attached to a service instance/);
    await expect(create({ name: unique('c'), serviceName: 'svc' })).rejects.toThrow(/both serviceName and serviceInstanceName or for neither/);
    await expect(create({ name: unique('c'), environmentName: DEV, manifest: 'infrastructure:\n  templates: []\n' }))
      .rejects.toThrow(/components support a single IaC file/);
    await expect(create({ name: unique('c'), environmentName: DEV, manifest: MANIFEST.replace('cloudformation\n', 'pulumi\n') }))
      .rejects.toThrow(/template_language must be cloudformation or terraform/);
    await expect(create({ name: unique('c'), environmentName: DEV, manifest: 'x'.repeat(1025) })).rejects.toThrow(/Member must have length less than or equal to 1024/);

    // a Terraform template file: its output blocks
    const tf = unique('tf');
    await deployed({ name: tf, manifest: MANIFEST.replace('cloudformation\n', 'terraform\n'), templateFile: 'output "bucket" {\n  value = "b"\n}\n' });
    expect(await outputs(tf)).toEqual([{ key: 'bucket', valueString: `bucket-${tf}` }]);

    // the same client token replays the create; the same name with another token is a ConflictException
    const name = unique('c');
    const first = (await create({ name, environmentName: DEV, clientToken: 'create-1' })).component!;
    expect((await create({ name, environmentName: DEV, clientToken: 'create-1' })).component!.lastAttemptedDeploymentId).toBe(first.lastAttemptedDeploymentId);
    await expect(create({ name, environmentName: PROD, clientToken: 'create-1' })).rejects.toThrow(/^IdempotentParameterMismatch/);
    await expect(create({ name, environmentName: DEV })).rejects.toThrow(ConflictException);
    expect(proton.log.count('CreateComponent')).toBeGreaterThan(0);
  });

  test('attached: the instance\'s service template version must support DIRECTLY_DEFINED, and it must not be deploying', async () => {
    const plain = await service([DEV], WITHOUT_COMPONENTS);
    const unsupported = await create({ name: unique('c'), ...attach(plain) }).catch(e => e);
    expect(unsupported).toBeInstanceOf(ValidationException);
    expect(unsupported.message).toMatch(/svc-plain:1.0 .* doesn't support directly defined components: its supportedComponentSources must include DIRECTLY_DEFINED/);

    const svc = await service([DEV, PROD]);
    await expect(create({ name: unique('c'), serviceName: svc, serviceInstanceName: 'nope' })).rejects.toThrow(ResourceNotFoundException);
    // the instance deploys: ConflictException
    await client.send(new UpdateServiceInstanceCommand({ serviceName: svc, name: 'dev-api', deploymentType: 'CURRENT_VERSION' }));
    const busy = await create({ name: unique('c'), ...attach(svc) }).catch(e => e);
    expect(busy).toBeInstanceOf(ConflictException);
    expect(busy.message).toMatch(/has a deployment IN_PROGRESS/);
    await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: svc, name: 'dev-api' });

    // an attached component's environment is its instance's
    await expect(create({ name: unique('c'), ...attach(svc), environmentName: PROD })).rejects.toThrow(/runs in environment dev, not prod/);
    const name = unique('sidecar');
    const c = await deployed({ name, ...attach(svc) });
    expect(c).toMatchObject({ environmentName: DEV, serviceName: svc, serviceInstanceName: 'dev-api', serviceSpec: attach(svc).serviceSpec });
    // one component per instance
    await expect(create({ name: unique('c'), ...attach(svc) })).rejects.toThrow(/already has component sidecar-\d+ attached/);
    // while the component deploys, its instance can't deploy ("... or the deployment status of a component attached to it")
    await client.send(new UpdateComponentCommand({ name, deploymentType: 'CURRENT_VERSION' }));
    await expect(client.send(new UpdateServiceInstanceCommand({ serviceName: svc, name: 'dev-api', deploymentType: 'CURRENT_VERSION' })))
      .rejects.toThrow(/component 'sidecar-\d+' attached to it has a deployment IN_PROGRESS/);
    await waitUntilComponentDeployed(fastWaiter(client), { name });
    // and while the instance deploys, the component can't be updated
    await client.send(new UpdateServiceInstanceCommand({ serviceName: svc, name: 'dev-api', deploymentType: 'CURRENT_VERSION' }));
    await expect(client.send(new UpdateComponentCommand({ name, deploymentType: 'NONE', description: 'x' })))
      .rejects.toThrow(/attached to has a deployment IN_PROGRESS/);
    await waitUntilServiceInstanceDeployed(fastWaiter(client), { serviceName: svc, name: 'dev-api' });

    const listed = async (filter: object) => (await client.send(new ListComponentsCommand(filter))).components!.map(x => x.name);
    expect(await listed({ serviceName: svc })).toEqual([name]);
    expect(await listed({ serviceName: svc, serviceInstanceName: 'dev-api' })).toEqual([name]);
    expect(await listed({ serviceName: svc, serviceInstanceName: 'prod-api' })).toEqual([]);
    expect(await listed({ environmentName: DEV })).toContain(name);
    expect(await listed({ environmentName: PROD })).not.toContain(name);
  });

  test('supportedComponentSources changed on the version: existing attachments keep deploying, later attachments are refused', async () => {
    // UpdateServiceTemplateVersion reference: "A change to supportedComponentSources doesn't impact existing component
    // attachments to instances based on this template version. A change only affects later attachments."
    const template = unique('svc-changing');
    await publishedServiceTemplate(proton, client, template, { environmentTemplate: ENV_TEMPLATE, supportedComponentSources: ['DIRECTLY_DEFINED'] });
    const svc = await service([DEV, PROD], template);
    const name = unique('kept');
    await deployed({ name, ...attach(svc) });
    await client.send(new UpdateServiceTemplateVersionCommand({ templateName: template, majorVersion: '1', minorVersion: '0', supportedComponentSources: [] }));

    const redeploy = (await client.send(new UpdateComponentCommand({
      name, deploymentType: 'CURRENT_VERSION', ...attach(svc), templateFile: cfnTemplateWithOutputs(['Kept']),
    }))).component!;
    expect(redeploy).toMatchObject({ deploymentStatus: 'IN_PROGRESS', serviceName: svc, serviceInstanceName: 'dev-api' });
    await waitUntilComponentDeployed(fastWaiter(client), { name });
    expect(await outputs(name)).toEqual([{ key: 'Kept', valueString: `Kept-${name}` }]);

    const later = await create({ name: unique('c'), ...attach(svc, PROD) }).catch(e => e);
    expect(later).toBeInstanceOf(ValidationException);
    expect(later.message).toMatch(/doesn't support directly defined components/);
  });

  test('a failing deployment ends FAILED with its message; UpdateComponent CURRENT_VERSION deploys, NONE only updates the description', async () => {
    const name = unique('cache');
    proton.faults.failDeployment(name, 'Stack failed: queue limit', 1);
    await create({ name, environmentName: DEV });
    await expect(waitUntilComponentDeployed(fastWaiter(client), { name })).rejects.toThrow(/FAILURE/);
    const failed = await get(name);
    expect(failed).toMatchObject({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'Stack failed: queue limit' });
    expect(failed.lastSucceededDeploymentId).toBeUndefined();
    expect(await outputs(name)).toEqual([]);

    // CURRENT_VERSION: a new template file; a second update while it deploys is a ConflictException
    const templateFile = cfnTemplateWithOutputs(['TableName']);
    const updating = (await client.send(new UpdateComponentCommand({ name, deploymentType: 'CURRENT_VERSION', templateFile }))).component!;
    expect(updating.deploymentStatus).toBe('IN_PROGRESS');
    expect(updating.lastAttemptedDeploymentId).not.toBe(failed.lastAttemptedDeploymentId);
    await expect(client.send(new UpdateComponentCommand({ name, deploymentType: 'NONE', description: 'd' }))).rejects.toThrow(ConflictException);
    await waitUntilComponentDeployed(fastWaiter(client), { name });
    expect(await outputs(name)).toEqual([{ key: 'TableName', valueString: `TableName-${name}` }]);
    // the outputs of the failed deployment: none
    expect(await outputs(name, failed.lastAttemptedDeploymentId)).toEqual([]);

    // NONE: description only, no deployment
    const before = await get(name);
    const none = (await client.send(new UpdateComponentCommand({ name, deploymentType: 'NONE', description: 'renamed' }))).component!;
    expect(none).toMatchObject({ description: 'renamed', deploymentStatus: 'SUCCEEDED', lastAttemptedDeploymentId: before.lastAttemptedDeploymentId });
    await expect(client.send(new UpdateComponentCommand({ name, deploymentType: 'NONE', templateFile })))
      .rejects.toThrow(/deploymentType NONE deploys nothing and only updates the description: don't include templateFile/);
    await expect(client.send(new UpdateComponentCommand({ name, deploymentType: 'MAJOR_VERSION' as 'NONE' }))).rejects.toThrow(/enum value set/);

    // setOutputs replaces the outputs of the next successful deployments; a client token replays an update
    proton.faults.setOutputs(name, { QueueUrl: 'https://sqs/q' });
    const update = { name, deploymentType: 'CURRENT_VERSION' as const, clientToken: 'update-1' };
    const first = (await client.send(new UpdateComponentCommand(update))).component!;
    expect((await client.send(new UpdateComponentCommand(update))).component!.lastAttemptedDeploymentId).toBe(first.lastAttemptedDeploymentId);
    await expect(client.send(new UpdateComponentCommand({ ...update, description: 'other' }))).rejects.toThrow(/^IdempotentParameterMismatch/);
    await waitUntilComponentDeployed(fastWaiter(client), { name });
    expect(await get(name)).toMatchObject({ lastClientRequestToken: 'update-1', deploymentStatus: 'SUCCEEDED' });
    expect(await outputs(name)).toEqual([{ key: 'QueueUrl', valueString: 'https://sqs/q' }]);
  });

  test('detach ("" for both) and attach: same environment only, detached first, serviceSpec only when attached', async () => {
    const svc = await service([DEV, PROD]);
    const other = await service([DEV]);
    const name = unique('store');
    await deployed({ name, ...attach(svc) });

    const update = (input: object) => client.send(new UpdateComponentCommand({ name, deploymentType: 'CURRENT_VERSION', ...input }));
    await expect(update({ serviceName: '', serviceInstanceName: 'dev-api' })).rejects.toThrow(/non-empty values for both serviceName and serviceInstanceName/);
    await expect(update({ serviceName: other })).rejects.toThrow(ValidationException);
    await expect(update({ ...attach(other) })).rejects.toThrow(/detach it first/);
    await expect(client.send(new UpdateComponentCommand({ name, deploymentType: 'NONE', serviceName: '', serviceInstanceName: '' })))
      .rejects.toThrow(/don't include serviceName, serviceInstanceName/);
    await expect(update({ serviceName: '', serviceInstanceName: '', serviceSpec: 'proton: ServiceSpec\ninstances: []\n' }))
      .rejects.toThrow(/serviceSpec is for a component attached/);

    // detach: the spec goes with the attachment
    const detaching = (await update({ serviceName: '', serviceInstanceName: '' })).component!;
    expect(detaching).toMatchObject({ environmentName: DEV, deploymentStatus: 'IN_PROGRESS' });
    expect(detaching.serviceName).toBeUndefined();
    expect(detaching.serviceSpec).toBeUndefined();
    // the instance stays in use until the detaching deployment succeeds
    await expect(client.send(new DeleteServiceCommand({ name: svc }))).rejects.toThrow(/component 'store-\d+' is attached to it/);
    await waitUntilComponentDeployed(fastWaiter(client), { name });

    // attach: only to an instance of the component's environment
    await expect(update({ ...attach(svc, PROD) })).rejects.toThrow(/associated with environment dev: it can't be attached to service instance prod-api/);
    const attached = (await update({ serviceName: other, serviceInstanceName: 'dev-api' })).component!;
    expect(attached).toMatchObject({ serviceName: other, serviceInstanceName: 'dev-api' });
    expect(attached.serviceSpec).toBeUndefined();
    await waitUntilComponentDeployed(fastWaiter(client), { name });
    // a spec is kept by later deployments that don't send one
    await update({ serviceSpec: attach(other).serviceSpec });
    await waitUntilComponentDeployed(fastWaiter(client), { name });
    await update({ templateFile: cfnTemplateWithOutputs(['Other']) });
    expect((await get(name)).serviceSpec).toBe(attach(other).serviceSpec);
    await waitUntilComponentDeployed(fastWaiter(client), { name });
  });

  test('CancelComponentDeployment: CANCELLING, then CANCELLED and back to the last successful deployment (its attachment too)', async () => {
    const svc = await service();
    const name = unique('cancel');
    const ok = await deployed({ name, ...attach(svc) });
    await expect(client.send(new CancelComponentDeploymentCommand({ componentName: name }))).rejects.toThrow(/no deployment IN_PROGRESS to cancel/);

    proton.timing.deploymentDelayMs = 1000;
    await client.send(new UpdateComponentCommand({ name, deploymentType: 'CURRENT_VERSION', serviceName: '', serviceInstanceName: '' }));
    const cancelling = (await client.send(new CancelComponentDeploymentCommand({ componentName: name }))).component!;
    expect(cancelling.deploymentStatus).toBe('CANCELLING');
    await expect(client.send(new CancelComponentDeploymentCommand({ componentName: name }))).rejects.toThrow(ConflictException);
    await new Promise(resolve => setTimeout(resolve, DELAYS.cancelDelayMs + 40));
    const cancelled = await get(name);
    expect(cancelled).toMatchObject({
      deploymentStatus: 'CANCELLED', serviceName: svc, serviceInstanceName: 'dev-api', lastSucceededDeploymentId: ok.lastSucceededDeploymentId,
    });

    // a cancellation that fails ends FAILED
    proton.faults.failCancellation(name, 'could not roll back');
    await client.send(new UpdateComponentCommand({ name, deploymentType: 'CURRENT_VERSION' }));
    await client.send(new CancelComponentDeploymentCommand({ componentName: name }));
    await new Promise(resolve => setTimeout(resolve, DELAYS.cancelDelayMs + 40));
    expect(await get(name)).toMatchObject({ deploymentStatus: 'FAILED', deploymentStatusMessage: 'could not roll back' });
  });

  test('DeleteComponent: not while attached or deploying; asynchronous (DELETE_IN_PROGRESS, then gone); DELETE_FAILED with failDeletion', async () => {
    const svc = await service();
    const name = unique('gone');
    await deployed({ name, ...attach(svc) });
    const attached = await client.send(new DeleteComponentCommand({ name })).catch(e => e);
    expect(attached).toBeInstanceOf(ConflictException);
    expect(attached.message).toMatch(/is attached to service instance dev-api .*: detach it first/);
    await client.send(new UpdateComponentCommand({ name, deploymentType: 'CURRENT_VERSION', serviceName: '', serviceInstanceName: '' }));
    await expect(client.send(new DeleteComponentCommand({ name }))).rejects.toThrow(/has a deployment IN_PROGRESS/);
    await waitUntilComponentDeployed(fastWaiter(client), { name });

    proton.faults.failDeletion(name, 'bucket not empty', 1);
    expect((await client.send(new DeleteComponentCommand({ name }))).component!.deploymentStatus).toBe('DELETE_IN_PROGRESS');
    await expect(waitUntilComponentDeleted(fastWaiter(client), { name })).rejects.toThrow(/FAILURE/);
    expect(await get(name)).toMatchObject({ deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'bucket not empty' });

    const deleting = (await client.send(new DeleteComponentCommand({ name }))).component!;
    expect(deleting.deploymentStatus).toBe('DELETE_IN_PROGRESS');
    await expect(client.send(new UpdateComponentCommand({ name, deploymentType: 'NONE', description: 'x' }))).rejects.toThrow(/being deleted/);
    expect((await client.send(new DeleteComponentCommand({ name }))).component!.arn).toBe(deleting.arn); // a retry answers it
    await waitUntilComponentDeleted(fastWaiter(client), { name });
    await expect(get(name)).rejects.toThrow(ResourceNotFoundException);
    expect((await client.send(new DeleteComponentCommand({ name }))).component).toBeUndefined(); // gone: {}
    await expect(client.send(new DeleteComponentCommand({ name: 'never-was' }))).rejects.toThrow(ResourceNotFoundException);
  });

  test('a component keeps its environment, and an attached one its instance, in use (UpdateService removing it, DeleteService)', async () => {
    const env = unique('env');
    await deployedEnvironment(client, env, ENV_TEMPLATE, { componentRoleArn: COMPONENT_ROLE });
    const svc = unique('svc');
    await activeService(client, svc, WITH_COMPONENTS, [{ name: 'a', environment: env }, { name: 'b', environment: env }]);
    const name = unique('pinned');
    await deployed({ name, serviceName: svc, serviceInstanceName: 'a' });

    const removing = await client.send(new UpdateServiceCommand({ name: svc, spec: serviceSpec([{ name: 'b', environment: env }]) })).catch(e => e);
    expect(removing).toBeInstanceOf(ConflictException);
    expect(removing.message).toMatch(/Service instance a of service svc-\d+ can't be removed while it is in use: component 'pinned-\d+' is attached to it/);
    await expect(client.send(new DeleteServiceCommand({ name: svc }))).rejects.toThrow(/its service instance a is in use: component 'pinned-\d+'/);
    // removing the other instance is fine
    await client.send(new UpdateServiceCommand({ name: svc, spec: serviceSpec([{ name: 'a', environment: env }]) }));
    await waitUntilServiceUpdated(fastWaiter(client), { name: svc });

    // detached, the instance can go; the environment stays in use while the component exists
    await client.send(new UpdateComponentCommand({ name, deploymentType: 'CURRENT_VERSION', serviceName: '', serviceInstanceName: '' }));
    await waitUntilComponentDeployed(fastWaiter(client), { name });
    await client.send(new DeleteServiceCommand({ name: svc }));
    await waitUntilServiceDeleted(fastWaiter(client), { name: svc });
    await expect(client.send(new GetServiceInstanceCommand({ serviceName: svc, name: 'a' }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new DeleteEnvironmentCommand({ name: env }))).rejects.toThrow(/in use: component 'pinned-\d+' is associated with it/);
    await client.send(new DeleteComponentCommand({ name }));
    await waitUntilComponentDeleted(fastWaiter(client), { name });
    expect((await client.send(new DeleteEnvironmentCommand({ name: env }))).environment!.deploymentStatus).toBe('DELETE_IN_PROGRESS');
  });
});

test('at most 1,000 components per account: the next one is a ServiceQuotaExceededException', async () => {
  // a separate emulator: a thousand components would crowd the first page of ListComponents above
  const own = await ProtonEmulator.start({ registrationDelayMs: 5, deploymentDelayMs: 5 });
  const ownClient = clientFor(own);
  try {
    await publishedEnvironmentTemplate(own, ownClient, ENV_TEMPLATE);
    await deployedEnvironment(ownClient, DEV, ENV_TEMPLATE, { componentRoleArn: COMPONENT_ROLE });
    const make = (i: number) => ownClient.send(new CreateComponentCommand({ name: `c${i}`, environmentName: DEV, manifest: MANIFEST, templateFile: TEMPLATE }));
    for (let i = 0; i < MAX_COMPONENTS; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => make(i + j)));
    const over = await make(MAX_COMPONENTS).catch(e => e);
    expect(over).toBeInstanceOf(ServiceQuotaExceededException);
    expect(over.message).toMatch(/already has 1000 components: at most 1000 are allowed/);
  } finally {
    ownClient.destroy();
    await own.stop();
  }
});
