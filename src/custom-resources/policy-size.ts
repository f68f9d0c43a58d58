import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** IAM's limit for a customer managed policy: 6,144 characters, white space not counted. */
export const MAX_MANAGED_POLICY_LENGTH = 6_144;
/** A role takes at most 10 managed policies (IAM's default quota). */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;

/**
 * What a resolved CloudFormation value will be at most once deployed, in characters. Pseudo parameters
 * count as their longest values; any other token (a role's `Fn::GetAtt` Arn, an import) as 128 characters,
 * more than the ARN of a role CloudFormation names (at most 64 characters after `arn:<partition>:iam::<account>:role/`).
 */
const PSEUDO_LENGTH: Record<string, number> = { 'AWS::Partition': 'aws-iso-b'.length + 1, 'AWS::Region': 'ap-southeast-5'.length + 2, 'AWS::AccountId': 12, 'AWS::URLSuffix': 'amazonaws.com.cn'.length };
const TOKEN_LENGTH = 128;

function deployed(value: any): any {
  if (Array.isArray(value)) return value.map(deployed);
  if (value === null || typeof value !== 'object') return value;
  if (typeof value.Ref === 'string' && Object.keys(value).length === 1) return 'x'.repeat(PSEUDO_LENGTH[value.Ref] ?? TOKEN_LENGTH);
  const join = value['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    const parts = join[1].map(deployed);
    if (parts.every((p: unknown) => typeof p === 'string')) return parts.join(join[0]);
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0].startsWith('Fn::')) return 'x'.repeat(TOKEN_LENGTH);
  return Object.fromEntries(keys.map((k) => [k, deployed(value[k])]));
}

/** The length IAM will count for `document` once deployed, at most (see `deployed`). */
export function deployedPolicyLength(stack: Stack, document: iam.PolicyDocument): number {
  return JSON.stringify(deployed(stack.resolve(document.toJSON()))).length;
}

/**
 * The statements in as few documents as fit `maxLength` each, in order: a statement whose resources do not
 * fit the document being filled continues, with its other resources, in the next one.
 */
export function splitIntoPolicies(stack: Stack, statements: iam.PolicyStatement[], maxLength = MAX_MANAGED_POLICY_LENGTH): iam.PolicyStatement[][] {
  const documents: iam.PolicyStatement[][] = [[]];
  const fits = (candidate: iam.PolicyStatement[]) => deployedPolicyLength(stack, new iam.PolicyDocument({ statements: candidate })) <= maxLength;
  for (const statement of statements) {
    const json = statement.toStatementJson();
    const resources: string[] = [].concat(json.Resource ?? []);
    const part = (from: string[]) => iam.PolicyStatement.fromJson({ ...json, Resource: from });
    let taken: string[] = [];
    for (const resource of resources) {
      const current = documents[documents.length - 1];
      if (fits([...current, part([...taken, resource])])) {
        taken.push(resource);
        continue;
      }
      if (taken.length === 0 && current.length === 0) {
        throw new Error(`one statement of the Proton provider's policy is longer than IAM allows (${maxLength} characters): ${JSON.stringify(stack.resolve(json)).slice(0, 200)}`);
      }
      if (taken.length > 0) current.push(part(taken));
      documents.push([]);
      taken = [resource];
      if (!fits([part(taken)])) throw new Error(`a resource of the Proton provider's policy is longer than IAM allows: ${JSON.stringify(stack.resolve(resource)).slice(0, 200)}`);
    }
    if (taken.length > 0 || resources.length === 0) documents[documents.length - 1].push(part(taken.length > 0 ? taken : resources));
  }
  return documents;
}
