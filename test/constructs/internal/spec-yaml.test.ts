import * as YAML from 'yaml';
import { specYaml } from '../../../src/constructs/internal/spec-yaml';

/** What the specs were written with before: the `yaml` package with the same style options. */
const asYamlPackageWrites = (doc: object) => YAML.stringify(doc, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });

const DOCUMENTS: Array<{ [key: string]: unknown }> = [
  { proton: 'EnvironmentSpec', spec: { vpc_cidr: '10.0.0.0/16', subnets: 3, public: true, owner: null } },
  { proton: 'ServiceSpec', instances: [{ environment: 'beta', name: 'beta', spec: { port: 8080, tags: ['a', 'b'], limits: { cpu: 0.5 } } }], pipeline: {} },
  { proton: 'ServiceSpec', pipeline: { steps: [['build', 'test'], [], {}, [{ name: 'deploy' }]], empty: [] } },
  { proton: 'EnvironmentSpec', spec: { text: 'line one\nline "two"\ttab \\ back', unicode: 'naïve ☃', token: '${Token[TOKEN.123]}', colon: 'a: b # c' } },
  { proton: 'EnvironmentSpec', spec: { big: 1e21, small: -0.000001, negative: -3, tokenNumber: -1.8881545897087626e+289 } },
];

/** Keys the yaml package leaves plain where this writer quotes them (either reads back the same). */
const ODD_KEYS = { proton: 'EnvironmentSpec', spec: { 'odd key': 1, 'dotted.key': 2, 'with-dash': 3, '': 4, 'x: y': 5, '- dash': 6, '#hash': 7 } };

describe('specYaml', () => {
  test.each([...DOCUMENTS, ODD_KEYS].map((doc, i) => [i, doc]))('document %i reads back as the object it was written from', (_i, doc) => {
    expect(YAML.parse(specYaml(doc))).toEqual(doc);
  });

  test.each(DOCUMENTS.map((doc, i) => [i, doc]))('document %i is written as the yaml package writes it', (_i, doc) => {
    expect(specYaml(doc)).toBe(asYamlPackageWrites(doc));
  });

  test('an undefined input is left out, as JSON and the yaml package leave it', () => {
    const doc = { proton: 'EnvironmentSpec', spec: { kept: 'x', dropped: undefined, nested: { gone: undefined } } };
    expect(specYaml(doc)).toBe('proton: "EnvironmentSpec"\nspec:\n  kept: "x"\n  nested: {}\n');
    expect(specYaml(doc)).toBe(asYamlPackageWrites(doc));
  });

  test('keys and strings YAML 1.1 readers would take for something else are quoted, line separators escaped', () => {
    const text = specYaml({ proton: 'EnvironmentSpec', spec: { yes: 'no', on: true, 123: 'n', sep: 'a\u2028b' } });
    expect(text).toBe('proton: "EnvironmentSpec"\nspec:\n  "123": "n"\n  "yes": "no"\n  "on": true\n  sep: "a\\u2028b"\n');
    expect(YAML.parse(text, { version: '1.1' })).toEqual({ proton: 'EnvironmentSpec', spec: { 123: 'n', yes: 'no', on: true, sep: 'a\u2028b' } });
  });
});
