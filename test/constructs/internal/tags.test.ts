import { Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { environmentTemplateVersion, firstResource, newStack } from '../helpers';

const VERSION_TYPE = 'Custom::ProtonEnvironmentTemplateVersion';

describe('Proton tags', () => {
  test('a resource without tags has no Tags property', () => {
    const stack = newStack();
    environmentTemplateVersion(stack);
    expect(firstResource(stack, VERSION_TYPE).Properties).not.toHaveProperty('Tags');
  });

  test('a template version leaves room for the three tags cdk-proton adds to it', () => {
    const tagged = (count: number) => {
      const stack = newStack();
      const version = environmentTemplateVersion(stack);
      for (let i = 0; i < count; i++) Tags.of(version).add(`t${i}`, 'x');
      return () => Template.fromStack(stack);
    };
    expect(tagged(47)).not.toThrow();
    expect(tagged(48)).toThrow(/\[TestStack\/T\/V1\] 48 tags, but Proton takes at most 50 on a resource and cdk-proton adds 3 of its own .*remove 1/);
  });
});
