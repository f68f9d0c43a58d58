import { GetServiceCommand, GetServiceInstanceCommand, ListServiceInstancesCommand, ListTagsForResourceCommand, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import * as YAML from 'js-yaml';
import { context, isCompleteRequest, proton } from './handler-context';
import { ResourceType } from '../../src/custom-resources/contract';
import { serviceHandler } from '../../src/custom-resources/handlers/service';
import { deployment, runs, serviceSpec, specInputs } from '../../src/custom-resources/handlers/service-spec';

const SERVICE_PROPS = {
  Name: 'orders', TemplateName: 'svc', TemplateMajorVersion: '1', Instances: [], RemovalPolicy: 'delete',
};

describe('service specs', () => {
  const service = 'proton: ServiceSpec\npipeline:\n  b: 1\n  a: 2\ninstances:\n  - name: beta\n    environment: beta\n    spec:\n      port: 8080\n      count: 2\n';

  test('reads an instance\'s or the pipeline\'s inputs from a service spec, canonically', () => {
    expect(specInputs(service, { instance: 'beta' })).toBe('{"count":2,"port":8080}');
    expect(specInputs(service, 'pipeline')).toBe('{"a":2,"b":1}');
    expect(specInputs(service, { instance: 'prod' })).toBe('{}');
    // An instance-only document (proton: ServiceSpec with spec:) reads the same way.
    expect(specInputs('proton: ServiceSpec\nspec:\n  port: 8080\n  count: 2\n', { instance: 'beta' })).toBe('{"count":2,"port":8080}');
  });

  test('composes CreateService\'s whole spec from the instances\' and the pipeline\'s documents the stack sends', () => {
    const instance = (name: string, port: number) => ({
      name, environment: `${name}-env`, spec: `proton: "ServiceSpec"\ninstances:\n  - environment: "${name}-env"\n    name: "${name}"\n    spec:\n      port: ${port}\n`,
    });
    const whole = serviceSpec([instance('prod', 80), instance('beta', 8080)], 'proton: "ServiceSpec"\npipeline:\n  unit_test_command: "npm test"\n');
    expect(YAML.load(whole)).toEqual({
      proton: 'ServiceSpec',
      pipeline: { unit_test_command: 'npm test' },
      instances: [{ name: 'beta', environment: 'beta-env', spec: { port: 8080 } }, { name: 'prod', environment: 'prod-env', spec: { port: 80 } }],
    });
    expect(YAML.load(serviceSpec([], undefined))).toEqual({ proton: 'ServiceSpec' });
    // A deploy-time value that broke the document's YAML fails with what to look at, not a parser's stack.
    expect(() => serviceSpec([{ name: 'beta', environment: 'beta', spec: 'spec: "a"b"' }], undefined))
      .toThrow(/^the spec of instance beta is not valid YAML once CloudFormation filled in its values: /);
  });

  test('an instance runs the declared state when its version and inputs match, whatever the key order', () => {
    const running = { templateMajorVersion: '1', templateMinorVersion: '2', spec: service };
    const reordered = 'proton: ServiceSpec\ninstances:\n  - name: beta\n    environment: beta\n    spec: {count: 2, port: 8080}\n';
    expect(runs(running, { majorVersion: '1' }, reordered, { instance: 'beta' })).toBe(true);
    expect(runs(running, { majorVersion: '1', minorVersion: '3' }, reordered, { instance: 'beta' })).toBe(false);
    expect(runs(running, { majorVersion: '1' }, reordered.replace('8080', '9090'), { instance: 'beta' })).toBe(false);
  });

  test('picks the deployment type and sends version numbers only when the version moves', () => {
    const running = { templateMajorVersion: '1', templateMinorVersion: '0' };
    const what = 'instance beta of service orders';
    expect(deployment(running, { majorVersion: '1' }, what)).toEqual({ deploymentType: 'CURRENT_VERSION' });
    expect(deployment(running, { majorVersion: '1', minorVersion: '1' }, what)).toEqual({ deploymentType: 'MINOR_VERSION', templateMajorVersion: '1', templateMinorVersion: '1' });
    expect(deployment(running, { majorVersion: '2' }, what)).toEqual({ deploymentType: 'MAJOR_VERSION', templateMajorVersion: '2', templateMinorVersion: undefined });
  });

  test('refuses to go back to a lower major version, which Proton cannot deploy, saying what to do', () => {
    const running = { templateMajorVersion: '2', templateMinorVersion: '0' };
    expect(() => deployment(running, { majorVersion: '1' }, 'instance beta of service orders'))
      .toThrow(/^instance beta of service orders runs major version 2 and Proton deploys only a higher major version, so it cannot go back to 1\. If this is a rollback, continue it without this resource \(aws cloudformation continue-update-rollback/);
  });
});

describe('service isComplete waits only on what can still succeed', () => {
  const arn = 'arn:aws:proton:us-east-1:111111111111:service/orders';
  const request = (status: string) => {
    proton.on(GetServiceCommand).resolves({ service: { name: 'orders', arn, status } as any });
    proton.on(ListTagsForResourceCommand).resolves({ tags: [] });
    return serviceHandler.isComplete(isCompleteRequest('Update', ResourceType.SERVICE, SERVICE_PROPS, {
      PhysicalResourceId: 'orders', OldResourceProperties: SERVICE_PROPS,
    }), context);
  };

  test('a service being deleted ends the update at once: a Delete has taken charge of it', async () => {
    await expect(request('DELETE_IN_PROGRESS')).rejects.toThrow(/^service orders is being deleted \(DELETE_IN_PROGRESS\): a Delete has taken charge of it/);
    expect(proton.commandCalls(GetServiceCommand)).toHaveLength(1);
  });

  test('a failed update\'s cleanup is polled again later, not waited on', async () => {
    await expect(request('UPDATE_FAILED_CLEANUP_IN_PROGRESS')).resolves.toEqual({ IsComplete: false });
    expect(proton.commandCalls(GetServiceCommand)).toHaveLength(1);
  });
});

describe('service isComplete deploys an instance once per request', () => {
  const arn = 'arn:aws:proton:us-east-1:111111111111:service/orders';
  const spec = (port: number) => `proton: ServiceSpec\ninstances:\n  - name: beta\n    environment: beta\n    spec:\n      port: ${port}\n`;
  const props = (port: number) => ({ ...SERVICE_PROPS, Instances: [{ Name: 'beta', Environment: 'beta', Spec: spec(port) }] });

  test('two executions of one Update (a duplicate delivery) that both read the instance before it deploys send one client token', async () => {
    proton.on(GetServiceCommand).resolves({ service: { name: 'orders', arn, status: 'ACTIVE' } as any });
    proton.on(ListTagsForResourceCommand).resolves({ tags: [] });
    proton.on(ListServiceInstancesCommand).resolves({ serviceInstances: [{ name: 'beta' } as any] });
    proton.on(GetServiceInstanceCommand).resolves({
      serviceInstance: {
        name: 'beta',
        serviceName: 'orders',
        environmentName: 'beta',
        deploymentStatus: 'SUCCEEDED',
        spec: spec(80),
        templateMajorVersion: '1',
        templateMinorVersion: '0',
        lastAttemptedDeploymentId: 'd-1',
      } as any,
    });
    proton.on(UpdateServiceInstanceCommand).resolves({} as any);
    const event = isCompleteRequest('Update', ResourceType.SERVICE, props(8080), { PhysicalResourceId: 'orders', OldResourceProperties: props(80) });
    await serviceHandler.isComplete(event, context);
    await serviceHandler.isComplete({ ...event }, context);
    const tokens = proton.commandCalls(UpdateServiceInstanceCommand).map((call) => call.args[0].input.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f]{40}-[0-9a-f]{23}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });
});
