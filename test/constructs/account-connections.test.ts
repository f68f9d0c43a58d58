import { Match, Template } from 'aws-cdk-lib/assertions';
import { firstResource, newStack, protonPolicyStatements } from './helpers';
import { AcceptEnvironmentAccountConnection, Environment, EnvironmentAccountConnection, EnvironmentTemplate, ProtonServiceRole, Spec } from '../../src';

describe('environment account connections', () => {
  test('the environment account requests the connection; the management account accepts it and deploys through it', () => {
    const envAccount = newStack('EnvAccount');
    const role = new ProtonServiceRole(envAccount, 'Role', { managementAccountId: '222222222222' });
    new EnvironmentAccountConnection(envAccount, 'Connection', { managementAccountId: '222222222222', environmentName: 'prod', role });
    Template.fromStack(envAccount).hasResourceProperties('AWS::Proton::EnvironmentAccountConnection', {
      ManagementAccountId: '222222222222', EnvironmentName: 'prod', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Role'), 'Arn'] },
    });
    Template.fromStack(envAccount).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '222222222222' } }) })] },
    });

    const management = newStack('Management');
    const connection = EnvironmentAccountConnection.fromEnvironmentAccountConnectionId(management, 'Requested', 'a1b2c3d4-0000-1111-2222-333344445555');
    const accepted = new AcceptEnvironmentAccountConnection(management, 'Accept', { connection });
    const template = EnvironmentTemplate.fromEnvironmentTemplateName(management, 'T', 'vpc-env');
    new Environment(management, 'Prod', { environmentName: 'prod', template, majorVersion: '1', spec: Spec.fromObject({}), environmentAccountConnection: accepted });

    const t = Template.fromStack(management);
    t.hasResourceProperties('Custom::ProtonAcceptEnvironmentAccountConnection', { ConnectionId: 'a1b2c3d4-0000-1111-2222-333344445555' });
    expect(firstResource(management, 'Custom::ProtonEnvironment').Properties.EnvironmentAccountConnectionId).toEqual({ Ref: expect.stringMatching(/^Accept/) });
    const statements: any[] = protonPolicyStatements(t);
    const accept = statements.find((s) => ([] as string[]).concat(s.Action).includes('proton:AcceptEnvironmentAccountConnection'));
    expect(JSON.stringify(accept.Resource)).toContain('environment-account-connection/a1b2c3d4-0000-1111-2222-333344445555');
  });

  test('a connection needs a role to provision with', () => {
    expect(() => new EnvironmentAccountConnection(newStack(), 'C', { managementAccountId: '222222222222', environmentName: 'prod' }))
      .toThrow(/no role for Proton to provision with/);
  });
});
