import { Lazy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EnvironmentTemplate, Spec } from '../../../src';
import { environmentPlatform, newStack } from '../helpers';

describe('synth-time checks of strings against Proton\'s limits', () => {
  test('fails on a display name or a description outside the lengths Proton takes', () => {
    expect(() => new EnvironmentTemplate(newStack(), 'Long', { displayName: 'x'.repeat(101) }))
      .toThrow(/TestStack\/Long: displayName "x{101}" is longer than 100 characters \(101\): use 1 to 100 characters/);
    expect(() => new EnvironmentTemplate(newStack(), 'Empty', { displayName: '' }))
      .toThrow(/TestStack\/Empty: displayName "" is shorter than 1 characters: use 1 to 100 characters/);
    expect(() => new EnvironmentTemplate(newStack(), 'Wordy', { description: 'x'.repeat(501) }))
      .toThrow(/TestStack\/Wordy: description "x{501}" is longer than 500 characters \(501\): use at most 500 characters/);
    expect(() => new EnvironmentTemplate(newStack(), 'Fits', { displayName: 'x'.repeat(100), description: 'x'.repeat(500) })).not.toThrow();
  });

  test('leaves a value known only at deploy time to Proton', () => {
    expect(() => new EnvironmentTemplate(newStack(), 'Later', { templateName: Lazy.string({ produce: () => 'not a name!' }) })).not.toThrow();
  });
});

describe('what a user sees of a construct error', () => {
  const PACKAGE_CODE = /[/\\](src|lib)[/\\]/;

  test('a token as a Proton name synthesizes with a warning naming the property and the fix', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    environmentPlatform(stack).environment('Env', { environmentName: bucket.bucketName });
    Annotations.fromStack(stack).hasWarning('/TestStack/Env', Match.stringLikeRegexp(
      'environmentName is known only at deploy time, so Proton checks it only then and a new value replaces the resource: give a literal name'));
  });

  test('a literal name gets no warning', () => {
    const stack = newStack();
    environmentPlatform(stack).environment('Env', { environmentName: 'dev' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('known only at deploy time'));
  });

  test('an error names the construct path and its stack starts in the user\'s code, not in the package\'s sources', () => {
    let error: Error | undefined;
    try {
      new EnvironmentTemplate(newStack(), 'Bad', { templateName: 'not a name!' });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/^TestStack\/Bad: templateName "not a name!"/);
    const frames = error!.stack!.split('\n').filter((line) => /^\s+at /.test(line));
    expect(frames[0]).toContain('validation.test.ts');
    expect(frames.filter((line) => PACKAGE_CODE.test(line) && !line.includes('node_modules'))).toEqual([]);
  });

  test('a spec file that does not exist is reported from the user\'s call, with the fix', () => {
    let error: Error | undefined;
    try {
      Spec.fromFile('nonexistent/spec.yaml');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/spec file .*nonexistent\/spec.yaml does not exist: give the path of a spec file \(relative paths are from /);
    expect(error!.stack!.split('\n').find((line) => /^\s+at /.test(line))).toContain('validation.test.ts');
  });
});
