import { Match, Template } from 'aws-cdk-lib/assertions';
import { newStack, protonPolicyStatements } from './helpers';
import { AccountSettings, ProtonServiceRole, RepositoryProvider } from '../../src';

describe('AccountSettings', () => {
  test('sets the pipeline roles, may pass them to Proton only, and is declared once per stack', () => {
    const stack = newStack();
    const pipelineRole = new ProtonServiceRole(stack, 'PipelineRole');
    new AccountSettings(stack, 'Settings', {
      pipelineServiceRole: pipelineRole,
      pipelineProvisioningRepository: { provider: RepositoryProvider.GITHUB, name: 'my-org/pipelines', branch: 'main' },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::ProtonAccountSettings', {
      PipelineServiceRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineRole'), 'Arn'] },
      PipelineProvisioningRepository: { provider: 'GITHUB', name: 'my-org/pipelines', branch: 'main' },
      RemovalPolicy: 'delete',
    });
    const statements: any[] = protonPolicyStatements(t);
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['proton:GetAccountSettings', 'proton:UpdateAccountSettings'], Resource: '*' }));
    expect(statements.find((s) => s.Action === 'iam:PassRole').Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'proton.amazonaws.com' } });
    expect(() => new AccountSettings(stack, 'Again')).toThrow(/TestStack\/Again: the stack already declares Proton account settings at TestStack/);
  });
});
