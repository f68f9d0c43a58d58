/**
 * local-cfn: deploy the custom resources of a synthesized CDK app locally. See README.md.
 */
export * from './types';
export { LocalCloudFormation } from './local-cloudformation';
export type { ResourceState, StackState } from './local-cloudformation';
export { CREATE_FAILED_PHYSICAL_ID_MARKER, MISSING_PHYSICAL_ID_MARKER } from './provider-framework';
export { TemplateValidationError } from './template';
export { listStacks, type StackSummary } from './assembly';
