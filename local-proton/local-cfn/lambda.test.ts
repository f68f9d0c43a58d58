import { invokeLambda, LambdaFunctionSpec, WarmContainers } from './lambda';

// Reads its environment before and after a wait, through the global and the required `process`.
const HANDLER = `
const required = require('node:process');
exports.handler = async (event) => {
  const before = process.env.WHO;
  process.env.WRITTEN = event.who;
  await new Promise(r => setTimeout(r, event.waitMs));
  return { before, after: process.env.WHO, required: required.env.WHO, fn: process.env.FN, written: process.env.WRITTEN };
};
`;

const spec = (environment: Record<string, string>): LambdaFunctionSpec => ({
  functionName: 'fn',
  functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:fn',
  inlineCode: HANDLER,
  handler: 'index.handler',
  timeoutSeconds: 3,
  memoryMb: 128,
  environment,
});

test('concurrent invocations each see their own environment, and the process environment is untouched', async () => {
  const [a, b] = await Promise.all([
    invokeLambda(spec({ FN: 'fn-a' }), { who: 'a', waitMs: 50 }, { region: 'us-east-1', extraEnv: { WHO: 'a' } }),
    invokeLambda(spec({ FN: 'fn-b' }), { who: 'b', waitMs: 10 }, { region: 'us-east-1', extraEnv: { WHO: 'b' } }),
  ]);
  expect(a.payload).toEqual({ before: 'a', after: 'a', required: 'a', fn: 'fn-a', written: 'a' });
  expect(b.payload).toEqual({ before: 'b', after: 'b', required: 'b', fn: 'fn-b', written: 'b' });
  expect(process.env.WHO).toBeUndefined();
  expect(process.env.WRITTEN).toBeUndefined();
});

test('with warm containers, an idle container keeps its module state for the next invocation; a busy one is not shared', async () => {
  const counter: LambdaFunctionSpec = {
    ...spec({}),
    inlineCode: 'let calls = 0;\nexports.handler = async (event) => { calls++; await new Promise(r => setTimeout(r, event.waitMs)); return calls; };',
  };
  const containers = new WarmContainers();
  const invoke = (waitMs: number) => invokeLambda(counter, { waitMs }, { region: 'us-east-1', containers });
  expect((await invoke(0)).payload).toBe(1);
  expect((await invoke(0)).payload).toBe(2);
  // Two at once: the warm container serves one, a cold one the other.
  const both = await Promise.all([invoke(20), invoke(20)]);
  expect(both.map((r) => r.payload).sort()).toEqual([1, 3]);
  // Without containers, every invocation is a cold start.
  expect((await invokeLambda(counter, { waitMs: 0 }, { region: 'us-east-1' })).payload).toBe(1);
});
