/**
 * Test helpers: a tiny recording handler and small CDK apps synthesized into temp folders.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { LocalCloudFormation } from './local-cloudformation';
import type { LocalCloudFormationOptions } from './types';

/**
 * The user handlers behind the test Provider. Every call is appended to $CALLS_FILE. Behaviour
 * is driven by the resource properties:
 * - FailOn: comma-separated request types on which onEvent throws
 * - FailIsCompleteOn: request types on which isComplete throws
 * - PhysicalId: returned as PhysicalResourceId (Create/Update)
 * - DataValue: returned as Data.Value; BigData: Data.Big of that many bytes (Create/Update); BigError: error message of that many bytes
 * - PollsUntilComplete: isComplete answers IsComplete: false until its n-th call for the RequestId
 * - NeverCompleteOn: request types for which isComplete never completes
 * - SleepMs: onEvent sleeps that long; IsCompleteSleepMs: isComplete sleeps that long
 * - AwaitOnEventOf: onEvent waits (up to AwaitMs, default 5000) until the onEvent of that logical id has started
 */
export const HANDLER_JS = `
const fs = require('fs');
const calls = require('./calls');

exports.onEvent = async (event, context) => {
  calls.record({
    handler: 'onEvent',
    event,
    functionEnv: process.env.FUNCTION_ENV,
    extraEnv: process.env.EXTRA_ENV,
    region: process.env.AWS_REGION,
    remainingMs: context.getRemainingTimeInMillis(),
  });
  const p = event.ResourceProperties;
  if (p.SleepMs) await new Promise(r => setTimeout(r, Number(p.SleepMs)));
  for (let waited = 0; p.AwaitOnEventOf && !calls.read().some(c => c.handler === 'onEvent' && c.event.LogicalResourceId === p.AwaitOnEventOf); waited += 5) {
    if (waited > Number(p.AwaitMs || 5000)) throw new Error(event.LogicalResourceId + ' waited in vain for the onEvent of ' + p.AwaitOnEventOf);
    await new Promise(r => setTimeout(r, 5));
  }
  if (p.FailOn && p.FailOn.split(',').includes(event.RequestType)) {
    throw new Error(p.BigError ? 'E'.repeat(Number(p.BigError)) : 'boom on ' + event.RequestType + ' of ' + event.LogicalResourceId);
  }
  const result = {};
  if (p.PhysicalId && event.RequestType !== 'Delete') result.PhysicalResourceId = p.PhysicalId;
  if (event.RequestType !== 'Delete') {
    if (p.DataValue) result.Data = { Value: p.DataValue };
    if (p.BigData) result.Data = { Big: 'x'.repeat(Number(p.BigData)) };
  }
  return result;
};

exports.isComplete = async (event) => {
  const all = calls.record({ handler: 'isComplete', event });
  const p = event.ResourceProperties;
  if (p.IsCompleteSleepMs) await new Promise(r => setTimeout(r, Number(p.IsCompleteSleepMs)));
  if (p.FailIsCompleteOn && p.FailIsCompleteOn.split(',').includes(event.RequestType)) {
    throw new Error('isComplete failed for ' + event.LogicalResourceId);
  }
  if (p.NeverCompleteOn && p.NeverCompleteOn.split(',').includes(event.RequestType)) return { IsComplete: false };
  const polls = all.filter(c => c.handler === 'isComplete' && c.event.RequestId === event.RequestId).length;
  if (p.PollsUntilComplete && polls < Number(p.PollsUntilComplete)) return { IsComplete: false };
  return { IsComplete: true, Data: { Completed: 'yes', Polls: String(polls) } };
};
`;

const CALLS_JS = `
const fs = require('fs');
exports.read = () => {
  const file = process.env.CALLS_FILE;
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
};
exports.record = (entry) => {
  const file = process.env.CALLS_FILE;
  const all = exports.read();
  all.push(entry);
  fs.writeFileSync(file, JSON.stringify(all));
  return all;
};
`;

export interface Call {
  readonly handler: 'onEvent' | 'isComplete';
  readonly event: Record<string, any>;
  readonly functionEnv?: string;
  readonly extraEnv?: string;
  readonly region?: string;
  readonly remainingMs?: number;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `local-cfn-${prefix}-`));
}

/** A test workspace: handler code, a calls file and a state folder. */
export class Workspace {
  public readonly root = tmpDir('ws');
  public readonly handlerDir = path.join(this.root, 'handler');
  public readonly stateDir = path.join(this.root, 'state');
  public readonly callsFile = path.join(this.root, 'calls.json');
  private synthCount = 0;
  private readonly instances: LocalCloudFormation[] = [];

  constructor() {
    fs.mkdirSync(this.handlerDir);
    fs.writeFileSync(path.join(this.handlerDir, 'index.js'), HANDLER_JS);
    fs.writeFileSync(path.join(this.handlerDir, 'calls.js'), CALLS_JS);
  }

  /** All handler calls so far. */
  public calls(): Call[] {
    return fs.existsSync(this.callsFile) ? JSON.parse(fs.readFileSync(this.callsFile, 'utf8')) : [];
  }

  /** onEvent calls as `RequestType LogicalId` strings. */
  public onEvents(): string[] {
    return this.calls().filter(c => c.handler === 'onEvent').map(c => `${c.event.RequestType} ${c.event.LogicalResourceId}`);
  }

  public clearCalls(): void {
    fs.rmSync(this.callsFile, { force: true });
  }

  public cfn(options: Partial<LocalCloudFormationOptions> = {}): LocalCloudFormation {
    const cfn = new LocalCloudFormation({
      accountId: '111111111111',
      region: 'us-east-1',
      stateDir: this.stateDir,
      handlerEnv: { CALLS_FILE: this.callsFile, EXTRA_ENV: 'extra' },
      pollIntervalMs: 1,
      ...options,
    });
    this.instances.push(cfn);
    return cfn;
  }

  /** Synthesize a one-stack app with a Provider; `build` adds the resources. Returns the assembly folder. */
  public synth(stackName: string, build: (ctx: StackContext) => void, providerProps: Partial<cr.ProviderProps> = {}): string {
    const outdir = path.join(this.root, `cdk.out.${++this.synthCount}`);
    const app = new App({ outdir });
    const stack = new Stack(app, stackName);
    const code = lambda.Code.fromAsset(this.handlerDir);
    const onEvent = new lambda.Function(stack, 'OnEventHandler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.onEvent',
      code,
      timeout: Duration.seconds(30),
      environment: { FUNCTION_ENV: 'from-function' },
    });
    const isComplete = new lambda.Function(stack, 'IsCompleteHandler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.isComplete',
      code,
      timeout: Duration.seconds(30),
    });
    const provider = new cr.Provider(stack, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(1),
      totalTimeout: Duration.seconds(10),
      ...providerProps,
    });
    const resource = (id: string, properties: Record<string, any> = {}) =>
      new CustomResource(stack, id, { serviceToken: provider.serviceToken, resourceType: 'Custom::Thing', properties });
    build({ stack, provider, resource, onEvent });
    app.synth();
    return outdir;
  }

  /** Let abandoned executions end (they write to the calls file), then remove everything. */
  public async dispose(): Promise<void> {
    for (const cfn of this.instances) await cfn.settle();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export interface StackContext {
  readonly stack: Stack;
  readonly provider: cr.Provider;
  readonly onEvent: lambda.Function;
  /** A `Custom::Thing` backed by the test Provider; top-level ids are the logical ids. */
  resource(id: string, properties?: Record<string, any>): CustomResource;
}
