import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ENV_BUNDLE, newStack, protonPolicyStatements, SERVICE_BUNDLE } from './helpers';
import {
  ComponentSource, Environment, EnvironmentTemplate, ProtonServiceRole, Provisioning, Service,
  ServiceInstance, ServiceTemplate, Spec, TemplateBundle,
} from '../../src';

const SERVICE_TYPE = 'Custom::ProtonService';
const SVC_VERSION_TYPE = 'Custom::ProtonServiceTemplateVersion';
const REPO = { repositoryConnectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc', repositoryId: 'my-org/orders', branchName: 'main' };

function platform(stack: Stack) {
  const envTemplate = new EnvironmentTemplate(stack, 'VpcEnv', { templateName: 'vpc-env' });
  const envV1 = envTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  const role = new ProtonServiceRole(stack, 'ProtonRole');
  const env = (id: string, name: string) => new Environment(stack, id, {
    environmentName: name, templateVersion: envV1, spec: Spec.fromObject({}), protonServiceRole: role,
  });
  const svcTemplate = new ServiceTemplate(stack, 'Api', { templateName: 'api-svc' });
  const svcV1 = svcTemplate.addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE),
    compatibleEnvironmentTemplates: [envV1],
    supportedComponentSources: [ComponentSource.DIRECTLY_DEFINED],
  });
  return { envTemplate, envV1, env, svcTemplate, svcV1 };
}

const serviceProps = (stack: Stack) => Object.values(Template.fromStack(stack).findResources(SERVICE_TYPE))[0].Properties;

describe('ServiceTemplate', () => {
  test('declares the native template and registers versions with their compatible environment templates', () => {
    const stack = newStack();
    const { svcV1 } = platform(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Proton::ServiceTemplate', { Name: 'api-svc' });
    const props = Object.values(t.findResources(SVC_VERSION_TYPE))[0].Properties;
    expect(props).toMatchObject({
      TemplateName: 'api-svc',
      CompatibleEnvironmentTemplates: [{ templateName: 'vpc-env', majorVersion: { 'Fn::GetAtt': [expect.stringMatching(/^VpcEnvV1/), 'MajorVersion'] } }],
      SupportedComponentSources: ['DIRECTLY_DEFINED'],
    });
    expect(stack.resolve(svcV1.minorVersion)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiV1/), 'MinorVersion'] });
  });

  test('checks the service bundle: instance infrastructure always, pipeline infrastructure when the template has a pipeline', () => {
    const stack = newStack();
    const { envV1 } = platform(stack);
    const noPipeline = fs.mkdtempSync(path.join(os.tmpdir(), 'svc-'));
    fs.cpSync(SERVICE_BUNDLE, noPipeline, { recursive: true });
    fs.rmSync(path.join(noPipeline, 'pipeline_infrastructure'), { recursive: true });
    expect(() => new ServiceTemplate(stack, 'WithPipeline').addVersion('V1', { bundle: TemplateBundle.fromDirectory(noPipeline), compatibleEnvironmentTemplates: [envV1] }))
      .toThrow(/pipeline_infrastructure\/manifest\.yaml is missing/);
    new ServiceTemplate(stack, 'NoPipeline', { pipelineProvisioning: Provisioning.CUSTOMER_MANAGED })
      .addVersion('V1', { bundle: TemplateBundle.fromDirectory(noPipeline), compatibleEnvironmentTemplates: [envV1] });
    Template.fromStack(stack).hasResourceProperties('AWS::Proton::ServiceTemplate', { PipelineProvisioning: 'CUSTOMER_MANAGED' });
  });

  test('fails on 0 or more than 10 compatible environment templates', () => {
    const stack = newStack();
    const { envV1, svcTemplate } = platform(stack);
    expect(() => svcTemplate.addVersion('Empty', { bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: [] }))
      .toThrow(/compatibleEnvironmentTemplates has 0 entries, Proton takes 1 to 10/);
    expect(() => svcTemplate.addVersion('Many', { bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: Array(11).fill(envV1) }))
      .toThrow(/has 11 entries/);
  });

  test('imports a service template by name', () => {
    const stack = newStack();
    const imported = ServiceTemplate.fromServiceTemplateName(stack, 'T', 'shared-svc');
    expect(imported.pipeline).toBe(true);
    expect(ServiceTemplate.fromServiceTemplateArn(stack, 'A', 'arn:aws:proton:us-east-1:111111111111:service-template/x').templateName).toBe('x');
  });
});

describe('Service', () => {
  test('renders the service spec with instances sorted by name, per-instance and pipeline specs, and output references', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    const beta = env('Beta', 'beta');
    const prod = env('Prod', 'prod');
    const api = new Service(stack, 'Orders', {
      serviceName: 'orders',
      templateVersion: svcV1,
      instances: [{ name: 'prod', environment: prod, spec: Spec.fromObject({ port: 80 }) }],
      pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
      ...REPO,
    });
    api.addInstance('beta', { environment: beta, spec: Spec.fromObject({ port: 8080 }) });
    const url = api.instance('beta').output('Url');
    const pipelineUrl = api.pipelineOutput('PipelineUrl');

    const props = serviceProps(stack);
    expect(props.Spec).toBe([
      'proton: "ServiceSpec"',
      'instances:',
      '  - environment: "beta"', '    name: "beta"', '    spec:', '      port: 8080',
      '  - environment: "prod"', '    name: "prod"', '    spec:', '      port: 80',
      'pipeline:', '  unit_test_command: "npm test"', '',
    ].join('\n'));
    expect(props.Instances.map((i: any) => [i.Name, i.Environment])).toEqual([['beta', 'beta'], ['prod', 'prod']]);
    expect(props.Instances[0].Spec).toBe('proton: "ServiceSpec"\ninstances:\n  - environment: "beta"\n    name: "beta"\n    spec:\n      port: 8080\n');
    expect(props.PipelineSpec).toBe('proton: "ServiceSpec"\npipeline:\n  unit_test_command: "npm test"\n');
    expect(props).toMatchObject({ Name: 'orders', TemplateName: 'api-svc', RepositoryId: 'my-org/orders', InstanceOutputs: ['beta/Url'], PipelineOutputs: ['PipelineUrl'] });
    expect(stack.resolve(url)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Orders/), 'Instances.beta.Outputs.Url'] });
    expect(stack.resolve(pipelineUrl)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Orders/), 'Pipeline.Outputs.PipelineUrl'] });
    // The service waits for the environments it deploys into.
    const service = Object.values(Template.fromStack(stack).findResources(SERVICE_TYPE))[0];
    expect(service.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Beta/), expect.stringMatching(/^Prod/)]));
  });

  test('fails at synth on an environment whose template the service template version is not compatible with', () => {
    const stack = newStack();
    const { svcV1 } = platform(stack);
    const otherTemplate = new EnvironmentTemplate(stack, 'Other', { templateName: 'other-env' });
    const otherV1 = otherTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    const other = new Environment(stack, 'OtherEnv', { templateVersion: otherV1, spec: Spec.fromObject({}), protonServiceRole: new ProtonServiceRole(stack, 'R') });
    expect(() => new Service(stack, 'Orders', { templateVersion: svcV1, instances: [{ name: 'x', environment: other }], ...REPO }))
      .toThrow(/TestStack\/Orders: instance "x" deploys into environment TestStack\/OtherEnv, whose template other-env is not compatible with the service template version \(compatible: vpc-env\)/);
  });

  test('fails at synth with more than 20 instances', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    const beta = env('Beta', 'beta');
    new Service(stack, 'Big', {
      templateVersion: svcV1,
      ...REPO,
      instances: Array.from({ length: 21 }, (_, i) => ({ name: `i${i}`, environment: beta })),
    });
    expect(() => Template.fromStack(stack)).toThrow(/the service has 21 instances, Proton allows at most 20 per service/);
  });

  test('the repository fields go with a pipeline and only with one', () => {
    const stack = newStack();
    const { svcV1 } = platform(stack);
    expect(() => new Service(stack, 'NoRepo', { templateVersion: svcV1 }))
      .toThrow(/the service template has a Proton pipeline, which builds a repository: give repositoryConnectionArn, repositoryId, branchName/);
    const noPipeline = ServiceTemplate.fromServiceTemplateAttributes(stack, 'NP', { templateName: 'np', pipeline: false });
    expect(() => new Service(stack, 'Repo', { template: noPipeline, majorVersion: '1', ...REPO }))
      .toThrow(/the service template has no Proton pipeline: remove repositoryConnectionArn, repositoryId, branchName/);
  });

  test('instance names are checked and unique, and instance() names the ones there are', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    const beta = env('Beta', 'beta');
    const api = new Service(stack, 'Orders', { templateVersion: svcV1, ...REPO, instances: [{ name: 'beta', environment: beta }] });
    expect(() => api.addInstance('beta', { environment: beta })).toThrow(/already has an instance named "beta"/);
    expect(() => api.addInstance('bad name', { environment: beta })).toThrow(/instance name "bad name" does not match/);
    expect(() => api.instance('prod')).toThrow(/has no instance named "prod": its instances are beta/);
  });

  test('grants the provider the service and its instances, ListServiceInstances and ListComponents on "*" (they take no ARN), and passing its connection to Proton', () => {
    const stack = newStack();
    const { env, svcV1 } = platform(stack);
    new Service(stack, 'Orders', { serviceName: 'orders', templateVersion: svcV1, ...REPO, instances: [{ name: 'beta', environment: env('Beta', 'beta') }] });
    const statements: any[] = protonPolicyStatements(Template.fromStack(stack));
    const svc = statements.find((s) => ([] as string[]).concat(s.Action).includes('proton:UpdateServiceInstance'));
    expect(JSON.stringify(svc.Resource)).toContain(':service/orders"');
    expect(JSON.stringify(svc.Resource)).toContain(':service/orders/*"');
    expect(svc.Action).not.toContain('proton:ListServiceInstances');
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['proton:ListComponents', 'proton:ListServiceInstances'], Resource: '*' });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'codestar-connections:PassConnection',
      Resource: REPO.repositoryConnectionArn,
      Condition: { StringEquals: { 'codestar-connections:PassedToService': 'proton.amazonaws.com' } },
    });
  });

  test('imports a service by name', () => {
    const stack = newStack();
    expect(Service.fromServiceArn(stack, 'S', 'arn:aws:proton:us-east-1:111111111111:service/orders').serviceName).toBe('orders');
  });
});

describe('ServiceInstance', () => {
  test('adds an instance to a service defined elsewhere, with its own spec document and outputs', () => {
    const stack = newStack();
    const { env } = platform(stack);
    const orders = Service.fromServiceName(stack, 'Orders', 'orders');
    const instance = new ServiceInstance(stack, 'Prod', {
      service: orders, name: 'prod', environment: env('ProdEnv', 'prod'), spec: Spec.fromObject({ port: 443 }),
    });
    const url = instance.output('Url');
    const props = Object.values(Template.fromStack(stack).findResources('Custom::ProtonServiceInstance'))[0].Properties;
    expect(props).toMatchObject({
      ServiceName: 'orders',
      Name: 'prod',
      Environment: 'prod',
      Outputs: ['Url'],
      Spec: 'proton: "ServiceSpec"\ninstances:\n  - environment: "prod"\n    name: "prod"\n    spec:\n      port: 443\n',
    });
    expect(stack.resolve(url)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Prod/), 'Outputs.Url'] });
    expect(() => new ServiceInstance(stack, 'Bad', { service: orders, name: 'prod!', environment: env('E2', 'e2') })).toThrow(/name "prod!" does not match/);
  });
});
