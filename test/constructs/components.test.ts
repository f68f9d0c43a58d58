import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { COMPONENT_DIR, firstResource, newStack, servicePlatform } from './helpers';
import { Component, ComponentManifest, ComponentSource, ServiceInstance, Spec } from '../../src';

/** Environment beta (Beta), with a component role unless `componentRole: false`, and service orders (Orders) with its instance beta there. */
function platform(stack: Stack, options: { componentRole?: boolean; sources?: ComponentSource[] } = {}) {
  const { environment, service } = servicePlatform(stack, options.sources);
  const componentRole = options.componentRole === false ? undefined : new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
  const beta = environment('Beta', { environmentName: 'beta', componentRole });
  const orders = service('Orders', { serviceName: 'orders', instances: [{ name: 'beta', environment: beta }] });
  return { beta, orders };
}

const manifest = () => ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml'));
const templateFile = path.join(COMPONENT_DIR, 'cloudformation.yaml');

describe('Component', () => {
  test('attaches to a service instance with its manifest, template file and service spec', () => {
    const stack = newStack();
    const { orders } = platform(stack);
    const bucket = new Component(stack, 'Bucket', {
      componentName: 'orders-bucket', serviceInstance: orders.instance('beta'), manifest: manifest(), templateFile, spec: Spec.fromObject({ retention_days: 7 }),
    });
    const name = bucket.output('BucketName');
    const props = firstResource(stack, 'Custom::ProtonComponent').Properties;
    expect(props).toMatchObject({
      Name: 'orders-bucket',
      ServiceName: 'orders',
      ServiceInstanceName: 'beta',
      Outputs: ['BucketName'],
      ServiceSpec: 'proton: "ServiceSpec"\ninstances:\n  - name: "beta"\n    spec:\n      retention_days: 7\n',
    });
    expect(props.Manifest).toContain('template_language: cloudformation');
    expect(props.TemplateFile).toContain('AWS::S3::Bucket');
    expect(props.EnvironmentName).toBeUndefined();
    expect(stack.resolve(name)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Bucket/), 'Outputs.BucketName'] });
  });

  test('attached to a standalone ServiceInstance, it is created after that instance', () => {
    const stack = newStack();
    const { beta, orders } = platform(stack);
    const prod = new ServiceInstance(stack, 'Prod', { service: orders, name: 'prod', environment: beta, spec: Spec.fromObject({}) });
    new Component(stack, 'Bucket', { serviceInstance: prod, manifest: manifest(), templateFile });
    const t = Template.fromStack(stack);
    const [instanceId] = Object.keys(t.findResources('Custom::ProtonServiceInstance'));
    expect(firstResource(stack, 'Custom::ProtonComponent').DependsOn).toContain(instanceId);
  });

  test('attaches to an environment', () => {
    const stack = newStack();
    const { beta } = platform(stack);
    new Component(stack, 'Shared', { environment: beta, manifest: manifest(), templateFile });
    Template.fromStack(stack).hasResourceProperties('Custom::ProtonComponent', { EnvironmentName: 'beta' });
  });

  test('fails at synth on what the app shows Proton would refuse', () => {
    const stack = newStack();
    const { beta, orders } = platform(stack);
    expect(() => new Component(stack, 'Both', { environment: beta, serviceInstance: orders.instance('beta'), manifest: manifest(), templateFile }))
      .toThrow(/TestStack\/Both: give exactly one of serviceInstance/);
    expect(() => new Component(stack, 'Spec', { environment: beta, manifest: manifest(), templateFile, spec: Spec.fromObject({}) }))
      .toThrow(/spec gives service inputs, which only a component attached to a service instance has/);
    expect(() => new Component(stack, 'Big', { environment: beta, manifest: ComponentManifest.fromString('x'.repeat(1025)), templateFile }))
      .toThrow(/the component manifest is 1025 characters, Proton takes 1 to 1024/);
    expect(() => new Component(stack, 'NoFile', { environment: beta, manifest: manifest(), templateFile: '/nonexistent.yaml' }))
      .toThrow(/templateFile \/nonexistent.yaml does not exist/);

    const noRole = newStack('NoRole');
    const { beta: betaWithoutRole } = platform(noRole, { componentRole: false });
    expect(() => new Component(noRole, 'C', { environment: betaWithoutRole, manifest: manifest(), templateFile }))
      .toThrow(/environment NoRole\/Beta has no componentRole, so Proton cannot deploy components in it/);

    const noSource = newStack('NoSource');
    const { orders: ordersWithoutSource } = platform(noSource, { sources: [] });
    expect(() => new Component(noSource, 'C', { serviceInstance: ordersWithoutSource.instance('beta'), manifest: manifest(), templateFile }))
      .toThrow(/the service template version of NoSource\/Orders does not list DIRECTLY_DEFINED in supportedComponentSources/);
  });
});
