import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Component, ComponentManifest } from '../../../src';
import { COMPONENT_DIR, environmentPlatform, firstResource, newStack } from '../helpers';

const ENV_TYPE = 'Custom::ProtonEnvironment';

describe('output keys', () => {
  test('the handler is given each key read, once and sorted, however often and in whatever order they are read', () => {
    const stack = newStack();
    const env = environmentPlatform(stack).environment('Env');
    env.output('VpcId');
    env.output('ClusterArn');
    env.output('VpcId');
    expect(firstResource(stack, ENV_TYPE).Properties.Outputs).toEqual(['ClusterArn', 'VpcId']);
  });

  test('no output read, no Outputs property', () => {
    const stack = newStack();
    environmentPlatform(stack).environment('Env');
    expect(firstResource(stack, ENV_TYPE).Properties).not.toHaveProperty('Outputs');
  });

  test('fails on a key Proton cannot have, saying where the keys are declared', () => {
    const stack = newStack();
    const { environment } = environmentPlatform(stack);
    const env = environment('Env');
    expect(() => env.output('x'.repeat(1024))).not.toThrow();
    expect(() => env.output('x'.repeat(1025))).toThrow(/TestStack\/Env: output key "x{1025}" is not a Proton output name: use the key the template's outputs declare/);
    const component = new Component(stack, 'Bucket', {
      environment: environment('WithComponents', { componentRole: new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') }) }),
      manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
      templateFile: path.join(COMPONENT_DIR, 'cloudformation.yaml'),
    });
    expect(() => component.output('Bucket.Name')).toThrow(/output key "Bucket.Name" is not a Proton output name: use the key the template file's outputs declare/);
  });
});
