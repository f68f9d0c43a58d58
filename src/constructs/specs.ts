import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { load as loadYaml } from 'js-yaml';
import { SpecDocumentKind } from '../custom-resources/contract';
import { SPEC_CONTENTS } from '../proton-limits.generated';
import { specYaml } from './internal/spec-yaml';
import { protonError, userError } from './internal/validation';

// The spec document kinds are the contract's: the handlers write service specs too.
export { SpecDocumentKind } from '../custom-resources/contract';

/**
 * The inputs a Proton resource is deployed with, as its template's schema declares them.
 *
 * `Spec.fromObject` takes the inputs alone and the library writes the document around them;
 * `Spec.fromFile` and `Spec.fromYaml` take a whole Proton spec document.
 */
export abstract class Spec {
  /**
   * The inputs block of a spec. Values may be tokens (another construct's attribute): they are
   * resolved at deploy time. Keys are written in sorted order, so the same inputs always give the
   * same spec text and reordering them redeploys nothing.
   */
  public static fromObject(inputs: { [name: string]: any }): Spec {
    return new InputsSpec(inputs);
  }

  /** A whole Proton spec document in YAML, such as `proton: EnvironmentSpec` followed by `spec:`. */
  public static fromYaml(text: string): Spec {
    return new DocumentSpec(text);
  }

  /** A whole Proton spec document read from a YAML file at synth time. */
  public static fromFile(file: string): Spec {
    const resolved = path.resolve(file);
    if (!fs.existsSync(resolved)) {
      throw userError(`spec file ${resolved} does not exist: give the path of a spec file (relative paths are from ${process.cwd()})`);
    }
    return new DocumentSpec(fs.readFileSync(resolved, 'utf8'), resolved);
  }

  /**
   * The spec text for a document of `kind` (may contain tokens).
   * @internal
   */
  public abstract _render(scope: IConstruct, kind: SpecDocumentKind): string;

  /**
   * The inputs of the spec when it is only an inputs block (for documents the library builds, such as a service spec).
   * @internal
   */
  public abstract _inputs(scope: IConstruct): { [name: string]: any };

  /**
   * Where the spec was read from, for messages (`spec file /path/beta.yaml`); undefined for inputs given as an object.
   * @internal
   */
  public _source(): string | undefined {
    return undefined;
  }

  /**
   * The line of an input in the spec's YAML (`path` relative to the inputs), or of its closest parent there.
   * @internal
   */
  public _lineOf(_path: ReadonlyArray<string | number>): number | undefined {
    return undefined;
  }
}

/**
 * A spec document as YAML: `proton:` first, every other key sorted, strings double-quoted so a
 * token's deploy-time value stays one scalar.
 */
export function toSpecYaml(document: { [key: string]: unknown }): string {
  const { proton, ...rest } = sortKeys(document) as { [key: string]: unknown };
  return specYaml({ proton, ...rest });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !Token.isUnresolved(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as any)[key])]));
  }
  return value;
}

export function checkSpecSize(scope: IConstruct, text: string): void {
  if (!Token.isUnresolved(text) && text.length > SPEC_CONTENTS.max) {
    throw protonError(scope, `the spec is ${text.length} characters, Proton accepts at most ${SPEC_CONTENTS.max}: move large values out of the spec`);
  }
}

class InputsSpec extends Spec {
  constructor(private readonly inputs: { [name: string]: any }) {
    super();
  }

  public _render(scope: IConstruct, kind: SpecDocumentKind): string {
    if (kind !== SpecDocumentKind.ENVIRONMENT) {
      throw protonError(scope, `an inputs-only spec renders an environment spec, not a ${kind}`);
    }
    const text = toSpecYaml({ proton: kind, spec: this.inputs });
    checkSpecSize(scope, text);
    return text;
  }

  public _inputs(): { [name: string]: any } {
    return this.inputs;
  }
}

class DocumentSpec extends Spec {
  constructor(private readonly text: string, private readonly file?: string) {
    super();
  }

  public _render(scope: IConstruct, kind: SpecDocumentKind): string {
    const document = this.parse(scope);
    if (document.proton !== kind) {
      throw protonError(scope, `${this.source} is a ${JSON.stringify(document.proton)} document where a ${kind} is needed: start it with "proton: ${kind}"`);
    }
    if (kind === SpecDocumentKind.ENVIRONMENT && (typeof document.spec !== 'object' || document.spec === null || Array.isArray(document.spec))) {
      throw protonError(scope, `${this.source} has no spec: mapping of inputs: add "spec:" with the template's inputs`);
    }
    checkSpecSize(scope, this.text);
    return this.text;
  }

  public _inputs(scope: IConstruct): { [name: string]: any } {
    return this.parse(scope).spec ?? {};
  }

  public _source(): string | undefined {
    return this.file ? `spec file ${this.file}` : undefined;
  }

  public _lineOf(inputPath: ReadonlyArray<string | number>): number | undefined {
    // Only a failing check asks for a line: the YAML library that keeps positions is loaded then.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const YAML: typeof import('yaml') = require('yaml');
    const lineCounter = new YAML.LineCounter();
    const doc = YAML.parseDocument(this.text, { lineCounter });
    let node: unknown = doc.contents;
    let offset: number | undefined;
    // The inputs are the document's spec: mapping.
    for (const part of ['spec', ...inputPath]) {
      if (YAML.isMap(node)) {
        const pair = node.items.find((item) => YAML.isScalar(item.key) && String(item.key.value) === String(part));
        if (!pair) break;
        offset = YAML.isNode(pair.key) ? pair.key.range?.[0] : offset;
        node = pair.value;
      } else if (YAML.isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
        node = node.items[part];
        offset = YAML.isNode(node) ? node.range?.[0] : offset;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  }

  private get source(): string {
    return this.file ? `spec file ${this.file}` : 'the spec';
  }

  private parse(scope: IConstruct): any {
    let value: unknown;
    try {
      value = loadYaml(this.text);
    } catch (error) {
      throw protonError(scope, `${this.source} is not valid YAML: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null) {
      throw protonError(scope, `${this.source} is not a Proton spec document: it must be a mapping with a "proton:" key`);
    }
    return value;
  }
}
