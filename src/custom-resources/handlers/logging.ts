/** What may be logged of an event: never the ResponseURL, never property values (specs can hold secrets). */
export function describeEvent(event: { RequestType: string; ResourceType: string; LogicalResourceId: string; PhysicalResourceId?: string }): string {
  return `${event.RequestType} ${event.ResourceType} ${event.LogicalResourceId}${event.PhysicalResourceId ? ` (${event.PhysicalResourceId})` : ''}`;
}
