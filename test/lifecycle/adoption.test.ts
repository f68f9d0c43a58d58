import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CreateComponentCommand, CreateEnvironmentCommand, CreateEnvironmentTemplateCommand, CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand, DeleteComponentCommand, DeleteEnvironmentCommand, DeleteServiceCommand, GetComponentCommand,
  GetEnvironmentCommand, GetEnvironmentTemplateVersionCommand, GetServiceCommand, ListTagsForResourceCommand,
  UpdateEnvironmentTemplateVersionCommand,
} from '@aws-sdk/client-proton';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { removeByHand, until, uploadBundle, useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import {
  Component, ComponentManifest, Environment, EnvironmentTemplate, EnvironmentTemplateVersion, ProtonServiceRole, Service, ServiceTemplate,
  Spec, TemplateBundle,
} from '../../src';
import { bundleCopy, ENV_BUNDLE, SERVICE_BUNDLE, SERVICE_REPOSITORY } from '../constructs/helpers';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 30, deploymentDelayMs: 50, deleteDelayMs: 50 }, (started) => { proton = started; });

const PLATFORM = 'AdoptionPlatform';
const STACK = 'Adoption';

const newApp = () => new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-adoption-')) });

/** The platform: a template version, and the role environments run with. */
function platform(): string {
  const app = newApp();
  const stack = new Stack(app, PLATFORM);
  const envV1 = new EnvironmentTemplate(stack, 'Template', { templateName: 'adopt-env' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  const role = new ProtonServiceRole(stack, 'Role');
  new CfnOutput(stack, 'RoleArn', { value: role.roleArn });
  // For the services: their template, and the environment their instances run in.
  new ServiceTemplate(stack, 'SvcTemplate', { templateName: 'adopt-svc' }).addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: [envV1],
  });
  new Environment(stack, 'Stage', {
    environmentName: 'adopt-stage',
    templateVersion: envV1,
    spec: Spec.fromObject({}),
    protonServiceRole: role,
    componentRole: new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') }),
  });
  return app.synth().directory;
}

/** The environment's stack: it declares adopt-beta of the platform's template. */
function environmentStack(env: { adopt?: boolean; cidr: string }): string {
  const app = newApp();
  const stack = new Stack(app, STACK);
  new Environment(stack, 'Beta', {
    environmentName: 'adopt-beta',
    template: EnvironmentTemplate.fromEnvironmentTemplateName(stack, 'Template', 'adopt-env'),
    majorVersion: '1',
    spec: Spec.fromObject({ vpc_cidr: env.cidr }),
    protonServiceRole: iam.Role.fromRoleArn(stack, 'Role', roleArn, { mutable: false }),
    adopt: env.adopt,
  });
  return app.synth().directory;
}

let roleArn: string;

/** Calls that changed Proton (deployments, creates, deletes), as `Operation(deploymentType)`. */
const changes = () => proton.emulator.log.entries
  .filter((e) => e.status === 200 && /^(Create|Update|Delete)Environment$/.test(e.operation))
  .map((e) => (e.input.deploymentType ? `${e.operation}(${e.input.deploymentType})` : e.operation));

async function deployedOutsideTheStack(cidr: string): Promise<void> {
  // Made with the CLI: the same inputs as the stack's spec, written another way.
  await proton.client.send(new CreateEnvironmentCommand({
    name: 'adopt-beta',
    templateName: 'adopt-env',
    templateMajorVersion: '1',
    protonServiceRoleArn: roleArn,
    spec: `proton: EnvironmentSpec\nspec: { vpc_cidr: '${cidr}' }  # by hand\n`,
  }));
  await until(async () => (await getEnv()).deploymentStatus === 'SUCCEEDED');
}

const getEnv = async () => (await proton.client.send(new GetEnvironmentCommand({ name: 'adopt-beta' }))).environment!;

describe('adoption', () => {
  beforeAll(async () => {
    roleArn = (await proton.deploy(platform(), PLATFORM)).outputs.RoleArn as string;
  });
  afterAll(async () => {
    const report = await proton.destroy(PLATFORM);
    expect(report.resources.filter((r) => r.status === 'FAILED').map((r) => r.reason)).toEqual([]);
  });

  describe('adopting an environment made outside the stack', () => {
    // What the stack left in Proton goes the way it came, then the stack.
    afterEach(async () => {
      await removeByHand(getEnv, () => proton.client.send(new DeleteEnvironmentCommand({ name: 'adopt-beta' })));
      expect((await proton.destroy(STACK)).status).toBe('DELETE_COMPLETE');
    });

    test('a Create that declares what Proton runs takes it over without a deployment; removing adopt calls nothing; '
      + 'then the stack updates and deletes it', async () => {
      await deployedOutsideTheStack('10.0.0.0/16');
      proton.emulator.log.clear();

      const adopted = await proton.deploy(environmentStack({ adopt: true, cidr: '10.0.0.0/16' }), STACK);
      expect(adopted.status).toBe('CREATE_COMPLETE');
      expect(changes()).toEqual([]);
      const tags = (await proton.client.send(new ListTagsForResourceCommand({ resourceArn: (await getEnv()).arn }))).tags!;
      expect(tags.map((t) => t.key)).toEqual(expect.arrayContaining(['cdk-proton:owner', 'cdk-proton:request']));

      proton.emulator.log.clear();
      expect((await proton.deploy(environmentStack({ cidr: '10.0.0.0/16' }), STACK)).status).toBe('UPDATE_COMPLETE');
      expect(proton.emulator.log.entries).toEqual([]);

      expect((await proton.deploy(environmentStack({ cidr: '10.1.0.0/16' }), STACK)).status).toBe('UPDATE_COMPLETE');
      expect(changes()).toEqual(['UpdateEnvironment(CURRENT_VERSION)']);

      proton.emulator.log.clear();
      expect((await proton.destroy(STACK)).status).toBe('DELETE_COMPLETE');
      expect(changes()).toEqual(['DeleteEnvironment']);
    });

    test('a Create whose environment differs fails naming the difference, and the rollback leaves the environment alone', async () => {
      await deployedOutsideTheStack('10.0.0.0/16');
      proton.emulator.log.clear();

      const report = await proton.deploy(environmentStack({ adopt: true, cidr: '10.9.0.0/16' }), STACK);
      expect(report.status).toBe('ROLLBACK_COMPLETE');
      expect(report.resources.find((r) => r.logicalId.startsWith('Beta') && r.status === 'FAILED')?.reason).toMatch(
        /environment adopt-beta exists in Proton and differs from what the stack declares, so it is not adopted:\n {2}- spec: the inputs differ at spec.vpc_cidr \(values not shown\)\ndeclare what Proton runs/);
      expect(changes()).toEqual([]);
      expect((await getEnv()).deploymentStatus).toBe('SUCCEEDED');
    });

    test('while adopt is set, a stack delete keeps the environment', async () => {
      await deployedOutsideTheStack('10.0.0.0/16');
      expect((await proton.deploy(environmentStack({ adopt: true, cidr: '10.0.0.0/16' }), STACK)).status).toBe('CREATE_COMPLETE');
      proton.emulator.log.clear();
      expect((await proton.destroy(STACK)).status).toBe('DELETE_COMPLETE');
      expect(changes()).toEqual([]);
      expect((await getEnv()).name).toBe('adopt-beta');
    });
  });

  const SERVICE_STACK = 'AdoptionService';
  const getService = async () => (await proton.client.send(new GetServiceCommand({ name: 'adopt-orders' }))).service;
  const serviceChanges = () => proton.emulator.log.entries
    .filter((e) => e.status === 200 && /^(Create|Update|Delete)Service(Instance|Pipeline)?$/.test(e.operation))
    .map((e) => (e.input.deploymentType ? `${e.operation}(${e.input.deploymentType})` : e.operation));

  /** The service's stack: adopt-orders with one instance in adopt-stage and a pipeline. */
  function serviceStack(service: { adopt?: boolean; port: number }): string {
    const app = newApp();
    const stack = new Stack(app, SERVICE_STACK);
    new Service(stack, 'Orders', {
      serviceName: 'adopt-orders',
      template: ServiceTemplate.fromServiceTemplateName(stack, 'Template', 'adopt-svc'),
      majorVersion: '1',
      instances: [{ name: 'beta', environment: Environment.fromEnvironmentName(stack, 'Stage', 'adopt-stage'), spec: Spec.fromObject({ port: service.port }) }],
      pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
      ...SERVICE_REPOSITORY,
      adopt: service.adopt,
    });
    return app.synth().directory;
  }

  describe('adopting a service made outside the stack', () => {
    afterEach(async () => {
      await removeByHand(getService, () => proton.client.send(new DeleteServiceCommand({ name: 'adopt-orders' })));
      expect((await proton.destroy(SERVICE_STACK)).status).toBe('DELETE_COMPLETE');
    });

    async function createdOutsideTheStack(): Promise<void> {
      await proton.client.send(new CreateServiceCommand({
        name: 'adopt-orders',
        templateName: 'adopt-svc',
        templateMajorVersion: '1',
        ...SERVICE_REPOSITORY,
        spec: [
          'proton: ServiceSpec',
          'pipeline:',
          '  unit_test_command: npm test',
          'instances:',
          '  - name: beta',
          '    environment: adopt-stage',
          '    spec: { port: 8080 }',
        ].join('\n'),
      }));
      await until(async () => (await getService())?.status === 'ACTIVE');
      expect((await getService())?.status).toBe('ACTIVE');
    }

    test('a Create that declares what the service, its instance and its pipeline run takes it over without a deployment; '
      + 'the stack then deploys a changed instance and deletes the service', async () => {
      await createdOutsideTheStack();
      proton.emulator.log.clear();
      expect((await proton.deploy(serviceStack({ adopt: true, port: 8080 }), SERVICE_STACK)).status).toBe('CREATE_COMPLETE');
      expect(serviceChanges()).toEqual([]);

      expect((await proton.deploy(serviceStack({ port: 8080 }), SERVICE_STACK)).status).toBe('UPDATE_COMPLETE');
      proton.emulator.log.clear();
      expect((await proton.deploy(serviceStack({ port: 9090 }), SERVICE_STACK)).status).toBe('UPDATE_COMPLETE');
      expect(serviceChanges()).toEqual(['UpdateServiceInstance(CURRENT_VERSION)']);
      proton.emulator.log.clear();
      expect((await proton.destroy(SERVICE_STACK)).status).toBe('DELETE_COMPLETE');
      expect(serviceChanges()).toEqual(['DeleteService']);
    });

    test('a Create whose instance runs another spec fails naming the instance, and leaves the service alone', async () => {
      await createdOutsideTheStack();
      proton.emulator.log.clear();
      const report = await proton.deploy(serviceStack({ adopt: true, port: 443 }), SERVICE_STACK);
      expect(report.status).toBe('ROLLBACK_COMPLETE');
      expect(report.resources.find((r) => r.status === 'FAILED')?.reason).toMatch(
        /service adopt-orders exists in Proton and differs from what the stack declares, so it is not adopted:\n {2}- instance beta spec: the inputs differ at port \(values not shown\)/);
      expect(serviceChanges()).toEqual([]);
      expect((await getService())?.status).toBe('ACTIVE');
    });
  });

  describe('adopting a component made outside the stack', () => {
    const COMPONENT_STACK = 'AdoptionComponent';
    const MANIFEST = path.join(__dirname, '..', 'fixtures', 'component', 'manifest.yaml');
    const TEMPLATE_FILE = path.join(__dirname, '..', 'fixtures', 'component', 'cloudformation.yaml');
    const getComponent = async () => (await proton.client.send(new GetComponentCommand({ name: 'adopt-bucket' }))).component;
    const componentChanges = () => proton.emulator.log.entries
      .filter((e) => e.status === 200 && /^(Create|Update|Delete)Component$/.test(e.operation))
      .map((e) => (e.input.deploymentType ? `${e.operation}(${e.input.deploymentType})` : e.operation));

    function componentStack(description: string): string {
      const app = newApp();
      const stack = new Stack(app, COMPONENT_STACK);
      new Component(stack, 'Bucket', {
        componentName: 'adopt-bucket',
        environment: Environment.fromEnvironmentName(stack, 'Stage', 'adopt-stage'),
        manifest: ComponentManifest.fromFile(MANIFEST),
        templateFile: TEMPLATE_FILE,
        description,
        adopt: true,
      });
      return app.synth().directory;
    }

    afterEach(async () => {
      await removeByHand(getComponent, () => proton.client.send(new DeleteComponentCommand({ name: 'adopt-bucket' })));
      expect((await proton.destroy(COMPONENT_STACK)).status).toBe('DELETE_COMPLETE');
    });

    beforeEach(async () => {
      await proton.client.send(new CreateComponentCommand({
        name: 'adopt-bucket',
        environmentName: 'adopt-stage',
        description: 'exports',
        manifest: fs.readFileSync(MANIFEST, 'utf8'),
        templateFile: fs.readFileSync(TEMPLATE_FILE, 'utf8'),
      }));
      await until(async () => (await getComponent())?.deploymentStatus === 'SUCCEEDED');
      proton.emulator.log.clear();
    });

    test('a Create that declares where it is attached takes it over, deploying the declared template file once (Proton does not report one)', async () => {
      expect((await proton.deploy(componentStack('exports'), COMPONENT_STACK)).status).toBe('CREATE_COMPLETE');
      expect(componentChanges()).toEqual(['UpdateComponent(CURRENT_VERSION)']);
    });

    test('a Create whose component has another description fails naming it, and deploys nothing', async () => {
      const report = await proton.deploy(componentStack('logs'), COMPONENT_STACK);
      expect(report.status).toBe('ROLLBACK_COMPLETE');
      expect(report.resources.find((r) => r.status === 'FAILED')?.reason)
        .toMatch(/component adopt-bucket exists in Proton and differs .*:\n {2}- description: Proton has "exports", the stack declares "logs"/);
      expect(componentChanges()).toEqual([]);
    });
  });

  describe('adopting a template version registered outside the stack', () => {
    const VERSION_STACK = 'AdoptionVersion';
    const registered = { templateName: 'adopt-tv', majorVersion: '1', minorVersion: '0' };

    beforeAll(async () => {
      await proton.client.send(new CreateEnvironmentTemplateCommand({ name: 'adopt-tv' }));
      await proton.client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'adopt-tv', source: uploadBundle(proton, ENV_BUNDLE, 'tv.tar.gz') }));
      await until(async () => (await proton.client.send(new GetEnvironmentTemplateVersionCommand(registered))).environmentTemplateVersion?.status === 'DRAFT');
      await proton.client.send(new UpdateEnvironmentTemplateVersionCommand({ ...registered, status: 'PUBLISHED' }));
    });

    function versionStack(bundle: string): string {
      const app = newApp();
      const stack = new Stack(app, VERSION_STACK);
      const version = new EnvironmentTemplateVersion(stack, 'V1', {
        template: EnvironmentTemplate.fromEnvironmentTemplateName(stack, 'Template', 'adopt-tv'),
        bundle: TemplateBundle.fromDirectory(bundle),
        majorVersion: '1',
        adopt: true,
      });
      new CfnOutput(stack, 'Version', { value: `${version.majorVersion}.${version.minorVersion}` });
      return app.synth().directory;
    }
    const registrations = () => proton.emulator.log.entries.filter((e) => e.status === 200 && /^CreateEnvironmentTemplateVersion$/.test(e.operation));

    test('a Create whose bundle has the schema of a version of its major version takes that version over, registering nothing; '
      + 'while adopt is set the stack does not delete it', async () => {
      proton.emulator.log.clear();
      const report = await proton.deploy(versionStack(ENV_BUNDLE), VERSION_STACK);
      expect(report.status).toBe('CREATE_COMPLETE');
      expect(report.outputs.Version).toBe('1.0');
      expect(registrations()).toEqual([]);
      expect((await proton.destroy(VERSION_STACK)).status).toBe('DELETE_COMPLETE');
      expect((await proton.client.send(new GetEnvironmentTemplateVersionCommand(registered))).environmentTemplateVersion?.status).toBe('PUBLISHED');
    });

    test('a Create whose bundle has another schema fails naming the versions, and registers nothing', async () => {
      proton.emulator.log.clear();
      const other = bundleCopy((dir) => fs.appendFileSync(path.join(dir, 'schema', 'schema.yaml'), '        subnet_cidr:\n          type: string\n'));
      const report = await proton.deploy(versionStack(other), VERSION_STACK);
      expect(report.status).toBe('ROLLBACK_COMPLETE');
      expect(report.resources.find((r) => r.status === 'FAILED')?.reason).toMatch(
        /environment template version V1\w* of template adopt-tv: no version of major version 1 has the bundle's schema \(adopt-tv:1.0\), so none is adopted/);
      expect(registrations()).toEqual([]);
      expect((await proton.destroy(VERSION_STACK)).status).toBe('DELETE_COMPLETE');
    });
  });
});
