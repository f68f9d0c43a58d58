import { Template } from 'aws-cdk-lib/assertions';
import { EnvironmentAccountConnection, ProtonServiceRole } from '../../src';
import { newStack } from '../constructs/helpers';

/** The conditions on proton.amazonaws.com of every role of the stack Proton assumes. */
function protonTrust(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::Role'))
    .flatMap((role: any) => role.Properties.AssumeRolePolicyDocument.Statement)
    .filter((s: any) => s.Principal?.Service === 'proton.amazonaws.com')
    .map((s: any) => s.Condition);
}

const sourceArn = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:proton:us-east-1:${account}:environment/*`]] });

describe('ProtonServiceRole trust (confused deputy)', () => {
  test('in an environment account, Proton may assume it for the management account\'s environments only', () => {
    const stack = newStack('EnvAccount');
    const role = new ProtonServiceRole(stack, 'Role', { managementAccountId: '222222222222' });
    new EnvironmentAccountConnection(stack, 'Connection', { managementAccountId: '222222222222', environmentName: 'prod', role });
    expect(protonTrust(Template.fromStack(stack))).toEqual([{
      StringEquals: { 'aws:SourceAccount': '222222222222' },
      ArnLike: { 'aws:SourceArn': sourceArn('222222222222') },
    }]);
  });

  test('in the management account, for this account\'s environments only', () => {
    const stack = newStack();
    new ProtonServiceRole(stack, 'Role');
    expect(protonTrust(Template.fromStack(stack))).toEqual([{
      StringEquals: { 'aws:SourceAccount': '111111111111' },
      ArnLike: { 'aws:SourceArn': sourceArn('111111111111') },
    }]);
  });
});
