import * as path from 'path';
import { CreateEnvironmentCommand, GetServiceCommand } from '@aws-sdk/client-proton';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { synth, useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import {
  Environment, EnvironmentTemplate, ProtonServiceRole, Service, ServiceTemplate, Spec, TemplateBundle,
} from '../../src';

/*
 * The synth-time spec check and the emulator's check at CreateEnvironment/CreateService apply the same rules
 * (both use src/constructs/internal/spec-validation.ts): what passes synth deploys, and what synth refuses, deployed
 * anyway with validate: false, Proton refuses with a ValidationException.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'spec-validation');
const CLUSTER_ENV = path.join(FIXTURES, 'cluster-env');
const WEB_ENV = path.join(FIXTURES, 'web-env');
const WEB_SVC = path.join(FIXTURES, 'web-svc');
const ENV = 'Custom::ProtonEnvironment';
const SERVICE = 'Custom::ProtonService';
const REPO = { repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc', repositoryId: 'my-org/web', branchName: 'main' };

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 20, deploymentDelayMs: 20, deleteDelayMs: 20 }, (started) => { proton = started; });

interface Specs {
  readonly prefix: string;
  readonly cluster: Record<string, unknown>;
  readonly instance?: Record<string, unknown>;
  readonly pipeline?: Record<string, unknown>;
  readonly validate?: boolean;
}

/** A cluster environment (every schema keyword), a web environment and a web service (sample-style schemas) with one instance and a pipeline. */
function platform(stack: Stack, specs: Specs): void {
  const role = new ProtonServiceRole(stack, 'Role');
  const clusterV1 = new EnvironmentTemplate(stack, 'Cluster', { templateName: `${specs.prefix}-cluster` })
    .addVersion('V1', { bundle: TemplateBundle.fromDirectory(CLUSTER_ENV) });
  new Environment(stack, 'ClusterEnv', {
    environmentName: `${specs.prefix}-cluster`, templateVersion: clusterV1, spec: Spec.fromObject(specs.cluster), protonServiceRole: role, validate: specs.validate,
  });
  const webV1 = new EnvironmentTemplate(stack, 'WebEnvTemplate', { templateName: `${specs.prefix}-web-env` })
    .addVersion('V1', { bundle: TemplateBundle.fromDirectory(WEB_ENV) });
  const web = new Environment(stack, 'WebEnv', {
    environmentName: `${specs.prefix}-web`, templateVersion: webV1, spec: Spec.fromObject({}), protonServiceRole: role,
  });
  const svcV1 = new ServiceTemplate(stack, 'WebSvc', { templateName: `${specs.prefix}-web-svc` })
    .addVersion('V1', { bundle: TemplateBundle.fromDirectory(WEB_SVC), compatibleEnvironmentTemplates: [webV1] });
  new Service(stack, 'Orders', {
    serviceName: `${specs.prefix}-orders`,
    templateVersion: svcV1,
    ...REPO,
    validate: specs.validate,
    instances: [{ name: 'beta', environment: web, spec: Spec.fromObject(specs.instance ?? {}) }],
    pipeline: { spec: Spec.fromObject(specs.pipeline ?? {}) },
  });
}

function synthError(stackName: string, specs: Specs): string | undefined {
  try {
    synth(stackName, (stack) => platform(stack, specs));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const GOOD: Specs = {
  prefix: 'good',
  cluster: {
    cluster_name: 'shared-dev',
    tier: 'dev',
    node_count: 3,
    spot_share: 0.5,
    availability_zones: ['us-east-1a', 'us-east-1b'],
    logging: { enabled: false, retention_days: 30 },
    node_groups: [{ name: 'general', size: 2 }, { name: 'batch' }],
    owner_email: null,
  },
  instance: { port: 8080, task_size: 'small', image: 'public.ecr.aws/my-org/orders:1.4' },
  pipeline: { dockerfile: 'docker/Dockerfile', unit_test_command: 'npm test' },
};

const BAD: Specs = {
  prefix: 'bad',
  cluster: { cluster_name: 'Shared_Dev', tier: 'qa', node_count: 0, availability_zones: ['us-east-1a'], logging: {}, colour: 'blue' },
  instance: { port: '443', desired_count: 0 },
  pipeline: { unit_tests: 'npm test' },
};

describe('specs: synth and Proton agree', () => {
  test('specs that pass synth deploy', async () => {
    expect(synthError('GoodSpecs', GOOD)).toBeUndefined();
    const report = await proton.deploy(synth('GoodSpecs', (stack) => platform(stack, GOOD)), 'GoodSpecs');
    expect(report.status).toBe('CREATE_COMPLETE');
    const service = (await proton.client.send(new GetServiceCommand({ name: 'good-orders' }))).service!;
    expect(service.status).toBe('ACTIVE');
  });

  test('specs that fail synth, deployed anyway with validate: false, fail the deployment with Proton\'s ValidationException', async () => {
    const refused = synthError('BadSpecs', BAD)!;
    expect(refused).toMatch(/\[BadSpecs\/ClusterEnv\] the environment spec does not match input type ClusterEnvironmentInput .*, 6 problems:/);
    expect(refused).toMatch(/\[BadSpecs\/Orders\] instance "beta"'s spec does not match .*, 2 problems:/);
    expect(refused).toMatch(/\[BadSpecs\/Orders\] the pipeline spec does not match .*, 1 problem:/);

    const envOnly = await proton.deploy(synth('BadEnv', (stack) => platform(stack, { ...BAD, prefix: 'bad-env', instance: {}, pipeline: {}, validate: false })), 'BadEnv');
    expect(envOnly.status).toBe('ROLLBACK_COMPLETE');
    const env = envOnly.resources.find((r) => r.type === ENV && r.status === 'FAILED')!;
    expect(refusals('CreateEnvironment', 'bad-env-cluster')).toEqual(['ValidationException']);
    expect(env.reason).toBe('The spec input \'availability_zones\' must have at least 2 items (it has 1) as ClusterEnvironmentInput declares it; '
      + 'the spec input \'cluster_name\' must match the pattern ^[a-z][a-z0-9-]*$ as ClusterEnvironmentInput declares it; '
      + 'the spec input \'colour\' is not an input of ClusterEnvironmentInput (declared: cluster_name, tier, region, node_count, spot_share, availability_zones, logging, node_groups, owner_email); '
      + 'the spec is missing the required input \'logging.retention_days\' of ClusterEnvironmentInput; '
      + 'the spec input \'node_count\' must be at least 1 as ClusterEnvironmentInput declares it; '
      + 'the spec input \'tier\' must be one of "dev", "staging", "prod" as ClusterEnvironmentInput declares it '
      + '(environment template bad-env-cluster version 1.0)');

    const serviceOnly = await proton.deploy(synth('BadService', (stack) => platform(stack, { ...BAD, prefix: 'bad-svc', cluster: GOOD.cluster, validate: false })), 'BadService');
    expect(serviceOnly.status).toBe('ROLLBACK_COMPLETE');
    const service = serviceOnly.resources.find((r) => r.type === SERVICE && r.status === 'FAILED')!;
    expect(refusals('CreateService', 'bad-svc-orders')).toEqual(['ValidationException']);
    expect(service.reason).toMatch(/^The spec input 'desired_count' must be at least 1 as LoadBalancedWebServiceInput declares it; the spec input 'port' must be of type number as LoadBalancedWebServiceInput declares it \(service instance beta: /);
  });

  test.each<[string, Record<string, unknown>]>([
    ['every input', GOOD.cluster],
    ['the required inputs only', { cluster_name: 'min', tier: 'prod' }],
    ['a required input left out', { cluster_name: 'min' }],
    ['an unknown input', { cluster_name: 'min', tier: 'prod', extra: 1 }],
    ['a wrong type', { cluster_name: 'min', tier: 'prod', node_count: '3' }],
    ['an integer that is not whole', { cluster_name: 'min', tier: 'prod', node_count: 2.5 }],
    ['a value outside an exclusive minimum', { cluster_name: 'min', tier: 'prod', spot_share: 0 }],
    ['a string too long', { cluster_name: 'a'.repeat(21), tier: 'prod' }],
    ['a list item that does not match', { cluster_name: 'min', tier: 'prod', availability_zones: ['us-east-1a', 'x'] }],
    ['too many items', { cluster_name: 'min', tier: 'prod', availability_zones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'] }],
    ['a nested object without its required input', { cluster_name: 'min', tier: 'prod', logging: { enabled: true } }],
    ['a nested object with another property', { cluster_name: 'min', tier: 'prod', logging: { retention_days: 7, extra: 1 } }],
    ['null for a nullable input', { cluster_name: 'min', tier: 'prod', owner_email: null }],
    ['null for an input that is not nullable', { cluster_name: 'min', tier: 'prod', region: null }],
    ['${Proton::CURRENT_VAL} for any input', { cluster_name: '${Proton::CURRENT_VAL}', tier: '${Proton::CURRENT_VAL}', node_count: '${Proton::CURRENT_VAL}' }],
  ])('the same verdict on a spec with %s', async (_case, inputs) => {
    // Synth checks the spec against the bundle the emulator registered as good-cluster 1.0 in the first test.
    const environment = (validate: boolean) => {
      const stack = new Stack(new App(), 'Verdict');
      const version = new EnvironmentTemplate(stack, 'Cluster').addVersion('V1', { bundle: TemplateBundle.fromDirectory(CLUSTER_ENV) });
      new Environment(stack, 'Env', { templateVersion: version, spec: Spec.fromObject(inputs), protonServiceRole: new ProtonServiceRole(stack, 'Role'), validate });
      return stack;
    };
    let passesSynth = true;
    try {
      App.of(environment(true))!.synth();
    } catch {
      passesSynth = false;
    }
    const spec: string = Object.values(Template.fromStack(environment(false)).findResources(ENV))[0].Properties.Spec;
    const passesProton = await proton.client.send(new CreateEnvironmentCommand({
      name: `verdict-${++verdicts}`, templateName: 'good-cluster', templateMajorVersion: '1', spec, protonServiceRoleArn: 'arn:aws:iam::111111111111:role/proton',
    })).then(() => true, (error) => {
      expect(error.name).toBe('ValidationException');
      return false;
    });
    expect(passesProton).toBe(passesSynth);
  });
});

let verdicts = 0;

/** The errors the emulator answered to `operation` for the resource `name`. */
function refusals(operation: string, name: string): string[] {
  return proton.emulator.log.ofOperation(operation).filter((e) => e.input.name === name && e.status !== 200).map((e) => e.error!);
}
