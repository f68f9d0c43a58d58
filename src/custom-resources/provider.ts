import { createHash } from 'crypto';
import * as path from 'path';
import { Aspects, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { HandlerPermissions } from './permissions';
import { MAX_MANAGED_POLICIES_PER_ROLE, splitIntoPolicies } from './policy-size';
import { protonArn } from '../constructs/internal/arns';
import { suppressNag } from '../constructs/internal/nag';
import { stackNamePrefix } from '../constructs/internal/names';

const PROVIDER_ID = 'cdk-proton.ProtonProvider';
/** CloudFormation waits at most one hour for a custom resource. */
const MAX_TOTAL_TIMEOUT = Duration.hours(1);
/** Both handlers in one bundle, built from `provider-handlers.ts` by `npx projen bundle`: one asset for both functions. */
const HANDLER_BUNDLE = path.join(__dirname, '..', '..', 'assets', 'custom-resources', 'provider-handlers');
/** Asset bundles of one bucket are listed one by one up to this count, then granted as `<bucket>/*.gz`. */
const MAX_LISTED_BUNDLES_PER_BUCKET = 10;

/** Settings of a stack's Proton provider. */
export interface ProtonProviderProps {
  /**
   * How long a Proton resource of this stack may take to register or deploy before the
   * deployment fails, at most one hour (CloudFormation's limit for a custom resource).
   * @default Duration.minutes(30)
   */
  readonly totalTimeout?: Duration;
}


/**
 * The custom resource provider behind every Proton construct of a stack: one onEvent and one
 * isComplete Lambda function (bundled handlers with a pinned Proton client) and one role whose
 * policy grants Proton actions on the names the stack declares, nothing more.
 */
export class ProtonProvider extends Construct {
  /** The stack's provider, created with default settings on first use. */
  public static of(scope: IConstruct): ProtonProvider {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(PROVIDER_ID) as ProtonProvider | undefined) ?? new ProtonProvider(stack, PROVIDER_ID, {});
  }

  /** Creates the stack's provider with these settings; call it before declaring any Proton construct in the stack. */
  public static configure(scope: IConstruct, props: ProtonProviderProps): ProtonProvider {
    const stack = Stack.of(scope);
    if (stack.node.tryFindChild(PROVIDER_ID)) {
      throw new Error(`${stack.node.path}: the Proton provider of this stack already exists: call ProtonProvider.configure() before declaring any Proton construct in the stack`);
    }
    if (props.totalTimeout && props.totalTimeout.toSeconds() > MAX_TOTAL_TIMEOUT.toSeconds()) {
      throw new Error(`${stack.node.path}: totalTimeout ${props.totalTimeout.toHumanString()} is longer than CloudFormation waits for a custom resource: use at most 1 hour`);
    }
    return new ProtonProvider(stack, PROVIDER_ID, props);
  }

  /** The service token of the provider, for custom resources. */
  public readonly serviceToken: string;
  /** The role both handler functions run with. */
  public readonly role: iam.IRole;

  /** Names granted, by handler permissions (one statement each). */
  private readonly namesByPermissions = new Map<HandlerPermissions, Set<string>>();
  private readonly wildcardActions = new Set<string>();
  private readonly passedRoles = new Map<string, string>();
  private readonly passedConnections = new Map<string, string>();
  private readonly bundleObjects = new Map<string, { bucketArn: string; keys: Set<string>; assetKeys: Set<string> }>();
  private rendered = false;
  /** The handlers' managed policies, rendered at synthesis. */
  private readonly policies: Construct;

  private constructor(scope: Stack, id: string, props: ProtonProviderProps) {
    super(scope, id);
    const totalTimeout = props.totalTimeout ?? Duration.minutes(30);

    // No AWSLambdaBasicExecutionRole (it may write to any log group): the functions write to the provider's log groups only.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.role = role;
    // Rendered at synthesis (an aspect), once every construct of the stack has said what it needs, into
    // as many managed policies as IAM's size limit asks for. Each one's logical id follows its content:
    // when the grants change, CloudFormation creates the new policy before the handlers run, and deletes
    // the old one only in the cleanup phase, after the resources that needed it (a renamed or removed
    // resource's delete runs there too).
    const policies = new Construct(this, 'ProtonPolicies');
    Aspects.of(this).add({ visit: (node: IConstruct) => { if (node === this) this.renderPolicies(policies, role); } });

    // One log group for both handlers (each line starts with the handler's name): a resource's whole story in one place,
    // and one resource fewer in stacks that come near CloudFormation's 500.
    const logGroup = writableLogGroup(this, 'HandlerLogs', role);
    const onEvent = handlerFunction(this, 'OnEvent', 'onEvent', { role, logGroup, timeout: Duration.minutes(2) });
    // isComplete waits in an SDK waiter for up to a minute at a time; the framework polls it again after.
    const isComplete = handlerFunction(this, 'IsComplete', 'isComplete', { role, logGroup, timeout: Duration.minutes(10) });
    onEvent.node.addDependency(policies);
    isComplete.node.addDependency(policies);
    this.policies = policies;
    this.serviceToken = frameworkProvider(this, onEvent, isComplete, totalTimeout).serviceToken;
  }

  /**
   * Makes a Proton resource depend on the handlers' policies directly, not only through the functions: when a policy
   * is replaced, CloudFormation orders the deletes of the cleanup phase (and of a rollback) by the dependencies among
   * the resources it deletes, so a Proton resource goes before its grants.
   * @internal
   */
  public _dependOnGrants(resource: IConstruct): void {
    resource.node.addDependency(this.policies);
  }

  /**
   * Lets a handler do what `permissions` lists on the Proton resource named `name` (of the
   * permissions' family) and on what it contains. Names this library generated in the stack share
   * one prefix grant, so the policy does not grow with them.
   * @internal
   */
  public _grantHandler(permissions: HandlerPermissions, name?: string): void {
    permissions.wildcardActions?.forEach((action) => this.wildcardActions.add(action));
    if (name === undefined || permissions.actions.length === 0) return;
    const prefix = `${stackNamePrefix(this)}-`;
    const names = this.namesByPermissions.get(permissions) ?? new Set<string>();
    names.add(!Token.isUnresolved(name) && name.startsWith(prefix) ? `${prefix}*` : name);
    this.namesByPermissions.set(permissions, names);
  }

  /**
   * Lets the handlers hand a CodeStar connection to Proton (linking a repository).
   * @internal
   */
  public _grantPassConnection(connectionArn: string): void {
    this.passedConnections.set(JSON.stringify(Stack.of(this).resolve(connectionArn)), connectionArn);
  }

  /**
   * Lets the handlers hand `roleArn` to Proton (and to Proton only).
   * @internal
   */
  public _grantPassRole(roleArn: string): void {
    // Environments mostly share a role: the same token string needs no second resolution.
    if ([...this.passedRoles.values()].includes(roleArn)) return;
    this.passedRoles.set(JSON.stringify(Stack.of(this).resolve(roleArn)), roleArn);
  }

  /**
   * Lets the handlers read a template bundle (Proton reads it with the caller's permissions).
   * @internal
   */
  public _grantBundleRead(bucketArn: string, key: string, isAsset: boolean): void {
    const id = Token.isUnresolved(bucketArn) ? Stack.of(this).resolve(bucketArn) : bucketArn;
    const bucketKey = JSON.stringify(id);
    const entry = this.bundleObjects.get(bucketKey) ?? { bucketArn, keys: new Set<string>(), assetKeys: new Set<string>() };
    (isAsset ? entry.assetKeys : entry.keys).add(key);
    this.bundleObjects.set(bucketKey, entry);
  }

  /** The managed policies of the handlers' role: what the stack's constructs asked for, split to fit IAM's size limit. */
  private renderPolicies(scope: Construct, role: iam.IRole): void {
    // Once: CDK refuses to synthesize again a tree changed after its first synthesis, so no grant comes after this.
    if (this.rendered) return;
    this.rendered = true;
    const stack = Stack.of(this);
    const documents = splitIntoPolicies(stack, this.renderStatements()).map((statements) => new iam.PolicyDocument({ statements }));
    if (documents.length > MAX_MANAGED_POLICIES_PER_ROLE) {
      throw new Error(`${stack.node.path}: the Proton handlers need ${documents.length} managed policies for what this stack declares, more than the `
        + `${MAX_MANAGED_POLICIES_PER_ROLE} IAM attaches to a role: let the library generate names (they share one grant) or split the stack`);
    }
    documents.forEach((document, i) => {
      const policy = new iam.CfnManagedPolicy(scope, `Policy${i + 1}`, {
        description: `cdk-proton: what the Proton handlers of ${stack.stackName} may do${documents.length > 1 ? ` (${i + 1} of ${documents.length})` : ''}`,
        roles: [role.roleName],
        policyDocument: document,
      });
      policy.overrideLogicalId(`ProtonPolicy${createHash('sha256').update(JSON.stringify(stack.resolve(document))).digest('hex').slice(0, 8).toUpperCase()}`);
      suppressNag(policy, [
        { id: 'AwsSolutions-IAM5', appliesTo: ['Resource::*'], reason: 'Proton actions whose Service Authorization Reference entry names no resource type (proton:ListServiceInstances, ListComponents, the sync config and account settings actions) match only "*"' },
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:proton:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]+):[a-z-]+\\/.*\\*$/' }],
          reason: 'Proton resources of this stack only: a template\'s versions (<template>:*), a service\'s instances and pipeline (<service>/*), and the names this library generates in the stack (<stack>-<hash>-*)',
        },
        { id: 'AwsSolutions-IAM5', appliesTo: [{ regex: '/^Resource::.*\\/\\*\\.gz$/' }], reason: 'Beyond ten template bundle assets in one bucket, the bundles (content-hashed *.gz keys) are read by pattern' },
      ]);
    });
  }

  private renderStatements(): iam.PolicyStatement[] {
    const statements = [
      ...this.protonStatements(),
      ...passStatements('codestar-connections:PassConnection', 'codestar-connections:PassedToService', this.passedConnections),
      ...passStatements('iam:PassRole', 'iam:PassedToService', this.passedRoles),
      ...this.bundleReadStatements(),
    ];
    if (statements.length === 0) {
      // A policy needs one statement; this one allows nothing.
      statements.push(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['proton:*'], resources: ['*'] }));
    }
    return statements;
  }

  /** A statement for each handler permissions, on the names granted; then one for the actions only `*` matches. */
  private protonStatements(): iam.PolicyStatement[] {
    const statements: iam.PolicyStatement[] = [];
    for (const [permissions, names] of this.namesByPermissions) {
      const resources = [...names].sort().flatMap((name) => {
        const arn = (resourceName: string) => protonArn(this, permissions.family!, resourceName);
        // A prefix grant covers what the resource contains already.
        const nested = permissions.nested;
        return nested && !name.endsWith('*') ? [arn(name), arn(`${name}${nested}`)] : [arn(name)];
      });
      statements.push(new iam.PolicyStatement({ actions: [...permissions.actions], resources }));
    }
    if (this.wildcardActions.size > 0) {
      // These actions name no resource type in the Service Authorization Reference: only "*" matches them.
      statements.push(new iam.PolicyStatement({ actions: [...this.wildcardActions].sort(), resources: ['*'] }));
    }
    return statements;
  }

  /** Reading the template bundles: each object, or, beyond a few assets of a bucket, the bundle pattern. */
  private bundleReadStatements(): iam.PolicyStatement[] {
    const objects: string[] = [];
    for (const { bucketArn, keys, assetKeys } of this.bundleObjects.values()) {
      objects.push(...[...keys].sort().map((key) => `${bucketArn}/${key}`));
      if (assetKeys.size > MAX_LISTED_BUNDLES_PER_BUCKET) {
        // Asset keys are content hashes: beyond a few, grant the bundle pattern rather than each one.
        objects.push(`${bucketArn}/*.gz`);
      } else {
        objects.push(...[...assetKeys].sort().map((key) => `${bucketArn}/${key}`));
      }
    }
    return objects.length > 0 ? [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects })] : [];
  }
}

/** The statement letting the handlers hand what `passed` holds (by resolved ARN) to Proton only; none when it is empty. */
function passStatements(action: string, passedToService: string, passed: Map<string, string>): iam.PolicyStatement[] {
  if (passed.size === 0) return [];
  return [new iam.PolicyStatement({
    actions: [action],
    resources: [...passed.keys()].sort().map((key) => passed.get(key)!),
    conditions: { StringEquals: { [passedToService]: 'proton.amazonaws.com' } },
  })];
}

/** A function that runs one of the bundle's handlers (`onEvent` or `isComplete`, the exports of `provider-handlers.ts`). */
function handlerFunction(scope: Construct, id: string, handler: 'onEvent' | 'isComplete',
  options: lambda.FunctionOptions & { role: iam.IRole; logGroup: logs.ILogGroup }): lambda.Function {
  const fn = new lambda.Function(scope, id, {
    description: `cdk-proton: the Proton provider's ${handler} handler`,
    ...options,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: `index.${handler}`,
    code: lambda.Code.fromAsset(HANDLER_BUNDLE),
  });
  fn.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  return fn;
}

/** A log group that `role` may write log streams to (what AWSLambdaBasicExecutionRole grants, on this group only). */
function writableLogGroup(scope: Construct, id: string, role: iam.IRole): logs.LogGroup {
  const group = new logs.LogGroup(scope, id);
  grantLogWrites(role, group);
  return group;
}

function grantLogWrites(role: iam.IRole, group: logs.ILogGroup): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [group.logGroupArn] }));
}

/** The findings on the Provider framework's own resources, which aws-cdk-lib builds: suppressed on each resource, with the reason. */
function suppressFrameworkFindings(provider: Provider, frameworkRoles: iam.Role[]): void {
  const invokeVersions = { id: 'AwsSolutions-IAM5', appliesTo: [{ regex: '/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/' }] };
  for (const child of provider.node.findAll()) {
    if (child instanceof lambda.CfnFunction) {
      suppressNag(child, [{ id: 'AwsSolutions-L1', reason: 'A Provider framework function: aws-cdk-lib sets its runtime (the latest Node.js runtime it knows for the region) and its code' }]);
    }
    if (child instanceof sfn.CfnStateMachine) {
      suppressNag(child, [{ id: 'AwsSolutions-SF2', reason: 'The Provider framework\'s waiter state machine only polls isComplete; aws-cdk-lib offers no tracing for it, and the handlers log each poll' }]);
      const policy = (child.node.scope as Construct).node.tryFindChild('Role')?.node.tryFindChild('DefaultPolicy');
      if (policy) {
        suppressNag(policy, [
          { ...invokeVersions, reason: 'The waiter state machine invokes the framework\'s isComplete and onTimeout functions; aws-cdk-lib grants them with their versions (<function>:*)' },
          { id: 'AwsSolutions-IAM5', appliesTo: ['Resource::*'], reason: 'Step Functions log delivery (logs:CreateLogDelivery, ...) takes only "*"; aws-cdk-lib grants it for the waiter\'s logging' },
        ]);
      }
    }
  }
  for (const frameworkRole of frameworkRoles) {
    const frameworkPolicy = frameworkRole.node.tryFindChild('DefaultPolicy');
    if (frameworkPolicy) {
      suppressNag(frameworkPolicy, [{ ...invokeVersions, reason: 'The framework functions invoke the onEvent and isComplete handlers; aws-cdk-lib grants them with their versions (<function>:*)' }]);
    }
  }
}

/**
 * The Provider framework around the two handlers. Its functions get roles that write to their log group only: one for
 * onEvent, one for the waiter's functions (one role for both would be a cycle: onEvent starts the waiter, which invokes
 * isComplete).
 */
function frameworkProvider(scope: Construct, onEvent: lambda.IFunction, isComplete: lambda.IFunction, totalTimeout: Duration): Provider {
  const frameworkRoles = ['FrameworkOnEventRole', 'FrameworkWaiterRole'].map((roleId) => new iam.Role(scope, roleId, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
  const frameworkLogs = new logs.LogGroup(scope, 'FrameworkLogs');
  frameworkRoles.forEach((frameworkRole) => grantLogWrites(frameworkRole, frameworkLogs));
  const provider = new Provider(scope, 'Provider', {
    onEventHandler: onEvent,
    isCompleteHandler: isComplete,
    // Between isComplete invocations no waiter polls: 5 s keeps a long deployment's detection p95 near 3 s (BENCHMARKS.md).
    queryInterval: Duration.seconds(5),
    totalTimeout,
    frameworkOnEventRole: frameworkRoles[0],
    frameworkCompleteAndTimeoutRole: frameworkRoles[1],
    logGroup: frameworkLogs,
    // Every state transition is logged, without execution data: the input holds the event's presigned ResponseURL.
    // Into the framework functions' log group: one resource fewer again.
    disableWaiterStateMachineLogging: false,
    waiterStateMachineLogOptions: { destination: frameworkLogs, level: sfn.LogLevel.ALL, includeExecutionData: false },
  });
  suppressFrameworkFindings(provider, frameworkRoles);
  return provider;
}
