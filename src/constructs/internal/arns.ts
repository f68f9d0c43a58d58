import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The ARN of a Proton resource (`resource`: its type in the ARN, such as `environment`) in the scope's stack. */
export function protonArn(scope: IConstruct, resource: string, resourceName: string): string {
  return Stack.of(scope).formatArn({ service: 'proton', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
