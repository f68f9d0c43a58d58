import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  ComponentSource, Environment, EnvironmentProps, EnvironmentTemplate, EnvironmentTemplateProps, EnvironmentTemplateVersion,
  ProtonServiceRole, Service, ServiceProps, ServiceTemplate, Spec, TemplateBundle,
} from '../../src';

export const ENV_BUNDLE = path.join(__dirname, '..', 'fixtures', 'env-bundle');

export const SERVICE_BUNDLE = path.join(__dirname, '..', 'fixtures', 'service-bundle');

export const COMPONENT_DIR = path.join(__dirname, '..', 'fixtures', 'component');

export const CONNECTION_ARN = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc';

/** The repository a service with a Proton pipeline builds. */
export const SERVICE_REPOSITORY = { repositoryConnectionArn: CONNECTION_ARN, repositoryId: 'my-org/orders', branchName: 'main' };

export function newStack(id = 'TestStack'): Stack {
  const app = new App();
  return new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
}

/** A copy of a bundle fixture (the environment bundle by default) in a fresh temp dir, changed by `mutate`. */
export function bundleCopy(mutate: (dir: string) => void = () => {}, from: string = ENV_BUNDLE): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-bundle-'));
  fs.cpSync(from, dir, { recursive: true });
  mutate(dir);
  return dir;
}

/** The least a stack needs to hold a Proton resource: an environment template (T) with one version (V1) of the bundle in `dir`. */
export function environmentTemplateVersion(stack: Stack, dir: string = ENV_BUNDLE, props: EnvironmentTemplateProps = {}): EnvironmentTemplateVersion {
  return new EnvironmentTemplate(stack, 'T', props).addVersion('V1', { bundle: TemplateBundle.fromDirectory(dir) });
}

/**
 * What most tests deploy onto: template vpc-env (VpcEnv) with version V1 of the environment bundle,
 * a Proton service role (ProtonRole), and `environment()` to declare environments of V1 with an empty spec.
 */
export function environmentPlatform(stack: Stack) {
  const envTemplate = new EnvironmentTemplate(stack, 'VpcEnv', { templateName: 'vpc-env' });
  const envVersion = envTemplate.addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
  const role = new ProtonServiceRole(stack, 'ProtonRole');
  const environment = (id: string, props: Partial<EnvironmentProps> = {}) => new Environment(stack, id, {
    templateVersion: envVersion, spec: Spec.fromObject({}), protonServiceRole: role, ...props,
  });
  return { envTemplate, envVersion, role, environment };
}

/**
 * The environment platform plus template api-svc (Api) with version V1 of the service bundle, compatible
 * with vpc-env V1, and `service()` to declare services of V1 that build SERVICE_REPOSITORY.
 */
export function servicePlatform(stack: Stack, supportedComponentSources: ComponentSource[] = [ComponentSource.DIRECTLY_DEFINED]) {
  const platform = environmentPlatform(stack);
  const serviceTemplate = new ServiceTemplate(stack, 'Api', { templateName: 'api-svc' });
  const serviceVersion = serviceTemplate.addVersion('V1', {
    bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE),
    compatibleEnvironmentTemplates: [platform.envVersion],
    supportedComponentSources,
  });
  const service = (id: string, props: Partial<ServiceProps> = {}) => new Service(stack, id, {
    templateVersion: serviceVersion, ...SERVICE_REPOSITORY, ...props,
  });
  return { ...platform, serviceTemplate, serviceVersion, service };
}

/** A resource as the synthesized template holds it. */
export interface SynthesizedResource {
  readonly Properties: any;
  readonly DependsOn?: string[];
  readonly [key: string]: any;
}

/** The first resource of `type` in the template of `from` (in the tests that use it, the only one). */
export function firstResource(from: Stack | Template, type: string): SynthesizedResource {
  const template = from instanceof Template ? from : Template.fromStack(from);
  return Object.values(template.findResources(type))[0] as SynthesizedResource;
}

/** The stack's Proton provider policy (its one managed policy): its logical id and document. */
export function protonPolicyResource(template: Template): [string, any] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('^cdk-proton: ') } });
  expect(Object.keys(policies)).toHaveLength(1);
  const [id, policy] = Object.entries(policies)[0];
  return [id, policy.Properties.PolicyDocument];
}

/** The document of the stack's Proton provider policy. */
export const protonPolicy = (template: Template): any => protonPolicyResource(template)[1];

/** The statements of the stack's Proton provider policy. */
export const protonPolicyStatements = (template: Template): any[] => protonPolicy(template).Statement;

/** The Lambda functions of the stack's Proton provider (the bundled handlers). */
export function providerHandlers(template: Template): SynthesizedResource[] {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((f) => String(f.Properties.Description ?? '').startsWith('cdk-proton: the Proton provider')) as SynthesizedResource[];
}
