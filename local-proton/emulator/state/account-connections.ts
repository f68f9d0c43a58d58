import { conflict, notFound, validationError } from '../errors';
import { fingerprint } from '../idempotency';
import { EmulatorContext, Input, OperationHandler, ResourceFamily, paginate } from './context';

export type ConnectionStatus = 'PENDING' | 'CONNECTED' | 'REJECTED';

interface ConnectionRecord {
  /** Creation order, for List. */
  readonly seq: number;
  readonly id: string;
  readonly arn: string;
  readonly managementAccountId: string;
  readonly environmentAccountId: string;
  readonly environmentName: string;
  roleArn?: string;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
  status: ConnectionStatus;
  readonly requestedAt: Date;
  lastModifiedAt: Date;
}

/** What the environments family reads of a connection. */
export interface ConnectionView {
  readonly id: string;
  readonly arn: string;
  readonly status: ConnectionStatus;
  readonly environmentName: string;
  readonly environmentAccountId: string;
  readonly managementAccountId: string;
  readonly componentRoleArn?: string;
}

const CREATE = 'CreateEnvironmentAccountConnection';

/**
 * Environment account connections. Proton creates a connection in the *environment account* (status PENDING)
 * naming an environment of the *management account*, which accepts (CONNECTED) or rejects (REJECTED, final) it.
 * The emulator is one account answering for both sides: `environmentAccountId` is the emulator's account,
 * `managementAccountId` is kept as given, Accept/Reject work whatever it is, and List answers every connection
 * for either `requestedBy`.
 */
export class AccountConnectionFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  private readonly connections = new Map<string, ConnectionRecord>();
  private created = 0;

  constructor(private readonly ctx: EmulatorContext) {
    this.operations = {
      CreateEnvironmentAccountConnection: input => this.create(input),
      GetEnvironmentAccountConnection: input => ({ environmentAccountConnection: this.out(this.connection(input.id)) }),
      UpdateEnvironmentAccountConnection: input => this.update(input),
      DeleteEnvironmentAccountConnection: input => this.delete(input),
      ListEnvironmentAccountConnections: input => this.list(input),
      AcceptEnvironmentAccountConnection: input => this.accept(input),
      RejectEnvironmentAccountConnection: input => this.reject(input),
    };
    for (const op of Object.keys(this.operations)) {
      if (!ctx.model.operation(op)) throw new Error(`${op} is not an operation of the Proton model`);
    }
  }

  /** A connection by id, or undefined (never created, or deleted). */
  findConnection(id: string): ConnectionView | undefined {
    const c = this.connections.get(id);
    if (!c) return undefined;
    return {
      id: c.id,
      arn: c.arn,
      status: c.status,
      environmentName: c.environmentName,
      environmentAccountId: c.environmentAccountId,
      managementAccountId: c.managementAccountId,
      componentRoleArn: c.componentRoleArn,
    };
  }

  /** The ARN a connection id has (or had). */
  connectionArn(id: string): string {
    return this.ctx.arn(`environment-account-connection/${id}`);
  }

  private create(input: Input) {
    // "Idempotent create APIs with a client token" (API reference, Ensuring Idempotency).
    const params = fingerprint(input, ['clientToken']);
    const earlier = this.ctx.tokens.lookup(CREATE, input.clientToken, params);
    const replayed = earlier ? [...this.connections.values()].find(c => c.arn === earlier) : undefined;
    if (replayed) return { environmentAccountConnection: this.out(replayed) };

    if (input.roleArn === undefined && input.codebuildRoleArn === undefined) {
      throw validationError('An environment account connection needs a role Proton provisions with: roleArn (AWS-managed provisioning) '
        + 'or codebuildRoleArn (CodeBuild-based provisioning), or both');
    }
    this.ctx.tags.validate(input.tags);
    const now = this.ctx.now();
    const id = this.ctx.uuid();
    const c: ConnectionRecord = {
      seq: ++this.created,
      id,
      arn: this.connectionArn(id),
      managementAccountId: input.managementAccountId,
      environmentAccountId: this.ctx.accountId,
      environmentName: input.environmentName,
      roleArn: input.roleArn,
      codebuildRoleArn: input.codebuildRoleArn,
      componentRoleArn: input.componentRoleArn,
      status: 'PENDING',
      requestedAt: now,
      lastModifiedAt: now,
    };
    this.connections.set(id, c);
    this.ctx.tags.register(c.arn, input.tags);
    this.ctx.tokens.remember(CREATE, input.clientToken, params, c.arn);
    return { environmentAccountConnection: this.out(c) };
  }

  private update(input: Input) {
    const c = this.connection(input.id);
    if (c.status === 'REJECTED') {
      // RejectEnvironmentAccountConnection (API reference): "you can't accept or use the rejected environment account connection".
      throw validationError(`Environment account connection ${c.id} was rejected and can't be used any more: create a new one`);
    }
    if (input.roleArn !== undefined) c.roleArn = input.roleArn;
    if (input.codebuildRoleArn !== undefined) c.codebuildRoleArn = input.codebuildRoleArn;
    if (input.componentRoleArn !== undefined) c.componentRoleArn = input.componentRoleArn;
    c.lastModifiedAt = this.ctx.now();
    return { environmentAccountConnection: this.out(c) };
  }

  private delete(input: Input) {
    const c = this.connections.get(input.id);
    if (!c) {
      // "Idempotent delete APIs": a retry of a delete that succeeded answers an empty response.
      if (this.ctx.deletions.wasDeleted(this.connectionArn(input.id))) return {};
      throw this.notFound(input.id);
    }
    // DeleteEnvironmentAccountConnection (API reference): deleting a connection an environment uses is allowed;
    // "Proton can't manage the environment infrastructure resources until a new environment account connection
    // is accepted". The environments family refuses deployments through a deleted connection.
    const out = this.out(c);
    this.connections.delete(c.id);
    this.ctx.tags.forget(c.arn);
    this.ctx.tokens.forgetResource(c.arn);
    this.ctx.deletions.remember(c.arn);
    return { environmentAccountConnection: out };
  }

  private list(input: Input) {
    const statuses: string[] | undefined = input.statuses;
    const all = [...this.connections.values()]
      .filter(c => input.environmentName === undefined || c.environmentName === input.environmentName)
      .filter(c => !statuses || statuses.length === 0 || statuses.includes(c.status))
      .sort((a, b) => a.seq - b.seq);
    const { page, nextToken } = paginate(all, input);
    return { environmentAccountConnections: page.map(c => this.out(c)), nextToken };
  }

  private accept(input: Input) {
    const c = this.connection(input.id);
    if (c.status === 'REJECTED') {
      throw validationError(`Environment account connection ${c.id} was rejected: after you reject a connection you can't accept it`);
    }
    if (c.status === 'PENDING') {
      c.status = 'CONNECTED';
      c.lastModifiedAt = this.ctx.now();
    }
    return { environmentAccountConnection: this.out(c) };
  }

  private reject(input: Input) {
    const c = this.connection(input.id);
    if (c.status !== 'REJECTED') {
      // RejectEnvironmentAccountConnection (API reference): "You can't reject an environment account connection
      // that's connected to an environment."
      const using = this.ctx.inUse(c.arn);
      if (using) throw conflict(`Environment account connection ${c.id} can't be rejected: ${using}`);
      c.status = 'REJECTED';
      c.lastModifiedAt = this.ctx.now();
    }
    return { environmentAccountConnection: this.out(c) };
  }

  private connection(id: string): ConnectionRecord {
    const c = this.connections.get(id);
    if (!c) throw this.notFound(id);
    return c;
  }

  private notFound(id: string) {
    return notFound(`The environment account connection ${id} was not found`);
  }

  private out(c: ConnectionRecord) {
    return {
      arn: c.arn,
      id: c.id,
      managementAccountId: c.managementAccountId,
      environmentAccountId: c.environmentAccountId,
      environmentName: c.environmentName,
      // The model requires roleArn in the answer although the create input does not: a connection created with
      // only a codebuildRoleArn answers an empty roleArn (emulator decision).
      roleArn: c.roleArn ?? '',
      codebuildRoleArn: c.codebuildRoleArn,
      componentRoleArn: c.componentRoleArn,
      status: c.status,
      requestedAt: c.requestedAt,
      lastModifiedAt: c.lastModifiedAt,
    };
  }
}
