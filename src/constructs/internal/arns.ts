import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { ProtonResourceFamily } from '../../custom-resources/permissions';

/** The ARN of a Proton resource of `family` (its type in the ARN) in the scope's stack. */
export function protonArn(scope: IConstruct, family: ProtonResourceFamily, resourceName: string): string {
  return Stack.of(scope).formatArn({ service: 'proton', resource: family, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** The name a Proton ARN ends in (`arn:aws:proton:<region>:<account>:<type>/<name>`). */
export function nameFromArn(arn: string): string {
  return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
}
