import { differing, sameSpec } from '../../src/custom-resources/handlers/adoption';

describe('adoption: what Proton runs against what the stack declares', () => {
  test('specs are the same when they hold the same inputs, however they are written', () => {
    expect(sameSpec('proton: EnvironmentSpec\nspec:\n  a: "1"\n  b: 2\n', 'proton: EnvironmentSpec\nspec: { b: 2, a: \'1\' }  # by hand\n')).toBe(true);
    expect(sameSpec('spec:\n  a: "1"\n', 'spec:\n  a: 1\n')).toBe(false); // a string is not a number
    expect(sameSpec('spec: [', 'spec: [')).toBe(true); // the same text, even when it does not parse
    expect(sameSpec('spec: [', 'spec: []')).toBe(false);
    expect(sameSpec(undefined, 'spec: {}')).toBe(false);
  });

  test('only the differences that stand are reported: equal values and equal specs are not', () => {
    expect(differing([
      ['template', 'a', 'a'],
      ['major version', '1', '2'],
      ['spec', 'spec: { x: 1 }', 'spec:\n  x: 1\n'],
      ['pipeline spec', 'spec: { x: 1 }', 'spec: { x: 2 }'],
    ])).toEqual([['major version', '1', '2'], ['pipeline spec', 'spec: { x: 1 }', 'spec: { x: 2 }']]);
  });
});
