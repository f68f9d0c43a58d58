import { Lazy } from 'aws-cdk-lib';
import { EnvironmentTemplate } from '../../../src';
import { newStack } from '../helpers';

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
