import {
  CancelEnvironmentDeploymentCommand,
  ConflictException,
  CreateEnvironmentCommand,
  CreateEnvironmentCommandInput,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateRepositoryCommand,
  DeleteEnvironmentCommand,
  DeleteEnvironmentTemplateVersionCommand,
  Environment,
  GetEnvironmentCommand,
  ListEnvironmentOutputsCommand,
  ListEnvironmentProvisionedResourcesCommand,
  ListEnvironmentsCommand,
  ListTagsForResourceCommand,
  paginateListEnvironmentOutputs,
  paginateListEnvironments,
  ProtonClient,
  ResourceNotFoundException,
  UpdateEnvironmentCommand,
  UpdateEnvironmentTemplateVersionCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor, fastWaiter, manifestYaml, schemaYaml, tarGz } from './helpers';
import { cloudFormationOutputKeys, declaredOutputKeys } from './iac-outputs';

let proton: ProtonEmulator;
let client: ProtonClient;
const BUCKET = 'env-bundles';
const ROLE = 'arn:aws:iam::123456789012:role/proton-service';
const DELAYS = { registrationDelayMs: 10, deploymentDelayMs: 30, deleteDelayMs: 30, cancelDelayMs: 10 };

beforeAll(async () => {
  proton = await ProtonEmulator.start({ accountId: '123456789012', region: 'eu-west-1', ...DELAYS });
  client = clientFor(proton);
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

/** A CloudFormation infrastructure template as Proton renders it: Jinja, and short-form intrinsics in its Outputs. */
const CFN_WITH_OUTPUTS = [
  'AWSTemplateFormatVersion: "2010-09-09"',
  'Resources:',
  '  Vpc:',
  '    Type: AWS::EC2::VPC',
  '    Properties:',
  '      CidrBlock: {{ environment.inputs.vpc_cidr }}',
  '{% if environment.inputs.vpc_cidr %}',
  '  Topic:',
  '    Type: AWS::SNS::Topic',
  '{% endif %}',
  'Outputs:',
  '  VpcId:',
  '    Value: !Ref Vpc',
  '  VpcArn:',
  '    Value: !GetAtt Vpc.Arn',
  '  SubnetIds:',
  '    Value: !Join [",", [!Ref SubnetA, !Ref SubnetB]]',
  '  StackVpc:',
  '    Value: !Sub "${AWS::StackName}-vpc"',
  '    Export:',
  '      Name: !Sub',
  '        - "${Stack}-VpcId"',
  '        - Stack: !Ref AWS::StackName',
  '',
].join('\n');

function bundleFiles(cfn = CFN_WITH_OUTPUTS, extraRequired?: string): Record<string, string> {
  return {
    'schema/schema.yaml': schemaYaml({ extraRequired }),
    'infrastructure/manifest.yaml': manifestYaml(),
    'infrastructure/cloudformation.yaml': cfn,
  };
}

/** A CloudFormation template with `count` outputs Out1..Out<count>. */
function cfnWithOutputs(count: number): string {
  const outputs = Array.from({ length: count }, (_, i) => `  Out${i + 1}:\n    Value: !Ref Vpc\n`).join('');
  return `Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\nOutputs:\n${outputs}`;
}

function envSpec(cidr = '10.0.0.0/16'): string {
  return `proton: EnvironmentSpec\nspec:\n  vpc_cidr: "${cidr}"\n`;
}

/** Registers a version of `templateName` from `files` and publishes it unless `publish` is false. */
async function addVersion(templateName: string, options: { majorVersion?: string; files?: Record<string, string>; publish?: boolean } = {}) {
  const key = `env/${++counter}.tar.gz`;
  proton.s3.putObject(BUCKET, key, tarGz(options.files ?? bundleFiles()));
  const v = (await client.send(new CreateEnvironmentTemplateVersionCommand({
    templateName, majorVersion: options.majorVersion, source: { s3: { bucket: BUCKET, key } },
  }))).environmentTemplateVersion!;
  const id = { templateName, majorVersion: v.majorVersion!, minorVersion: v.minorVersion! };
  await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), id);
  if (options.publish !== false) await client.send(new UpdateEnvironmentTemplateVersionCommand({ ...id, status: 'PUBLISHED' }));
  return id;
}

/** A template with a published version 1.0 (from `files`). */
async function publishedTemplate(options: { files?: Record<string, string>; provisioning?: 'CUSTOMER_MANAGED' } = {}): Promise<string> {
  const name = unique('tmpl');
  await client.send(new CreateEnvironmentTemplateCommand({ name, provisioning: options.provisioning }));
  await addVersion(name, { files: options.files });
  return name;
}

async function get(name: string): Promise<Environment> {
  return (await client.send(new GetEnvironmentCommand({ name }))).environment!;
}

/** Creates an environment of `templateName` (major version 1) and waits until it is deployed. */
async function deployed(templateName: string, input: Partial<CreateEnvironmentCommandInput> = {}): Promise<Environment> {
  const name = input.name ?? unique('env');
  await client.send(new CreateEnvironmentCommand({
    name, templateName, templateMajorVersion: '1', spec: envSpec(), protonServiceRoleArn: ROLE, ...input,
  }));
  await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
  return get(name);
}

/** Polls GetEnvironment until `done` holds (or the environment is gone, when `done` accepts undefined). */
async function until(name: string, done: (env: Environment | undefined) => boolean): Promise<Environment | undefined> {
  for (let i = 0; i < 200; i++) {
    const env = await get(name).catch(e => {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    });
    if (done(env)) return env;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error(`environment ${name} never reached the expected state`);
}

async function allOutputs(environmentName: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const page of paginateListEnvironmentOutputs({ client }, { environmentName })) {
    for (const o of page.outputs ?? []) out[o.key!] = o.valueString!;
  }
  return out;
}

describe('CreateEnvironment', () => {
  test('a published version deploys: IN_PROGRESS then SUCCEEDED, with outputs from the bundle\'s CloudFormation Outputs', async () => {
    const templateName = await publishedTemplate();
    const name = unique('env');
    const created = (await client.send(new CreateEnvironmentCommand({
      name,
      templateName,
      templateMajorVersion: '1',
      spec: envSpec(),
      protonServiceRoleArn: ROLE,
      description: 'the dev VPC',
      tags: [{ key: 'team', value: 'platform' }],
    }))).environment!;
    expect(created).toMatchObject({
      name,
      arn: `arn:aws:proton:eu-west-1:123456789012:environment/${name}`,
      templateName,
      templateMajorVersion: '1',
      templateMinorVersion: '0', // omitted: the recommended minor version of major version 1
      deploymentStatus: 'IN_PROGRESS',
      protonServiceRoleArn: ROLE,
      description: 'the dev VPC',
      spec: envSpec(),
    });
    expect(created.lastAttemptedDeploymentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.lastSucceededDeploymentId).toBeUndefined();
    expect(created.createdAt).toBeInstanceOf(Date);

    const waited = await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    expect(waited.state).toBe('SUCCESS');
    const env = await get(name);
    expect(env.deploymentStatus).toBe('SUCCEEDED');
    expect(env.lastSucceededDeploymentId).toBe(created.lastAttemptedDeploymentId);
    expect(env.lastDeploymentSucceededAt!.getTime()).toBeGreaterThanOrEqual(env.lastDeploymentAttemptedAt!.getTime());

    expect(await allOutputs(name)).toEqual({
      VpcId: `VpcId-${name}`,
      VpcArn: `VpcArn-${name}`,
      SubnetIds: `SubnetIds-${name}`,
      StackVpc: `StackVpc-${name}`,
    });
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: env.arn! }))).tags).toEqual([{ key: 'team', value: 'platform' }]);
    const resources = await client.send(new ListEnvironmentProvisionedResourcesCommand({ environmentName: name }));
    expect(resources.provisionedResources).toEqual([]);
  });

  test('outputs: one response as the model\'s EmptyNextToken says; with faults.outputsPageSize every page is read', async () => {
    const templateName = await publishedTemplate({ files: bundleFiles(cfnWithOutputs(7)) });
    const env = await deployed(templateName);

    const single = await client.send(new ListEnvironmentOutputsCommand({ environmentName: env.name! }));
    expect(single.outputs).toHaveLength(7);
    expect(single.nextToken).toBeUndefined();
    // a non-empty nextToken is not valid for this operation (EmptyNextToken: length 0)
    await expect(client.send(new ListEnvironmentOutputsCommand({ environmentName: env.name!, nextToken: 'b2Zmc2V0OjI=' })))
      .rejects.toThrow(ValidationException);

    proton.faults.outputsPageSize = 2;
    proton.log.clear();
    const outputs = await allOutputs(env.name!);
    expect(Object.keys(outputs)).toEqual(['Out1', 'Out2', 'Out3', 'Out4', 'Out5', 'Out6', 'Out7']);
    expect(proton.log.count('ListEnvironmentOutputs')).toBe(4);
    const first = await client.send(new ListEnvironmentOutputsCommand({ environmentName: env.name! }));
    expect(first.outputs).toHaveLength(2);
    expect(first.nextToken).toBeTruthy();
  });

  test('faults.setOutputs replaces the outputs of the deployments that succeed from then on', async () => {
    const templateName = await publishedTemplate();
    const name = unique('env');
    proton.faults.setOutputs(name, { ClusterName: 'my-cluster', VpcId: 'vpc-0123' });
    await deployed(templateName, { name });
    expect(await allOutputs(name)).toEqual({ ClusterName: 'my-cluster', VpcId: 'vpc-0123' });
  });

  test('only a PUBLISHED template version deploys: DRAFT, missing versions and templates are refused', async () => {
    const templateName = await publishedTemplate();
    await addVersion(templateName, { majorVersion: '1', publish: false }); // 1.1 stays DRAFT
    const create = (input: Partial<CreateEnvironmentCommandInput>) => client.send(new CreateEnvironmentCommand({
      name: unique('env'), templateName, templateMajorVersion: '1', spec: envSpec(), protonServiceRoleArn: ROLE, ...input,
    }));
    await expect(create({ templateMinorVersion: '1' })).rejects.toThrow(/1\.1 is DRAFT: only a PUBLISHED template version can be deployed/);
    await expect(create({ templateMinorVersion: '9' })).rejects.toThrow(ValidationException);
    await expect(create({ templateMajorVersion: '2' })).rejects.toThrow(/no published minor version of major version 2/);
    await expect(create({ templateName: 'no-such-template' })).rejects.toThrow(ResourceNotFoundException);

    const draftOnly = unique('tmpl');
    await client.send(new CreateEnvironmentTemplateCommand({ name: draftOnly }));
    await addVersion(draftOnly, { publish: false });
    await expect(create({ templateName: draftOnly })).rejects.toThrow(ValidationException);
    // the minor version omitted: the recommended one, 1.0, not the DRAFT 1.1
    expect((await create({})).environment!.templateMinorVersion).toBe('0');
  });

  test('provisioning members and the spec are checked', async () => {
    const templateName = await publishedTemplate({ files: bundleFiles(CFN_WITH_OUTPUTS, 'cluster_name') });
    const spec = 'proton: EnvironmentSpec\nspec:\n  cluster_name: c1\n';
    const create = (input: Partial<CreateEnvironmentCommandInput>) => client.send(new CreateEnvironmentCommand({
      name: unique('env'), templateName, templateMajorVersion: '1', spec, ...input,
    }));
    await expect(create({})).rejects.toThrow(/Specify how Proton provisions the environment/);
    await expect(create({ protonServiceRoleArn: ROLE, environmentAccountConnectionId: '00000000-0000-4000-8000-000000000000' }))
      .rejects.toThrow(/either environmentAccountConnectionId or protonServiceRoleArn/);
    await expect(create({ codebuildRoleArn: 'arn:aws:iam::123456789012:role/codebuild', environmentAccountConnectionId: '00000000-0000-4000-8000-000000000000' }))
      .rejects.toThrow(/either environmentAccountConnectionId or codebuildRoleArn, not both/);
    await expect(create({ provisioningRepository: { provider: 'GITHUB', name: 'org/infra', branch: 'main' }, protonServiceRoleArn: ROLE }))
      .rejects.toThrow(/provisioningRepository \(self-managed provisioning\) excludes/);
    await expect(create({ protonServiceRoleArn: ROLE, spec: 'proton: ServiceSpec\ninstances: []\n' })).rejects.toThrow(/proton: EnvironmentSpec/);
    await expect(create({ protonServiceRoleArn: ROLE, spec: 'proton: EnvironmentSpec\nspec: [a, b]\n' })).rejects.toThrow(/mapping of inputs/);
    await expect(create({ protonServiceRoleArn: ROLE, spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: "10.1.0.0/16"\n' }))
      .rejects.toThrow(/missing the required input 'cluster_name'/);
    await expect(create({ protonServiceRoleArn: ROLE, spec: 'proton: EnvironmentSpec\nspec:\n  cluster_name: [1, 2]\n' }))
      .rejects.toThrow(/input 'cluster_name' must be of type string/);
    const invalid = await create({ protonServiceRoleArn: ROLE, spec: 'proton: EnvironmentSpec\nspec: {secret-value\n' }).catch(e => e);
    expect(invalid).toBeInstanceOf(ValidationException);
    expect(invalid.message).not.toContain('secret-value'); // spec is sensitive: never quoted

    // codebuildRoleArn may accompany protonServiceRoleArn (CodeBuild provisioning for instances in the environment)
    const both = (await create({ protonServiceRoleArn: ROLE, codebuildRoleArn: 'arn:aws:iam::123456789012:role/codebuild' })).environment!;
    expect(both).toMatchObject({ protonServiceRoleArn: ROLE, codebuildRoleArn: 'arn:aws:iam::123456789012:role/codebuild' });
    // "Link an infrastructure repository to AWS Proton before you can use it for self-managed infrastructure provisioning"
    await expect(create({ provisioningRepository: { provider: 'GITHUB', name: 'org/infra', branch: 'main' } }))
      .rejects.toThrow(/provisioningRepository: repository GITHUB org\/infra isn't linked with Proton/);
    await client.send(new CreateRepositoryCommand({
      provider: 'GITHUB', name: 'org/infra', connectionArn: 'arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc-123',
    }));
    const repo = (await create({ provisioningRepository: { provider: 'GITHUB', name: 'org/infra', branch: 'main' } })).environment!;
    expect(repo.provisioningRepository).toEqual({
      provider: 'GITHUB', name: 'org/infra', branch: 'main', arn: 'arn:aws:proton:eu-west-1:123456789012:repository/github:org/infra',
    });
  });

  test('a retried create answers the original while unmodified; other parameters or an update since are refused', async () => {
    const templateName = await publishedTemplate();
    const input = { name: unique('env'), templateName, templateMajorVersion: '1', spec: envSpec(), protonServiceRoleArn: ROLE };
    const first = (await client.send(new CreateEnvironmentCommand(input))).environment!;
    const again = (await client.send(new CreateEnvironmentCommand(input))).environment!;
    expect(again.arn).toBe(first.arn);
    expect(again.createdAt).toEqual(first.createdAt);
    expect(again.lastAttemptedDeploymentId).toBe(first.lastAttemptedDeploymentId); // no second deployment

    await expect(client.send(new CreateEnvironmentCommand({ ...input, spec: envSpec('10.9.0.0/16') })))
      .rejects.toThrow(/IdempotentParameterMismatch/);
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name: input.name });
    await client.send(new UpdateEnvironmentCommand({ name: input.name, deploymentType: 'NONE', description: 'changed' }));
    await expect(client.send(new CreateEnvironmentCommand(input))).rejects.toThrow(ConflictException);
  });

  test('customer-managed templates: no provisioning role, and the spec\'s inputs are the outputs', async () => {
    const templateName = await publishedTemplate({ provisioning: 'CUSTOMER_MANAGED', files: { 'schema/schema.yaml': schemaYaml() } });
    await expect(client.send(new CreateEnvironmentCommand({
      name: unique('env'), templateName, templateMajorVersion: '1', spec: envSpec(), protonServiceRoleArn: ROLE,
    }))).rejects.toThrow(/customer managed/);
    const env = await deployed(templateName, { protonServiceRoleArn: undefined, spec: envSpec('10.7.0.0/16') });
    expect(env).toMatchObject({ provisioning: 'CUSTOMER_MANAGED', deploymentStatus: 'SUCCEEDED' });
    expect(await allOutputs(env.name!)).toEqual({ vpc_cidr: '10.7.0.0/16' });
  });
});

describe('UpdateEnvironment', () => {
  test('CURRENT_VERSION deploys a new spec; MINOR_VERSION the recommended minor; MAJOR_VERSION the recommended version; NONE no deployment', async () => {
    const templateName = await publishedTemplate();
    const env = await deployed(templateName);
    const name = env.name!;

    const current = (await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION', spec: envSpec('10.1.0.0/16') })))
      .environment!;
    expect(current).toMatchObject({ deploymentStatus: 'IN_PROGRESS', spec: envSpec('10.1.0.0/16'), templateMinorVersion: '0' });
    expect(current.lastAttemptedDeploymentId).not.toBe(env.lastAttemptedDeploymentId);
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    expect((await get(name)).lastSucceededDeploymentId).toBe(current.lastAttemptedDeploymentId);

    // 1.1 adds an output; MINOR_VERSION without numbers takes the recommended minor version
    await addVersion(templateName, {
      majorVersion: '1',
      files: bundleFiles(`${CFN_WITH_OUTPUTS}  ClusterName:\n    Value: !Ref Cluster\n`),
    });
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'MINOR_VERSION', templateMajorVersion: '2' })))
      .rejects.toThrow(/use MAJOR_VERSION/);
    const minor = (await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'MINOR_VERSION' }))).environment!;
    expect(minor).toMatchObject({ templateMajorVersion: '1', templateMinorVersion: '1', spec: envSpec('10.1.0.0/16') });
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    expect(await allOutputs(name)).toHaveProperty('ClusterName', `ClusterName-${name}`);
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'MINOR_VERSION' })))
      .rejects.toThrow(/already uses version 1\.1/);

    const none = (await client.send(new UpdateEnvironmentCommand({
      name, deploymentType: 'NONE', description: 'metadata only', componentRoleArn: 'arn:aws:iam::123456789012:role/components',
    }))).environment!;
    expect(none).toMatchObject({
      deploymentStatus: 'SUCCEEDED', description: 'metadata only', componentRoleArn: 'arn:aws:iam::123456789012:role/components',
    });
    expect(none.lastAttemptedDeploymentId).toBe(minor.lastAttemptedDeploymentId);

    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'MAJOR_VERSION' }))).rejects.toThrow(/no published major version higher/);
    await addVersion(templateName); // 2.0
    const major = (await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'MAJOR_VERSION' }))).environment!;
    expect(major).toMatchObject({ templateMajorVersion: '2', templateMinorVersion: '0' });
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'MAJOR_VERSION', templateMajorVersion: '1' })))
      .rejects.toThrow(/higher than the one in use \(2\)/);
  });

  test('CURRENT_VERSION with template version numbers is a ValidationException', async () => {
    const env = await deployed(await publishedTemplate());
    for (const versions of [{ templateMajorVersion: '1' }, { templateMinorVersion: '0' }]) {
      await expect(client.send(new UpdateEnvironmentCommand({ name: env.name!, deploymentType: 'CURRENT_VERSION', spec: envSpec(), ...versions })))
        .rejects.toThrow(/Don't include templateMajorVersion or templateMinorVersion with deploymentType CURRENT_VERSION/);
    }
    expect((await get(env.name!)).lastAttemptedDeploymentId).toBe(env.lastAttemptedDeploymentId);
  });

  test('roles: a connection or a service role, not both; no switching to a connection or to pull request provisioning', async () => {
    const env = await deployed(await publishedTemplate());
    const name = env.name!;
    const update = (input: object) => client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'NONE', ...input }));
    const connection = { environmentAccountConnectionId: '00000000-0000-4000-8000-000000000000' };
    const repository = { provisioningRepository: { provider: 'GITHUB' as const, name: 'org/infra-pr', branch: 'main' } };
    // "You can update either the environmentAccountConnectionId or protonServiceRoleArn parameter and value. You can't update both."
    await expect(update({ ...connection, protonServiceRoleArn: ROLE }))
      .rejects.toThrow(/^You can update either environmentAccountConnectionId or protonServiceRoleArn, not both$/);
    // "You can't update or connect the environment to an environment account connection if it isn't already associated with one."
    await expect(update(connection)).rejects.toThrow(/isn't associated with an environment account connection: don't include environmentAccountConnectionId/);
    // "If the environment was configured for Amazon Web Services-managed provisioning, omit the provisioningRepository parameter."
    await expect(update(repository)).rejects.toThrow(/wasn't provisioned with pull request provisioning: omit provisioningRepository/);
    const role = 'arn:aws:iam::123456789012:role/proton-service-2';
    expect((await update({ protonServiceRoleArn: role })).environment).toMatchObject({ protonServiceRoleArn: role, deploymentStatus: 'SUCCEEDED' });

    // self-managed: "specify the provisioningRepository parameter and omit the protonServiceRoleArn and environmentAccountConnectionId"
    await client.send(new CreateRepositoryCommand({
      provider: 'GITHUB', name: 'org/infra-pr', connectionArn: 'arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc-456',
    }));
    const pr = (await client.send(new CreateEnvironmentCommand({
      name: unique('env'), templateName: env.templateName, templateMajorVersion: '1', spec: envSpec(), ...repository,
    }))).environment!;
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name: pr.name! });
    const updatePr = (input: object) => client.send(new UpdateEnvironmentCommand({ name: pr.name!, deploymentType: 'NONE', ...repository, ...input }));
    await expect(updatePr({ protonServiceRoleArn: role })).rejects.toThrow(/is provisioned by pull request: omit protonServiceRoleArn/);
    await expect(updatePr(connection)).rejects.toThrow(/isn't associated with an environment account connection/);
    expect((await updatePr({ description: 'same repository' })).environment!.provisioningRepository).toMatchObject(repository.provisioningRepository);
  });

  test('a deployment while one is IN_PROGRESS is a ConflictException; NONE is not a deployment', async () => {
    const templateName = await publishedTemplate();
    const name = unique('env');
    proton.timing.deploymentDelayMs = 1500; // long enough for the requests below, even on a busy machine
    await client.send(new CreateEnvironmentCommand({ name, templateName, templateMajorVersion: '1', spec: envSpec(), protonServiceRoleArn: ROLE }));
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION', spec: envSpec('10.2.0.0/16') })))
      .rejects.toThrow(ConflictException);
    await expect(client.send(new DeleteEnvironmentCommand({ name }))).rejects.toThrow(ConflictException);
    const none = await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'NONE', description: 'while deploying' }));
    expect(none.environment).toMatchObject({ deploymentStatus: 'IN_PROGRESS', description: 'while deploying' });
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION', spec: envSpec('10.2.0.0/16') }));
  });

  test('a failed deployment: FAILED with the message; Get shows the attempted spec and version, outputs stay those of the last success', async () => {
    const templateName = await publishedTemplate();
    const name = unique('env');
    proton.faults.failDeployment(name, 'Resource handler returned message: "The maximum number of VPCs has been reached."', 1);
    await client.send(new CreateEnvironmentCommand({ name, templateName, templateMajorVersion: '1', spec: envSpec(), protonServiceRoleArn: ROLE }));
    await expect(waitUntilEnvironmentDeployed(fastWaiter(client), { name })).rejects.toThrow(/FAILED/);
    const failed = await get(name);
    expect(failed).toMatchObject({ deploymentStatus: 'FAILED', deploymentStatusMessage: expect.stringContaining('maximum number of VPCs') });
    expect(failed.lastSucceededDeploymentId).toBeUndefined();
    expect((await client.send(new ListEnvironmentOutputsCommand({ environmentName: name }))).outputs).toEqual([]);

    // the fault was for one deployment: a retry succeeds
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION' }));
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    const good = await get(name);

    await addVersion(templateName, { majorVersion: '1', files: bundleFiles(cfnWithOutputs(1)) }); // 1.1
    proton.faults.failDeployment(name, 'Stack update failed');
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'MINOR_VERSION', spec: envSpec('10.3.0.0/16') }));
    await expect(waitUntilEnvironmentDeployed(fastWaiter(client), { name })).rejects.toThrow(/FAILED/);
    const afterUpdate = await get(name);
    expect(afterUpdate).toMatchObject({
      deploymentStatus: 'FAILED',
      deploymentStatusMessage: 'Stack update failed',
      spec: envSpec('10.3.0.0/16'),
      templateMinorVersion: '1',
      lastSucceededDeploymentId: good.lastSucceededDeploymentId,
    });
    expect(afterUpdate.lastAttemptedDeploymentId).not.toBe(good.lastAttemptedDeploymentId);
    expect(Object.keys(await allOutputs(name))).toEqual(['VpcId', 'VpcArn', 'SubnetIds', 'StackVpc']);
    const byDeployment = (deploymentId: string) => client.send(new ListEnvironmentOutputsCommand({ environmentName: name, deploymentId }));
    expect((await byDeployment(afterUpdate.lastAttemptedDeploymentId!)).outputs).toEqual([]);
    expect((await byDeployment(good.lastSucceededDeploymentId!)).outputs).toHaveLength(4);
    await expect(byDeployment('00000000-0000-4000-8000-000000000000')).rejects.toThrow(ResourceNotFoundException);

    // rolling back to the minor version before ("a different minor version of the current major version")
    proton.faults.clear();
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'MINOR_VERSION', templateMinorVersion: '0', spec: envSpec() }));
    await waitUntilEnvironmentDeployed(fastWaiter(client), { name });
    expect(await get(name)).toMatchObject({ deploymentStatus: 'SUCCEEDED', templateMinorVersion: '0', spec: envSpec() });
  });
});

describe('CancelEnvironmentDeployment', () => {
  test('CANCELLING then CANCELLED, back to the spec and version of the last successful deployment', async () => {
    const templateName = await publishedTemplate();
    const env = await deployed(templateName);
    const name = env.name!;
    await expect(client.send(new CancelEnvironmentDeploymentCommand({ environmentName: name }))).rejects.toThrow(/no deployment IN_PROGRESS/);

    proton.timing.deploymentDelayMs = 10_000; // the deployment never completes by itself here
    proton.timing.cancelDelayMs = 1500; // long enough for the requests while CANCELLING, even on a busy machine
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION', spec: envSpec('10.4.0.0/16') }));
    const cancelling = (await client.send(new CancelEnvironmentDeploymentCommand({ environmentName: name }))).environment!;
    expect(cancelling).toMatchObject({ deploymentStatus: 'CANCELLING', spec: envSpec('10.4.0.0/16') });
    await expect(client.send(new CancelEnvironmentDeploymentCommand({ environmentName: name }))).rejects.toThrow(ConflictException);
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION' }))).rejects.toThrow(ConflictException);

    const cancelled = (await until(name, e => e?.deploymentStatus !== 'CANCELLING'))!;
    expect(cancelled).toMatchObject({
      deploymentStatus: 'CANCELLED', spec: envSpec(), templateMinorVersion: '0', lastSucceededDeploymentId: env.lastSucceededDeploymentId,
    });

    proton.faults.failCancellation(name, 'The stack could not be rolled back');
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION', spec: envSpec('10.5.0.0/16') }));
    await client.send(new CancelEnvironmentDeploymentCommand({ environmentName: name }));
    expect(await until(name, e => e?.deploymentStatus !== 'CANCELLING')).toMatchObject({
      deploymentStatus: 'FAILED', deploymentStatusMessage: 'The stack could not be rolled back',
    });
  });

  test('a deployment that ends before the cancellation starts ends SUCCEEDED: the cancellation has no effect', async () => {
    const env = await deployed(await publishedTemplate());
    const name = env.name!;
    Object.assign(proton.timing, { deploymentDelayMs: 200, cancelDelayMs: 600 }); // the deployment ends first
    await client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'CURRENT_VERSION', spec: envSpec('10.6.0.0/16') }));
    expect((await client.send(new CancelEnvironmentDeploymentCommand({ environmentName: name }))).environment!.deploymentStatus).toBe('CANCELLING');
    const ended = (await until(name, e => e?.deploymentStatus !== 'CANCELLING'))!;
    expect(ended).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: envSpec('10.6.0.0/16'), lastSucceededDeploymentId: ended.lastAttemptedDeploymentId });
    expect(ended.deploymentStatusMessage).toBeUndefined();
    await new Promise(resolve => setTimeout(resolve, 600)); // past the cancellation's time: it has no effect
    expect(await get(name)).toMatchObject({ deploymentStatus: 'SUCCEEDED', spec: envSpec('10.6.0.0/16') });
  });
});

describe('DeleteEnvironment', () => {
  test('asynchronous: DELETE_IN_PROGRESS (Get and a retried delete answer it), then not found; a retry once gone answers empty', async () => {
    const env = await deployed(await publishedTemplate());
    const name = env.name!;
    proton.timing.deleteDelayMs = 1500; // long enough for the requests below, even on a busy machine
    const deleting = (await client.send(new DeleteEnvironmentCommand({ name }))).environment!;
    expect(deleting).toMatchObject({ name, deploymentStatus: 'DELETE_IN_PROGRESS' });
    expect((await get(name)).deploymentStatus).toBe('DELETE_IN_PROGRESS');
    expect((await client.send(new DeleteEnvironmentCommand({ name }))).environment!.deploymentStatus).toBe('DELETE_IN_PROGRESS');
    await expect(client.send(new UpdateEnvironmentCommand({ name, deploymentType: 'NONE', description: 'x' }))).rejects.toThrow(ConflictException);
    await expect(client.send(new CreateEnvironmentCommand({
      name, templateName: env.templateName, templateMajorVersion: '1', spec: envSpec(), protonServiceRoleArn: ROLE,
    }))).rejects.toThrow(/is being deleted \(DELETE_IN_PROGRESS\): wait until it is gone before creating it again/);

    await until(name, e => e === undefined);
    await expect(get(name)).rejects.toThrow(ResourceNotFoundException);
    expect((await client.send(new DeleteEnvironmentCommand({ name }))).environment).toBeUndefined();
    await expect(client.send(new DeleteEnvironmentCommand({ name: 'never-existed' }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new ListTagsForResourceCommand({ resourceArn: env.arn! }))).rejects.toThrow(ResourceNotFoundException);
  });

  test('faults.failDeletion: DELETE_FAILED with the message; a later delete goes through', async () => {
    const env = await deployed(await publishedTemplate());
    const name = env.name!;
    proton.faults.failDeletion(name, 'Stack deletion failed: the VPC has dependencies', 1);
    await client.send(new DeleteEnvironmentCommand({ name }));
    expect(await until(name, e => e?.deploymentStatus !== 'DELETE_IN_PROGRESS')).toMatchObject({
      deploymentStatus: 'DELETE_FAILED', deploymentStatusMessage: 'Stack deletion failed: the VPC has dependencies',
    });
    await client.send(new DeleteEnvironmentCommand({ name }));
    expect(await until(name, e => e === undefined)).toBeUndefined();
  });

  test('an environment something runs in (addEnvironmentInUseCheck) is not deleted', async () => {
    const env = await deployed(await publishedTemplate());
    proton.addEnvironmentInUseCheck(name => (name === env.name ? 'service instance api/dev runs in it' : undefined));
    await expect(client.send(new DeleteEnvironmentCommand({ name: env.name! }))).rejects.toThrow(/in use: service instance api\/dev runs in it/);
  });

  test('the template version an environment uses is in use: deleting it is a ConflictException', async () => {
    const templateName = await publishedTemplate();
    const env = await deployed(templateName);
    const version = { templateName, majorVersion: '1', minorVersion: '0' };
    await expect(client.send(new DeleteEnvironmentTemplateVersionCommand(version)))
      .rejects.toThrow(new RegExp(`is in use: environment '${env.name}' uses it`));
    await client.send(new DeleteEnvironmentCommand({ name: env.name! }));
    await until(env.name!, e => e === undefined);
    await client.send(new DeleteEnvironmentTemplateVersionCommand(version));
  });
});

describe('ListEnvironments', () => {
  test('filters by template and major version, with pagination', async () => {
    const t1 = await publishedTemplate();
    const t2 = await publishedTemplate();
    const a = await deployed(t1);
    const b = await deployed(t1);
    const c = await deployed(t2);
    const ofT1 = await client.send(new ListEnvironmentsCommand({ environmentTemplates: [{ templateName: t1, majorVersion: '1' }] }));
    expect(ofT1.environments!.map(e => e.name)).toEqual([a.name, b.name].sort());
    expect(ofT1.environments![0]).not.toHaveProperty('spec');
    const none = await client.send(new ListEnvironmentsCommand({ environmentTemplates: [{ templateName: t2, majorVersion: '2' }] }));
    expect(none.environments).toEqual([]);

    const seen: string[] = [];
    for await (const page of paginateListEnvironments({ client, pageSize: 1 }, {})) {
      expect(page.environments!.length).toBeLessThanOrEqual(1);
      seen.push(...page.environments!.map(e => e.name!));
    }
    expect(seen).toEqual(expect.arrayContaining([a.name, b.name, c.name]));
  });
});

describe('outputs read from bundles', () => {
  test('CloudFormation Outputs (YAML, JSON, or not parseable after Jinja) and Terraform output blocks', () => {
    expect(cloudFormationOutputKeys(CFN_WITH_OUTPUTS)).toEqual(['VpcId', 'VpcArn', 'SubnetIds', 'StackVpc']);
    expect(cloudFormationOutputKeys(JSON.stringify({ Resources: {}, Outputs: { A: { Value: 'x' }, B: { Value: 'y' } } }))).toEqual(['A', 'B']);
    const broken = 'Resources:\n  X: [unclosed\nOutputs:\n  First:\n    Value: !Ref X\n  # a comment\n  Second:\n    Value: 2\nConditions:\n  C: x\n';
    expect(cloudFormationOutputKeys(broken)).toEqual(['First', 'Second']);
    expect(cloudFormationOutputKeys('Resources: {}\n')).toEqual([]);

    const files = new Map(Object.entries({
      'infrastructure/manifest.yaml': 'infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n',
      'infrastructure/main.tf': 'resource "aws_vpc" "v" {}\noutput "vpc_id" {\n  value = aws_vpc.v.id\n}\n',
      'infrastructure/outputs.tf': 'output "cidr" {\n  value = "x"\n}\n',
    }).map(([k, v]) => [k, Buffer.from(v)]));
    expect(declaredOutputKeys(files, 'infrastructure')).toEqual(['vpc_id', 'cidr']);
  });
});
