import { Environment, EnvironmentTemplate, ProtonServiceRole, Spec } from '../../../src';
import { environmentPlatform, firstResource, newStack } from '../helpers';

describe('pinning the template version an environment or a service deploys', () => {
  test('fails when given a template version and a template, or version numbers next to a template version', () => {
    const stack = newStack();
    const { envTemplate, environment } = environmentPlatform(stack);
    expect(() => environment('Both', { template: envTemplate, majorVersion: '1' }))
      .toThrow('TestStack/Both: give either templateVersion or template with majorVersion, not both');
    expect(() => environment('Numbers', { minorVersion: '2' }))
      .toThrow('TestStack/Numbers: majorVersion and minorVersion come from templateVersion: remove them, or pass template instead');
  });

  test('checks the minor version as it checks the major one, and leaves it out to deploy the recommended one', () => {
    const stack = newStack();
    const role = new ProtonServiceRole(stack, 'Role');
    const shared = EnvironmentTemplate.fromEnvironmentTemplateName(stack, 'Shared', 'shared-env');
    expect(() => new Environment(stack, 'BadMinor', { template: shared, majorVersion: '1', minorVersion: '01', spec: Spec.fromObject({}), protonServiceRole: role }))
      .toThrow(/TestStack\/BadMinor: minorVersion "01" does not match/);
    new Environment(stack, 'Recommended', { template: shared, majorVersion: '1', spec: Spec.fromObject({}), protonServiceRole: role });
    const props = firstResource(stack, 'Custom::ProtonEnvironment').Properties;
    expect(props).toMatchObject({ TemplateName: 'shared-env', TemplateMajorVersion: '1' });
    expect(props).not.toHaveProperty('TemplateMinorVersion');
  });
});
