import { DeploymentUpdateType, GetServiceInstanceCommand, paginateListServiceInstances, ServiceInstance } from '@aws-sdk/client-proton';
import * as YAML from 'js-yaml';
import { SpecDocumentKind } from '../contract';
import { ProtonResourceError, unlessNotFound } from './errors';
import type { HandlerContext } from './types';
import { refuseLowerMajor } from './versions';

/** The service spec documents and deployments that services and standalone service instances share. */

/** The inputs a spec document gives an instance (`instances[].spec`) or the pipeline (`pipeline`), canonical for comparison. */
export function specInputs(spec: string | undefined, part: SpecPart): string {
  try {
    return JSON.stringify(inputsOf(spec, part));
  } catch {
    return `unparsable:${spec}`;
  }
}

/** An instance (by name) or the pipeline of a service spec. */
type SpecPart = { instance: string } | 'pipeline';

/** The inputs `spec` gives `part`, with sorted keys; throws when the document is not YAML. */
function inputsOf(spec: string | undefined, part: SpecPart): unknown {
  const doc: any = YAML.load(spec ?? '') ?? {};
  const inputs = part === 'pipeline'
    ? doc.pipeline
    : (Array.isArray(doc.instances) ? doc.instances.find((i: any) => i?.name === part.instance)?.spec : doc.spec);
  return canonical(inputs ?? {});
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as any)[k])]));
  }
  return value;
}

/** What a deployed instance or pipeline runs. */
export interface Running {
  readonly templateMajorVersion?: string;
  readonly templateMinorVersion?: string;
  readonly spec?: string;
}

/** The template version a service, instance or pipeline is declared with. */
export interface Pin {
  readonly majorVersion: string;
  /** Absent: the recommended minor version. */
  readonly minorVersion?: string;
}

export function runs(actual: Running, desired: Pin, desiredSpec: string, part: SpecPart): boolean {
  return actual.templateMajorVersion === desired.majorVersion
    && (desired.minorVersion === undefined || actual.templateMinorVersion === desired.minorVersion)
    && specInputs(actual.spec, part) === specInputs(desiredSpec, part);
}

/** Every instance of a service, in full (with its spec). */
export async function instancesOf(serviceName: string, context: HandlerContext): Promise<ServiceInstance[]> {
  const instances: ServiceInstance[] = [];
  for await (const page of paginateListServiceInstances({ client: context.proton }, { serviceName })) {
    for (const summary of page.serviceInstances ?? []) {
      // Removed between the list and the get: gone is what it is.
      const out = await unlessNotFound(context.proton.send(new GetServiceInstanceCommand({ name: summary.name, serviceName })));
      if (out) instances.push(out.serviceInstance!);
    }
  }
  return instances;
}

/** An instance as the stack declares it: its name, its environment and a service spec document with its inputs. */
export interface DeclaredInstance {
  readonly name: string;
  readonly environment: string;
  readonly spec: string;
}

/**
 * A service spec for UpdateService listing `instances` as they run (Proton takes no edits of
 * existing instances there), plus `added` ones.
 */
export function instanceSetSpec(instances: ServiceInstance[], added: DeclaredInstance[] = []): string {
  const running = instances.map((i) => ({ name: i.name!, environment: i.environmentName!, spec: i.spec }));
  return serviceSpec([...running, ...added], undefined);
}

/**
 * A whole service spec (CreateService's) composed from per-instance documents and the pipeline's (the stack sends no
 * whole spec: it would repeat every instance's inputs in the template).
 */
export function serviceSpec(
  instances: ReadonlyArray<{ name: string; environment: string; spec: string | undefined }>, pipelineSpec: string | undefined,
): string {
  const entries = instances
    .map((i) => ({ name: i.name, environment: i.environment, spec: parsedInputs(i.spec, { instance: i.name }, `instance ${i.name}`) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return YAML.dump({
    proton: SpecDocumentKind.SERVICE,
    ...(pipelineSpec !== undefined ? { pipeline: parsedInputs(pipelineSpec, 'pipeline', 'the pipeline') } : {}),
    ...(entries.length > 0 ? { instances: entries } : {}),
  });
}

function parsedInputs(spec: string | undefined, part: SpecPart, what: string): unknown {
  try {
    return inputsOf(spec, part);
  } catch (error) {
    // The stack renders valid YAML: a value known only at deploy time can still break it.
    throw new ProtonResourceError(`the spec of ${what} is not valid YAML once CloudFormation filled in its values: ${(error as Error).message}`);
  }
}

function deploymentType(actual: Running, desired: Pin): DeploymentUpdateType {
  if (actual.templateMajorVersion !== desired.majorVersion) return DeploymentUpdateType.MAJOR_VERSION;
  if (desired.minorVersion !== undefined && actual.templateMinorVersion !== desired.minorVersion) return DeploymentUpdateType.MINOR_VERSION;
  return DeploymentUpdateType.CURRENT_VERSION;
}

/** The deployment type (and version numbers) that moves `actual` to `desired`. */
export function deployment(actual: Running, desired: Pin, what: string) {
  refuseLowerMajor(what, actual.templateMajorVersion, desired.majorVersion);
  const type = deploymentType(actual, desired);
  return type === DeploymentUpdateType.CURRENT_VERSION
    ? { deploymentType: type }
    : { deploymentType: type, templateMajorVersion: desired.majorVersion, templateMinorVersion: desired.minorVersion };
}
