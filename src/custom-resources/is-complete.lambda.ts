import { contextFor, describeEvent, handlerFor } from './handlers';
import type { IsCompleteRequest, IsCompleteResponse } from './handlers/types';

/** The Provider framework's isComplete: waits (bounded) for Proton, then reports the resource's attributes. */
export async function handler(event: IsCompleteRequest, lambdaContext?: { getRemainingTimeInMillis(): number }): Promise<IsCompleteResponse> {
  console.log(`isComplete ${describeEvent(event)}`);
  const response = await handlerFor(event.ResourceType).isComplete(event, contextFor(lambdaContext));
  console.log(`isComplete ${response.IsComplete ? 'complete' : 'not complete yet'}`);
  return response;
}
