import type { ProtonClient } from '@aws-sdk/client-proton';

/** A CloudFormation custom resource event as the Provider framework hands it to onEvent. */
export interface OnEventRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId: string;
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceProperties: Record<string, any>;
  readonly OldResourceProperties?: Record<string, any>;
  readonly PhysicalResourceId?: string;
  /** Never logged: it is a pre-signed URL that can answer for the resource. */
  readonly ResponseURL?: string;
}

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The onEvent request merged with onEvent's response, as the framework passes it to isComplete. */
export interface IsCompleteRequest extends OnEventRequest {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** What a handler gets besides the event: the Proton client and the time it has left. */
export interface HandlerContext {
  readonly proton: ProtonClient;
  /** Milliseconds until the Lambda invocation times out. */
  remainingTimeMs(): number;
}

/** One handler per custom resource type: the framework calls onEvent once, then isComplete until it says so. */
export interface ResourceHandler {
  onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse>;
  isComplete(event: IsCompleteRequest, context: HandlerContext): Promise<IsCompleteResponse>;
}
