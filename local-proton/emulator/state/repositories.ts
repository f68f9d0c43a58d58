import { conflict, notFound, validationError } from '../errors';
import { fingerprint } from '../idempotency';
import { EmulatorContext, Input, LinkedRepository, OperationHandler, ResourceFamily, paginate } from './context';

interface RepositoryRecord {
  readonly provider: string;
  readonly name: string;
  readonly arn: string;
  readonly connectionArn: string;
  readonly encryptionKey?: string;
  /** Fingerprint of the create request: a repeated CreateRepository must be the same request. */
  readonly createParams: string;
}

/**
 * The services whose connection ARNs a repository link takes: AWS CodeStar Connections, renamed AWS CodeConnections
 * (CreateRepository API reference: "The Amazon Resource Name (ARN) of your AWS CodeStar connection").
 */
const CONNECTION_ARN = /^arn:(aws|aws-cn|aws-us-gov):(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[\w-]+$/;

/**
 * Repository links: CreateRepository, GetRepository, ListRepositories, DeleteRepository (see README, "Repositories").
 * Other families ask whether a repository is linked through `ctx.linkedRepository` / `ctx.requireLinkedRepository`,
 * and make a link in use (DeleteRepository: ConflictException) through `ctx.addInUseCheck` with the repository's ARN.
 */
export class RepositoryFamily implements ResourceFamily {
  readonly operations: Readonly<Record<string, OperationHandler>>;
  /** By `<provider>\0<name>`, in creation order. */
  private readonly repositories = new Map<string, RepositoryRecord>();

  constructor(private readonly ctx: EmulatorContext) {
    this.operations = {
      CreateRepository: input => this.create(input),
      GetRepository: input => ({ repository: this.out(this.repository(input.provider, input.name)) }),
      ListRepositories: input => this.list(input),
      DeleteRepository: input => this.delete(input),
    };
    for (const op of Object.keys(this.operations)) {
      if (!ctx.model.operation(op)) throw new Error(`${op} is not an operation of the Proton model`);
    }
    ctx.setRepositoryLookup((provider, name) => this.findRepository(provider, name));
  }

  /** The link of repository `provider`/`name`, if there is one. */
  findRepository(provider: string, name: string): LinkedRepository | undefined {
    const r = this.repositories.get(key(provider, name));
    return r && { provider: r.provider, name: r.name, arn: r.arn, connectionArn: r.connectionArn };
  }

  /**
   * CreateRepository. The model marks it idempotent and it has no update API, so a repeated create follows the
   * "Idempotent create APIs" rules (API reference, Ensuring Idempotency; CreateRepository itself is in none of its
   * lists): the same parameters answer the link, other parameters are a ValidationException
   * (IdempotentParameterMismatch).
   */
  private create(input: Input) {
    const params = fingerprint(input);
    const existing = this.repositories.get(key(input.provider, input.name));
    if (existing) {
      if (existing.createParams !== params) {
        throw validationError(`IdempotentParameterMismatch: repository ${existing.provider} ${existing.name} is already linked `
          + 'with different parameters; delete the link (DeleteRepository) to link it again differently');
      }
      return { repository: this.out(existing) };
    }
    if (!CONNECTION_ARN.test(input.connectionArn)) {
      throw validationError(`connectionArn must be the ARN of an AWS CodeStar connection (arn:aws:codestar-connections:<region>:<account>:connection/<id>), not ${input.connectionArn}`);
    }
    this.ctx.tags.validate(input.tags);
    const r: RepositoryRecord = {
      provider: input.provider,
      name: input.name,
      arn: this.ctx.repositoryArn(input.provider, input.name),
      connectionArn: input.connectionArn,
      encryptionKey: input.encryptionKey,
      createParams: params,
    };
    this.repositories.set(key(r.provider, r.name), r);
    this.ctx.tags.register(r.arn, input.tags);
    this.ctx.deletions.forget(r.arn);
    return { repository: this.out(r) };
  }

  /**
   * DeleteRepository: synchronous; it removes only the link ("Deleting a repository link only removes the registered
   * link that AWS Proton has in your AWS account. It does not delete any information from your repository", user
   * guide). A ConflictException while a template or service sync config uses the link (emulator decision: the model
   * lists ConflictException, and a sync config can't work without its link). A retried delete answers `{}`
   * ("Idempotent delete APIs"; the model marks DeleteRepository idempotent).
   */
  private delete(input: Input) {
    const r = this.repositories.get(key(input.provider, input.name));
    if (!r) {
      if (this.ctx.deletions.wasDeleted(this.ctx.repositoryArn(input.provider, input.name))) return {};
      throw this.notFound(input.provider, input.name);
    }
    const using = this.ctx.inUse(r.arn);
    if (using) throw conflict(`Repository ${r.provider} ${r.name} can't be unlinked while it is in use: ${using}`);
    this.repositories.delete(key(r.provider, r.name));
    this.ctx.tags.forget(r.arn);
    this.ctx.deletions.remember(r.arn);
    return { repository: this.out(r) };
  }

  private list(input: Input) {
    const all = [...this.repositories.values()].sort((a, b) => a.arn.localeCompare(b.arn));
    const { page, nextToken } = paginate(all, input);
    return { repositories: page.map(r => this.out(r)), nextToken };
  }

  private repository(provider: string, name: string): RepositoryRecord {
    const r = this.repositories.get(key(provider, name));
    if (!r) throw this.notFound(provider, name);
    return r;
  }

  private notFound(provider: string, name: string) {
    return notFound(`The repository ${provider} ${name} isn't linked with Proton`);
  }

  /** One object for Get and List (the model's RepositorySummary drops encryptionKey). */
  private out(r: RepositoryRecord) {
    return { arn: r.arn, provider: r.provider, name: r.name, connectionArn: r.connectionArn, encryptionKey: r.encryptionKey };
  }
}

function key(provider: string, name: string): string {
  return `${provider}\u0000${name}`;
}
