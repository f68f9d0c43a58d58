import { handlerFor } from './handlers';
import { contextFor } from './handlers/client';
import { describeEvent } from './handlers/logging';
import type { OnEventRequest, OnEventResponse } from './handlers/types';

/** The Provider framework's onEvent: one Proton call per event, answered with the Proton identity. */
export async function handler(event: OnEventRequest, lambdaContext?: { getRemainingTimeInMillis(): number }): Promise<OnEventResponse> {
  console.log(`onEvent ${describeEvent(event)}`);
  const response = await handlerFor(event.ResourceType).onEvent(event, contextFor(lambdaContext));
  console.log(`onEvent answered ${response.PhysicalResourceId}`);
  return response;
}
