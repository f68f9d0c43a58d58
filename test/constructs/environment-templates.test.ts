import * as fs from 'fs';
import * as path from 'path';
import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { bundleCopy, ENV_BUNDLE, newStack, providerHandlers } from './helpers';
import { EnvironmentTemplate, EnvironmentTemplateVersion, TemplateBundle } from '../../src';

const VERSION_TYPE = 'Custom::ProtonEnvironmentTemplateVersion';

describe('EnvironmentTemplate', () => {
  test('declares the native template and a version registered from a tar.gz asset', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(stack, 'VpcEnv', { templateName: 'vpc-env', displayName: 'VPC environment' });
    const v1 = template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), description: 'first' });

    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Proton::EnvironmentTemplate', { Name: 'vpc-env', DisplayName: 'VPC environment' });
    const versions = t.findResources(VERSION_TYPE);
    expect(Object.keys(versions)).toHaveLength(1);
    const [version] = Object.values(versions);
    expect(version.Properties).toMatchObject({
      TemplateName: 'vpc-env',
      Description: 'first',
      Publish: 'true',
      RemovalPolicy: 'delete',
      SourceKey: expect.stringMatching(/^[0-9a-f]{64}\.gz$/),
    });
    expect(version.Properties.MajorVersion).toBeUndefined();
    expect(version.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^VpcEnv/)]));
    // Proton assigns the numbers: they are attributes of the custom resource.
    expect(stack.resolve(v1.majorVersion)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VpcEnvV1/), 'MajorVersion'] });
    expect(stack.resolve(v1.minorVersion)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VpcEnvV1/), 'MinorVersion'] });
  });

  test('runs the bundled handlers on a supported Node.js runtime behind one provider per stack', () => {
    const stack = newStack();
    const a = new EnvironmentTemplate(stack, 'A');
    a.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    a.addVersion('V2', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), majorVersion: '1' });

    const t = Template.fromStack(stack);
    expect(providerHandlers(t).map((f) => f.Properties.Runtime).sort()).toEqual(['nodejs24.x', 'nodejs24.x']);
    const tokens = new Set(Object.values(t.findResources(VERSION_TYPE)).map((r) => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
  });

  test('generates a unique name starting with the stack prefix when none is given', () => {
    const stack = newStack('Platform');
    const a = new EnvironmentTemplate(stack, 'VpcEnv');
    const b = new EnvironmentTemplate(stack, 'Other');
    expect(a.templateName).toMatch(/^Platform-[0-9a-f]{8}-VpcEnv-[0-9a-f]{8}$/);
    expect(a.templateName).not.toEqual(b.templateName);
    expect(a.templateName.length).toBeLessThanOrEqual(100);
    // Stable across synths of the same app.
    expect(new EnvironmentTemplate(newStack('Platform'), 'VpcEnv').templateName).toEqual(a.templateName);
  });

  test('imports a template by name and by ARN, and registers versions of it', () => {
    const stack = newStack();
    const byName = EnvironmentTemplate.fromEnvironmentTemplateName(stack, 'ByName', 'shared-env');
    const byArn = EnvironmentTemplate.fromEnvironmentTemplateArn(stack, 'ByArn',
      'arn:aws:proton:us-east-1:111111111111:environment-template/other-env');
    expect(byArn.templateName).toBe('other-env');
    expect(stack.resolve(byName.templateArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':proton:us-east-1:111111111111:environment-template/shared-env']],
    });
    new EnvironmentTemplateVersion(stack, 'V', { template: byName, bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    Template.fromStack(stack).hasResourceProperties(VERSION_TYPE, { TemplateName: 'shared-env' });
    Template.fromStack(stack).resourceCountIs('AWS::Proton::EnvironmentTemplate', 0);
  });

  test('retains template and versions in Proton with RemovalPolicy.RETAIN', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(stack, 'T', { removalPolicy: RemovalPolicy.RETAIN });
    template.addVersion('V', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), removalPolicy: RemovalPolicy.RETAIN, publish: false });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::Proton::EnvironmentTemplate', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    t.hasResource(VERSION_TYPE, { DeletionPolicy: 'Retain', Properties: Match.objectLike({ RemovalPolicy: 'retain', Publish: 'false' }) });
  });

  test('passes tags to the template and its versions', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(stack, 'T');
    template.addVersion('V', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    Tags.of(stack).add('team', 'platform');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Proton::EnvironmentTemplate', { Tags: [{ Key: 'team', Value: 'platform' }] });
    t.hasResourceProperties(VERSION_TYPE, { Tags: [{ key: 'team', value: 'platform' }] });
  });

  test('grantRead lets a principal read the template and its versions', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(stack, 'T', { templateName: 'vpc-env' });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    template.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['proton:GetEnvironmentTemplate', 'proton:ListEnvironmentTemplateVersions', 'proton:GetEnvironmentTemplateVersion'],
          Resource: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^T'), 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^T'), 'Arn'] }, ':*']] },
          ],
        }],
      },
    });
  });

  test('customer-managed templates take a schema-only bundle', () => {
    const stack = newStack();
    const schemaOnly = bundleCopy((dir) => fs.rmSync(path.join(dir, 'infrastructure'), { recursive: true }));
    const template = new EnvironmentTemplate(stack, 'T', { customerManaged: true });
    template.addVersion('V', { bundle: TemplateBundle.fromDirectory(schemaOnly) });
    Template.fromStack(stack).hasResourceProperties('AWS::Proton::EnvironmentTemplate', { Provisioning: 'CUSTOMER_MANAGED' });
    expect(() => new EnvironmentTemplate(stack, 'Standard').addVersion('V', { bundle: TemplateBundle.fromDirectory(schemaOnly) }))
      .toThrow(/infrastructure\/manifest\.yaml is missing/);
  });
});

describe('synth-time checks', () => {
  test('fails on a template name Proton refuses, naming the construct, the value and the fix', () => {
    expect(() => new EnvironmentTemplate(newStack(), 'Bad', { templateName: 'vpc env!' }))
      .toThrow(/TestStack\/Bad: templateName "vpc env!" does not match .* use 1 to 100 letters, digits, hyphens and underscores/);
    expect(() => new EnvironmentTemplate(newStack(), 'Long', { templateName: 'a'.repeat(101) }))
      .toThrow(/templateName "a{101}" is longer than 100 characters/);
    expect(() => new EnvironmentTemplate(newStack(), 'Dash', { templateName: '-leading' })).toThrow(/does not match/);
  });

  test('fails on a major version that is not a number string', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(stack, 'T');
    expect(() => template.addVersion('V', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), majorVersion: 'v1' }))
      .toThrow(/TestStack\/T\/V: majorVersion "v1" does not match .*whole number string/);
    expect(() => template.addVersion('W', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), majorVersion: '01' })).toThrow(/majorVersion "01"/);
  });

  test('a version naming a major version registers after its siblings that start one', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(stack, 'T', { templateName: 'vpc-env' });
    // Declared before the version whose major it names: the order of declaration does not matter.
    template.addVersion('Hotfix', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), majorVersion: '1' });
    template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    template.addVersion('V2', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    const versions = Template.fromStack(stack).findResources('Custom::ProtonEnvironmentTemplateVersion');
    const dependsOn = (prefix: string) => {
      const [, resource] = Object.entries(versions).find(([id]) => id.startsWith(prefix))!;
      return (resource.DependsOn as string[]).filter((id) => id in versions).map((id) => id.replace(/[0-9A-F]{8}$/, ''));
    };
    expect(dependsOn('THotfix').sort()).toEqual(['TV1', 'TV2']);
    expect(dependsOn('TV1')).toEqual([]);
    expect(dependsOn('TV2')).toEqual([]);
  });
});

describe('adopting a template version', () => {
  test('adopt sends the bundle\'s schema, and needs majorVersion and a bundle the app can read', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(stack, 'Vpc', { templateName: 'vpc' });
    template.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), majorVersion: '1', adopt: true });
    Template.fromStack(stack).hasResourceProperties('Custom::ProtonEnvironmentTemplateVersion', {
      Adopt: 'true', AdoptSchema: fs.readFileSync(path.join(ENV_BUNDLE, 'schema', 'schema.yaml'), 'utf8'),
    });
    expect(() => template.addVersion('V2', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE), adopt: true }))
      .toThrow(/TestStack\/Vpc\/V2: adopt takes over a version of majorVersion whose schema is the bundle's: give majorVersion/);
    const bucket = s3.Bucket.fromBucketName(stack, 'Bundles', 'bundles');
    expect(() => template.addVersion('V3', { bundle: TemplateBundle.fromBucket(bucket, 'v.tar.gz'), majorVersion: '1', adopt: true }))
      .toThrow(/adopt compares the bundle's schema with Proton's versions: use a bundle the app can read/);
  });
});
