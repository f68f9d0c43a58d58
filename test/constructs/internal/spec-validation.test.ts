import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  Environment, EnvironmentTemplate, EnvironmentTemplateVersion, ProtonServiceRole, Service, ServiceInstance, ServiceTemplate, Spec, TemplateBundle,
} from '../../../src';
import { checkSpecInputs, CURRENT_VAL, formatInputPath, openApiToJsonSchema, readTemplateSchema } from '../../../src/constructs/internal/spec-validation';
import { ENV_BUNDLE, firstResource, newStack } from '../helpers';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'spec-validation');
/** An environment bundle whose schema uses every keyword the check reads. */
const CLUSTER_ENV = path.join(FIXTURES, 'cluster-env');
const CLUSTER_SCHEMA = path.join(CLUSTER_ENV, 'schema', 'schema.yaml');
/** Bundles whose schemas are written as Proton's sample templates write them. */
const WEB_ENV = path.join(FIXTURES, 'web-env');
const WEB_SVC = path.join(FIXTURES, 'web-svc');
const WEB_SVC_SCHEMA = path.join(WEB_SVC, 'schema', 'schema.yaml');
const REPO = { repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc', repositoryId: 'my-org/web', branchName: 'main' };

/** A valid spec of the cluster environment, using every input. */
const CLUSTER_INPUTS = {
  cluster_name: 'shared-dev',
  tier: 'dev',
  node_count: 3,
  spot_share: 0.5,
  availability_zones: ['us-east-1a', 'us-east-1b'],
  logging: { enabled: false, retention_days: 30 },
  node_groups: [{ name: 'general', size: 2 }, { name: 'batch' }],
  owner_email: null,
};

function envVersion(stack: Stack, bundle: string, id = 'Env'): EnvironmentTemplateVersion {
  return new EnvironmentTemplate(stack, `${id}Template`, { templateName: `${id.toLowerCase()}-tmpl` }).addVersion('V1', { bundle: TemplateBundle.fromDirectory(bundle) });
}

function environment(stack: Stack, version: EnvironmentTemplateVersion, spec: Spec, id = 'Beta', validate?: boolean): Environment {
  return new Environment(stack, id, { templateVersion: version, spec, protonServiceRole: new ProtonServiceRole(stack, `${id}Role`), validate });
}

/** The message synthesis fails with, or undefined when it succeeds. */
function synthError(stack: Stack): string | undefined {
  try {
    App.of(stack)!.synth();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The problem lines of a synthesis that failed on specs. */
function problemLines(stack: Stack): string[] {
  return (synthError(stack) ?? '').split('\n').filter((line) => line.startsWith('    - ')).map((line) => line.slice(6));
}

function clusterProblems(inputs: Record<string, unknown>): string[] {
  const stack = newStack();
  environment(stack, envVersion(stack, CLUSTER_ENV), Spec.fromObject(inputs));
  return problemLines(stack);
}

function tempSpec(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spec-')), 'spec.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('environment specs against the schema', () => {
  test('a spec that fits every keyword synthesizes, as does one that leaves out what has a default', () => {
    const stack = newStack();
    const version = envVersion(stack, CLUSTER_ENV);
    environment(stack, version, Spec.fromObject(CLUSTER_INPUTS), 'Full');
    // region is required but has a default; the other inputs are optional
    environment(stack, version, Spec.fromObject({ cluster_name: 'min', tier: 'prod' }), 'Minimal');
    environment(stack, version, Spec.fromFile(path.join(FIXTURES, 'specs', 'cluster-dev.yaml')), 'FromFile');
    expect(synthError(stack)).toBeUndefined();
  });

  test.each([
    ['type (string)', { cluster_name: 42 }, 'spec.cluster_name: must be a string, given 42'],
    ['type (integer)', { node_count: 2.5 }, 'spec.node_count: must be an integer, given 2.5'],
    ['type (object)', { logging: 'on' }, 'spec.logging: must be a mapping, given "on"'],
    ['type (array)', { availability_zones: 'us-east-1a' }, 'spec.availability_zones: must be a list, given "us-east-1a"'],
    ['required', { tier: undefined }, 'spec.tier: is required and has no default, not given'],
    ['properties (unknown input)', { colour: 'blue' }, 'spec.colour: is not an input of ClusterEnvironmentInput (declared: cluster_name, tier, region, '
      + 'node_count, spot_share, availability_zones, logging, node_groups, owner_email), given "blue"'],
    ['enum', { tier: 'qa' }, 'spec.tier: must be one of "dev", "staging", "prod", given "qa"'],
    ['minimum', { node_count: 0 }, 'spec.node_count: must be at least 1, given 0'],
    ['maximum', { node_count: 51 }, 'spec.node_count: must be at most 50, given 51'],
    ['exclusiveMinimum (OpenAPI boolean)', { spot_share: 0 }, 'spec.spot_share: must be greater than 0, given 0'],
    ['minLength', { cluster_name: 'ab' }, 'spec.cluster_name: must have at least 3 characters (it has 2), given "ab"'],
    ['maxLength', { cluster_name: 'a'.repeat(21) }, `spec.cluster_name: must have at most 20 characters (it has 21), given "${'a'.repeat(21)}"`],
    ['pattern', { cluster_name: 'Shared_Dev' }, 'spec.cluster_name: must match the pattern ^[a-z][a-z0-9-]*$, given "Shared_Dev"'],
    ['items', { availability_zones: ['us-east-1a', 'eu-west-1'] }, 'spec.availability_zones[1]: must match the pattern ^[a-z]{2}-[a-z]+-[0-9][a-z]$, given "eu-west-1"'],
    ['minItems', { availability_zones: ['us-east-1a'] }, 'spec.availability_zones: must have at least 2 items (it has 1), given ["us-east-1a"]'],
    ['maxItems', { availability_zones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'] },
      'spec.availability_zones: must have at most 3 items (it has 4), given ["us-east-1a","us-east-1b","us-east-1c","us-east-1d"]'],
    ['nested object (required)', { logging: { enabled: true } }, 'spec.logging.retention_days: is required and has no default, not given'],
    ['nested object (enum)', { logging: { retention_days: 14 } }, 'spec.logging.retention_days: must be one of 7, 30, 90, given 14'],
    ['array of objects', { node_groups: [{ name: 'a' }, { size: 0 }] }, 'spec.node_groups[1].name: is required and has no default, not given'],
    ['nullable (only null is added)', { owner_email: 7 }, 'spec.owner_email: must be a string or null, given 7'],
    ['default (a value given is still checked)', { region: 12 }, 'spec.region: must be a string, given 12'],
  ])('fails on a spec that breaks %s', (_keyword, change, expected) => {
    expect(clusterProblems({ ...CLUSTER_INPUTS, ...change })).toContain(expected);
  });

  test('fails with every problem of a spec in one message: construct path, spec, inputs, what the schema wants, what was given, the schema file', () => {
    const stack = newStack();
    environment(stack, envVersion(stack, CLUSTER_ENV), Spec.fromObject({ cluster_name: 'x', tier: 'qa', node_count: '3', logging: { retention_days: 1 }, extra: true }));
    expect(synthError(stack)).toBe([
      'Validation failed with the following errors:',
      `  [TestStack/Beta] the environment spec does not match input type ClusterEnvironmentInput (environment_input_type) of the template's schema ${CLUSTER_SCHEMA}, 5 problems:`,
      '    - spec.cluster_name: must have at least 3 characters (it has 1), given "x"',
      '    - spec.extra: is not an input of ClusterEnvironmentInput (declared: cluster_name, tier, region, node_count, spot_share, availability_zones, logging, node_groups, owner_email), given true',
      '    - spec.logging.retention_days: must be one of 7, 30, 90, given 1',
      '    - spec.node_count: must be an integer, given "3"',
      '    - spec.tier: must be one of "dev", "staging", "prod", given "qa"',
      '    fix the spec to match the schema (or the schema, if it is the one that is wrong)',
    ].join('\n'));
  });

  test('tokens are known later: skipped wherever they are, while the rest of the spec is still checked', () => {
    const stack = newStack();
    const version = envVersion(stack, CLUSTER_ENV);
    const bucket = new s3.Bucket(stack, 'Logs');
    environment(stack, version, Spec.fromObject({
      cluster_name: bucket.bucketName, // where a pattern and lengths apply
      tier: Lazy.string({ produce: () => 'dev' }), // satisfies required, and is not held to the enum
      availability_zones: [bucket.bucketName, Fn.select(1, Fn.getAzs())], // in a list
      logging: { retention_days: bucket.bucketArn }, // nested, where an integer is wanted
      node_groups: [{ name: bucket.bucketName }],
    }), 'Tokens');
    expect(synthError(stack)).toBeUndefined();

    const problems = clusterProblems({
      cluster_name: Lazy.string({ produce: () => 'x' }),
      tier: 'qa', // still an enum problem
      availability_zones: [Lazy.string({ produce: () => 'us-east-1a' })], // the items are counted all the same
      unknown_input: Lazy.string({ produce: () => 'y' }), // an input the schema does not have, whatever its value
    });
    expect(problems).toEqual([
      'spec.availability_zones: must have at least 2 items (it has 1), given ["(known at deploy time)"]',
      'spec.tier: must be one of "dev", "staging", "prod", given "qa"',
      expect.stringMatching(/^spec\.unknown_input: is not an input of ClusterEnvironmentInput .*, given a value known at deploy time$/),
    ]);
  });

  test('tokens of every kind are known later: numbers, lists, IResolvable objects', () => {
    const document = readTemplateSchema(CLUSTER_SCHEMA).document;
    const check = (inputs: Record<string, unknown>) =>
      checkSpecInputs(document, 'environment_input_type', inputs, { isKnownLater: Token.isUnresolved }).problems;
    expect(check({
      cluster_name: 'shared',
      tier: Lazy.any({ produce: () => 'dev' }),
      node_count: Token.asNumber(Lazy.number({ produce: () => 3 })),
      availability_zones: Fn.getAzs(),
      logging: Lazy.any({ produce: () => ({ retention_days: 7 }) }),
      node_groups: [Lazy.any({ produce: () => ({ name: 'x' }) })],
    })).toEqual([]);
    // without the tokens known later, the same inputs are wrong
    expect(checkSpecInputs(document, 'environment_input_type', { cluster_name: 'shared', node_count: Token.asNumber(Lazy.number({ produce: () => 3 })) })
      .problems.map((p) => formatInputPath(p.path))).toEqual(['node_count', 'tier']);
  });

  test('${Proton::CURRENT_VAL} is accepted for any input', () => {
    expect(clusterProblems({ cluster_name: CURRENT_VAL, tier: CURRENT_VAL, node_count: CURRENT_VAL, availability_zones: [CURRENT_VAL, 'us-east-1b'] }))
      .toEqual([]);
  });

  test('a spec file gets the same checks, each problem with its line in the file', () => {
    const stack = newStack();
    const file = path.join(FIXTURES, 'specs', 'cluster-broken.yaml');
    environment(stack, envVersion(stack, CLUSTER_ENV), Spec.fromFile(file));
    expect(synthError(stack)).toBe([
      'Validation failed with the following errors:',
      `  [TestStack/Beta] the environment spec (spec file ${file}) does not match input type ClusterEnvironmentInput (environment_input_type) `
        + `of the template's schema ${CLUSTER_SCHEMA}, 7 problems:`,
      '    - spec.availability_zones[1] (line 7): must match the pattern ^[a-z]{2}-[a-z]+-[0-9][a-z]$, given "eu-west-1"',
      '    - spec.cluster_name (line 3): must match the pattern ^[a-z][a-z0-9-]*$, given "Shared_Dev"',
      '    - spec.logging.enabled (line 9): must be a boolean (true or false), given "yes"',
      '    - spec.logging.retention_days (line 10): must be one of 7, 30, 90, given 14',
      '    - spec.node_count (line 4): must be at least 1, given 0',
      '    - spec.owner (line 11): is not an input of ClusterEnvironmentInput (declared: cluster_name, tier, region, node_count, spot_share, '
        + 'availability_zones, logging, node_groups, owner_email), given "platform-team"',
      // a missing input: the line of the mapping it is missing from
      '    - spec.tier (line 2): is required and has no default, not given',
      '    fix the spec to match the schema (or the schema, if it is the one that is wrong)',
    ].join('\n'));
  });

  test('spec YAML text gets lines too', () => {
    const stack = newStack();
    environment(stack, envVersion(stack, CLUSTER_ENV), Spec.fromYaml('proton: EnvironmentSpec\nspec:\n  cluster_name: ok-name\n  tier: prod\n  node_count: "2"\n'));
    expect(problemLines(stack)).toEqual(['spec.node_count (line 5): must be an integer, given "2"']);
  });

  test('validate: false skips the check', () => {
    const stack = newStack();
    environment(stack, envVersion(stack, CLUSTER_ENV), Spec.fromObject({ tier: 'qa' }), 'Unchecked', false);
    expect(synthError(stack)).toBeUndefined();
    expect(firstResource(stack, 'Custom::ProtonEnvironment').Properties.Spec)
      .toBe('proton: "EnvironmentSpec"\nspec:\n  tier: "qa"\n');
  });

  test('a spec against a schema the app cannot see is not checked: an imported template, a bundle in a bucket', () => {
    const stack = newStack();
    const role = new ProtonServiceRole(stack, 'Role');
    const imported = EnvironmentTemplate.fromEnvironmentTemplateName(stack, 'Imported', 'cluster-env');
    new Environment(stack, 'FromImported', { template: imported, majorVersion: '1', spec: Spec.fromObject({ anything: 1 }), protonServiceRole: role });
    const fromBucket = new EnvironmentTemplate(stack, 'InBucket').addVersion('V1', {
      bundle: TemplateBundle.fromBucket(s3.Bucket.fromBucketName(stack, 'Bundles', 'my-bundles'), 'cluster-env.tar.gz'),
    });
    new Environment(stack, 'FromBucket', { templateVersion: fromBucket, spec: Spec.fromObject({ anything: 1 }), protonServiceRole: role });
    expect(synthError(stack)).toBeUndefined();
  });

  test('the schema written as Proton\'s sample environment templates write it', () => {
    const stack = newStack();
    const version = envVersion(stack, WEB_ENV);
    environment(stack, version, Spec.fromObject({}), 'Defaults');
    environment(stack, version, Spec.fromObject({ vpc_cidr: '10.1.0.0/16', public_subnet_one_cidr: '10.1.0.0/18', public_subnet_two_cidr: '10.1.64.0/18' }), 'Given');
    expect(synthError(stack)).toBeUndefined();
    const wrong = newStack();
    environment(wrong, envVersion(wrong, WEB_ENV), Spec.fromObject({ vpc_cidr: '10.1.0.0/20', public_subnet_cidr: '10.1.0.0/18' }), 'Wrong');
    expect(problemLines(wrong)).toEqual([
      'spec.public_subnet_cidr: is not an input of PublicWebEnvironmentInput (declared: vpc_cidr, public_subnet_one_cidr, public_subnet_two_cidr), given "10.1.0.0/18"',
      'spec.vpc_cidr: must match the pattern ([0-9]{1,3}\\.){3}[0-9]{1,3}($|/(16|24)), given "10.1.0.0/20"',
    ]);
  });
});

describe('service specs against the schema', () => {
  function platform(stack: Stack) {
    const envV1 = envVersion(stack, WEB_ENV);
    const role = new ProtonServiceRole(stack, 'Role');
    const env = (id: string) => new Environment(stack, id, {
      environmentName: id.toLowerCase(), templateVersion: envV1, spec: Spec.fromObject({}), protonServiceRole: role,
    });
    const svcV1 = new ServiceTemplate(stack, 'Web', { templateName: 'web-svc' }).addVersion('V1', {
      bundle: TemplateBundle.fromDirectory(WEB_SVC), compatibleEnvironmentTemplates: [envV1],
    });
    return { envV1, env, svcV1 };
  }

  test('instance and pipeline specs that fit the sample service schema synthesize', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    const web = new Service(stack, 'Orders', {
      templateVersion: svcV1,
      ...REPO,
      instances: [{ name: 'beta', environment: env('Beta'), spec: Spec.fromObject({ port: 8080, task_size: 'small' }) }],
      pipeline: { spec: Spec.fromObject({ dockerfile: 'docker/Dockerfile', unit_test_command: 'npm test' }) },
    });
    web.addInstance('prod', { environment: env('Prod'), spec: Spec.fromObject({ desired_count: 3, image: 'public.ecr.aws/my-org/orders:1.4' }) });
    web.addInstance('dev', { environment: env('Dev') }); // no spec: every input has a default
    expect(synthError(stack)).toBeUndefined();
  });

  test('fails with a message per spec: each instance by name and its path in the service spec, the pipeline, instances added later too', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    const web = new Service(stack, 'Orders', {
      templateVersion: svcV1,
      ...REPO,
      instances: [
        { name: 'prod', environment: env('Prod'), spec: Spec.fromObject({ port: '443', task_size: 'huge' }) },
        { name: 'beta', environment: env('Beta'), spec: Spec.fromObject({ port: 8080 }) },
      ],
      pipeline: { spec: Spec.fromObject({ dockerfile: '', unit_tests: 'npm test' }) },
    });
    web.addInstance('canary', { environment: env('Canary'), spec: Spec.fromObject({ desired_count: 0 }) });
    expect(synthError(stack)).toBe([
      'Validation failed with the following errors:',
      // instances are sorted by name in the service spec: canary, beta's index is 0
      `  [TestStack/Orders] instance "canary"'s spec does not match input type LoadBalancedWebServiceInput (service_input_type) of the template's schema ${WEB_SVC_SCHEMA}, 1 problem:`,
      '    - instances[1].spec.desired_count: must be at least 1, given 0',
      '    fix the spec to match the schema (or the schema, if it is the one that is wrong)',
      `  [TestStack/Orders] instance "prod"'s spec does not match input type LoadBalancedWebServiceInput (service_input_type) of the template's schema ${WEB_SVC_SCHEMA}, 2 problems:`,
      '    - instances[2].spec.port: must be a number, given "443"',
      '    - instances[2].spec.task_size: must be one of "x-small", "small", "medium", "large", "x-large", given "huge"',
      '    fix the spec to match the schema (or the schema, if it is the one that is wrong)',
      `  [TestStack/Orders] the pipeline spec does not match input type WebPipelineInput (pipeline_input_type) of the template's schema ${WEB_SVC_SCHEMA}, 2 problems:`,
      '    - pipeline.dockerfile: must have at least 1 character (it has 0), given ""',
      '    - pipeline.unit_tests: is not an input of WebPipelineInput (declared: dockerfile, unit_test_command), given "npm test"',
      '    fix the spec to match the schema (or the schema, if it is the one that is wrong)',
    ].join('\n'));
  });

  test('an instance spec file names its file and lines', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    const file = tempSpec('proton: EnvironmentSpec\nspec:\n  port: 80\n  task_size: tiny\n');
    new Service(stack, 'Orders', { templateVersion: svcV1, ...REPO, instances: [{ name: 'beta', environment: env('Beta'), spec: Spec.fromFile(file) }] });
    const message = synthError(stack)!;
    expect(message).toContain(`[TestStack/Orders] instance "beta"'s spec (spec file ${file}) does not match`);
    expect(problemLines(stack)).toEqual(['instances[0].spec.task_size (line 4): must be one of "x-small", "small", "medium", "large", "x-large", given "tiny"']);
  });

  test('validate: false skips the check of a service', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    new Service(stack, 'Orders', {
      templateVersion: svcV1,
      ...REPO,
      validate: false,
      instances: [{ name: 'beta', environment: env('Beta'), spec: Spec.fromObject({ port: 'eighty' }) }],
      pipeline: { spec: Spec.fromObject({ unknown: 1 }) },
    });
    expect(synthError(stack)).toBeUndefined();
  });

  test('a service of an imported template is not checked', () => {
    const stack = newStack();
    const { env } = platform(stack);
    new Service(stack, 'Orders', {
      template: ServiceTemplate.fromServiceTemplateName(stack, 'Imported', 'web-svc'),
      majorVersion: '1',
      ...REPO,
      instances: [{ name: 'beta', environment: env('Beta'), spec: Spec.fromObject({ port: 'eighty' }) }],
    });
    expect(synthError(stack)).toBeUndefined();
  });

  test('a ServiceInstance of a service in the app is checked against its version; otherwise, or with validate: false, it is not', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    const web = new Service(stack, 'Orders', { templateVersion: svcV1, ...REPO });
    const beta = env('Beta');
    new ServiceInstance(stack, 'Checked', { service: web, name: 'beta', environment: beta, spec: Spec.fromObject({ port: 70000 }) });
    new ServiceInstance(stack, 'Skipped', { service: web, name: 'skipped', environment: beta, spec: Spec.fromObject({ port: 70000 }), validate: false });
    // another version than the service's, or an imported service: the app does not know the schema
    new ServiceInstance(stack, 'OtherVersion', { service: web, name: 'other', environment: beta, majorVersion: '2', spec: Spec.fromObject({ port: 70000 }) });
    new ServiceInstance(stack, 'Imported', {
      service: Service.fromServiceName(stack, 'ImportedService', 'orders'), name: 'imported', environment: beta, spec: Spec.fromObject({ port: 70000 }),
    });
    expect(synthError(stack)).toBe([
      'Validation failed with the following errors:',
      `  [TestStack/Checked] instance "beta"'s spec does not match input type LoadBalancedWebServiceInput (service_input_type) of the template's schema ${WEB_SVC_SCHEMA}, 1 problem:`,
      '    - instances[0].spec.port: must be at most 65535, given 70000',
      '    fix the spec to match the schema (or the schema, if it is the one that is wrong)',
    ].join('\n'));
  });

  test('an instance\'s environment must be of a compatible template: instances declared, added later, or declared on their own', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    const other = new Environment(stack, 'Other', {
      templateVersion: envVersion(stack, ENV_BUNDLE, 'Vpc'), spec: Spec.fromObject({}), protonServiceRole: new ProtonServiceRole(stack, 'OtherRole'),
    });
    const web = new Service(stack, 'Orders', { templateVersion: svcV1, ...REPO, instances: [{ name: 'beta', environment: env('Beta') }] });
    expect(() => web.addInstance('late', { environment: other })).toThrow('TestStack/Orders: instance "late" deploys into environment TestStack/Other, whose template '
      + 'vpc-tmpl is not compatible with the service template version (compatible: env-tmpl): add it to compatibleEnvironmentTemplates or pick another environment');
    expect(() => new ServiceInstance(stack, 'Late', { service: web, name: 'late', environment: other })).toThrow(/^TestStack\/Late: instance "late" deploys into environment TestStack\/Other/);
    // an imported environment: its template is unknown, so it is taken as compatible
    web.addInstance('imported', { environment: Environment.fromEnvironmentName(stack, 'ImportedEnv', 'legacy') });
    expect(synthError(stack)).toBeUndefined();
  });
});

describe('checkSpecInputs (the rules the Proton emulator shares)', () => {
  const schema = {
    environment_input_type: 'Input',
    types: {
      Input: {
        type: 'object',
        properties: { size: { type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true }, net: { $ref: '#/types/Network' } },
      },
      Network: { type: 'object', properties: { cidr: { type: 'string', example: '10.0.0.0/16' } }, additionalProperties: false },
    },
  };

  test('converts OpenAPI 3.0 to JSON Schema: nullable, boolean exclusive limits, required inputs with a default, references to other types', () => {
    expect(openApiToJsonSchema({
      type: 'object',
      title: 't',
      description: 'd',
      required: ['a', 'b'],
      properties: { a: { type: 'string', nullable: true, enum: ['x'], default: 'x' }, b: { type: 'number', minimum: 1, exclusiveMinimum: true }, c: { $ref: '#/types/C' } },
    })).toEqual({
      type: 'object',
      required: ['b'],
      properties: { a: { type: ['string', 'null'], enum: ['x', null], default: 'x' }, b: { type: 'number', exclusiveMinimum: 1 }, c: { $ref: '#/definitions/C' } },
    });
    expect(checkSpecInputs(schema, 'environment_input_type', { size: 10, net: { cidr: 1, mask: 2 } }).problems.map((p) => [p.kind, p.path, p.wants])).toEqual([
      ['TYPE', ['net', 'cidr'], 'must be a string'],
      ['UNKNOWN', ['net', 'mask'], 'is not a property the schema declares here (declared: cidr)'],
      ['CONSTRAINT', ['size'], 'must be less than 10'],
    ]);
    expect(checkSpecInputs(schema, 'environment_input_type', { size: 5, net: { cidr: 'x' } }).problems).toEqual([]);
  });

  test('a schema without the input type checks nothing; an input type ajv cannot compile is one problem', () => {
    expect(checkSpecInputs(schema, 'pipeline_input_type', { anything: 1 })).toEqual({ typeName: undefined, problems: [] });
    expect(checkSpecInputs(undefined, 'environment_input_type', { anything: 1 })).toEqual({ typeName: undefined, problems: [] });
    const broken = { environment_input_type: 'Bad', types: { Bad: { type: 'object', properties: { a: { type: 'text' } } } } };
    expect(checkSpecInputs(broken, 'environment_input_type', { a: 1 }).problems).toEqual([
      { kind: 'SCHEMA', path: [], wants: expect.stringMatching(/^cannot be checked: input type Bad is not a valid schema \(.*type/) },
    ]);
  });
});
