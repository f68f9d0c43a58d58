import * as fs from 'fs';
import * as path from 'path';
import { App, CfnOutput, Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { load } from 'js-yaml';
import * as nunjucks from 'nunjucks';
import {
  Environment, EnvironmentTemplate, ProtonInputs, ProtonServiceRole, ProtonTemplateStack, ServiceTemplate, Spec, TemplateBundle,
  TemplateInput, TemplateKind,
} from '../../../src';
import { newStack } from '../helpers';

/** An environment template's infrastructure written as a stack: a VPC from an input, an SSM dynamic reference, a Sub. */
function vpcStack(): ProtonTemplateStack {
  const infra = new ProtonTemplateStack('VpcInfra');
  const vpc = new ec2.CfnVPC(infra, 'Vpc', {
    cidrBlock: ProtonInputs.environment('vpc_cidr'),
    tags: [
      { key: 'Name', value: Fn.sub('${AWS::StackName}-' + ProtonInputs.environmentName()) },
      { key: 'Owner', value: '{{resolve:ssm:/platform/owner}}' },
    ],
  });
  new CfnOutput(infra, 'VpcId', { value: vpc.ref });
  return infra;
}

const VPC_INPUTS = { vpc_cidr: TemplateInput.string({ defaultValue: '10.0.0.0/16', pattern: '^[0-9./]+$', description: 'The VPC\'s range' }) };

/** The bundle's files, as the template version registers them. */
function bundleFiles(bundle: TemplateBundle, kind = TemplateKind.ENVIRONMENT, pipeline = false): Record<string, string> {
  const dir = path.dirname(path.dirname(bundle.bind(newStack(), { kind, pipeline }).schemaFile!));
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[path.relative(dir, path.join(entry.parentPath, entry.name))] = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return files;
}

describe('TemplateBundle.fromStack: a template written as a CDK stack', () => {
  test('writes the schema from the declared inputs and the manifest', () => {
    const files = bundleFiles(TemplateBundle.fromStack(vpcStack(), { inputs: VPC_INPUTS }));
    expect(Object.keys(files).sort()).toEqual(['infrastructure/cloudformation.yaml', 'infrastructure/manifest.yaml', 'schema/schema.yaml']);
    expect(load(files['schema/schema.yaml'])).toEqual({
      schema: {
        format: { openapi: '3.0.0' },
        environment_input_type: 'VpcInfraInput',
        types: { VpcInfraInput: { type: 'object', properties: { vpc_cidr: { type: 'string', description: 'The VPC\'s range', default: '10.0.0.0/16', pattern: '^[0-9./]+$' } } } },
      },
    });
    expect(load(files['infrastructure/manifest.yaml'])).toEqual({
      infrastructure: { templates: [{ file: 'cloudformation.yaml', rendering_engine: 'jinja', template_language: 'cloudformation' }] },
    });
  });

  test('renders, through Jinja, to the stack\'s CloudFormation with Proton\'s values, its own {{ }} kept and its outputs', () => {
    const template = bundleFiles(TemplateBundle.fromStack(vpcStack(), { inputs: VPC_INPUTS }))['infrastructure/cloudformation.yaml'];
    expect(template).toContain('{{ environment.inputs.vpc_cidr }}');
    const rendered = JSON.parse(nunjucks.renderString(template, { environment: { name: 'beta', inputs: { vpc_cidr: '10.1.0.0/16' } } }));
    expect(rendered.Resources.Vpc.Properties).toEqual({
      CidrBlock: '10.1.0.0/16',
      Tags: [{ Key: 'Name', Value: { 'Fn::Sub': '${AWS::StackName}-beta' } }, { Key: 'Owner', Value: '{{resolve:ssm:/platform/owner}}' }],
    });
    expect(rendered.Outputs).toEqual({ VpcId: { Value: { Ref: 'Vpc' } } });
    expect(rendered.Parameters).toBeUndefined(); // no bootstrap version: Proton passes no parameters
  });

  test('an unchanged stack is the same bundle; a changed one is another', () => {
    const hashOf = (stack: Stack) => TemplateBundle.fromStack(stack, { inputs: VPC_INPUTS })
      .bind(newStack(), { kind: TemplateKind.ENVIRONMENT }).objectKey;
    expect(hashOf(vpcStack())).toBe(hashOf(vpcStack()));
    const other = vpcStack();
    new s3.CfnBucket(other, 'Logs');
    expect(hashOf(other)).not.toBe(hashOf(vpcStack()));
  });

  test('the specs of environments are checked against the generated schema at synth time', () => {
    const stack = newStack();
    const version = new EnvironmentTemplate(stack, 'Vpc').addVersion('V1', { bundle: TemplateBundle.fromStack(vpcStack(), { inputs: VPC_INPUTS }) });
    new Environment(stack, 'Beta', {
      templateVersion: version, spec: Spec.fromObject({ vpc_cidr: 'ten' }), protonServiceRole: new ProtonServiceRole(stack, 'Role'),
    });
    expect(() => (stack.node.root as App).synth()).toThrow(/spec.vpc_cidr: must match the pattern \^\[0-9\.\/\]\+\$, given "ten"/);
  });

  test('a service template: instance inputs, environment outputs, and the pipeline from a stack of its own', () => {
    const instance = new ProtonTemplateStack('ApiInstance');
    new s3.CfnBucket(instance, 'Data', { bucketName: Fn.join('-', [ProtonInputs.serviceName(), ProtonInputs.serviceInstanceName(), ProtonInputs.environmentOutput('VpcId')]) });
    new CfnOutput(instance, 'Port', { value: ProtonInputs.service('port') });
    const pipeline = new ProtonTemplateStack('ApiPipeline');
    new s3.CfnBucket(pipeline, 'Artifacts', { tags: [{ key: 'test', value: ProtonInputs.pipeline('unit_test_command') }] });
    const files = bundleFiles(TemplateBundle.fromStack(instance, {
      inputs: { port: TemplateInput.number({ defaultValue: 80, minimum: 1, maximum: 65535, integer: true }) },
      pipelineStack: pipeline,
      pipelineInputs: { unit_test_command: TemplateInput.string({ required: true }) },
    }), TemplateKind.SERVICE, true);
    expect(load(files['schema/schema.yaml'])).toMatchObject({
      schema: {
        service_input_type: 'ApiInstanceInput',
        pipeline_input_type: 'ApiPipelineInput',
        types: {
          ApiInstanceInput: { properties: { port: { type: 'integer', default: 80, minimum: 1, maximum: 65535 } } },
          ApiPipelineInput: { properties: { unit_test_command: { type: 'string' } }, required: ['unit_test_command'] },
        },
      },
    });
    const rendered = JSON.parse(nunjucks.renderString(files['instance_infrastructure/cloudformation.yaml'], {
      service: { name: 'orders' }, service_instance: { name: 'beta', inputs: { port: 8080 } }, environment: { outputs: { VpcId: 'vpc-1' } },
    }));
    expect(rendered.Resources.Data.Properties.BucketName).toBe('orders-beta-vpc-1');
    expect(rendered.Outputs.Port.Value).toBe('8080');
    expect(files['pipeline_infrastructure/cloudformation.yaml']).toContain('{{ pipeline.inputs.unit_test_command }}');
  });

  describe('what cannot work fails at synth, naming the construct and the fix', () => {
    const versionOf = (bundle: TemplateBundle) => new EnvironmentTemplate(newStack(), 'Vpc').addVersion('V1', { bundle });

    test('a reference to an input the inputs do not declare', () => {
      expect(() => versionOf(TemplateBundle.fromStack(vpcStack(), { inputs: {} })))
        .toThrow(/TestStack\/Vpc\/V1: the template's stack VpcInfra:\n {2}- it references input vpc_cidr, which the inputs do not declare: declare it \(declared: none\)/);
    });

    test('a service parameter in an environment template', () => {
      const infra = new ProtonTemplateStack('Wrong');
      new s3.CfnBucket(infra, 'B', { bucketName: ProtonInputs.service('name') });
      expect(() => versionOf(TemplateBundle.fromStack(infra)))
        .toThrow(/it references service_instance.inputs.name, which a template's infrastructure cannot: use environment.inputs, environment.name/);
    });

    test('assets, which Proton cannot publish', () => {
      const infra = new ProtonTemplateStack('WithAsset');
      new lambda.Function(infra, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'fixtures', 'component')) });
      expect(() => versionOf(TemplateBundle.fromStack(infra)))
        .toThrow(/the template's stack WithAsset has assets \(.*\): Proton deploys the template as it is and cannot publish them; use inline code/);
    });

    test('a stack of the app itself, which cdk deploy would deploy', () => {
      const stack = newStack();
      const infra = new Stack(stack.node.root, 'Infra');
      expect(() => new EnvironmentTemplate(stack, 'Vpc').addVersion('V1', { bundle: TemplateBundle.fromStack(infra) }))
        .toThrow(/the template's stack Infra is a stack of this app, which cdk deploy would deploy: make it a ProtonTemplateStack/);
    });

    test('a service template with a pipeline and no pipeline stack', () => {
      const stack = newStack();
      const envVersion = new EnvironmentTemplate(stack, 'Vpc').addVersion('V1', { bundle: TemplateBundle.fromStack(vpcStack(), { inputs: VPC_INPUTS }) });
      const template = new ServiceTemplate(stack, 'Api');
      expect(() => template.addVersion('V1', { bundle: TemplateBundle.fromStack(new ProtonTemplateStack('Api')), compatibleEnvironmentTemplates: [envVersion] }))
        .toThrow(/the service template has a Proton pipeline: give pipelineStack/);
    });

    test('a token in the inputs, which the schema file cannot hold', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket');
      expect(() => new EnvironmentTemplate(stack, 'Vpc').addVersion('V1', {
        bundle: TemplateBundle.fromStack(vpcStack(), { inputs: { vpc_cidr: TemplateInput.string({ defaultValue: bucket.bucketName }) } }),
      })).toThrow(/TestStack\/Vpc\/V1: template input "vpc_cidr": names and options must be literal values written into the bundle's schema/);
      expect(() => new EnvironmentTemplate(newStack(), 'Vpc').addVersion('V1', {
        bundle: TemplateBundle.fromStack(vpcStack(), {
          inputs: { ...VPC_INPUTS, count: TemplateInput.number({ maximum: Lazy.number({ produce: () => 3 }) }) },
        }),
      })).toThrow(/template input "count": names and options must be literal/);
    });

    test('a name that is not an input name', () => {
      expect(() => ProtonInputs.environment('vpc-cidr')).toThrow(/"vpc-cidr" is not a Proton input or output name/);
    });
  });
});
