import { handlerFor } from './handlers';
import { contextFor } from './handlers/client';
import { errorName } from './handlers/errors';
import { sizedForReason } from './handlers/failure-reason';
import { describeEvent } from './handlers/logging';
import type { IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './handlers/types';

/*
 * The Provider framework's two handlers, in one bundle (`npx projen bundle`): both functions run the same asset,
 * each its own export (`index.onEvent`, `index.isComplete`).
 */

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** The Provider framework's onEvent: one Proton call per event, answered with the Proton identity. */
export async function onEvent(event: OnEventRequest, lambdaContext?: LambdaContext): Promise<OnEventResponse> {
  console.log(`onEvent ${describeEvent(event)}`);
  let response: OnEventResponse;
  try {
    response = await handlerFor(event.ResourceType).onEvent(event, contextFor(lambdaContext));
  } catch (error) {
    throw sizedForReason(error);
  }
  console.log(`onEvent answered ${response.PhysicalResourceId}`);
  return response;
}

/** The Provider framework's isComplete: waits (bounded) for Proton, then reports the resource's attributes. */
export async function isComplete(event: IsCompleteRequest, lambdaContext?: LambdaContext): Promise<IsCompleteResponse> {
  console.log(`isComplete ${describeEvent(event)}`);
  let response: IsCompleteResponse;
  try {
    response = await handlerFor(event.ResourceType).isComplete(event, contextFor(lambdaContext));
  } catch (error) {
    // The framework reports any error as FAILED; a call still throttled when the retries ran out of time is
    // "not yet": the framework polls again.
    if (errorName(error) !== 'ThrottlingException') throw sizedForReason(error);
    console.log('isComplete throttled: not complete yet');
    return { IsComplete: false };
  }
  console.log(`isComplete ${response.IsComplete ? 'complete' : 'not complete yet'}`);
  return response;
}
