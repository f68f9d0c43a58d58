import { Lazy, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { protonError } from './validation';

/**
 * The keys of the Proton outputs a construct reads (its `output()` calls): the handler reads back only these.
 * `declaredBy` says where the outputs are declared, for the message of a key Proton cannot have.
 */
export class OutputKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly scope: IConstruct, private readonly declaredBy: string = 'the template\'s outputs') {}

  /** Checks `key` and records it, as `recorded` (the key itself unless the handler needs more to find it). */
  public add(key: string, recorded: string = key): void {
    if (!Token.isUnresolved(key) && !/^[A-Za-z0-9_-]{1,1024}$/.test(key)) {
      throw protonError(this.scope, `output key "${key}" is not a Proton output name: use the key ${this.declaredBy} declare`);
    }
    this.keys.add(recorded);
  }

  /** The recorded keys for the resource's property: sorted, at synth time, after every `add`. */
  public render(): string[] {
    return Lazy.list({ produce: () => [...this.keys].sort() }, { omitEmpty: true });
  }
}
