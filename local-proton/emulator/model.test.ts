import * as fs from 'fs';
import * as path from 'path';
import { ProtonModel } from './model';
import { deriveLimits } from '../../scripts/derive-proton-model';
import * as limits from '../../src/proton-limits.generated';

const modelFile = JSON.parse(fs.readFileSync(path.join(__dirname, 'proton-model.json'), 'utf-8'));

describe('the committed derivations of the Proton API model', () => {
  test('src/proton-limits.generated.ts is exactly what the script derives from the shapes in proton-model.json', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'proton-limits.generated.ts'), 'utf-8');
    expect(deriveLimits(modelFile)).toBe(committed);
  });

  test('the generated limits are the model\'s', () => {
    const model = ProtonModel.load();
    expect(limits.RESOURCE_NAME).toEqual({ min: 1, max: 100, pattern: model.shape('ResourceName').pattern });
    expect(new RegExp(limits.RESOURCE_NAME.pattern!).test('my-template_1')).toBe(true);
    expect(new RegExp(limits.TEMPLATE_VERSION_PART.pattern!).test('01')).toBe(false);
    expect(limits.MAX_TAGS).toBe(model.shape('TagList').max);
    expect(limits.COMPATIBLE_ENVIRONMENT_TEMPLATES).toEqual({ min: 1, max: 10 });
  });

  test('every operation names existing shapes, and every error shape has an HTTP status code', () => {
    const model = ProtonModel.load();
    expect(model.operationNames.length).toBeGreaterThan(80);
    for (const name of model.operationNames) {
      const op = model.operation(name)!;
      for (const shape of [op.input, op.output].filter((s): s is string => !!s)) expect(model.shape(shape).type).toBe('structure');
      for (const error of op.errors) expect(model.shape(error).httpStatusCode).toBeGreaterThanOrEqual(400);
    }
    expect(model.idempotencyTokenMember('CreateServiceTemplateVersion')).toBe('clientToken');
    expect(JSON.stringify(modelFile)).not.toContain('documentation');
  });
});
