/**
 * Public types of the local CloudFormation deployer ("local-cfn").
 *
 * See README.md in this folder for the semantics.
 */

/** What happened to one resource in one step of a deployment. */
export type ResourceAction =
  | 'CREATE'
  | 'UPDATE'
  | 'REPLACE'
  | 'DELETE'
  | 'NO_CHANGE'
  | 'ROLLBACK_UPDATE'
  | 'ROLLBACK_DELETE'
  | 'CLEANUP_DELETE';

export type ResourceStatus = 'SUCCEEDED' | 'FAILED';

export type StackStatus =
  | 'CREATE_COMPLETE'
  | 'UPDATE_COMPLETE'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'ROLLBACK_COMPLETE'
  | 'ROLLBACK_FAILED'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'UPDATE_ROLLBACK_FAILED';

/** How a resource is deployed locally. */
export type ResourceKind = 'custom' | 'native' | 'simulated';

/** The CloudFormation custom resource request types. */
export type CustomResourceRequestType = 'Create' | 'Update' | 'Delete';

/**
 * The body the Provider framework would PUT to the ResponseURL
 * (the fields of aws-cdk-lib's `submitResponse`, in its order).
 */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, any>;
}

/** One in-process invocation of a user handler (the Lambda functions behind a Provider). */
export interface HandlerInvocation {
  readonly handler: 'onEvent' | 'isComplete';
  readonly functionName: string;
  /** The Lambda request id (`context.awsRequestId`). */
  readonly awsRequestId: string;
  readonly durationMs: number;
  /** The handler's return value after the Lambda JSON round trip (absent when it threw). */
  readonly result?: unknown;
  /** The error message when the handler threw (or timed out). */
  readonly error?: string;
}

export interface ResourceReport {
  readonly logicalId: string;
  readonly type: string;
  readonly action: ResourceAction;
  readonly status: ResourceStatus;
  readonly physicalId?: string;
  readonly attributes?: Record<string, any>;
  /**
   * Why the step failed (or, for a step that did nothing, why). For a user handler error this is
   * the handler's error message; the full framework `Reason` (with the "Logs:" line and the stack
   * trace) is in `response.Reason`.
   */
  readonly reason?: string;
  readonly durationMs: number;
  /** When the step ended: for a custom resource, when CloudFormation received the framework's response. */
  readonly endedAt: Date;
  readonly kind: ResourceKind;
  /** The CloudFormation RequestId sent to a custom resource. */
  readonly requestId?: string;
  /** The response the Provider framework produced (custom resources only). */
  readonly response?: CustomResourceResponse;
  /** Size in bytes of `response` as JSON (CloudFormation rejects more than 4096). */
  readonly responseBytes?: number;
  /** The user handler invocations of this step, in order (custom resources only). */
  readonly invocations?: HandlerInvocation[];
}

export interface StackReport {
  readonly stackName: string;
  readonly stackId: string;
  readonly status: StackStatus;
  /** Every step in the order it ended, rollback and cleanup steps included. */
  readonly resources: ResourceReport[];
  /** The first failure (or "No updates are to be performed."). */
  readonly reason?: string;
  /** Resolved stack outputs after the operation (the previous ones after a rollback). */
  readonly outputs: Record<string, any>;
  readonly durationMs: number;
}

/** Passed to every NativeResourceHandler call. */
export interface NativeResourceContext {
  readonly stackName: string;
  readonly stackId: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  /** Which step of the deployment asks (CREATE, UPDATE, ROLLBACK_UPDATE, CLEANUP_DELETE, ...). */
  readonly action: ResourceAction;
}

export interface NativeResourceResult {
  readonly physicalId: string;
  readonly attributes: Record<string, string>;
}

/**
 * A stand-in for a native CloudFormation resource type. Properties are the resolved template
 * properties with their JSON types (native types do not get the custom resource stringification).
 * Throwing fails the resource with the error message as reason.
 */
export interface NativeResourceHandler {
  create(props: any, ctx: NativeResourceContext): Promise<NativeResourceResult>;
  /** Return a different physicalId to signal a replacement (the old id is deleted in the cleanup phase). */
  update(physicalId: string, props: any, oldProps: any, ctx: NativeResourceContext): Promise<NativeResourceResult>;
  delete(physicalId: string, props: any, ctx: NativeResourceContext): Promise<void>;
}

/** One line written by a handler through `console`. */
export interface HandlerLogEntry {
  readonly functionName: string;
  readonly awsRequestId: string;
  readonly level: 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
  readonly message: string;
}

export interface LocalCloudFormationOptions {
  /** e.g. '111111111111' */
  readonly accountId: string;
  /** e.g. 'us-east-1' */
  readonly region: string;
  /** Where deployed stack state is persisted as JSON (`<stateDir>/<stackName>.json`). */
  readonly stateDir: string;
  /** Extra environment for handler invocations (overrides the function's own variables). */
  readonly handlerEnv?: Record<string, string>;
  /** Asset publishing target (an S3 stand-in). Called for every `file` asset of the stack on each deploy. */
  readonly publishFileAsset?: (bucket: string, key: string, body: Buffer) => void | Promise<void>;
  /** Stand-ins for native CloudFormation types, by type (e.g. 'AWS::Proton::EnvironmentTemplate'). */
  readonly nativeResources?: Record<string, NativeResourceHandler>;
  /** Real time between isComplete polls (default 50 ms instead of the Provider's `queryInterval`). */
  readonly pollIntervalMs?: number;
  /**
   * What to do with a custom resource whose ServiceToken is not a Provider framework function of
   * the stack (and whose type is not in `nativeResources`): fail it (default) or simulate it like
   * any other resource.
   */
  readonly unsupportedCustomResources?: 'fail' | 'simulate';
  /** Receives what handlers write to `console` (default: discarded). */
  readonly onHandlerLog?: (entry: HandlerLogEntry) => void;
  /**
   * Extra environment for each user function, applied after `handlerEnv` (e.g. credentials for
   * the function's role).
   */
  readonly functionEnv?: (fn: FunctionEnvContext) => Record<string, string>;
  /** How many resource operations run at once (default 8, an emulator decision: see README). */
  readonly maxConcurrency?: number;
  /**
   * Start the resources that are ready in an order drawn from this seed instead of template
   * order, so that a missing `DependsOn` shows up. The same seed gives the same order.
   */
  readonly shuffleSeed?: number;
  /**
   * What a Provider execution does once CloudFormation stopped waiting for its request (a
   * cancelled request, ServiceTimeout): go on calling isComplete as Step Functions does
   * (default), or stop. See `LocalCloudFormation.settle()`.
   */
  readonly abandonedExecutions?: 'continue' | 'stop';
  /**
   * Hand every custom resource request to its Provider twice, with the same RequestId, as an
   * at-least-once delivery (or a retried invocation) does: both executions run side by side and
   * CloudFormation takes the first response; the other one goes on as an abandoned execution
   * (see `settle()`). @default false
   */
  readonly duplicateDeliveries?: boolean;
  /**
   * Reuse a function's idle container for its next invocation, module state included (SDK clients,
   * their retry quota), as Lambda does. @default false (every invocation a cold start)
   */
  readonly warmContainers?: boolean;
  /** Told each step of a deploy or destroy as it ends, before the operation ends (a CLI prints them). */
  readonly onProgress?: (stackName: string, step: ResourceReport) => void;
}

/** The user function `LocalCloudFormationOptions.functionEnv` is asked about. */
export interface FunctionEnvContext {
  readonly stackName: string;
  readonly logicalId: string;
  readonly functionName: string;
  /** The function's resolved `Role`. */
  readonly roleArn?: string;
}

/** A Provider execution CloudFormation stopped waiting for, once it has ended (`settle()`). */
export interface AbandonedExecution {
  readonly stackName: string;
  readonly logicalId: string;
  readonly requestId: string;
  readonly requestType: CustomResourceRequestType;
  /** Why CloudFormation stopped waiting: `Resource creation cancelled`, ..., or the ServiceTimeout message. */
  readonly reason: string;
  /** Every user handler invocation of the request, before and after CloudFormation stopped waiting. */
  readonly invocations: HandlerInvocation[];
  /** How many of `invocations` had ended when CloudFormation stopped waiting. */
  readonly invocationsBeforeAbandoned: number;
  /** What the framework sent to the ResponseURL, ignored by CloudFormation (absent when the execution was stopped first). */
  readonly response?: CustomResourceResponse;
}

export interface DeployOptions {
  /**
   * Choose the CloudFormation RequestId of a custom resource request (return undefined for a
   * random uuid). Lets replay tests send the same RequestId twice, as CloudFormation does when it
   * retries a request.
   */
  readonly requestIdFor?: (logicalId: string, requestType: CustomResourceRequestType, action: ResourceAction) => string | undefined;
  /** Values for template parameters (default: each parameter's Default). */
  readonly parameters?: Record<string, string>;
}

/** Options of `LocalCloudFormation.destroy`. */
export interface DestroyOptions extends Pick<DeployOptions, 'requestIdFor'> {
  /**
   * DeleteStack's `RetainResources`: logical ids CloudFormation leaves behind instead of deleting. CloudFormation
   * takes them only for a stack in DELETE_FAILED ("For stacks in the DELETE_FAILED state, a list of resource
   * logical IDs ... you want to retain", DeleteStack API reference).
   */
  readonly retainResources?: string[];
}

/**
 * A request for `LocalCloudFormation.invokeCustomResource`: the CloudFormation event fields to
 * send. Missing fields are filled from the deployed stack (RequestId and ResponseURL are made up).
 * `ResourceProperties`/`OldResourceProperties` are stringified as CloudFormation does.
 */
export interface CustomResourceRequest {
  readonly RequestType: CustomResourceRequestType;
  readonly RequestId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
}

/** The result of one custom resource request run through the Provider framework. */
export interface CustomResourceInvocationResult {
  /** The event as sent to the framework (and to the user onEvent handler). */
  readonly event: Record<string, any>;
  /** SUCCEEDED when CloudFormation would accept the response as a success. */
  readonly status: ResourceStatus;
  readonly physicalId?: string;
  readonly data?: Record<string, any>;
  readonly reason?: string;
  readonly response?: CustomResourceResponse;
  readonly responseBytes?: number;
  readonly invocations: HandlerInvocation[];
}
