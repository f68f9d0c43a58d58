import { EnvironmentProperties } from '../contract';
import { ProtonResourceError } from './errors';
import { Delivered, optionalString, requiredString } from './properties';

/**
 * Proton deploys a major version only when it is higher than the one in use ("a different major
 * version that is higher than the major version in use", UpdateEnvironment, UpdateServiceInstance
 * and UpdateServicePipeline API reference). Going back, as the rollback of a major version upgrade
 * would, is refused: fail with what to do instead of sending a request Proton refuses.
 */
export function refuseLowerMajor(what: string, running: string | undefined, desired: string): void {
  if (running === undefined || Number(desired) >= Number(running)) return;
  throw new ProtonResourceError(`${what} runs major version ${running} and Proton deploys only a higher major version, `
    + `so it cannot go back to ${desired}. If this is a rollback, continue it without this resource `
    + `(aws cloudformation continue-update-rollback --stack-name <stack> --resources-to-skip <this logical id>): it stays on ${running}. `
    + `Otherwise declare major version ${running} or higher, or replace it under a new name.`);
}

/** What an environment or a service is created from: a template version and a spec. */
export interface FromTemplate {
  readonly name: string;
  readonly templateName: string;
  readonly majorVersion: string;
  readonly minorVersion?: string;
  readonly spec: string;
  readonly description?: string;
}

/** The properties environments and services are created from (with a spec each composes its own way). */
type TemplateProperties = Pick<EnvironmentProperties, 'Name' | 'TemplateName' | 'TemplateMajorVersion' | 'TemplateMinorVersion' | 'Description'>;

export function fromTemplate<P extends TemplateProperties>(props: Delivered<P>, spec: string): FromTemplate {
  const template = props as Delivered<TemplateProperties>;
  return {
    name: requiredString(template, 'Name'),
    templateName: requiredString(template, 'TemplateName'),
    majorVersion: requiredString(template, 'TemplateMajorVersion'),
    minorVersion: optionalString(template, 'TemplateMinorVersion'),
    spec,
    description: optionalString(template, 'Description'),
  };
}

/** The part of CreateEnvironment's and CreateService's input that says what the resource is created from. */
export function createdFrom(desired: FromTemplate) {
  return {
    name: desired.name,
    templateName: desired.templateName,
    templateMajorVersion: desired.majorVersion,
    templateMinorVersion: desired.minorVersion,
    spec: desired.spec,
    description: desired.description,
  };
}
