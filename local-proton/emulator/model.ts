import * as fs from 'fs';
import * as path from 'path';
import { serializationError, validationError } from './errors';

/** A shape of `proton-model.json` (derived from the Proton API model by scripts/derive-proton-model.ts). */
export interface ShapeDef {
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'blob' | 'double' | 'float';
  readonly members?: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  readonly union?: boolean;
  readonly idempotencyToken?: string;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
  readonly sensitive?: boolean;
  readonly httpStatusCode?: number;
  readonly fault?: 'client' | 'server';
}

export interface OperationDef {
  readonly input?: string;
  readonly output?: string;
  readonly errors: readonly string[];
}

interface ModelFile {
  readonly metadata: { readonly targetPrefix: string };
  readonly operations: Readonly<Record<string, OperationDef>>;
  readonly shapes: Readonly<Record<string, ShapeDef>>;
}

/** Status of the errors that are protocol-level rather than Proton's (not in the model). */
const PROTOCOL_ERROR_STATUS: Readonly<Record<string, number>> = {
  SerializationException: 400,
  UnknownOperationException: 400,
  // An unsigned request, and an access key IAM does not know (AWS JSON protocols answer both with 403).
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 403,
};

type Json = unknown;

/**
 * The Proton API model as the emulator uses it: generic request validation (required members, lengths,
 * patterns, enums, ranges, unions, nested lists and structures) and response shaping (only members of the
 * output shape, timestamps as epoch seconds).
 */
export class ProtonModel {
  /** The model committed next to this file. */
  static load(): ProtonModel {
    if (!ProtonModel.cached) {
      const text = fs.readFileSync(path.join(__dirname, 'proton-model.json'), 'utf-8');
      ProtonModel.cached = new ProtonModel(JSON.parse(text) as ModelFile);
    }
    return ProtonModel.cached;
  }

  private static cached: ProtonModel | undefined;

  readonly targetPrefix: string;
  private readonly patterns = new Map<string, RegExp>();

  private constructor(private readonly file: ModelFile) {
    this.targetPrefix = file.metadata.targetPrefix;
  }

  operation(name: string): OperationDef | undefined {
    return Object.prototype.hasOwnProperty.call(this.file.operations, name) ? this.file.operations[name] : undefined;
  }

  get operationNames(): string[] {
    return Object.keys(this.file.operations);
  }

  shape(name: string): ShapeDef {
    const shape = this.file.shapes[name];
    if (!shape) throw new Error(`shape ${name} is not in proton-model.json`);
    return shape;
  }

  /** HTTP status of an error type: the model's error shape, or the protocol's for wire-level errors. */
  errorStatus(errorType: string): number {
    const shape = this.file.shapes[errorType];
    return shape?.httpStatusCode ?? PROTOCOL_ERROR_STATUS[errorType] ?? 400;
  }

  /** The shape name of `member` of the operation's input shape, if the operation has that member. */
  inputMemberShape(operation: string, member: string): string | undefined {
    const input = this.operation(operation)?.input;
    return input ? this.shape(input).members?.[member] : undefined;
  }

  /** The member of the operation's input that carries the idempotency token, if it has one. */
  idempotencyTokenMember(operation: string): string | undefined {
    const input = this.operation(operation)?.input;
    return input ? this.shape(input).idempotencyToken : undefined;
  }

  /**
   * Validates a request body against the operation's input shape. Unknown members are ignored, as the
   * service does. Throws a ValidationException worded like Proton's ("1 validation error detected: Value
   * 'x' at 'name' failed to satisfy constraint: Member must ...") listing every violation, or a
   * SerializationException when a value has the wrong JSON type.
   */
  validateInput(operation: string, input: Json): void {
    const inputShape = this.operation(operation)?.input;
    if (!inputShape) return;
    const problems: string[] = [];
    this.check(inputShape, input, '', problems);
    if (problems.length > 0) {
      const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
      throw validationError(`${count} detected: ${problems.join('; ')}`);
    }
  }

  /**
   * Builds the response of an operation from `value`: keeps only members of the output shape (recursively),
   * turns Dates into epoch seconds, and fails loudly (an emulator bug) when a required member is missing.
   */
  shapeOutput(operation: string, value: Json): Record<string, Json> {
    const outputShape = this.operation(operation)?.output;
    if (!outputShape) return {};
    return this.project(outputShape, value ?? {}, operation) as Record<string, Json>;
  }

  private check(shapeName: string, value: Json, where: string, problems: string[]): void {
    const shape = this.shape(shapeName);
    switch (shape.type) {
      case 'structure':
        return this.checkStructure(shape, value, where, problems);
      case 'list':
        return this.checkList(shape, value, where, problems);
      case 'map':
        return this.checkMap(shape, value, where, problems);
      case 'string':
        return this.checkString(shape, value, where, problems);
      case 'integer':
      case 'long':
      case 'double':
      case 'float':
        return this.checkNumber(shape, value, where, problems);
      case 'boolean':
        if (typeof value !== 'boolean') throw wrongType(where, 'a boolean', value);
        return;
      case 'timestamp':
        if (typeof value !== 'number' && typeof value !== 'string') throw wrongType(where, 'a timestamp', value);
        return;
      case 'blob':
        if (typeof value !== 'string') throw wrongType(where, 'a base64 string', value);
        return;
    }
  }

  private checkStructure(shape: ShapeDef, value: Json, where: string, problems: string[]): void {
    if (!isObject(value)) throw wrongType(where, 'an object', value);
    const members = shape.members ?? {};
    for (const name of shape.required ?? []) {
      if (value[name] === undefined || value[name] === null) {
        problems.push(`Value null at '${join(where, name)}' failed to satisfy constraint: Member must not be null`);
      }
    }
    const present = Object.keys(members).filter(name => value[name] !== undefined && value[name] !== null);
    if (shape.union && present.length !== 1) {
      problems.push(`Value at '${where}' failed to satisfy constraint: Member must have exactly one member set, got ${present.length}`);
    }
    for (const name of present) {
      this.check(members[name], value[name], join(where, name), problems);
    }
  }

  private checkList(shape: ShapeDef, value: Json, where: string, problems: string[]): void {
    if (!Array.isArray(value)) throw wrongType(where, 'a list', value);
    this.checkLength(shape, value.length, `Value at '${where}'`, problems);
    value.forEach((item, i) => {
      if (item === null || item === undefined) {
        problems.push(`Value null at '${where}.${i + 1}.member' failed to satisfy constraint: Member must not be null`);
      } else {
        this.check(shape.member!, item, `${where}.${i + 1}.member`, problems);
      }
    });
  }

  private checkMap(shape: ShapeDef, value: Json, where: string, problems: string[]): void {
    if (!isObject(value)) throw wrongType(where, 'a map', value);
    const entries = Object.entries(value);
    this.checkLength(shape, entries.length, `Value at '${where}'`, problems);
    for (const [key, item] of entries) {
      this.check(shape.key!, key, `${where}.${key}.key`, problems);
      if (item !== null && item !== undefined) this.check(shape.value!, item, `${where}.${key}.value`, problems);
    }
  }

  private checkString(shape: ShapeDef, value: Json, where: string, problems: string[]): void {
    if (typeof value !== 'string') throw wrongType(where, 'a string', value);
    // Proton does not echo the values of sensitive shapes in its messages.
    const subject = shape.sensitive ? `Value at '${where}'` : `Value '${value}' at '${where}'`;
    if (shape.enum && !shape.enum.includes(value)) {
      problems.push(`${subject} failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
    }
    this.checkLength(shape, [...value].length, subject, problems);
    if (shape.pattern !== undefined && !this.regex(shape.pattern).test(value)) {
      problems.push(`${subject} failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
  }

  private checkNumber(shape: ShapeDef, value: Json, where: string, problems: string[]): void {
    const integral = shape.type === 'integer' || shape.type === 'long';
    if (typeof value !== 'number' || (integral && !Number.isInteger(value))) {
      throw wrongType(where, integral ? 'an integer' : 'a number', value);
    }
    if (shape.min !== undefined && value < shape.min) {
      problems.push(`Value '${value}' at '${where}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && value > shape.max) {
      problems.push(`Value '${value}' at '${where}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`);
    }
  }

  private checkLength(shape: ShapeDef, length: number, subject: string, problems: string[]): void {
    if (shape.min !== undefined && length < shape.min) {
      problems.push(`${subject} failed to satisfy constraint: Member must have length greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && length > shape.max) {
      problems.push(`${subject} failed to satisfy constraint: Member must have length less than or equal to ${shape.max}`);
    }
  }

  /** The model's patterns are JavaScript-compatible and carry their own anchors: used exactly as given. */
  private regex(pattern: string): RegExp {
    let re = this.patterns.get(pattern);
    if (!re) {
      re = new RegExp(pattern);
      this.patterns.set(pattern, re);
    }
    return re;
  }

  private project(shapeName: string, value: Json, where: string): Json {
    const shape = this.shape(shapeName);
    switch (shape.type) {
      case 'structure': {
        if (!isObject(value)) throw new Error(`emulator bug: ${where} is not an object`);
        const out: Record<string, Json> = {};
        for (const [name, memberShape] of Object.entries(shape.members ?? {})) {
          const v = value[name];
          if (v !== undefined && v !== null) out[name] = this.project(memberShape, v, `${where}.${name}`);
        }
        for (const name of shape.required ?? []) {
          if (out[name] === undefined) throw new Error(`emulator bug: required output member ${where}.${name} is missing`);
        }
        return out;
      }
      case 'list':
        if (!Array.isArray(value)) throw new Error(`emulator bug: ${where} is not a list`);
        return value.map((item, i) => this.project(shape.member!, item, `${where}[${i}]`));
      case 'map':
        if (!isObject(value)) throw new Error(`emulator bug: ${where} is not a map`);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.project(shape.value!, v, `${where}.${k}`)]));
      case 'timestamp':
        return value instanceof Date ? value.getTime() / 1000 : value;
      default:
        return value;
    }
  }
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(where: string, member: string): string {
  return where ? `${where}.${member}` : member;
}

function wrongType(where: string, expected: string, value: Json) {
  const actual = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
  return serializationError(`Expected ${expected} at '${where || '(body)'}', got ${actual}`);
}
