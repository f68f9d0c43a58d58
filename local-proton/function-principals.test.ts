import { rolePolicies } from './function-principals';

test('a role\'s policies are the ones deployed at the moment of the call: a policy not created yet grants nothing', () => {
  const role = {
    type: 'AWS::IAM::Role',
    kind: 'simulated' as const,
    physicalId: 'r',
    ref: 'r',
    name: 'r',
    attributes: {},
    dependsOn: [],
    properties: { Policies: [{ PolicyName: 'inline', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'a:B', Resource: '*' }] } }] },
  };
  const policy = {
    type: 'AWS::IAM::ManagedPolicy',
    kind: 'simulated' as const,
    physicalId: 'p',
    ref: 'arn:p',
    attributes: {},
    dependsOn: [],
    properties: { Roles: ['r'], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'c:D', Resource: '*' }] } },
  };
  const roleArn = 'arn:aws:iam::111111111111:role/r';
  expect(rolePolicies(new Map([['Role', role]]), roleArn)).toHaveLength(1);
  expect(rolePolicies(new Map<string, any>([['Role', role], ['Policy', policy]]), roleArn)).toHaveLength(2);
  expect(rolePolicies(new Map([['Role', role]]), 'arn:aws:iam::111111111111:role/other')).toEqual([]);
});
