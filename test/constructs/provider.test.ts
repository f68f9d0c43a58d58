import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  bundleCopy, COMPONENT_DIR, ENV_BUNDLE, environmentTemplateVersion, newStack, protonPolicy, protonPolicyResource, providerHandlers,
  SERVICE_BUNDLE, SERVICE_REPOSITORY,
} from './helpers';
import {
  Component, ComponentManifest, ComponentSource, Environment, EnvironmentTemplate, EnvironmentTemplateVersion, ProtonProvider, ProtonServiceRole,
  Service, ServiceInstance, ServiceTemplate, ServiceTemplateVersion, Spec, TemplateBundle,
} from '../../src';

/**
 * 480 Proton objects of one stack, half with given names and half generated: 30 environment templates with
 * 2 versions each, 20 service templates with 2 versions each, 100 environments (5 Proton service roles),
 * 40 services with 2 instances each, 10 standalone instances, 100 components. Each version has its own bundle.
 */
function platformOf480(stack: Stack): number {
  let count = 0;
  const named = (i: number, name: string) => (i % 2 === 0 ? name : undefined);
  const envVersions: EnvironmentTemplateVersion[] = [];
  for (let t = 0; t < 30; t++) {
    const template = new EnvironmentTemplate(stack, `EnvTemplate${t}`, { templateName: named(t, `platform-env-template-${t}`) });
    count++;
    for (let v = 1; v <= 2; v++) {
      const dir = bundleCopy((d) => fs.appendFileSync(path.join(d, 'infrastructure', 'cloudformation.yaml'), `# ${t}.${v}\n`));
      envVersions.push(template.addVersion(`V${v}`, { bundle: TemplateBundle.fromDirectory(dir) }));
      count++;
    }
  }
  const roles = [0, 1, 2, 3, 4].map((r) => new ProtonServiceRole(stack, `ProtonRole${r}`));
  const componentRole = new iam.Role(stack, 'ComponentRole', { assumedBy: new iam.ServicePrincipal('proton.amazonaws.com') });
  const environments: Environment[] = [];
  for (let e = 0; e < 100; e++) {
    environments.push(new Environment(stack, `Env${e}`, {
      environmentName: named(e, `orders-team-environment-${e}`),
      // Services deploy to the environments of the first two templates' latest versions.
      templateVersion: envVersions[e % 4 < 2 ? 1 + 2 * (e % 2) : e % envVersions.length],
      spec: Spec.fromObject({}),
      protonServiceRole: roles[e % roles.length],
      componentRole,
    }));
    count++;
  }
  const hosts = environments.filter((_env, e) => e % 4 < 2);
  const serviceVersions: ServiceTemplateVersion[] = [];
  for (let t = 0; t < 20; t++) {
    const template = new ServiceTemplate(stack, `SvcTemplate${t}`, { templateName: named(t, `platform-service-template-${t}`) });
    count++;
    for (let v = 1; v <= 2; v++) {
      const dir = bundleCopy((d) => fs.appendFileSync(path.join(d, 'instance_infrastructure', 'cloudformation.yaml'), `# ${t}.${v}\n`), SERVICE_BUNDLE);
      serviceVersions.push(template.addVersion(`V${v}`, {
        bundle: TemplateBundle.fromDirectory(dir),
        compatibleEnvironmentTemplates: [envVersions[1], envVersions[3]],
        supportedComponentSources: [ComponentSource.DIRECTLY_DEFINED],
      }));
      count++;
    }
  }
  for (let s = 0; s < 40; s++) {
    const service = new Service(stack, `Svc${s}`, {
      serviceName: named(s, `orders-service-${s}`),
      templateVersion: serviceVersions[s % serviceVersions.length],
      ...SERVICE_REPOSITORY,
      instances: [0, 1].map((i) => ({ name: `instance-${i}`, environment: hosts[(s + i) % hosts.length] })),
    });
    count += 3;
    if (s < 10) {
      new ServiceInstance(stack, `Standalone${s}`, { service, name: 'standalone', environment: hosts[(s + 2) % hosts.length] });
      count++;
    }
  }
  for (let c = 0; c < 100; c++) {
    new Component(stack, `Component${c}`, {
      componentName: named(c, `orders-component-${c}`),
      environment: environments[c],
      manifest: ComponentManifest.fromFile(path.join(COMPONENT_DIR, 'manifest.yaml')),
      templateFile: path.join(COMPONENT_DIR, 'cloudformation.yaml'),
    });
    count++;
  }
  return count;
}

/**
 * A synthesized policy document as IAM receives it: the partition and role ARNs resolved (a role CloudFormation
 * names is at most 64 characters: the longest is assumed), everything else is literal in a stack with an account and region.
 */
function resolvedForIam(value: any): any {
  if (Array.isArray(value)) return value.map(resolvedForIam);
  if (value === null || typeof value !== 'object') return value;
  if (value.Ref === 'AWS::Partition') return 'aws';
  if (value['Fn::Join']) return (value['Fn::Join'][1] as any[]).map(resolvedForIam).join(value['Fn::Join'][0]);
  if (value['Fn::GetAtt']?.[1] === 'Arn' && /Role/.test(value['Fn::GetAtt'][0])) return `arn:aws:iam::111111111111:role/${'r'.repeat(64)}`;
  const keys = Object.keys(value);
  if (keys.some((k) => k.startsWith('Fn::') || k === 'Ref')) throw new Error(`unresolved in the policy: ${JSON.stringify(value)}`);
  return Object.fromEntries(keys.map((k) => [k, resolvedForIam(value[k])]));
}

describe('ProtonProvider permissions', () => {
  test('grants template version actions on the declared templates only, and s3:GetObject on their bundles', () => {
    const stack = newStack();
    environmentTemplateVersion(stack, ENV_BUNDLE, { templateName: 'vpc-env' });
    const doc = protonPolicy(Template.fromStack(stack));
    const json = JSON.stringify(doc);

    const proton = doc.Statement.find((s: any) => ([] as string[]).concat(s.Action).includes('proton:CreateEnvironmentTemplateVersion'));
    expect(proton.Effect).toBe('Allow');
    expect(proton.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:111111111111:environment-template/vpc-env']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:111111111111:environment-template/vpc-env:*']] },
    ]);
    const s3 = doc.Statement.find((s: any) => s.Action === 's3:GetObject');
    expect(([] as unknown[]).concat(s3.Resource)).toHaveLength(1);
    expect(JSON.stringify(s3.Resource)).toMatch(/cdk-hnb659fds-assets-111111111111-us-east-1\/[0-9a-f]{64}\.gz/);
    // Never proton:* nor anything on "*".
    expect(json).not.toMatch(/"proton:\*"/);
    expect(doc.Statement.every((s: any) => s.Resource !== '*')).toBe(true);
  });

  test('the handler functions do not run before their policy exists', () => {
    const stack = newStack();
    environmentTemplateVersion(stack);
    const t = Template.fromStack(stack);
    const [policyId] = protonPolicyResource(t);
    const handlers = providerHandlers(t);
    expect(handlers).toHaveLength(2);
    for (const handler of handlers) expect(handler.DependsOn).toContain(policyId);
  });

  test('both handler functions run one asset, each its own export of it', () => {
    const stack = newStack();
    environmentTemplateVersion(stack);
    const handlers = providerHandlers(Template.fromStack(stack));
    expect(handlers.map((f) => f.Properties.Handler).sort()).toEqual(['index.isComplete', 'index.onEvent']);
    expect(new Set(handlers.map((f) => JSON.stringify(f.Properties.Code))).size).toBe(1);
  });

  test('stays within the IAM managed policy size with 400 Proton objects in one stack', () => {
    const stack = newStack();
    for (let i = 0; i < 200; i++) {
      // Distinct bundles: each one is a separate asset object to read.
      const dir = bundleCopy((d) => fs.appendFileSync(path.join(d, 'infrastructure', 'cloudformation.yaml'), `# ${i}\n`));
      new EnvironmentTemplate(stack, `Template${i}`).addVersion('V1', { bundle: TemplateBundle.fromDirectory(dir) });
    }
    const doc = protonPolicy(Template.fromStack(stack));
    // IAM counts the policy without white space; tokens are still CloudFormation functions here,
    // which are longer than the ARNs they become, so this over-estimates.
    expect(JSON.stringify(doc).length).toBeLessThan(6_144);
    const proton = doc.Statement.find((s: any) => ([] as string[]).concat(s.Action).includes('proton:CreateEnvironmentTemplateVersion'));
    // One prefix grant covers every generated name of the stack.
    expect(JSON.stringify(proton.Resource)).toMatch(/environment-template\/TestStack-[0-9a-f]{8}-\*/);
    expect(([] as unknown[]).concat(proton.Resource)).toHaveLength(1);
  });

  test('stays within IAM\'s size limits with 480 Proton objects of a realistic mix in one stack', () => {
    const stack = newStack();
    expect(platformOf480(stack)).toBe(480);
    const t = Template.fromStack(stack);
    const policies = Object.values(t.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('^cdk-proton: ') } }));
    // IAM: a managed policy holds at most 6,144 characters without white space; a role takes 10 managed policies.
    const sizes = policies.map((p) => JSON.stringify(resolvedForIam(p.Properties.PolicyDocument)).length);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(6_144);
    expect(sizes.length).toBeGreaterThan(1);
    // Split, not dropped: every given name is granted, and the generated ones by the stack's prefix.
    const all = JSON.stringify(policies.map((p) => resolvedForIam(p.Properties.PolicyDocument)));
    for (const given of ['environment-template/platform-env-template-28', 'service-template/platform-service-template-18', 'environment/orders-team-environment-98',
      'service/orders-service-38/*', 'component/orders-component-98']) {
      expect(all).toContain(`:proton:us-east-1:111111111111:${given}"`);
    }
    expect(all).toMatch(/:proton:us-east-1:111111111111:environment\/TestStack-[0-9a-f]{8}-\*"/);
    const [providerRole] = Object.entries(t.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('cdkprotonProtonProviderRole'))!;
    const attached = policies.filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: providerRole }]));
    expect(attached).toHaveLength(policies.length);
    expect(policies.length + (t.toJSON().Resources[providerRole].Properties.ManagedPolicyArns ?? []).length).toBeLessThanOrEqual(10);
  });

  test('the policy\'s logical id follows its grants, so the grants a replaced or removed resource needs outlive it until cleanup', () => {
    const build = (templateName: string) => {
      const stack = newStack();
      environmentTemplateVersion(stack, ENV_BUNDLE, { templateName });
      return protonPolicyResource(Template.fromStack(stack))[0];
    };
    expect(build('vpc-env')).toBe(build('vpc-env'));
    expect(build('vpc-env')).not.toBe(build('vpc-env-renamed'));
    expect(build('vpc-env')).toMatch(/^ProtonPolicy[0-9A-F]{8}$/);
  });

  test('every Proton resource depends on every policy directly, so cleanup and rollback delete it before its grants', () => {
    const stack = newStack();
    platformOf480(stack);
    const t = Template.fromStack(stack).toJSON();
    const policyIds = Object.keys(t.Resources).filter((id) => id.startsWith('ProtonPolicy'));
    expect(policyIds.length).toBeGreaterThan(1);
    const proton = Object.values<any>(t.Resources).filter((r) => r.Type.startsWith('Custom::Proton'));
    expect(new Set(proton.map((r) => r.Type))).toEqual(new Set(['Custom::ProtonEnvironmentTemplateVersion', 'Custom::ProtonServiceTemplateVersion',
      'Custom::ProtonEnvironment', 'Custom::ProtonService', 'Custom::ProtonServiceInstance', 'Custom::ProtonComponent']));
    for (const resource of proton) expect(resource.DependsOn).toEqual(expect.arrayContaining(policyIds));
  });

  test('totalTimeout is configurable up to one hour, before the first Proton construct', () => {
    const stack = newStack();
    expect(() => ProtonProvider.configure(stack, { totalTimeout: Duration.minutes(61) }))
      .toThrow(/totalTimeout 1 hour 1 minute is longer than CloudFormation waits for a custom resource: use at most 1 hour/);
    const provider = ProtonProvider.configure(stack, { totalTimeout: Duration.hours(1) });
    expect(ProtonProvider.of(stack)).toBe(provider);
    expect(() => ProtonProvider.configure(stack, {})).toThrow(/call ProtonProvider.configure\(\) before declaring any Proton construct/);
  });
});
