/**
 * The aws-cdk-lib `custom-resources` Provider framework, emulated around in-process user handlers.
 *
 * Mirrors `provider-framework/runtime/framework.js` and `cfn-response.js` of aws-cdk-lib 2.233:
 * - onEvent: the user onEvent handler is invoked once with the CloudFormation request; its
 *   `PhysicalResourceId` defaults to the RequestId on Create and to the request's id on
 *   Update/Delete; a Delete may not change it; the result is merged into the event.
 * - with an isComplete handler, the waiter state machine calls isComplete with that merged event
 *   at once, then up to `MaxAttempts` more times (`IsComplete: false` is a retry); when retries run
 *   out, onTimeout answers FAILED "Operation timed out". `Data` is not allowed while not complete.
 *   The final response is `{...event, ...isCompleteResult, Data: {...event.Data, ...isCompleteResult.Data}}`.
 * - any error answers FAILED with the error's stack as Reason; a failed Create with no physical
 *   id answers the CREATE_FAILED marker id, and a Delete of that marker id is acknowledged
 *   without calling the user handler.
 * - the execution does not stop when CloudFormation stops waiting for the request (ServiceTimeout,
 *   a cancelled request): it goes on calling isComplete until it answers or its attempts run out,
 *   and that late answer is ignored.
 */
import type { LambdaFunctionSpec, LambdaInvokeResult } from './lambda';
import type { CustomResourceResponse, HandlerInvocation } from './types';

export const CREATE_FAILED_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
export const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';

/** The waiter's retry policy, read from the Provider's state machine definition. */
export interface WaiterPolicy {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
}

/** The Provider's defaults (5 s interval, 30 min total timeout). */
export const DEFAULT_WAITER_POLICY: WaiterPolicy = { intervalSeconds: 5, maxAttempts: 360, backoffRate: 1 };

export interface ProviderFunctions {
  readonly onEvent: LambdaFunctionSpec;
  readonly isComplete?: LambdaFunctionSpec;
  readonly waiter: WaiterPolicy;
}

export interface ProviderRunOptions {
  readonly invoke: (spec: LambdaFunctionSpec, payload: unknown) => Promise<LambdaInvokeResult>;
  readonly pollIntervalMs: number;
  /** CloudFormation's ServiceTimeout in seconds: it stops waiting (virtual time) once it has passed. */
  readonly serviceTimeoutSeconds?: number;
}

/** What the framework sent to the ResponseURL. */
export interface ProviderResponse {
  readonly response: CustomResourceResponse;
  /** The error message behind a FAILED response (user handler message, or framework message). */
  readonly errorMessage?: string;
}

/** One request running through the framework: onEvent, then the waiter's execution. */
export interface ProviderExecution {
  /** The response CloudFormation receives, or undefined when its ServiceTimeout passed first. */
  readonly received: Promise<ProviderResponse | undefined>;
  /**
   * The end of the execution, which goes on after CloudFormation stopped waiting: the response
   * it sent (ignored by then), or undefined when it was stopped before answering.
   */
  readonly finished: Promise<ProviderResponse | undefined>;
  /** The user handler invocations so far. */
  readonly invocations: HandlerInvocation[];
  /** Make no more isComplete calls (a running one still ends). */
  stop(): void;
}

/** An error carrying the framework's message/stack and the user's own message. */
class FrameworkError extends Error {
  constructor(message: string, public readonly userMessage: string, stack?: string) {
    super(message);
    if (stack !== undefined) this.stack = stack;
  }
}

function frameworkErrorStack(e: any): string {
  if (e instanceof FrameworkError) return e.stack ?? e.message;
  // A framework-internal error: its stack would point into the framework bundle.
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}\n    at Runtime.handler (file:///var/task/framework.js:1:1)`;
}

function buildResponse(status: 'SUCCESS' | 'FAILED', event: Record<string, any>, reason?: string, noEcho?: boolean): CustomResourceResponse {
  return {
    Status: status,
    Reason: reason || status,
    StackId: event.StackId,
    RequestId: event.RequestId,
    PhysicalResourceId: event.PhysicalResourceId || MISSING_PHYSICAL_ID_MARKER,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: noEcho,
    Data: event.Data,
  };
}

function defaultPhysicalResourceId(req: Record<string, any>): string {
  switch (req.RequestType) {
    case 'Create': return req.RequestId;
    case 'Update':
    case 'Delete': return req.PhysicalResourceId;
    default: throw new Error(`Invalid "RequestType" in request "${JSON.stringify(req)}"`);
  }
}

function createResponseEvent(req: Record<string, any>, onEventResult: any): Record<string, any> {
  const result = onEventResult || {};
  const physicalResourceId = result.PhysicalResourceId || defaultPhysicalResourceId(req);
  if (req.RequestType === 'Delete' && physicalResourceId !== req.PhysicalResourceId) {
    throw new Error(`DELETE: cannot change the physical resource ID from "${req.PhysicalResourceId}" to "${result.PhysicalResourceId}" during deletion`);
  }
  return { ...req, ...result, PhysicalResourceId: physicalResourceId };
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Start one CloudFormation request through the framework. Its promises never reject. */
export function startProviderFramework(request: Record<string, any>, fns: ProviderFunctions,
  options: ProviderRunOptions): ProviderExecution {
  const started = Date.now();
  const invocations: HandlerInvocation[] = [];
  let stopped = false;
  let receive!: (r: ProviderResponse | undefined) => void;
  const received = new Promise<ProviderResponse | undefined>(resolve => {
    receive = resolve;
  });
  // Virtual time: real time plus the waiter's intervals, which local-cfn shortens to pollIntervalMs.
  let waitedSeconds = 0;
  const late = () => options.serviceTimeoutSeconds !== undefined
    && (Date.now() - started) / 1000 + waitedSeconds > options.serviceTimeoutSeconds;
  const send = (response: CustomResourceResponse, errorMessage?: string): ProviderResponse => {
    const sent = { response, errorMessage };
    receive(late() ? undefined : sent);
    return sent;
  };
  const invokeUser = async (which: 'onEvent' | 'isComplete', spec: LambdaFunctionSpec, payload: Record<string, any>) => {
    const result = await options.invoke(spec, payload);
    const err = result.functionError;
    invocations.push({
      handler: which,
      functionName: spec.functionName,
      awsRequestId: result.awsRequestId,
      durationMs: result.durationMs,
      ...(err ? { error: err.errorMessage } : { result: result.payload }),
    });
    if (err) {
      const errorMessage = err.errorMessage || 'error';
      const arn = spec.functionArn.split(':');
      const message = [errorMessage, '', `Logs: /aws/lambda/${arn[arn.length - 1]}`, ''].join('\n');
      const stack = err.trace.length > 0 ? [message, ...err.trace.slice(1)].join('\n') : undefined;
      throw new FrameworkError(message, errorMessage, stack);
    }
    return result.payload as any;
  };

  const run = async (): Promise<ProviderResponse | undefined> => {
    // The framework onEvent function (safeHandler(onEvent)) invokes the user onEvent synchronously.
    const cfnRequest: Record<string, any> = { ...request };
    if (cfnRequest.RequestType === 'Delete' && cfnRequest.PhysicalResourceId === CREATE_FAILED_PHYSICAL_ID_MARKER) {
      return send(buildResponse('SUCCESS', cfnRequest));
    }
    let resourceEvent: Record<string, any>;
    try {
      cfnRequest.ResourceProperties = cfnRequest.ResourceProperties || {};
      const onEventResult = await invokeUser('onEvent', fns.onEvent, cfnRequest);
      resourceEvent = createResponseEvent(cfnRequest, onEventResult);
      if (!fns.isComplete) {
        return send(buildResponse('SUCCESS', resourceEvent, undefined, resourceEvent.NoEcho));
      }
    } catch (e: any) {
      if (!cfnRequest.PhysicalResourceId && cfnRequest.RequestType === 'Create') {
        cfnRequest.PhysicalResourceId = CREATE_FAILED_PHYSICAL_ID_MARKER;
      }
      return send(buildResponse('FAILED', cfnRequest, frameworkErrorStack(e)), e instanceof FrameworkError ? e.userMessage : e?.message);
    }

    // The waiter state machine: its input goes through Step Functions as JSON. Its isComplete task
    // retries on States.ALL (the framework's Retry error for `IsComplete: false`); the Catch runs onTimeout.
    const waiterInput: Record<string, any> = JSON.parse(JSON.stringify(resourceEvent));
    let interval = fns.waiter.intervalSeconds;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) {
        await sleep(options.pollIntervalMs);
        waitedSeconds += interval;
        interval *= fns.waiter.backoffRate;
        if (late()) receive(undefined);
        if (stopped) return undefined;
      }
      // safeHandler(isComplete): any error other than Retry answers FAILED at once.
      try {
        const isCompleteResult = await invokeUser('isComplete', fns.isComplete, waiterInput);
        if (isCompleteResult === null || typeof isCompleteResult !== 'object') {
          throw new TypeError(`Cannot read properties of ${isCompleteResult === null ? 'null' : 'undefined'} (reading 'IsComplete')`);
        }
        if (!isCompleteResult.IsComplete) {
          if (isCompleteResult.Data && Object.keys(isCompleteResult.Data).length > 0) {
            throw new Error('"Data" is not allowed if "IsComplete" is "False"');
          }
          if (attempt >= fns.waiter.maxAttempts) {
            return send(buildResponse('FAILED', waiterInput, 'Operation timed out'), 'Operation timed out');
          }
          continue;
        }
        const response = { ...waiterInput, ...isCompleteResult, Data: { ...waiterInput.Data, ...isCompleteResult.Data } };
        return send(buildResponse('SUCCESS', response, undefined, waiterInput.NoEcho));
      } catch (e: any) {
        return send(buildResponse('FAILED', waiterInput, frameworkErrorStack(e)), e instanceof FrameworkError ? e.userMessage : e?.message);
      }
    }
  };

  const finished = run();
  // A stopped execution never answers.
  void finished.then(() => receive(undefined));
  return { received, finished, invocations, stop: () => { stopped = true; } };
}
