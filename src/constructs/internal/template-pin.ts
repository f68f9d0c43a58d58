import { Construct } from 'constructs';
import { checkVersionParts, protonError } from './validation';

/** How an environment or a service names what it deploys: a template version of the app, or a template with version numbers. */
export interface PinProps<T> {
  readonly templateVersion?: { readonly template: T; readonly majorVersion: string; readonly minorVersion: string };
  readonly template?: T;
  readonly majorVersion?: string;
  readonly minorVersion?: string;
}

/** The template and version numbers a resource deploys (no minor version: the recommended one). */
export interface Pin<T> {
  readonly template: T;
  readonly majorVersion: string;
  readonly minorVersion?: string;
}

/** Checks that exactly one way of naming the template version is used, and the version numbers. */
export function pinTemplate<T extends { readonly templateName: string }>(scope: Construct, props: PinProps<T>): Pin<T> {
  if (props.templateVersion && props.template) {
    throw protonError(scope, 'give either templateVersion or template with majorVersion, not both');
  }
  if (props.templateVersion) {
    if (props.majorVersion !== undefined || props.minorVersion !== undefined) {
      throw protonError(scope, 'majorVersion and minorVersion come from templateVersion: remove them, or pass template instead');
    }
    const { template, majorVersion, minorVersion } = props.templateVersion;
    return { template, majorVersion, minorVersion };
  }
  if (!props.template) {
    throw protonError(scope, 'no template: pass templateVersion (a version in this app) or template with majorVersion');
  }
  if (props.majorVersion === undefined) {
    throw protonError(scope, `template ${props.template.templateName} needs majorVersion: give the major version to deploy, such as "1"`);
  }
  checkVersionParts(scope, props);
  return { template: props.template, majorVersion: props.majorVersion, minorVersion: props.minorVersion };
}
