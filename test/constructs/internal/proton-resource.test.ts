import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccountSettings } from '../../../src';
import { environmentPlatform, newStack } from '../helpers';

describe('protonResource: removal policy', () => {
  test('a Proton resource is destroyed by default: CloudFormation sends the delete (its default policy, not written out) and the handler deletes it in Proton', () => {
    const stack = newStack();
    environmentPlatform(stack).environment('Env');
    Template.fromStack(stack).hasResource('Custom::ProtonEnvironment', {
      DeletionPolicy: Match.absent(), UpdateReplacePolicy: Match.absent(), Properties: Match.objectLike({ RemovalPolicy: 'delete' }),
    });
  });

  test('fails on a removal policy other than DESTROY or RETAIN, naming the construct and the fix', () => {
    const stack = newStack();
    const { environment } = environmentPlatform(stack);
    expect(() => environment('Snapshot', { removalPolicy: RemovalPolicy.SNAPSHOT }))
      .toThrow('TestStack/Snapshot: removalPolicy snapshot is not supported for Proton resources: use DESTROY or RETAIN');
    expect(() => environment('OnUpdate', { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE }))
      .toThrow(/removalPolicy retain-on-update-or-delete is not supported/);
  });

  test('account settings with RETAIN still get the delete from CloudFormation: the handler alone keeps them', () => {
    const stack = newStack();
    new AccountSettings(stack, 'Settings', { removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('Custom::ProtonAccountSettings', { DeletionPolicy: Match.absent(), Properties: Match.objectLike({ RemovalPolicy: 'retain' }) });
  });
});
