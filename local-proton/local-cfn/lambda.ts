/**
 * Runs a Lambda function's Node.js handler in-process, the way the Lambda runtime would:
 * a fresh module load (cold start) per invocation, JSON in and out, the function's environment,
 * a context with a real `getRemainingTimeInMillis()`, the function's timeout and the runtime's
 * error shape (`errorType`, `errorMessage`, `trace`).
 *
 * The handler code is evaluated in the current JavaScript realm (under jest: the test's sandbox)
 * with its own `process`, whose `env` belongs to the invocation: concurrent invocations do not see
 * each other's variables, and the real `process.env` is never changed.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { createRequire, isBuiltin } from 'module';
import * as path from 'path';
import { format } from 'util';
import type { HandlerLogEntry } from './types';

/** Everything needed to run one function. */
export interface LambdaFunctionSpec {
  readonly functionName: string;
  readonly functionArn: string;
  /** The folder the code runs from (an `asset.<hash>` folder of the cloud assembly). */
  readonly codeDir?: string;
  /** `Code.ZipFile` (inline code), run as `index.js` of `codeDir` (or the current directory). */
  readonly inlineCode?: string;
  /** e.g. `index.handler` */
  readonly handler: string;
  readonly runtime?: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Record<string, string>;
  /** The function's logical id in its stack. */
  readonly logicalId?: string;
  /** The function's resolved `Role` (an IAM role ARN). */
  readonly roleArn?: string;
}

export interface LambdaFunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: string[];
}

export interface LambdaInvokeResult {
  readonly awsRequestId: string;
  /** The JSON payload returned (null when the handler returned nothing). */
  readonly payload?: unknown;
  readonly functionError?: LambdaFunctionError;
  readonly durationMs: number;
}

export interface LambdaInvokeOptions {
  readonly region: string;
  /** Applied after the function's variables and the Lambda ones. */
  readonly extraEnv?: Record<string, string>;
  readonly onLog?: (entry: HandlerLogEntry) => void;
  /**
   * Warm containers to reuse: an invocation takes an idle container of the same function (same code,
   * handler and environment) and keeps its module state (SDK clients and their retry quota), as Lambda
   * does between invocations. Without it every invocation is a cold start.
   */
  readonly containers?: WarmContainers;
}

/** One loaded handler, and where its console writes go for the invocation it is running. */
interface Container {
  readonly handler: (...args: any[]) => any;
  readonly sink: { awsRequestId: string; onLog?: (entry: HandlerLogEntry) => void };
}

/** Idle warm containers by function: one runs one invocation at a time, a busy function gets a new one. */
export class WarmContainers {
  private readonly idle = new Map<string, Container[]>();

  /** An idle container of the function `key` names, taken out of the pool. */
  take(key: string): Container | undefined {
    return this.idle.get(key)?.pop();
  }

  /** Back to the pool once its invocation has ended. */
  release(key: string, container: Container): void {
    const list = this.idle.get(key) ?? [];
    list.push(container);
    this.idle.set(key, list);
  }
}

/**
 * Process warnings already emitted by handler code. Every invocation loads the code afresh, so a
 * module's emit-once warning (e.g. the AWS SDK's Node.js version notice) would repeat each time.
 */
const emittedWarnings = new Set<string>();

/** `process.emitWarning`, emitting each distinct warning once per process. */
function emitWarningOnce(warning: string | Error, ...rest: any[]): void {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  const key = `${type ?? ''}|${typeof warning === 'string' ? warning : warning?.message}`;
  if (emittedWarnings.has(key)) return;
  emittedWarnings.add(key);
  (process.emitWarning as (...args: any[]) => void)(warning, ...rest);
}

/** The `process` one invocation sees: the real one, with the invocation's own `env`. */
function invocationProcess(env: Record<string, string>): NodeJS.Process {
  return new Proxy(process, {
    get: (target, prop) => {
      if (prop === 'env') return env;
      if (prop === 'emitWarning') return emitWarningOnce;
      return Reflect.get(target, prop);
    },
  });
}

const RUNTIME_FRAME = '    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1206:29)';
const TASK_ROOT = '/var/task';

class LambdaError extends Error {
  constructor(public readonly errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

/**
 * A minimal CommonJS loader: files inside `root` are loaded fresh (one module cache per
 * invocation); built-in modules and anything outside `root` go through the ambient `require`.
 */
class FreshModuleLoader {
  private readonly cache = new Map<string, { exports: any }>();

  constructor(private readonly root: string, private readonly consoleImpl: Record<string, (...args: any[]) => void>,
    private readonly processImpl: NodeJS.Process) {}

  public load(file: string, source?: string): any {
    const cached = this.cache.get(file);
    if (cached) return cached.exports;
    if (file.endsWith('.json')) {
      const mod = { exports: JSON.parse(fs.readFileSync(file, 'utf8')) };
      this.cache.set(file, mod);
      return mod.exports;
    }
    if (file.endsWith('.mjs')) {
      throw new LambdaError('Runtime.ImportModuleError', `Error: local-cfn cannot run ES module handlers (${path.basename(file)})`);
    }
    let code = source ?? fs.readFileSync(file, 'utf8');
    if (code.startsWith('#!')) code = '//' + code.slice(2);
    const module: Record<string, any> = { id: file, filename: file, loaded: false, exports: {}, children: [], paths: [] };
    this.cache.set(file, module as { exports: any });
    const localRequire = this.requireFor(file);
    module.require = localRequire;
    // Indirect eval: compiles in this realm, with the file name in stack traces.
    // eslint-disable-next-line no-eval
    const wrapper = (0, eval)(`(function (exports, require, module, __filename, __dirname, console, process) {${code}\n})\n//# sourceURL=${file}`);
    wrapper.call(module.exports, module.exports, localRequire, module, file, path.dirname(file), this.consoleImpl, this.processImpl);
    module.loaded = true;
    return module.exports;
  }

  private requireFor(fromFile: string): NodeJS.Require {
    const ambient = createRequire(fromFile);
    const resolve = (spec: string): string => {
      if (isBuiltin(spec)) return spec;
      if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/') || spec === '.' || spec === '..') {
        const found = resolveFile(path.resolve(path.dirname(fromFile), spec));
        if (!found) {
          const e: any = new Error(`Cannot find module '${spec}' from '${fromFile}'`);
          e.code = 'MODULE_NOT_FOUND';
          throw e;
        }
        return found;
      }
      return ambient.resolve(spec);
    };
    const req = ((spec: string) => {
      if (spec === 'process' || spec === 'node:process') return this.processImpl;
      if (isBuiltin(spec)) return ambient(spec);
      const resolved = resolve(spec);
      if (isInside(this.root, resolved) && !resolved.endsWith('.node')) return this.load(resolved);
      return ambient(resolved);
    }) as NodeJS.Require;
    Object.assign(req, { resolve: Object.assign(resolve, { paths: () => null }), cache: {}, extensions: {}, main: undefined });
    return req;
  }
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Node's file/directory resolution for relative requires. */
function resolveFile(base: string): string | undefined {
  for (const candidate of [base, `${base}.js`, `${base}.json`, `${base}.cjs`, `${base}.node`]) {
    if (isFile(candidate)) return candidate;
  }
  const pkgFile = path.join(base, 'package.json');
  if (isFile(pkgFile)) {
    const main = JSON.parse(fs.readFileSync(pkgFile, 'utf8')).main;
    if (typeof main === 'string') {
      const found = resolveFile(path.resolve(base, main));
      if (found) return found;
    }
  }
  for (const candidate of ['index.js', 'index.json', 'index.cjs']) {
    if (isFile(path.join(base, candidate))) return path.join(base, candidate);
  }
  return undefined;
}

/** `index.handler` → module `index`, export path `handler` (the Lambda Node.js runtime's split). */
function splitHandler(handler: string): [string, string[]] {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  if (dot < 0) throw new LambdaError('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  return [handler.slice(0, dot), handler.slice(dot + 1).split('.')];
}

function loadHandler(spec: LambdaFunctionSpec, consoleImpl: Record<string, (...args: any[]) => void>,
  processImpl: NodeJS.Process): (...args: any[]) => any {
  const root = path.resolve(spec.codeDir ?? process.cwd());
  const [modulePath, exportPath] = splitHandler(spec.handler);
  const loader = new FreshModuleLoader(root, consoleImpl, processImpl);
  let exported: any;
  try {
    if (spec.inlineCode !== undefined) {
      exported = loader.load(path.join(root, `${modulePath}.js`), spec.inlineCode);
    } else {
      const base = path.join(root, modulePath);
      const file = [`${base}.js`, `${base}.cjs`, `${base}.mjs`].find(isFile);
      if (!file) throw new LambdaError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
      exported = loader.load(file);
    }
  } catch (e: any) {
    if (e instanceof LambdaError) throw e;
    const type = e?.name === 'SyntaxError' ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    const err = new LambdaError(type, `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`);
    err.stack = e?.stack ?? err.stack;
    throw err;
  }
  let fn = exported;
  for (const key of exportPath) fn = fn?.[key];
  if (typeof fn !== 'function') {
    throw new LambdaError('Runtime.HandlerNotFound', `${spec.handler} is undefined or not exported`);
  }
  return fn;
}

/** The Lambda runtime's error payload for a thrown value, with stack frames as Lambda would show them. */
function toFunctionError(e: any, codeDir: string | undefined): LambdaFunctionError {
  if (!(e instanceof Error) && !(e && typeof e === 'object' && 'message' in e)) {
    return { errorType: typeof e, errorMessage: String(e), trace: [] };
  }
  const errorType = (e as any).errorType ?? e.name ?? 'Error';
  const errorMessage = String(e.message ?? '');
  const lines = String(e.stack ?? `${errorType}: ${errorMessage}`).split('\n');
  const root = codeDir ? path.resolve(codeDir) : undefined;
  const trace: string[] = [];
  for (const line of lines) {
    if (!/^\s+at /.test(line)) {
      trace.push(line);
    } else if (root && line.includes(root)) {
      trace.push(line.split(root).join(TASK_ROOT));
    }
  }
  trace.push(RUNTIME_FRAME);
  return { errorType, errorMessage, trace };
}

function jsonRoundTrip(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

/** Invoke `spec` with `event` (RequestResponse), never throwing for handler errors. */
export async function invokeLambda(spec: LambdaFunctionSpec, event: unknown, options: LambdaInvokeOptions): Promise<LambdaInvokeResult> {
  const awsRequestId = randomUUID();
  const started = Date.now();
  const timeoutMs = Math.round(spec.timeoutSeconds * 1000);
  const deadline = started + timeoutMs;
  const finish = (r: Omit<LambdaInvokeResult, 'awsRequestId' | 'durationMs'>): LambdaInvokeResult =>
    ({ awsRequestId, durationMs: Date.now() - started, ...r });

  if (spec.runtime && !spec.runtime.startsWith('nodejs')) {
    return finish({ functionError: { errorType: 'Runtime.Unsupported', errorMessage: `local-cfn runs Node.js handlers only, not ${spec.runtime}`, trace: [] } });
  }

  const logStreamName = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${awsRequestId.replace(/-/g, '')}`;
  const logGroupName = `/aws/lambda/${spec.functionName}`;
  const env: Record<string, string> = {
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime ?? 'nodejs'}`,
    LAMBDA_TASK_ROOT: spec.codeDir ? path.resolve(spec.codeDir) : TASK_ROOT,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    ...spec.environment,
    ...options.extraEnv,
  };

  const containerKey = JSON.stringify([spec.functionArn, spec.codeDir, spec.inlineCode, spec.handler, spec.environment, options.extraEnv]);
  const warm = options.containers?.take(containerKey);
  const sink: Container['sink'] = warm?.sink ?? { awsRequestId, onLog: options.onLog };
  sink.awsRequestId = awsRequestId;
  sink.onLog = options.onLog;
  const log = (level: HandlerLogEntry['level']) => (...args: any[]) => {
    sink.onLog?.({ functionName: spec.functionName, awsRequestId: sink.awsRequestId, level, message: format(...args) });
  };
  const consoleImpl = { log: log('log'), info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug'), trace: log('trace') };

  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: spec.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: spec.functionArn,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };

  let timer: NodeJS.Timeout | undefined;
  let container: Container | undefined = warm;
  let timedOut = false;
  try {
    container ??= { handler: loadHandler(spec, consoleImpl, invocationProcess(env)), sink };
    const handler = container.handler;
    const input = jsonRoundTrip(event);
    const run = new Promise<unknown>((resolve, reject) => {
      const callback = (err: unknown, result: unknown) => (err ? reject(err) : resolve(result));
      try {
        const returned = handler(input, context, callback);
        if (returned && typeof returned.then === 'function') {
          returned.then(resolve, reject);
        } else if (handler.length < 3) {
          resolve(returned);
        }
      } catch (e) {
        reject(e);
      }
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new LambdaError('Sandbox.Timedout', `${new Date().toISOString()} ${awsRequestId} Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`));
      }, Math.max(0, deadline - Date.now()));
    });
    const result = await Promise.race([run, timeout]);
    return finish({ payload: jsonRoundTrip(result) });
  } catch (e) {
    return finish({ functionError: toFunctionError(e, spec.codeDir) });
  } finally {
    if (timer) clearTimeout(timer);
    // A timed-out container is discarded, as Lambda does.
    if (container && !timedOut) options.containers?.release(containerKey, container);
  }
}
