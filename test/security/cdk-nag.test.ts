import * as path from 'path';
import { Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildApp } from '../../examples/app';
import {
  AcceptEnvironmentAccountConnection, AccountSettings, Component, ComponentManifest, EnvironmentAccountConnection, ProtonServiceRole,
  Repository, RepositoryProvider, ServiceInstance, ServiceSyncConfig, Spec, TemplateSyncConfig,
} from '../../src';
import { COMPONENT_DIR, CONNECTION_ARN, environmentTemplateVersion, newStack, servicePlatform } from '../constructs/helpers';

/** One stack per construct family, each built by `build`. */
const FAMILIES: Record<string, (stack: Stack) => void> = {
  'environment template and version': (stack) => { environmentTemplateVersion(stack); },
  'service template and version': (stack) => { servicePlatform(stack); },
  'environment': (stack) => { servicePlatform(stack).environment('Beta', { environmentName: 'beta' }); },
  'service with instances and pipeline': (stack) => {
    const { environment, service } = servicePlatform(stack);
    service('Orders', {
      serviceName: 'orders',
      instances: [{ name: 'beta', environment: environment('Beta', { environmentName: 'beta' }), spec: Spec.fromObject({ port: 80 }) }],
      pipeline: { spec: Spec.fromObject({ unit_test_command: 'npm test' }) },
    });
  },
  'standalone service instance': (stack) => {
    const { environment, service } = servicePlatform(stack);
    const orders = service('Orders', { serviceName: 'orders' });
    new ServiceInstance(stack, 'Prod', { service: orders, name: 'prod', environment: environment('ProdEnv', { environmentName: 'prod' }) });
  },
  'component': (stack) => {
    const { environment, service } = servicePlatform(stack);
    const componentRole = new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
    const beta = environment('Beta', { environmentName: 'beta', componentRole });
    const orders = service('Orders', { serviceName: 'orders', instances: [{ name: 'beta', environment: beta }] });
    new Component(stack, 'Bucket', {
      serviceInstance: orders.instance('beta'),
      manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
      templateFile: path.join(COMPONENT_DIR, 'cloudformation.yaml'),
    });
  },
  'repository and sync configs': (stack) => {
    const { envTemplate, environment, service } = servicePlatform(stack);
    const orders = service('Orders', { serviceName: 'orders', instances: [{ name: 'beta', environment: environment('Beta', { environmentName: 'beta' }) }] });
    const repo = new Repository(stack, 'Repo', { provider: RepositoryProvider.GITHUB, repositoryName: 'my-org/proton-templates', connectionArn: CONNECTION_ARN });
    new TemplateSyncConfig(stack, 'EnvSync', { template: envTemplate, repository: repo, branch: 'main', subdirectory: 'vpc-env' });
    new ServiceSyncConfig(stack, 'OrdersSync', { service: orders, repository: repo, branch: 'main', filePath: 'proton-ops.yaml' });
  },
  'account settings': (stack) => {
    new AccountSettings(stack, 'Settings', {
      pipelineServiceRole: new ProtonServiceRole(stack, 'PipelineRole'),
      pipelineProvisioningRepository: { provider: RepositoryProvider.GITHUB, name: 'my-org/pipelines', branch: 'main' },
    });
  },
  'environment account connection and acceptance': (stack) => {
    const role = new ProtonServiceRole(stack, 'Role', { managementAccountId: '222222222222' });
    const connection = new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: '222222222222', environmentName: 'prod', role });
    new AcceptEnvironmentAccountConnection(stack, 'Accept', { connection });
  },
  'Proton service role': (stack) => { new ProtonServiceRole(stack, 'Role'); },
};

/** The AwsSolutions findings cdk-nag leaves unsuppressed in `stack`, as "<rule> at <path>". */
function findings(stack: Stack): string[] {
  Aspects.of(stack).add(new AwsSolutionsChecks());
  const annotations = Annotations.fromStack(stack);
  const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
  return [...annotations.findError('*', pattern), ...annotations.findWarning('*', pattern)]
    .map((m) => `${String(m.entry.data).split(': ')[0]} at ${m.id}`);
}

describe('cdk-nag AwsSolutions', () => {
  test.each(Object.keys(FAMILIES))('%s: no unsuppressed error or warning', (family) => {
    const stack = newStack();
    FAMILIES[family](stack);
    expect(findings(stack)).toEqual([]);
  });

  test('the example app: no unsuppressed error or warning', () => {
    const app = buildApp();
    const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks) expect(findings(stack)).toEqual([]);
  });

  test('each suppression sits on one of the provider\'s own resources, with a reason, never on the stack', () => {
    const stack = newStack();
    FAMILIES['service with instances and pipeline'](stack);
    Template.fromStack(stack);
    expect(stack.templateOptions.metadata?.cdk_nag).toBeUndefined();
    const suppressed = stack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource && c.getMetadata('cdk_nag') !== undefined);
    const provider = 'TestStack/cdk-proton.ProtonProvider';
    expect(suppressed.map((r) => `${r.node.path} ${r.getMetadata('cdk_nag').rules_to_suppress.map((s: any) => s.id).join(',')}`).sort()).toEqual([
      `${provider}/FrameworkOnEventRole/DefaultPolicy/Resource AwsSolutions-IAM5`,
      `${provider}/FrameworkWaiterRole/DefaultPolicy/Resource AwsSolutions-IAM5`,
      `${provider}/ProtonPolicies/Policy1 AwsSolutions-IAM5,AwsSolutions-IAM5,AwsSolutions-IAM5`,
      `${provider}/Provider/framework-isComplete/Resource AwsSolutions-L1`,
      `${provider}/Provider/framework-onEvent/Resource AwsSolutions-L1`,
      `${provider}/Provider/framework-onTimeout/Resource AwsSolutions-L1`,
      `${provider}/Provider/waiter-state-machine/Resource AwsSolutions-SF2`,
      `${provider}/Provider/waiter-state-machine/Role/DefaultPolicy/Resource AwsSolutions-IAM5,AwsSolutions-IAM5`,
    ]);
    for (const resource of suppressed) {
      for (const rule of resource.getMetadata('cdk_nag').rules_to_suppress) expect(rule.reason.length).toBeGreaterThan(40);
    }
  });

  test('what the app adds beside the provider is still checked: a wildcard policy, an old runtime', () => {
    const stack = newStack();
    FAMILIES['service with instances and pipeline'](stack);
    const role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['proton:GetService'], resources: ['*'] }));
    new lambda.Function(stack, 'AppFunction', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = 1'), role });
    const found = findings(stack);
    expect(found).toContainEqual(expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] at \/TestStack\/AppRole\/DefaultPolicy\/Resource/));
    expect(found).toContainEqual(expect.stringMatching(/^AwsSolutions-L1 at \/TestStack\/AppFunction\/Resource/));
    expect(found.filter((f) => f.includes('cdk-proton.ProtonProvider'))).toEqual([]);
  });

  test('the waiter logs every transition without execution data (the event\'s ResponseURL), the handlers write to the provider\'s log groups', () => {
    const stack = newStack();
    environmentTemplateVersion(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [Match.anyValue()] },
    });
    for (const role of Object.values(t.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const functions = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(5);
    for (const fn of functions) expect(fn.Properties.LoggingConfig?.LogGroup).toEqual({ Ref: expect.stringMatching(/Logs/) });
  });
});
