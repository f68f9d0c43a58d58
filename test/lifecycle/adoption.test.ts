import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateEnvironmentCommand, DeleteEnvironmentCommand, GetEnvironmentCommand, ListTagsForResourceCommand } from '@aws-sdk/client-proton';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Spec, TemplateBundle } from '../../src';
import { ENV_BUNDLE } from '../constructs/helpers';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 30, deploymentDelayMs: 50, deleteDelayMs: 50 }, (started) => { proton = started; });

const PLATFORM = 'AdoptionPlatform';
const STACK = 'Adoption';

const newApp = () => new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-adoption-')) });

/** The platform: a template version, and the role environments run with. */
function platform(): string {
  const app = newApp();
  const stack = new Stack(app, PLATFORM);
  new EnvironmentTemplate(stack, 'Template', { templateName: 'adopt-env' }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  new CfnOutput(stack, 'RoleArn', { value: new ProtonServiceRole(stack, 'Role').roleArn });
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
  for (let i = 0; i < 100 && (await getEnv()).deploymentStatus !== 'SUCCEEDED'; i++) await new Promise((r) => setTimeout(r, 20));
}

const getEnv = async () => (await proton.client.send(new GetEnvironmentCommand({ name: 'adopt-beta' }))).environment!;

describe('adopting an environment made outside the stack', () => {
  beforeAll(async () => {
    roleArn = (await proton.deploy(platform(), PLATFORM)).outputs.RoleArn as string;
  });
  afterAll(async () => {
    const report = await proton.destroy(PLATFORM);
    expect(report.resources.filter((r) => r.status === 'FAILED').map((r) => r.reason)).toEqual([]);
  });

  // What the stack left in Proton goes the way it came, then the stack.
  afterEach(async () => {
    if (await getEnv().catch(() => undefined)) {
      await proton.client.send(new DeleteEnvironmentCommand({ name: 'adopt-beta' }));
      for (let i = 0; i < 100 && await getEnv().catch(() => undefined); i++) await new Promise((r) => setTimeout(r, 20));
    }
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
