import { ROWS } from './rows';
import { ResourceType } from '../../src/custom-resources/contract';

test('the fault suite has one row per custom resource type, and none for a type that does not exist', () => {
  expect(Object.keys(ROWS).sort()).toEqual(Object.values(ResourceType).sort());
});

test('a row without an update says why, and a row with one names its update call', () => {
  for (const [type, row] of Object.entries(ROWS)) {
    expect([type, row.calls.update === undefined]).toEqual([type, row.noUpdate !== undefined]);
  }
});

test('a row without a replacement says why', () => {
  for (const [type, row] of Object.entries(ROWS)) {
    expect([type, row.replacement === undefined]).toEqual([type, row.noReplacement !== undefined]);
  }
});
