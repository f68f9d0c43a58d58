import { handlerFor } from './handlers';
import { contextFor } from './handlers/client';
import { errorName } from './handlers/errors';
import { describeEvent } from './handlers/logging';
import type { IsCompleteRequest, IsCompleteResponse } from './handlers/types';

/** The Provider framework's isComplete: waits (bounded) for Proton, then reports the resource's attributes. */
export async function handler(event: IsCompleteRequest, lambdaContext?: { getRemainingTimeInMillis(): number }): Promise<IsCompleteResponse> {
  console.log(`isComplete ${describeEvent(event)}`);
  let response: IsCompleteResponse;
  try {
    response = await handlerFor(event.ResourceType).isComplete(event, contextFor(lambdaContext));
  } catch (error) {
    // The framework reports any error as FAILED; a call still throttled when the retries ran out of time is
    // "not yet": the framework polls again.
    if (errorName(error) !== 'ThrottlingException') throw error;
    console.log('isComplete throttled: not complete yet');
    return { IsComplete: false };
  }
  console.log(`isComplete ${response.IsComplete ? 'complete' : 'not complete yet'}`);
  return response;
}
