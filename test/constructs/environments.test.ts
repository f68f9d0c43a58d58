import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { environmentPlatform, firstResource, newStack, protonPolicyStatements } from './helpers';
import { Environment, EnvironmentTemplate, ProtonServiceRole, RepositoryProvider, Spec } from '../../src';

const ENV_TYPE = 'Custom::ProtonEnvironment';

describe('Environment', () => {
  test('fails synth with more tags than Proton takes besides the two cdk-proton adds, naming the environment', () => {
    const tagged = (count: number) => {
      const stack = newStack();
      const beta = environmentPlatform(stack).environment('Beta', { environmentName: 'beta' });
      for (let i = 0; i < count; i++) Tags.of(beta).add(`t${i}`, 'x');
      return () => Template.fromStack(stack);
    };
    expect(tagged(48)).not.toThrow();
    expect(tagged(49)).toThrow(/\[TestStack\/Beta\] 49 tags, but Proton takes at most 50 on a resource and cdk-proton adds 2 of its own .*remove 1/);
  });

  test('deploys a template version with a spec written around the inputs, and reads outputs as tokens', () => {
    const stack = newStack();
    const { envVersion, role } = environmentPlatform(stack);
    const beta = new Environment(stack, 'Beta', {
      environmentName: 'beta',
      templateVersion: envVersion,
      spec: Spec.fromObject({ vpc_cidr: '10.0.0.0/16' }),
      protonServiceRole: role,
      description: 'the beta environment',
    });
    const vpcId = beta.output('VpcId');

    const props = firstResource(stack, ENV_TYPE).Properties;
    expect(props).toMatchObject({
      Name: 'beta',
      TemplateName: 'vpc-env',
      TemplateMajorVersion: { 'Fn::GetAtt': [expect.stringMatching(/^VpcEnvV1/), 'MajorVersion'] },
      TemplateMinorVersion: { 'Fn::GetAtt': [expect.stringMatching(/^VpcEnvV1/), 'MinorVersion'] },
      Spec: 'proton: "EnvironmentSpec"\nspec:\n  vpc_cidr: "10.0.0.0/16"\n',
      Description: 'the beta environment',
      ProtonServiceRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ProtonRole/), 'Arn'] },
      RemovalPolicy: 'delete',
      Outputs: ['VpcId'],
    });
    expect(stack.resolve(vpcId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Beta/), 'Outputs.VpcId'] });
    expect(stack.resolve(beta.environmentArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Beta/), 'Arn'] });
  });

  test('keeps tokens of other constructs in the spec and writes the same text whatever the key order', () => {
    const stack = newStack();
    const { envVersion, role } = environmentPlatform(stack);
    const bucket = new s3.Bucket(stack, 'Logs');
    // These inputs are not the fixture schema's: only the rendering is under test here.
    new Environment(stack, 'A', {
      templateVersion: envVersion,
      protonServiceRole: role,
      validate: false,
      spec: Spec.fromObject({ zeta: 1, log_bucket: bucket.bucketName, alpha: { b: true, a: ['x'] } }),
    });
    new Environment(stack, 'B', {
      templateVersion: envVersion,
      protonServiceRole: role,
      validate: false,
      spec: Spec.fromObject({ alpha: { a: ['x'], b: true }, log_bucket: bucket.bucketName, zeta: 1 }),
    });
    const envs = Object.values(Template.fromStack(stack).findResources(ENV_TYPE)).map((r) => r.Properties.Spec);
    expect(envs[0]).toEqual(envs[1]);
    expect(envs[0]).toEqual({
      'Fn::Join': ['', [
        'proton: "EnvironmentSpec"\nspec:\n  alpha:\n    a:\n      - "x"\n    b: true\n  log_bucket: "',
        { Ref: expect.stringMatching(/^Logs/) },
        '"\n  zeta: 1\n',
      ]],
    });
  });

  test('takes a whole spec document from a file or YAML text, checked to be an environment spec', () => {
    const stack = newStack();
    const { envVersion, role } = environmentPlatform(stack);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spec-')), 'beta.yaml');
    fs.writeFileSync(file, 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n');
    new Environment(stack, 'FromFile', { templateVersion: envVersion, protonServiceRole: role, spec: Spec.fromFile(file) });
    expect(firstResource(stack, ENV_TYPE).Properties.Spec).toBe('proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n');

    expect(() => new Environment(stack, 'Service', { templateVersion: envVersion, protonServiceRole: role, spec: Spec.fromYaml('proton: ServiceSpec\ninstances: []\n') }))
      .toThrow(/TestStack\/Service: the spec is a "ServiceSpec" document where a EnvironmentSpec is needed: start it with "proton: EnvironmentSpec"/);
    expect(() => new Environment(stack, 'Broken', { templateVersion: envVersion, protonServiceRole: role, spec: Spec.fromYaml('proton: [\n') }))
      .toThrow(/the spec is not valid YAML/);
    expect(() => new Environment(stack, 'NoSpec', { templateVersion: envVersion, protonServiceRole: role, spec: Spec.fromYaml('proton: EnvironmentSpec\n') }))
      .toThrow(/has no spec: mapping of inputs/);
    expect(() => Spec.fromFile('/nonexistent/spec.yaml')).toThrow(/spec file \/nonexistent\/spec.yaml does not exist/);
  });

  test('pins a template defined elsewhere by major and minor version', () => {
    const stack = newStack();
    const role = new ProtonServiceRole(stack, 'Role');
    const shared = EnvironmentTemplate.fromEnvironmentTemplateName(stack, 'Shared', 'shared-env');
    new Environment(stack, 'Env', { template: shared, majorVersion: '2', minorVersion: '3', spec: Spec.fromObject({}), protonServiceRole: role });
    expect(firstResource(stack, ENV_TYPE).Properties).toMatchObject({ TemplateName: 'shared-env', TemplateMajorVersion: '2', TemplateMinorVersion: '3' });
    expect(() => new Environment(stack, 'NoMajor', { template: shared, spec: Spec.fromObject({}), protonServiceRole: role }))
      .toThrow(/template shared-env needs majorVersion/);
    expect(() => new Environment(stack, 'BadMajor', { template: shared, majorVersion: 'v2', spec: Spec.fromObject({}), protonServiceRole: role }))
      .toThrow(/majorVersion "v2" does not match/);
    expect(() => new Environment(stack, 'None', { spec: Spec.fromObject({}), protonServiceRole: role })).toThrow(/no template: pass templateVersion/);
  });

  test('fails at synth unless exactly one provisioning mode is given', () => {
    const stack = newStack();
    const { envVersion, role } = environmentPlatform(stack);
    const codebuild = new iam.Role(stack, 'CodeBuild', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    expect(() => new Environment(stack, 'None', { templateVersion: envVersion, spec: Spec.fromObject({}) }))
      .toThrow(/TestStack\/None: no provisioning: give exactly one of protonServiceRole \(AWS-managed\), codebuildRole/);
    expect(() => new Environment(stack, 'Two', { templateVersion: envVersion, spec: Spec.fromObject({}), protonServiceRole: role, codebuildRole: codebuild }))
      .toThrow(/conflicting provisioning \(protonServiceRole, codebuildRole\)/);
    new Environment(stack, 'SelfManaged', {
      templateVersion: envVersion,
      spec: Spec.fromObject({}),
      provisioningRepository: { provider: RepositoryProvider.GITHUB, name: 'my-org/infra', branch: 'main' },
    });
    expect(firstResource(stack, ENV_TYPE).Properties.ProvisioningRepository).toEqual({ provider: 'GITHUB', name: 'my-org/infra', branch: 'main' });
  });

  test('generates a name that changes with the template, so a new template replaces the environment', () => {
    const a = newStack();
    const b = newStack();
    const role = (s: Stack) => new ProtonServiceRole(s, 'Role');
    const one = new Environment(a, 'Env', { template: EnvironmentTemplate.fromEnvironmentTemplateName(a, 'T', 'one'), majorVersion: '1', spec: Spec.fromObject({}), protonServiceRole: role(a) });
    const two = new Environment(b, 'Env', { template: EnvironmentTemplate.fromEnvironmentTemplateName(b, 'T', 'two'), majorVersion: '1', spec: Spec.fromObject({}), protonServiceRole: role(b) });
    expect(one.environmentName).toMatch(/^TestStack-[0-9a-f]{8}-Env-[0-9a-f]{8}$/);
    expect(one.environmentName).not.toEqual(two.environmentName);
  });

  test('grants the provider this environment and passing exactly the given roles to Proton', () => {
    const stack = newStack();
    const { environment } = environmentPlatform(stack);
    const componentRole = new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
    environment('Beta', { environmentName: 'beta', componentRole });
    const statements = protonPolicyStatements(Template.fromStack(stack));
    const env = statements.find((s) => ([] as string[]).concat(s.Action).includes('proton:UpdateEnvironment'));
    expect(env.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:111111111111:environment/beta']] });
    const pass = statements.find((s) => s.Action === 'iam:PassRole');
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'proton.amazonaws.com' } });
    expect(pass.Resource).toEqual(expect.arrayContaining([
      { 'Fn::GetAtt': [expect.stringMatching(/^ProtonRole/), 'Arn'] },
      { 'Fn::GetAtt': [expect.stringMatching(/^ComponentRole/), 'Arn'] },
    ]));
    expect(pass.Resource).toHaveLength(2);
  });

  test('retains the environment with RemovalPolicy.RETAIN', () => {
    const stack = newStack();
    environmentPlatform(stack).environment('Env', { removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource(ENV_TYPE, { DeletionPolicy: 'Retain', Properties: Match.objectLike({ RemovalPolicy: 'retain' }) });
  });

  test('imports an environment by name or ARN', () => {
    const stack = newStack();
    expect(Environment.fromEnvironmentArn(stack, 'A', 'arn:aws:proton:us-east-1:111111111111:environment/prod').environmentName).toBe('prod');
    expect(stack.resolve(Environment.fromEnvironmentName(stack, 'B', 'prod').environmentArn))
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:111111111111:environment/prod']] });
  });

  test('rejects output keys Proton cannot have', () => {
    const stack = newStack();
    const env = environmentPlatform(stack).environment('Env');
    expect(() => env.output('Vpc Id')).toThrow(/output key "Vpc Id" is not a Proton output name/);
  });
});

describe('ProtonServiceRole', () => {
  test('is trusted by Proton for this account\'s environments only', () => {
    const stack = newStack();
    new ProtonServiceRole(stack, 'Role');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'proton.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:111111111111:environment/*']] } },
          },
        }],
      },
    });
  });
});

describe('adopting an environment', () => {
  test('adopt writes Adopt, and needs the name of the environment to adopt', () => {
    const stack = newStack();
    const { environment } = environmentPlatform(stack);
    environment('Beta', { environmentName: 'beta', adopt: true });
    Template.fromStack(stack).hasResourceProperties('Custom::ProtonEnvironment', { Name: 'beta', Adopt: 'true' });
    expect(() => environment('Unnamed', { adopt: true }))
      .toThrow(/TestStack\/Unnamed: adopt takes over the environment Proton has under environmentName: give the name of the environment to adopt/);
  });
});
