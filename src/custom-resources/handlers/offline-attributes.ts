import { parsePhysicalId } from './template-version';
import type { OnEventRequest } from './types';
import { NamedResourceAttribute, ResourceType, TemplateVersionAttribute } from '../contract';

/**
 * The attributes of a resource that follow from its event alone (its names, the stack's account and region), for an
 * Update that cannot read them from Proton: a removal-policy-only Update when Proton no longer answers. They are the
 * values the handler answered before (Proton's ARN formats: `<partition>:proton:<region>:<account>:<resource>`), so
 * the resources that read them see no change. Proton's outputs do not follow: a stack that reads one fails on
 * CloudFormation's "Vendor response doesn't contain" error.
 */
export function attributesWithoutProton(event: OnEventRequest): Record<string, string> {
  const [, partition, , region, account] = event.StackId.split(':');
  const arn = (resource: string) => `arn:${partition}:proton:${region}:${account}:${resource}`;
  const named = (resource: string) => ({ [NamedResourceAttribute.ARN]: arn(resource) });
  const props = event.ResourceProperties;
  switch (event.ResourceType) {
    case ResourceType.ENVIRONMENT_TEMPLATE_VERSION:
    case ResourceType.SERVICE_TEMPLATE_VERSION: {
      const id = parsePhysicalId(event.PhysicalResourceId);
      if (!id) return {};
      const kind = event.ResourceType === ResourceType.ENVIRONMENT_TEMPLATE_VERSION ? 'environment-template' : 'service-template';
      return {
        [TemplateVersionAttribute.MAJOR_VERSION]: id.majorVersion,
        [TemplateVersionAttribute.MINOR_VERSION]: id.minorVersion,
        [TemplateVersionAttribute.ARN]: arn(`${kind}/${id.templateName}:${id.majorVersion}.${id.minorVersion}`),
      };
    }
    case ResourceType.ENVIRONMENT:
      return named(`environment/${props.Name}`);
    case ResourceType.SERVICE:
      return named(`service/${props.Name}`);
    case ResourceType.SERVICE_INSTANCE:
      return named(`service/${props.ServiceName}/service-instance/${props.Name}`);
    case ResourceType.COMPONENT:
      return named(`component/${props.Name}`);
    default:
      return {};
  }
}
