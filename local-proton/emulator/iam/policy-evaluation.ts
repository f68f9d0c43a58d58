/**
 * Identity-based IAM policy evaluation, as the IAM User Guide's "Policy evaluation logic" describes it for a
 * principal and resources of one account: an explicit Deny wins, then any Allow, else the request is implicitly
 * denied. Written here rather than taken from `@cloud-copilot/iam-simulate`, which is AGPL-3.0: the emulator needs
 * only identity policies, the condition operators below and glob matching.
 *
 * Anything a policy says that this evaluator does not understand (a policy variable, an operator it lacks, a
 * set operator) throws, so a policy the emulator cannot judge fails loudly instead of being allowed or denied.
 */

/** A policy document as CloudFormation deploys it (`PolicyDocument` of `AWS::IAM::Policy` or a role's `Policies`). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[] | boolean>>;
  readonly Principal?: unknown;
}

/** One authorization question: may the principal perform `action` on `resource` (an ARN, or `*`)? */
export interface AuthorizationRequest {
  /** `service:Action`, e.g. `proton:GetService`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions that take no resource. */
  readonly resource: string;
  /** Condition keys of the request context (names are case-insensitive). */
  readonly context?: Readonly<Record<string, string>>;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

const asList = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/** IAM's wildcards: `*` any run of characters, `?` any one character. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern.includes('${')) {
    throw new Error(`IAM emulator: policy variables are not supported (${pattern})`);
  }
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^$(){}|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function matchesAction(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) return asList(statement.Action).some((p) => globMatch(p, action, true));
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((p) => globMatch(p, action, true));
  throw new Error('IAM emulator: a statement needs Action or NotAction');
}

function matchesResource(statement: PolicyStatement, resource: string): boolean {
  if (statement.Resource !== undefined) return asList(statement.Resource).some((p) => globMatch(p, resource));
  if (statement.NotResource !== undefined) return !asList(statement.NotResource).some((p) => globMatch(p, resource));
  throw new Error('IAM emulator: an identity-based statement needs Resource or NotResource');
}

type Comparison = (policyValue: string, requestValue: string) => boolean;

/** The condition operators the evaluator knows; `Not` variants match when none of the values match. */
const OPERATORS: Record<string, { compare: Comparison; negated: boolean }> = {
  StringEquals: { compare: (p, v) => p === v, negated: false },
  StringNotEquals: { compare: (p, v) => p === v, negated: true },
  StringEqualsIgnoreCase: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  StringLike: { compare: (p, v) => globMatch(p, v), negated: false },
  StringNotLike: { compare: (p, v) => globMatch(p, v), negated: true },
  ArnEquals: { compare: (p, v) => p === v, negated: false },
  ArnNotEquals: { compare: (p, v) => p === v, negated: true },
  ArnLike: { compare: (p, v) => globMatch(p, v), negated: false },
  ArnNotLike: { compare: (p, v) => globMatch(p, v), negated: true },
  Bool: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

function contextValue(context: Readonly<Record<string, string>>, key: string): string | undefined {
  const found = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : context[found];
}

/** Every operator of a Condition block must match, and within one operator every key (values of a key: any one). */
function matchesConditions(statement: PolicyStatement, context: Readonly<Record<string, string>>): boolean {
  for (const [rawOperator, keys] of Object.entries(statement.Condition ?? {})) {
    if (rawOperator.includes(':')) throw new Error(`IAM emulator: set operators are not supported (${rawOperator})`);
    const ifExists = rawOperator.endsWith('IfExists');
    const operator = ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator;
    for (const [key, rawValues] of Object.entries(keys)) {
      const values = typeof rawValues === 'boolean' ? [String(rawValues)] : asList(rawValues);
      const actual = contextValue(context, key);
      if (operator === 'Null') {
        // Null: "true" matches when the key is absent, "false" when it is present.
        if (!values.some((v) => (v === 'true') === (actual === undefined))) return false;
        continue;
      }
      const op = OPERATORS[operator];
      if (!op) throw new Error(`IAM emulator: condition operator ${rawOperator} is not supported`);
      if (actual === undefined) {
        // A missing key matches only IfExists and negated operators (IAM User Guide, condition operators).
        if (ifExists || op.negated) continue;
        return false;
      }
      const any = values.some((v) => op.compare(v, actual));
      if (op.negated ? any : !any) return false;
    }
  }
  return true;
}

/** The decision of identity-based `policies` for one request. */
export function evaluate(policies: readonly PolicyDocument[], request: AuthorizationRequest): Decision {
  const context = request.context ?? {};
  let allowed = false;
  for (const policy of policies) {
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement as PolicyStatement];
    for (const statement of statements) {
      if (!matchesAction(statement, request.action) || !matchesResource(statement, request.resource)) continue;
      if (!matchesConditions(statement, context)) continue;
      if (statement.Effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}
