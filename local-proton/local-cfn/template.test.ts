import * as fs from 'fs';
import * as path from 'path';
import { tmpDir } from './helpers';
import { LocalCloudFormation, NativeResourceHandler, TemplateValidationError } from './index';
import { findReferences, parseSub, stringifyScalars, topologicalOrder } from './template';

/** Write a minimal cloud assembly with hand-written templates. */
function writeAssembly(dir: string, stacks: Record<string, any>, files: Record<string, string> = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const artifacts: Record<string, any> = {};
  for (const [name, template] of Object.entries(stacks)) {
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(template));
    artifacts[name] = { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: `${name}.template.json` } };
  }
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  return dir;
}

/** A native type that records the properties it receives. */
function echo(seen: Array<{ logicalId: string; action: string; props: any }>): NativeResourceHandler {
  return {
    create: async (props, ctx) => {
      seen.push({ logicalId: ctx.logicalId, action: ctx.action, props });
      return { physicalId: `echo-${ctx.logicalId}`, attributes: { Out: `out-of-${ctx.logicalId}` } };
    },
    update: async (id, props, _old, ctx) => {
      seen.push({ logicalId: ctx.logicalId, action: ctx.action, props });
      return { physicalId: id, attributes: { Out: `out-of-${ctx.logicalId}` } };
    },
    delete: async (_id, props, ctx) => {
      seen.push({ logicalId: ctx.logicalId, action: ctx.action, props });
    },
  };
}

let root: string;
let seen: Array<{ logicalId: string; action: string; props: any }>;
let cfn: LocalCloudFormation;
beforeEach(() => {
  root = tmpDir('tpl');
  seen = [];
  cfn = new LocalCloudFormation({
    accountId: '222222222222',
    region: 'eu-west-1',
    stateDir: path.join(root, 'state'),
    nativeResources: { 'Test::Echo': echo(seen) },
  });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('intrinsic functions', () => {
  test('Ref, GetAtt, Join, Sub (both forms), Select, Split, If, conditions, mappings, parameters, NoValue', async () => {
    const template = {
      Parameters: {
        Env: { Type: 'String', Default: 'dev' },
        Names: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
        BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
      },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
        Both: { 'Fn::And': [{ Condition: 'NotProd' }, { 'Fn::Or': [{ Condition: 'IsProd' }, { 'Fn::Equals': ['x', 'x'] }] }] },
      },
      Mappings: { Sizes: { dev: { Memory: 128 } } },
      Rules: { CheckBootstrapVersion: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1'], { Ref: 'BootstrapVersion' }] }] } }] } },
      Resources: {
        OnlyInProd: { Type: 'Test::Echo', Condition: 'IsProd', Properties: {} },
        Second: {
          Type: 'Test::Echo',
          Properties: {
            Ref: { Ref: 'First' },
            Att: { 'Fn::GetAtt': ['First', 'Out'] },
            AttDotted: { 'Fn::GetAtt': 'First.Out' },
            Join: { 'Fn::Join': ['-', ['x', { Ref: 'AWS::Region' }, { Ref: 'Env' }]] },
            Sub: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${First}/${First.Out}/${!Literal}' },
            SubVars: { 'Fn::Sub': ['${Greeting}, ${AWS::AccountId}', { Greeting: { 'Fn::Select': [1, { Ref: 'Names' }] } }] },
            Split: { 'Fn::Split': [',', 'p,q'] },
            If: { 'Fn::If': ['IsProd', 'big', 'small'] },
            Both: { 'Fn::If': ['Both', true, false] },
            Gone: { 'Fn::If': ['IsProd', 'x', { Ref: 'AWS::NoValue' }] },
            List: ['keep', { Ref: 'AWS::NoValue' }],
            Memory: { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Memory'] },
            B64: { 'Fn::Base64': 'hi' },
            AZ: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
            Json: { 'Fn::ToJsonString': { k: [1] } },
            Stack: { 'Fn::Sub': '${AWS::StackName}|${AWS::URLSuffix}' },
            Num: 3,
          },
        },
        First: { Type: 'Test::Echo', Properties: { Name: 'first' } },
        CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:x' } },
      },
      Outputs: {
        Out: { Value: { 'Fn::GetAtt': ['Second', 'Out'] }, Export: { Name: 'second-out' } },
        ProdOnly: { Value: 'p', Condition: 'IsProd' },
      },
    };
    const asm = writeAssembly(path.join(root, 'asm'), { Intrinsics: template });
    const report = await cfn.deploy(asm, 'Intrinsics');

    expect(report.status).toBe('CREATE_COMPLETE');
    expect(seen.map(s => s.logicalId)).toEqual(['First', 'Second']);
    expect(seen[1].props).toEqual({
      Ref: 'echo-First',
      Att: 'out-of-First',
      AttDotted: 'out-of-First',
      Join: 'x-eu-west-1-dev',
      Sub: 'arn:aws:s3:::echo-First/out-of-First/${Literal}',
      SubVars: 'b, 222222222222',
      Split: ['p', 'q'],
      If: 'small',
      Both: true,
      List: ['keep'],
      Memory: 128,
      B64: 'aGk=',
      AZ: 'eu-west-1a',
      Json: '{"k":[1]}',
      Stack: 'Intrinsics|amazonaws.com',
      Num: 3,
    });
    expect(report.outputs).toEqual({ Out: 'out-of-Second' });
    expect(report.resources.map(r => r.logicalId)).not.toContain('OnlyInProd');

    // Parameter overrides flip the condition: OnlyInProd is created, the If branch changes.
    const prod = await cfn.deploy(asm, 'Intrinsics', { parameters: { Env: 'prod' } });
    expect(prod.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(prod.reason).toContain('Unable to get mapping for Sizes::prod::Memory');
    expect(seen.slice(2).map(s => `${s.action} ${s.logicalId}`)).toEqual(['CREATE OnlyInProd', 'ROLLBACK_DELETE OnlyInProd']);
  });

  test('Fn::ImportValue reads the exports of other deployed stacks', async () => {
    const asm = writeAssembly(path.join(root, 'asm'), {
      Producer: { Resources: { P: { Type: 'Test::Echo', Properties: {} } }, Outputs: { O: { Value: { 'Fn::GetAtt': ['P', 'Out'] }, Export: { Name: 'shared' } } } },
      Consumer: { Resources: { C: { Type: 'Test::Echo', Properties: { In: { 'Fn::ImportValue': 'shared' } } } } },
    });
    const missing = await cfn.deploy(asm, 'Consumer');
    expect(missing.status).toBe('ROLLBACK_COMPLETE');
    expect(missing.reason).toContain('No export named shared found.');

    await cfn.deploy(asm, 'Producer');
    const consumer = await cfn.deploy(asm, 'Consumer');
    expect(consumer.status).toBe('CREATE_COMPLETE');
    expect(seen.find(s => s.logicalId === 'C')!.props).toEqual({ In: 'out-of-P' });
  });

  test('template errors are rejected before any resource is touched', async () => {
    const cases: Array<[any, RegExp]> = [
      [{ Resources: { A: { Type: 'Test::Echo', Properties: { X: { Ref: 'Nope' } } } } }, /Unresolved resource dependencies \[Nope\]/],
      [{ Resources: { A: { Type: 'Test::Echo', DependsOn: 'B' }, B: { Type: 'Test::Echo', DependsOn: 'A' } } }, /Circular dependency between resources: \[A, B\]/],
      [{ Resources: { A: { Type: 'Test::Echo', Properties: { X: null } } } }, /'null' values are not allowed/],
      [{ Resources: { A: { Type: `Custom::${'x'.repeat(60)}`, Properties: { ServiceToken: 'arn' } } } }, /longer than 60 characters/],
      [{ Parameters: { P: { Type: 'String' } }, Resources: { A: { Type: 'Test::Echo' } } }, /Parameters: \[P\] must have values/],
    ];
    for (const [i, [template, error]] of cases.entries()) {
      const asm = writeAssembly(path.join(root, `bad${i}`), { Bad: template });
      await expect(cfn.deploy(asm, 'Bad')).rejects.toThrow(TemplateValidationError);
      await expect(cfn.deploy(asm, 'Bad')).rejects.toThrow(error);
    }
    expect(seen).toEqual([]);
    expect(cfn.readState('Bad')).toBeUndefined();
  });

  test('DeletionPolicy Retain keeps a resource on destroy and removal', async () => {
    const asm = writeAssembly(path.join(root, 'asm'), {
      Keep: { Resources: { Kept: { Type: 'Test::Echo', DeletionPolicy: 'Retain' }, Other: { Type: 'Test::Echo' } } },
    });
    await cfn.deploy(asm, 'Keep');
    const report = await cfn.destroy('Keep');
    expect(seen.filter(s => s.action === 'DELETE').map(s => s.logicalId)).toEqual(['Other']);
    expect(report.resources.find(r => r.logicalId === 'Kept')).toMatchObject({ action: 'DELETE', status: 'SUCCEEDED', reason: 'Retained (DeletionPolicy: Retain)' });
  });
});

describe('helpers', () => {
  test('parseSub splits variables and keeps ${!Literal} literal', () => {
    expect(parseSub('a${X}b${Y.Z}${!Q}')).toEqual([{ literal: 'a' }, { variable: 'X' }, { literal: 'b' }, { variable: 'Y.Z' }, { literal: '${Q}' }]);
  });

  test('findReferences sees Ref, GetAtt and Fn::Sub, not pseudo parameters or Sub variables', () => {
    const refs = findReferences({
      a: { Ref: 'A' },
      b: { 'Fn::GetAtt': ['B', 'Arn'] },
      c: { 'Fn::Sub': ['${C.Name}-${V}-${AWS::Region}', { V: { Ref: 'D' } }] },
      p: { Ref: 'AWS::AccountId' },
    });
    expect(refs).toEqual([
      { logicalId: 'A' },
      { logicalId: 'B', attribute: 'Arn' },
      { logicalId: 'C', attribute: 'Name' },
      { logicalId: 'D' },
    ]);
  });

  test('stringifyScalars turns numbers and booleans into strings, recursively', () => {
    expect(stringifyScalars({ n: 1.5, b: false, s: 's', l: [0, true, { x: 2 }], o: {} })).toEqual({ n: '1.5', b: 'false', s: 's', l: ['0', 'true', { x: '2' }], o: {} });
  });

  test('topologicalOrder keeps template order where dependencies allow', () => {
    expect(topologicalOrder(['C', 'B', 'A', 'D'], { C: ['B'], B: ['A'] })).toEqual(['A', 'B', 'C', 'D']);
  });
});

describe('Lambda runner', () => {
  /** A stack whose custom resource is backed by a Provider-shaped pair of functions (no isComplete). */
  function providerStack(handler = 'index.handler', userFn: Record<string, any> = {}, userFnArn: any = { 'Fn::GetAtt': ['UserFn', 'Arn'] }): any {
    return {
      Resources: {
        UserFn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Code: { S3Key: 'userasset.zip' }, Handler: handler, Runtime: 'nodejs22.x', Timeout: 5, ...userFn },
        },
        UserFnVersion: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'UserFn' } } },
        Framework: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { S3Key: 'framework.zip' },
            Handler: 'framework.onEvent',
            Runtime: 'nodejs22.x',
            Environment: { Variables: { USER_ON_EVENT_FUNCTION_ARN: userFnArn } },
          },
        },
        R: { Type: 'Custom::R', Properties: { ServiceToken: { 'Fn::GetAtt': ['Framework', 'Arn'] } } },
      },
    };
  }

  function assemblyWithCode(name: string, template: any, code: Record<string, string>): string {
    const dir = path.join(root, name);
    const files: Record<string, string> = {};
    for (const [f, c] of Object.entries(code)) files[`asset.userasset/${f}`] = c;
    files['asset.framework/framework.js'] = '';
    return writeAssembly(dir, { S: template }, files);
  }

  test('modules are loaded fresh for every invocation (a cold start each time)', async () => {
    const asm = assemblyWithCode('fresh', providerStack(), {
      'index.js': "const state = require('./lib/state'); exports.handler = async (e) => ({ Data: { Count: String(++state.count), Type: e.RequestType } });",
      'lib/state.js': 'module.exports = { count: 0 };',
    });
    const first = await cfn.deploy(asm, 'S');
    expect(first.resources.find(r => r.logicalId === 'R')!.attributes).toEqual({ Count: '1', Type: 'Create' });
    const again = await cfn.invokeCustomResource(asm, 'S', 'R', { RequestType: 'Update' });
    expect(again.data).toEqual({ Count: '1', Type: 'Update' });
  });

  test('inline code (Code.ZipFile) behind a versioned user function, with the function environment', async () => {
    const template = providerStack('index.handler', {
      Code: { ZipFile: "exports.handler = async () => ({ PhysicalResourceId: process.env.GREETING + '-' + process.env.AWS_LAMBDA_FUNCTION_NAME });" },
      Environment: { Variables: { GREETING: 'hello' } },
    }, { Ref: 'UserFnVersion' });
    const asm = writeAssembly(path.join(root, 'inline'), { S: template });
    const report = await cfn.deploy(asm, 'S');
    expect(report.status).toBe('CREATE_COMPLETE');
    expect(report.resources.find(r => r.logicalId === 'R')!.physicalId).toMatch(/^hello-S-UserFn-[A-Z0-9]{12}$/);
    expect(process.env.GREETING).toBeUndefined();
  });

  test('callback-style handlers, nested export paths and a missing handler', async () => {
    const callback = assemblyWithCode('cb', providerStack('index.nested.handler'), {
      'index.js': "exports.nested = { handler: (e, ctx, cb) => setTimeout(() => cb(null, { PhysicalResourceId: 'cb-' + ctx.functionName.length }), 5) };",
    });
    expect((await cfn.deploy(callback, 'S')).resources.find(r => r.logicalId === 'R')!.physicalId).toMatch(/^cb-\d+$/);
    await cfn.destroy('S');

    const missing = assemblyWithCode('missing', providerStack('index.nope'), { 'index.js': 'exports.handler = async () => ({});' });
    const report = await cfn.deploy(missing, 'S');
    expect(report.resources.find(r => r.logicalId === 'R')!.reason).toBe('index.nope is undefined or not exported');
  });

  test('a Provider without isComplete answers after onEvent; a Delete may not change the physical id', async () => {
    const asm = assemblyWithCode('del', providerStack(), {
      'index.js': "exports.handler = async (e) => e.RequestType === 'Delete' ? { PhysicalResourceId: 'other' } : { PhysicalResourceId: 'mine' };",
    });
    expect((await cfn.deploy(asm, 'S')).status).toBe('CREATE_COMPLETE');
    const report = await cfn.destroy('S');
    expect(report.status).toBe('DELETE_FAILED');
    expect(report.resources.find(r => r.logicalId === 'R')!.reason)
      .toBe('DELETE: cannot change the physical resource ID from "mine" to "other" during deletion');
  });

  test('a ServiceToken that is not a Provider framework function fails unless told to simulate', async () => {
    const template = { Resources: { R: { Type: 'Custom::R', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:222222222222:function:elsewhere' } } } };
    const asm = writeAssembly(path.join(root, 'foreign'), { F: template });
    const failed = await cfn.deploy(asm, 'F');
    expect(failed.status).toBe('ROLLBACK_COMPLETE');
    expect(failed.reason).toContain('is not a Provider framework function of this stack');

    const lenient = new LocalCloudFormation({ accountId: '222222222222', region: 'eu-west-1', stateDir: path.join(root, 'state2'), unsupportedCustomResources: 'simulate' });
    const report = await lenient.deploy(asm, 'F');
    expect(report.status).toBe('CREATE_COMPLETE');
    expect(report.resources[0]).toMatchObject({ kind: 'simulated', physicalId: expect.stringMatching(/^F-R-[A-Z0-9]{12}$/) });
  });
});
