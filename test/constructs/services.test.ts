import { Template } from 'aws-cdk-lib/assertions';
import { ENV_BUNDLE, firstResource, newStack, protonPolicyStatements, SERVICE_REPOSITORY, servicePlatform } from './helpers';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Service, ServiceInstance, ServiceTemplate, Spec, TemplateBundle } from '../../src';

const SERVICE_TYPE = 'Custom::ProtonService';

describe('Service', () => {
  test('renders per-instance and pipeline specs, instances sorted by name, and output references; no whole spec (the handler composes it)', () => {
    const stack = newStack();
    const { environment, serviceVersion } = servicePlatform(stack);
    const beta = environment('Beta', { environmentName: 'beta' });
    const prod = environment('Prod', { environmentName: 'prod' });
    const api = new Service(stack, 'Orders', {
      serviceName: 'orders',
      templateVersion: serviceVersion,
      instances: [{ name: 'prod', environment: prod, spec: Spec.fromObject({ port: 80 }) }],
      pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
      ...SERVICE_REPOSITORY,
    });
    api.addInstance('beta', { environment: beta, spec: Spec.fromObject({ port: 8080 }) });
    const url = api.instance('beta').output('Url');
    const pipelineUrl = api.pipelineOutput('PipelineUrl');

    const props = firstResource(stack, SERVICE_TYPE).Properties;
    expect(props.Spec).toBeUndefined();
    expect(props.Instances.map((i: any) => [i.Name, i.Environment])).toEqual([['beta', 'beta'], ['prod', 'prod']]);
    expect(props.Instances[0].Spec).toBe('proton: "ServiceSpec"\ninstances:\n  - environment: "beta"\n    name: "beta"\n    spec:\n      port: 8080\n');
    expect(props.PipelineSpec).toBe('proton: "ServiceSpec"\npipeline:\n  unit_test_command: "npm test"\n');
    expect(props).toMatchObject({ Name: 'orders', TemplateName: 'api-svc', RepositoryId: 'my-org/orders', InstanceOutputs: ['beta/Url'], PipelineOutputs: ['PipelineUrl'] });
    expect(stack.resolve(url)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Orders/), 'Instances.beta.Outputs.Url'] });
    expect(stack.resolve(pipelineUrl)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Orders/), 'Pipeline.Outputs.PipelineUrl'] });
    // The service waits for the environments it deploys into.
    const service = firstResource(stack, SERVICE_TYPE);
    expect(service.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Beta/), expect.stringMatching(/^Prod/)]));
  });

  test('fails at synth when the whole spec the handler composes from the instances\' specs is over Proton\'s limit', () => {
    const stack = newStack();
    const { environment, serviceVersion } = servicePlatform(stack);
    const large = Spec.fromObject({ port: 80, notes: 'x'.repeat(30_000) });
    new Service(stack, 'Orders', {
      serviceName: 'orders',
      templateVersion: serviceVersion,
      validate: false,
      ...SERVICE_REPOSITORY,
      instances: [{ name: 'beta', environment: environment('Beta'), spec: large }, { name: 'prod', environment: environment('Prod'), spec: large }],
    });
    expect(() => Template.fromStack(stack)).toThrow(/TestStack\/Orders: the spec is 6\d{4} characters, Proton accepts at most 51200: move large values out of the spec/);
  });

  test('fails at synth on an environment whose template the service template version is not compatible with', () => {
    const stack = newStack();
    const { serviceVersion } = servicePlatform(stack);
    const otherTemplate = new EnvironmentTemplate(stack, 'Other', { templateName: 'other-env' });
    const otherV1 = otherTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    const other = new Environment(stack, 'OtherEnv', { templateVersion: otherV1, spec: Spec.fromObject({}), protonServiceRole: new ProtonServiceRole(stack, 'R') });
    expect(() => new Service(stack, 'Orders', { templateVersion: serviceVersion, instances: [{ name: 'x', environment: other }], ...SERVICE_REPOSITORY }))
      .toThrow(/TestStack\/Orders: instance "x" deploys into environment TestStack\/OtherEnv, whose template other-env is not compatible with the service template version \(compatible: vpc-env\)/);
  });

  test('fails at synth with more than 20 instances', () => {
    const stack = newStack();
    const { environment, service } = servicePlatform(stack);
    const beta = environment('Beta', { environmentName: 'beta' });
    service('Big', { instances: Array.from({ length: 21 }, (_, i) => ({ name: `i${i}`, environment: beta })) });
    expect(() => Template.fromStack(stack)).toThrow(/the service has 21 instances, Proton allows at most 20 per service/);
  });

  test('the repository fields go with a pipeline and only with one', () => {
    const stack = newStack();
    const { serviceVersion } = servicePlatform(stack);
    expect(() => new Service(stack, 'NoRepo', { templateVersion: serviceVersion }))
      .toThrow(/the service template has a Proton pipeline, which builds a repository: give repositoryConnectionArn, repositoryId, branchName/);
    const noPipeline = ServiceTemplate.fromServiceTemplateAttributes(stack, 'NP', { templateName: 'np', pipeline: false });
    expect(() => new Service(stack, 'Repo', { template: noPipeline, majorVersion: '1', ...SERVICE_REPOSITORY }))
      .toThrow(/the service template has no Proton pipeline: remove repositoryConnectionArn, repositoryId, branchName/);
  });

  test('instance names are checked and unique, and instance() names the ones there are', () => {
    const stack = newStack();
    const { environment, service } = servicePlatform(stack);
    const beta = environment('Beta', { environmentName: 'beta' });
    const api = service('Orders', { instances: [{ name: 'beta', environment: beta }] });
    expect(() => api.addInstance('beta', { environment: beta })).toThrow(/already has an instance named "beta"/);
    expect(() => api.addInstance('bad name', { environment: beta })).toThrow(/instance name "bad name" does not match/);
    expect(() => api.instance('prod')).toThrow(/has no instance named "prod": its instances are beta/);
  });

  test('grants the provider the service and its instances, ListServiceInstances and ListComponents on "*" (they take no ARN), and passing its connection to Proton', () => {
    const stack = newStack();
    const { environment, service } = servicePlatform(stack);
    service('Orders', { serviceName: 'orders', instances: [{ name: 'beta', environment: environment('Beta', { environmentName: 'beta' }) }] });
    const statements: any[] = protonPolicyStatements(Template.fromStack(stack));
    const svc = statements.find((s) => ([] as string[]).concat(s.Action).includes('proton:UpdateServiceInstance'));
    expect(JSON.stringify(svc.Resource)).toContain(':service/orders"');
    expect(JSON.stringify(svc.Resource)).toContain(':service/orders/*"');
    expect(svc.Action).not.toContain('proton:ListServiceInstances');
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['proton:ListComponents', 'proton:ListServiceInstances'], Resource: '*' });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'codestar-connections:PassConnection',
      Resource: SERVICE_REPOSITORY.repositoryConnectionArn,
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
    const { environment } = servicePlatform(stack);
    const orders = Service.fromServiceName(stack, 'Orders', 'orders');
    const instance = new ServiceInstance(stack, 'Prod', {
      service: orders, name: 'prod', environment: environment('ProdEnv', { environmentName: 'prod' }), spec: Spec.fromObject({ port: 443 }),
    });
    const url = instance.output('Url');
    const props = firstResource(stack, 'Custom::ProtonServiceInstance').Properties;
    expect(props).toMatchObject({
      ServiceName: 'orders',
      Name: 'prod',
      Environment: 'prod',
      Outputs: ['Url'],
      Spec: 'proton: "ServiceSpec"\ninstances:\n  - environment: "prod"\n    name: "prod"\n    spec:\n      port: 443\n',
    });
    expect(stack.resolve(url)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Prod/), 'Outputs.Url'] });
    expect(() => new ServiceInstance(stack, 'Bad', { service: orders, name: 'prod!', environment: environment('E2', { environmentName: 'e2' }) })).toThrow(/name "prod!" does not match/);
  });
});
