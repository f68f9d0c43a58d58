import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, DefaultStackSynthesizer, Stack, StackProps } from 'aws-cdk-lib';
import { reference } from '../internal/stack-rendering';

/** What a declared input of a template is, for its schema. */
export interface TemplateInputOptions {
  /** A title, in the schema and Proton's console. @default - none */
  readonly title?: string;
  /** What the input is for. @default - none */
  readonly description?: string;
  /**
   * A spec must give the input (unless it has a default).
   * @default false
   */
  readonly required?: boolean;
}

/** A string input of a template authored as a CDK stack. */
export interface StringInputOptions extends TemplateInputOptions {
  /** The value Proton takes when a spec leaves the input out. @default - none */
  readonly defaultValue?: string;
  /** A regular expression the value must match. @default - any string */
  readonly pattern?: string;
  /** The fewest characters. @default - no minimum */
  readonly minLength?: number;
  /** The most characters. @default - no maximum */
  readonly maxLength?: number;
  /** The only values the input takes. @default - any string */
  readonly allowedValues?: string[];
}

/** A number input of a template authored as a CDK stack. */
export interface NumberInputOptions extends TemplateInputOptions {
  /** The value Proton takes when a spec leaves the input out. @default - none */
  readonly defaultValue?: number;
  /** The smallest value. @default - no minimum */
  readonly minimum?: number;
  /** The largest value. @default - no maximum */
  readonly maximum?: number;
  /**
   * Whole numbers only.
   * @default false
   */
  readonly integer?: boolean;
}

/** A boolean input of a template authored as a CDK stack. */
export interface BooleanInputOptions extends TemplateInputOptions {
  /** The value Proton takes when a spec leaves the input out. @default - none */
  readonly defaultValue?: boolean;
}

/** A list-of-strings input of a template authored as a CDK stack. */
export interface StringListInputOptions extends TemplateInputOptions {
  /** The value Proton takes when a spec leaves the input out. @default - none */
  readonly defaultValue?: string[];
  /** The fewest items. @default - no minimum */
  readonly minItems?: number;
  /** The most items. @default - no maximum */
  readonly maxItems?: number;
}

/** An input of a template authored as a CDK stack: it becomes a property of the schema's input type. */
export class TemplateInput {
  /** A string. */
  public static string(options: StringInputOptions = {}): TemplateInput {
    const { defaultValue, allowedValues, required, title, description, ...limits } = options;
    return new TemplateInput({ type: 'string', title, description, default: defaultValue, enum: allowedValues, ...limits }, required);
  }

  /** A number (`integer: true` for whole numbers). */
  public static number(options: NumberInputOptions = {}): TemplateInput {
    const { defaultValue, integer, required, title, description, ...limits } = options;
    return new TemplateInput({ type: integer ? 'integer' : 'number', title, description, default: defaultValue, ...limits }, required);
  }

  /** A boolean. */
  public static boolean(options: BooleanInputOptions = {}): TemplateInput {
    const { defaultValue, required, title, description } = options;
    return new TemplateInput({ type: 'boolean', title, description, default: defaultValue }, required);
  }

  /** A list of strings. */
  public static stringList(options: StringListInputOptions = {}): TemplateInput {
    const { defaultValue, required, title, description, ...limits } = options;
    return new TemplateInput({ type: 'array', items: { type: 'string' }, title, description, default: defaultValue, ...limits }, required);
  }

  private constructor(
    /** @internal */ public readonly _schema: Record<string, unknown>,
    /** @internal */ public readonly _required?: boolean,
  ) {}
}

/**
 * Proton's template parameters, for a template authored as a CDK stack: each renders as the Jinja
 * expression Proton fills in when it deploys the template (`{{ environment.inputs.vpc_cidr }}`).
 */
export class ProtonInputs {
  /** An input of the environment, in an environment template. */
  public static environment(name: string): string {
    return reference('environment.inputs', name);
  }

  /** An input of the service instance, in a service template's instance infrastructure. */
  public static service(name: string): string {
    return reference('service_instance.inputs', name);
  }

  /** An input of the pipeline, in a service template's pipeline infrastructure. */
  public static pipeline(name: string): string {
    return reference('pipeline.inputs', name);
  }

  /** An output of the environment a service instance runs in. */
  public static environmentOutput(name: string): string {
    return reference('environment.outputs', name);
  }

  /** The environment's name. */
  public static environmentName(): string {
    return reference('environment.name');
  }

  /** The service's name, in a service template. */
  public static serviceName(): string {
    return reference('service.name');
  }

  /** The service instance's name, in a service template's instance infrastructure. */
  public static serviceInstanceName(): string {
    return reference('service_instance.name');
  }

  private constructor() {}
}

/**
 * A stack that holds a Proton template's infrastructure: it is rendered into a template bundle
 * (`TemplateBundle.fromStack`) for Proton to deploy, never deployed by `cdk deploy`. It lives in an app
 * of its own, so that it is not one of the app's stacks.
 */
export class ProtonTemplateStack extends Stack {
  constructor(id: string, props: StackProps = {}) {
    const app = new App({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-template-stack-')),
      analyticsReporting: false,
    });
    // Proton creates the stack with no parameters, in accounts that need not be bootstrapped.
    super(app, id, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }), ...props });
  }
}
