import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { bundleCopy, ENV_BUNDLE, environmentTemplateVersion, newStack, protonPolicy, protonPolicyResource, providerHandlers } from './helpers';
import { EnvironmentTemplate, ProtonProvider, TemplateBundle } from '../../src';

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

  test('every Proton resource depends on the policy directly, so cleanup and rollback delete it before its grants', () => {
    const stack = newStack();
    environmentTemplateVersion(stack);
    const t = Template.fromStack(stack);
    const [policyId] = protonPolicyResource(t);
    const versions = Object.values(t.findResources('Custom::ProtonEnvironmentTemplateVersion'));
    expect(versions).toHaveLength(1);
    expect(versions[0].DependsOn).toContain(policyId);
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
