import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EnvironmentTemplate, TemplateBundle } from '../../../src';
import { bundleCopy, ENV_BUNDLE, environmentTemplateVersion, firstResource, newStack } from '../helpers';

const VERSION_TYPE = 'Custom::ProtonEnvironmentTemplateVersion';

describe('TemplateBundle.fromDirectory checks the bundle at synth', () => {
  test('fails on a missing schema', () => {
    const dir = bundleCopy((d) => fs.rmSync(path.join(d, 'schema'), { recursive: true }));
    expect(() => environmentTemplateVersion(newStack(), dir)).toThrow(/TestStack\/T\/V1: template bundle .* is not a valid environment template bundle:\n {2}- schema\/schema\.yaml is missing: add the schema/);
  });

  test('fails on a manifest naming a missing file', () => {
    const dir = bundleCopy((d) => fs.rmSync(path.join(d, 'infrastructure', 'cloudformation.yaml')));
    expect(() => environmentTemplateVersion(newStack(), dir)).toThrow(/infrastructure\/manifest\.yaml names cloudformation\.yaml but infrastructure\/cloudformation\.yaml does not exist/);
  });

  test('fails on a schema that is not OpenAPI 3.0.0 or names a missing input type, reporting every problem', () => {
    const dir = bundleCopy((d) => fs.writeFileSync(path.join(d, 'schema', 'schema.yaml'),
      'schema:\n  format:\n    openapi: "2.0"\n  environment_input_type: Missing\n  types:\n    Other: {type: object}\n'));
    expect(() => environmentTemplateVersion(newStack(), dir)).toThrow(/openapi to "3\.0\.0" \(found "2\.0"\)[\s\S]*environment_input_type "Missing" but schema\.types has no such type \(it has: Other\)/);
  });

  test('fails on YAML that does not parse', () => {
    const dir = bundleCopy((d) => fs.writeFileSync(path.join(d, 'schema', 'schema.yaml'), 'schema: [unclosed\n'));
    expect(() => environmentTemplateVersion(newStack(), dir)).toThrow(/schema\/schema\.yaml is not valid YAML/);
  });

  test('fails on more files than Proton accepts and on oversized files', () => {
    const many = bundleCopy((d) => {
      for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(d, 'infrastructure', `extra${i}.yaml`), 'x: 1\n');
    });
    expect(() => environmentTemplateVersion(newStack(), many)).toThrow(/it has 11 files, Proton accepts at most 10/);
    const big = bundleCopy((d) => fs.writeFileSync(path.join(d, 'infrastructure', 'cloudformation.yaml'), 'x'.repeat(200 * 1024 + 1)));
    expect(() => environmentTemplateVersion(newStack(), big)).toThrow(/infrastructure\/cloudformation\.yaml is 204801 bytes, Proton accepts at most 204800/);
  });

  test('fails on a directory that does not exist', () => {
    expect(() => environmentTemplateVersion(newStack(), '/nonexistent/bundle')).toThrow(/the directory does not exist/);
  });
});

describe('deterministic bundles', () => {
  const sourceKey = (dir: string) => {
    const stack = newStack();
    environmentTemplateVersion(stack, dir, { templateName: 't' });
    return firstResource(stack, VERSION_TYPE).Properties.SourceKey;
  };

  test('the same content gives the same asset whatever the times and permissions', () => {
    const a = bundleCopy();
    const b = bundleCopy((d) => {
      const file = path.join(d, 'infrastructure', 'cloudformation.yaml');
      fs.utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
      fs.chmodSync(file, 0o600);
    });
    expect(sourceKey(a)).toEqual(sourceKey(b));
  });

  test('a changed file gives a new asset', () => {
    const changed = bundleCopy((d) => fs.appendFileSync(path.join(d, 'infrastructure', 'cloudformation.yaml'), '# changed\n'));
    expect(sourceKey(changed)).not.toEqual(sourceKey(ENV_BUNDLE));
  });
});

describe('TemplateBundle.fromBucket', () => {
  test('registers a bundle from a bucket as it is', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'my-bundles');
    new EnvironmentTemplate(stack, 'T', { templateName: 'from-bucket' })
      .addVersion('V', { bundle: TemplateBundle.fromBucket(bucket, 'env/v1.tar.gz') });
    Template.fromStack(stack).hasResourceProperties(VERSION_TYPE, { SourceBucket: 'my-bundles', SourceKey: 'env/v1.tar.gz' });
  });
});
