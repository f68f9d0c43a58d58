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

/** The deployed length of one value of a policy document, in characters (see `deployed`). */
function deployedLength(stack: Stack, value: unknown): number {
  return JSON.stringify(deployed(stack.resolve(value))).length;
}

/** `{"Version":"2012-10-17","Statement":[]}`: a document's length without its statements. */
const DOCUMENT_ENVELOPE = JSON.stringify({ Version: '2012-10-17', Statement: [] }).length;
/** `,"Resource":`: what a statement's resources add besides their values. */
const RESOURCE_KEY = ',"Resource":'.length;

/**
 * The statements in as few documents as fit `maxLength` each, in order: a statement whose resources do not
 * fit the document being filled continues, with its other resources, in the next one.
 *
 * Lengths add up, so each resource is resolved once: a document is its envelope, its statements and the commas
 * between them; a statement is its JSON without resources, plus its resources (in brackets when more than one).
 * Merged statements (the minimizePolicies flag) only get shorter. Each document is measured whole at the end.
 */
export function splitIntoPolicies(stack: Stack, statements: iam.PolicyStatement[], maxLength = MAX_MANAGED_POLICY_LENGTH): iam.PolicyStatement[][] {
  const documents: Array<{ statements: iam.PolicyStatement[]; length: number }> = [{ statements: [], length: DOCUMENT_ENVELOPE }];
  for (const statement of statements) {
    const json = statement.toStatementJson();
    const resources: string[] = [].concat(json.Resource ?? []);
    const part = (from: string[]) => iam.PolicyStatement.fromJson({ ...json, Resource: from });
    const { Resource: _, ...rest } = json;
    const skeleton = deployedLength(stack, rest) + (resources.length > 0 ? RESOURCE_KEY : 0);
    const statementLength = (lengths: number[]) => skeleton + lengths.reduce((sum, l) => sum + l, 0)
      + (lengths.length > 1 ? 2 + lengths.length - 1 : 0);
    // The length `lengths` of resources would add to document `d` as a new statement.
    const added = (d: { statements: unknown[] }, lengths: number[]) => statementLength(lengths) + (d.statements.length > 0 ? 1 : 0);
    let taken: string[] = [];
    let takenLengths: number[] = [];
    for (const resource of resources) {
      const current = documents[documents.length - 1];
      const length = deployedLength(stack, resource);
      if (current.length + added(current, [...takenLengths, length]) <= maxLength) {
        taken.push(resource);
        takenLengths.push(length);
        continue;
      }
      if (taken.length === 0 && current.statements.length === 0) {
        throw new Error(`one statement of the Proton provider's policy is longer than IAM allows (${maxLength} characters): ${JSON.stringify(stack.resolve(json)).slice(0, 200)}`);
      }
      if (taken.length > 0) {
        current.length += added(current, takenLengths);
        current.statements.push(part(taken));
      }
      documents.push({ statements: [], length: DOCUMENT_ENVELOPE });
      taken = [resource];
      takenLengths = [length];
      if (DOCUMENT_ENVELOPE + statementLength(takenLengths) > maxLength) {
        throw new Error(`a resource of the Proton provider's policy is longer than IAM allows: ${JSON.stringify(stack.resolve(resource)).slice(0, 200)}`);
      }
    }
    const last = documents[documents.length - 1];
    if (taken.length > 0 || resources.length === 0) {
      last.length += added(last, taken.length > 0 ? takenLengths : []);
      last.statements.push(part(taken.length > 0 ? taken : resources));
    }
  }
  for (const [i, d] of documents.entries()) {
    const length = deployedPolicyLength(stack, new iam.PolicyDocument({ statements: d.statements }));
    if (length > maxLength) throw new Error(`policy ${i + 1} of the Proton provider is ${length} characters, over IAM's ${maxLength}: report this as a bug`);
  }
  return documents.map((d) => d.statements);
}
