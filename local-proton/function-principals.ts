/**
 * Who a handler is, to the emulator's IAM: each Lambda function that local CloudFormation runs signs with an
 * access key of its own, and the emulator reads that function's role's policies, as local CloudFormation has
 * deployed them at the moment of the call (so a call made before its policy exists is denied, as on AWS).
 */
import { createHash } from 'crypto';
import type { PolicyDocument, Principal, PrincipalResolver } from './emulator';
import type { FunctionEnvContext, LocalCloudFormation, ResourceState } from './local-cfn';

/** Gives each function its credentials and tells the emulator whose they are. */
export class FunctionPrincipals {
  private readonly functions = new Map<string, FunctionEnvContext>();

  constructor(private readonly cfn: () => LocalCloudFormation, private readonly accountId: string) {}

  /** The `functionEnv` hook of local CloudFormation: credentials of the function's role session. */
  readonly credentialsFor = (fn: FunctionEnvContext): Record<string, string> => {
    const key = `ASIA${createHash('sha256').update(`${fn.stackName}/${fn.logicalId}`).digest('hex').slice(0, 16).toUpperCase()}`;
    this.functions.set(key, fn);
    return { AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: 'function-role-secret', AWS_SESSION_TOKEN: `session-of-${fn.logicalId}` };
  };

  /** The emulator's principal resolver: the role session behind a key this class handed out. */
  readonly resolve: PrincipalResolver = (accessKeyId: string): Principal | undefined => {
    const fn = this.functions.get(accessKeyId);
    if (!fn) return undefined;
    const roleName = fn.roleArn?.split('/').pop() ?? 'no-role';
    return {
      arn: `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${fn.functionName}`,
      policies: () => rolePolicies(this.cfn().liveResources(fn.stackName) ?? new Map(), fn.roleArn),
    };
  };
}

/**
 * The identity-based policies of a role among a stack's live resources: its inline `Policies`, the stack's
 * `AWS::IAM::Policy` / `AWS::IAM::RolePolicy` resources attached to it and the stack's customer managed policies
 * it names. AWS managed policies (e.g. AWSLambdaBasicExecutionRole) count as granting nothing: their contents are
 * not in the template (emulator decision; the provider's one grants CloudWatch Logs only).
 */
export function rolePolicies(live: ReadonlyMap<string, ResourceState>, roleArn: string | undefined): PolicyDocument[] {
  const role = [...live.values()].find((r) => r.type === 'AWS::IAM::Role' && roleArn !== undefined
    && roleArn.endsWith(`:role/${r.name ?? r.physicalId}`));
  if (!role) return [];
  const roleName = role.name ?? role.physicalId;
  const policies: PolicyDocument[] = (role.properties.Policies ?? []).map((p: any) => p.PolicyDocument);
  const managed: string[] = role.properties.ManagedPolicyArns ?? [];
  for (const resource of live.values()) {
    const p = resource.properties;
    if (resource.type === 'AWS::IAM::Policy' && (p.Roles ?? []).includes(roleName)) policies.push(p.PolicyDocument);
    if (resource.type === 'AWS::IAM::RolePolicy' && p.RoleName === roleName) policies.push(p.PolicyDocument);
    if (resource.type === 'AWS::IAM::ManagedPolicy' && ((p.Roles ?? []).includes(roleName) || managed.includes(resource.ref))) {
      policies.push(p.PolicyDocument);
    }
  }
  return policies;
}
