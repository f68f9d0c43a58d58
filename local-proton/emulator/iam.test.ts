import * as fs from 'fs';
import * as path from 'path';
import {
  AccessDeniedException, CreateEnvironmentCommand, GetEnvironmentTemplateCommand, ListServiceInstancesCommand, ProtonClient,
  ProtonServiceException,
} from '@aws-sdk/client-proton';
import { PolicyDocument, ProtonEmulator, ProtonIam } from '.';
import { clientFor, publishedEnvironmentTemplate } from './helpers';
import { evaluate, globMatch } from './iam/policy-evaluation';

const ACCOUNT = '111111111111';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/proton-service`;
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/provider/fn`;
const arn = (resource: string) => `arn:aws:proton:us-east-1:${ACCOUNT}:${resource}`;
const allow = (Action: string | string[], Resource: string | string[], Condition?: any): PolicyDocument =>
  ({ Statement: [{ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) }] });

describe('policy evaluation', () => {
  test('an Allow on the resource allows; no statement is an implicit deny; a Deny wins over an Allow', () => {
    const request = { action: 'proton:GetService', resource: arn('service/api') };
    expect(evaluate([allow('proton:GetService', arn('service/api'))], request)).toBe('Allow');
    expect(evaluate([allow('proton:GetService', arn('service/web'))], request)).toBe('ImplicitDeny');
    expect(evaluate([allow('proton:*', '*'), { Statement: { Effect: 'Deny', Action: 'proton:Get*', Resource: '*' } }], request))
      .toBe('ExplicitDeny');
  });

  test('actions match case-insensitively with wildcards, resources case-sensitively; NotAction and NotResource invert', () => {
    expect(evaluate([allow('Proton:getservice', '*')], { action: 'proton:GetService', resource: '*' })).toBe('Allow');
    expect(evaluate([allow('proton:Get*', arn('service/API'))], { action: 'proton:GetService', resource: arn('service/api') }))
      .toBe('ImplicitDeny');
    const notAction: PolicyDocument = { Statement: [{ Effect: 'Allow', NotAction: 'proton:Delete*', Resource: '*' }] };
    expect(evaluate([notAction], { action: 'proton:DeleteService', resource: '*' })).toBe('ImplicitDeny');
    expect(evaluate([notAction], { action: 'proton:GetService', resource: '*' })).toBe('Allow');
    expect(globMatch('arn:aws:proton:*:*:service/a?i', arn('service/api'))).toBe(true);
  });

  test('an action that takes no resource is asked about "*": a statement scoped to ARNs never matches it', () => {
    const request = { action: 'proton:ListServiceInstances', resource: '*' };
    expect(evaluate([allow('proton:ListServiceInstances', [arn('service/api'), arn('service/api/*')])], request)).toBe('ImplicitDeny');
    expect(evaluate([allow('proton:ListServiceInstances', '*')], request)).toBe('Allow');
  });

  test('conditions: a missing key fails StringEquals but passes IfExists and negated operators; Null tests presence', () => {
    const passRole = (context?: Record<string, string>) => ({ action: 'iam:PassRole', resource: ROLE_ARN, context });
    const toProton = allow('iam:PassRole', ROLE_ARN, { StringEquals: { 'iam:PassedToService': 'proton.amazonaws.com' } });
    expect(evaluate([toProton], passRole({ 'iam:PassedToService': 'proton.amazonaws.com' }))).toBe('Allow');
    expect(evaluate([toProton], passRole({ 'iam:PassedToService': 'lambda.amazonaws.com' }))).toBe('ImplicitDeny');
    expect(evaluate([toProton], passRole())).toBe('ImplicitDeny');
    expect(evaluate([allow('iam:PassRole', ROLE_ARN, { StringEqualsIfExists: { 'iam:PassedToService': 'x' } })], passRole())).toBe('Allow');
    expect(evaluate([allow('iam:PassRole', ROLE_ARN, { StringNotEquals: { 'iam:PassedToService': 'x' } })], passRole())).toBe('Allow');
    expect(evaluate([allow('iam:PassRole', ROLE_ARN, { Null: { 'iam:PassedToService': 'true' } })], passRole())).toBe('Allow');
    expect(evaluate([allow('iam:PassRole', ROLE_ARN, { Null: { 'iam:PassedToService': 'false' } })], passRole())).toBe('ImplicitDeny');
  });

  test('what the evaluator cannot judge throws instead of guessing', () => {
    const request = { action: 'proton:GetService', resource: arn('service/api') };
    expect(() => evaluate([allow('proton:GetService', arn('service/${aws:username}'))], request)).toThrow(/policy variables/);
    expect(() => evaluate([allow('proton:GetService', '*', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } })], request))
      .toThrow(/set operators/);
    expect(() => evaluate([allow('proton:GetService', '*', { DateGreaterThan: { 'aws:CurrentTime': 'x' } })], request))
      .toThrow(/not supported/);
  });
});

describe('IAM in the emulator', () => {
  let proton: ProtonEmulator;
  let admin: ProtonClient;
  let policies: PolicyDocument[] = [];
  const KEY = 'ASIAFUNCTIONROLE0001';
  const asFunction = () => new ProtonClient({
    endpoint: proton.endpoint,
    region: proton.region,
    maxAttempts: 1,
    credentials: { accessKeyId: KEY, secretAccessKey: 'x', sessionToken: 'y' },
  });

  beforeAll(async () => {
    proton = await ProtonEmulator.start();
    admin = clientFor(proton);
    proton.iam.addPrincipalResolver((key) => (key === KEY ? { arn: PRINCIPAL, policies: () => policies } : undefined));
    await publishedEnvironmentTemplate(proton, admin, 'env');
  });
  afterAll(async () => {
    admin.destroy();
    await proton.stop();
  });

  test('a call its policies do not allow is an AccessDeniedException worded as AWS words it, and is logged as denied', async () => {
    policies = [allow('proton:GetEnvironmentTemplate', arn('environment-template/other'))];
    const client = asFunction();
    const error = await client.send(new GetEnvironmentTemplateCommand({ name: 'env' })).catch((e) => e);
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe(`User: ${PRINCIPAL} is not authorized to perform: proton:GetEnvironmentTemplate on resource: `
      + `${arn('environment-template/env')} because no identity-based policy allows the proton:GetEnvironmentTemplate action`);
    const entry = proton.log.ofOperation('GetEnvironmentTemplate').pop()!;
    expect(entry).toMatchObject({ principal: PRINCIPAL, error: 'AccessDeniedException' });
    expect(entry.authorization).toEqual([expect.objectContaining({ decision: 'ImplicitDeny' })]);

    policies = [allow('proton:GetEnvironmentTemplate', arn('environment-template/env'))];
    await expect(client.send(new GetEnvironmentTemplateCommand({ name: 'env' }))).resolves.toBeDefined();
    client.destroy();
  });

  test('ListServiceInstances takes no resource ARN: allowed on "*" only', async () => {
    const client = asFunction();
    policies = [allow('proton:ListServiceInstances', [arn('service/api'), arn('service/api/*')])];
    await expect(client.send(new ListServiceInstancesCommand({ serviceName: 'api' }))).rejects
      .toThrow('not authorized to perform: proton:ListServiceInstances on resource: *');
    policies = [allow('proton:ListServiceInstances', '*')];
    // Past IAM, Proton itself answers: there is no such service.
    await expect(client.send(new ListServiceInstancesCommand({ serviceName: 'api' }))).rejects.toThrow('The service api was not found');
    client.destroy();
  });

  test('a role handed to Proton needs iam:PassRole on it, passed to proton.amazonaws.com', async () => {
    const client = asFunction();
    const create = (name: string) => client.send(new CreateEnvironmentCommand({
      name,
      templateName: 'env',
      templateMajorVersion: '1',
      spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n',
      protonServiceRoleArn: ROLE_ARN,
    }));
    policies = [allow('proton:CreateEnvironment', arn('environment/*'))];
    await expect(create('no-pass')).rejects.toThrow(`not authorized to perform: iam:PassRole on resource: ${ROLE_ARN}`);
    policies.push(allow('iam:PassRole', ROLE_ARN, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } }));
    await expect(create('wrong-service')).rejects.toThrow('iam:PassRole');
    policies.push(allow('iam:PassRole', ROLE_ARN, { StringEquals: { 'iam:PassedToService': 'proton.amazonaws.com' } }));
    await expect(create('passed')).resolves.toBeDefined();
    client.destroy();
  });

  test('an access key IAM does not know is refused; the tests\' own key is an administrator', async () => {
    const stranger = new ProtonClient({
      endpoint: proton.endpoint,
      region: proton.region,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' },
    });
    const error = await stranger.send(new GetEnvironmentTemplateCommand({ name: 'env' })).catch((e) => e);
    expect(error).toBeInstanceOf(ProtonServiceException);
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata.httpStatusCode).toBe(403);
    stranger.destroy();
    await expect(admin.send(new GetEnvironmentTemplateCommand({ name: 'env' }))).resolves.toBeDefined();
  });

  test('every operation of the Proton model names its resources from its input, as the Service Authorization Reference says', async () => {
    const iam = await ProtonIam.load('aws', 'us-east-1', ACCOUNT);
    const model = JSON.parse(fs.readFileSync(path.join(__dirname, 'proton-model.json'), 'utf8'));
    for (const [operation, op] of Object.entries<any>(model.operations)) {
      // Every required member filled in: the ARNs of required resource types must come out of it.
      const members = op.input ? model.shapes[op.input].members ?? {} : {};
      const input = Object.fromEntries((op.input ? model.shapes[op.input].required ?? [] : []).map((m: string) => [m, `${m}-x`]));
      if ('resourceArn' in members) input.resourceArn = arn('service/x');
      const resources = iam.checksFor(operation, input).filter((c) => c.action === `proton:${operation}`).map((c) => c.resource);
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) expect(resource === '*' || resource.startsWith(`arn:aws:proton:us-east-1:${ACCOUNT}:`)).toBe(true);
    }
    expect(iam.checksFor('CreateServiceInstance', { serviceName: 'api', name: 'beta' }).map((c) => c.resource))
      .toEqual([arn('service/api/service-instance/beta')]);
    expect(iam.checksFor('ListServiceInstanceOutputs', { serviceName: 'api', serviceInstanceName: 'beta' }).map((c) => c.resource))
      .toEqual([arn('service/api'), arn('service/api/service-instance/beta')]);
    expect(iam.checksFor('CreateEnvironmentTemplateVersion', { templateName: 'env', source: { s3: { bucket: 'b', key: 'k.tgz' } } }))
      .toEqual([{ action: 'proton:CreateEnvironmentTemplateVersion', resource: arn('environment-template/env') },
        { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k.tgz' }]);
  });
});
