import { Lazy, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { protonError } from './validation';

/** Checks the key of an output a construct reads (`declaredBy`: where the outputs are declared). */
export function checkOutputKey(scope: IConstruct, key: string, declaredBy: string = 'the template\'s outputs'): void {
  if (!Token.isUnresolved(key) && !/^[A-Za-z0-9_-]{1,1024}$/.test(key)) {
    throw protonError(scope, `output key "${key}" is not a Proton output name: use the key ${declaredBy} declare`);
  }
}

/** Sorted, at synth time, after every `output()` call: the output keys the handler reads back. */
export function renderOutputKeys(keys: Set<string>): string[] {
  return Lazy.list({ produce: () => [...keys].sort() }, { omitEmpty: true });
}
