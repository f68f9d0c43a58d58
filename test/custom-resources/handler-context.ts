/**
 * What every handler unit test shares: typed CloudFormation requests (as the Provider framework hands them
 * to onEvent and isComplete), one handler context whose Proton client is mocked, and Proton's errors.
 */
import { ConflictException, ProtonClient, ResourceNotFoundException } from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AcceptEnvironmentAccountConnectionProperties,
  AccountSettingsProperties,
  ComponentProperties,
  EnvironmentProperties,
  RepositoryProperties,
  ResourceType,
  ResourceTypeName,
  ServiceInstanceProperties,
  ServiceProperties,
  ServiceSyncConfigProperties,
  TemplateSyncConfigProperties,
  TemplateVersionProperties,
} from '../../src/custom-resources/contract';
import type { Delivered } from '../../src/custom-resources/handlers/properties';
export type { Delivered };
import type {
  HandlerContext, IsCompleteRequest, OnEventRequest, OnEventResponse, ResourceHandler,
} from '../../src/custom-resources/handlers/types';

/** The mocked Proton client: every ProtonClient's `send`, reset before each test of the file that imports this. */
export const proton = mockClient(ProtonClient);
beforeEach(() => proton.reset());

/** The context the handlers get: the (mocked) Proton client and five minutes left. */
export const context: HandlerContext = { proton: new ProtonClient({ region: 'us-east-1' }), remainingTimeMs: () => 300_000 };

/** The contract's properties of each resource type. */
interface PropertiesOf {
  [ResourceType.ENVIRONMENT_TEMPLATE_VERSION]: TemplateVersionProperties;
  [ResourceType.SERVICE_TEMPLATE_VERSION]: TemplateVersionProperties;
  [ResourceType.ENVIRONMENT]: EnvironmentProperties;
  [ResourceType.SERVICE]: ServiceProperties;
  [ResourceType.SERVICE_INSTANCE]: ServiceInstanceProperties;
  [ResourceType.ACCOUNT_SETTINGS]: AccountSettingsProperties;
  [ResourceType.REPOSITORY]: RepositoryProperties;
  [ResourceType.TEMPLATE_SYNC_CONFIG]: TemplateSyncConfigProperties;
  [ResourceType.SERVICE_SYNC_CONFIG]: ServiceSyncConfigProperties;
  [ResourceType.COMPONENT]: ComponentProperties;
  [ResourceType.ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION]: AcceptEnvironmentAccountConnectionProperties;
}

/** Properties of resource type `T` as CloudFormation delivers them: the contract's names, any value (tests send wrong ones too). */
export type PropertiesFor<T extends ResourceTypeName> = Delivered<PropertiesOf[T]>;

/** What a test sets of a request with the contract's properties `P` besides its type: ids, Data, properties replacing the ones passed. */
export type RequestParts<P> = Partial<Omit<IsCompleteRequest, 'RequestType' | 'ResourceType' | 'ResourceProperties' | 'OldResourceProperties'>> & {
  readonly ResourceProperties?: Delivered<P>;
  readonly OldResourceProperties?: Delivered<P>;
};

/** The provider's function, which CloudFormation adds to every resource's properties. */
const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:111111111111:function:provider';

/** The request onEvent gets: a `requestType` of a `resourceType` resource with `props`, plus `extra`. */
export function onEventRequest<T extends ResourceTypeName>(requestType: OnEventRequest['RequestType'], resourceType: T,
  props: PropertiesFor<T>, extra: RequestParts<PropertiesOf[T]> = {}): OnEventRequest {
  const { ResourceProperties, OldResourceProperties, ...rest } = extra;
  return {
    RequestType: requestType,
    RequestId: 'r1',
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/s/1',
    LogicalResourceId: 'Resource',
    ResourceType: resourceType,
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...(ResourceProperties ?? props) },
    ...(OldResourceProperties ? { OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...OldResourceProperties } } : {}),
    ...rest,
  };
}

/** The request isComplete gets: onEvent's request merged with onEvent's answer (its physical id and Data). */
export function isCompleteRequest<T extends ResourceTypeName>(requestType: OnEventRequest['RequestType'], resourceType: T,
  props: PropertiesFor<T>, extra: RequestParts<PropertiesOf[T]> & { readonly PhysicalResourceId: string }): IsCompleteRequest {
  return { ...onEventRequest(requestType, resourceType, props, extra), PhysicalResourceId: extra.PhysicalResourceId };
}

/** onEvent, then one isComplete with onEvent's answer merged in, as the framework runs them. */
export async function onEventThenIsComplete(handler: ResourceHandler, request: OnEventRequest): Promise<OnEventResponse> {
  const answer = await handler.onEvent(request, context);
  await handler.isComplete({ ...request, ...answer }, context);
  return answer;
}

/** Proton's answer for a resource it does not know. */
export const notFound = (message = 'gone') => new ResourceNotFoundException({ message, $metadata: {} });

/** Proton's answer when the resource is busy or something uses it. */
export const conflict = (message: string) => new ConflictException({ message, $metadata: {} });

/** An error the SDK does not model for Proton, such as a missing permission. */
export const accessDenied = (message = 'not authorized') => Object.assign(new Error(message), { name: 'AccessDeniedException' });
