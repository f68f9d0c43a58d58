import { Construct } from 'constructs';
import { EnvironmentTemplate } from '../../../src';
import { newStack } from '../helpers';

describe('generated names', () => {
  test('keep the characters Proton allows of the construct path below the stack', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(new Construct(stack, 'Team'), 'Vpc Env (shared)!');
    expect(template.templateName).toMatch(/^TestStack-[0-9a-f]{8}-Team-VpcEnvshared-[0-9a-f]{8}$/);
  });

  test('are cut to the 100 characters Proton takes, keeping the stack prefix and the unique hash', () => {
    const stack = newStack();
    const template = new EnvironmentTemplate(stack, 'x'.repeat(150));
    expect(template.templateName).toHaveLength(100);
    expect(template.templateName).toMatch(/^TestStack-[0-9a-f]{8}-x+-[0-9a-f]{8}$/);
  });

  test('are the stack prefix and the hash alone when the path has no character Proton allows', () => {
    const template = new EnvironmentTemplate(newStack(), '(!)');
    expect(template.templateName).toMatch(/^TestStack-[0-9a-f]{8}-[0-9a-f]{8}$/);
  });
});
