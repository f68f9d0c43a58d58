import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { deployedPolicyLength, splitIntoPolicies } from '../../src/custom-resources/policy-size';

const stack = new Stack();
const arn = (name: string) => `arn:${Aws.PARTITION}:proton:${Aws.REGION}:${Aws.ACCOUNT_ID}:environment/${name}`;

/** Statements of several actions each, on resources of varied lengths, tokens among them. */
function statements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['proton:GetEnvironment', 'proton:UpdateEnvironment'], resources: Array.from({ length: 40 }, (_, i) => arn(`env-${'x'.repeat(i % 7)}${i}`)) }),
    new iam.PolicyStatement({ actions: ['proton:ListComponents'], resources: ['*'] }),
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: Array.from({ length: 25 }, (_, i) => `arn:aws:iam::111111111111:role/role-${i}`),
      conditions: { StringEquals: { 'iam:PassedToService': 'proton.amazonaws.com' } },
    }),
  ];
}

const length = (document: iam.PolicyStatement[]) => deployedPolicyLength(stack, new iam.PolicyDocument({ statements: document }));

test('each document fits, none could take the next resource, and every resource is granted once, in order', () => {
  const max = 1_200;
  const documents = splitIntoPolicies(stack, statements(), max);
  expect(documents.length).toBeGreaterThan(3);
  for (const document of documents) expect(length(document)).toBeLessThanOrEqual(max);
  for (let i = 0; i + 1 < documents.length; i++) {
    const last = documents[i][documents[i].length - 1].toStatementJson();
    const next = documents[i + 1][0].toStatementJson();
    const nextResource = [].concat(next.Resource)[0];
    const fuller = JSON.stringify(last.Action) === JSON.stringify(next.Action)
      ? [...documents[i].slice(0, -1), iam.PolicyStatement.fromJson({ ...last, Resource: [...[].concat(last.Resource), nextResource] })]
      : [...documents[i], iam.PolicyStatement.fromJson({ ...next, Resource: [nextResource] })];
    expect(length(fuller)).toBeGreaterThan(max);
  }
  const granted = documents.flat().flatMap((s) => [].concat(s.toStatementJson().Resource));
  const asked = statements().flatMap((s) => [].concat(s.toStatementJson().Resource));
  expect(stack.resolve(granted)).toEqual(stack.resolve(asked));
});

test('a resource longer than a whole policy is refused, naming it', () => {
  const long = new iam.PolicyStatement({ actions: ['proton:GetEnvironment'], resources: [arn('x'.repeat(300))] });
  expect(() => splitIntoPolicies(stack, [long], 200)).toThrow(/longer than IAM allows/);
});
