import * as fs from 'fs';
import * as path from 'path';
import {
  GetEnvironmentCommand, GetServiceInstanceCommand, GetServiceCommand, paginateListEnvironments, paginateListServiceInstances,
  paginateListServices,
} from '@aws-sdk/client-proton';
import { basePlatform, SERVICE_REPOSITORY, synth, useLocalProton } from './helpers';
import type { RequestLogEntry } from '../../local-proton/emulator/log';
import type { StackReport } from '../../local-proton/local-cfn';
import { LocalProton } from '../../local-proton/local-proton';
import { Environment, Provisioning, Service, ServiceTemplate, Spec, TemplateBundle } from '../../src';
import { bundleCopy, SERVICE_BUNDLE } from '../constructs/helpers';

const STACK = 'ScalePlatform';
const ENVIRONMENTS = 40;
const SERVICES = 80;
/** Every fourth service has a Proton pipeline. */
const hasPipeline = (i: number) => i % 4 === 0;
/**
 * Environments and services with a name of the user's; the others have generated names, which share one prefix grant.
 * Each given name adds its ARNs to the provider's policy (about 60 characters for an environment, 120 for a service):
 * with all 120 names given it would be about 15,000 characters, over the 6,144 IAM allows a managed policy.
 */
const GIVEN_NAMES = 2;
/** IAM's quota for a managed policy's size, whitespace not counted ("IAM and AWS STS quotas", IAM User Guide). */
const MANAGED_POLICY_MAX_CHARS = 6_144;
/** CloudFormation's quota of resources per stack ("AWS CloudFormation quotas", CloudFormation User Guide). */
const MAX_STACK_RESOURCES = 500;

/** The service template without a pipeline: its bundle has no pipeline_infrastructure. */
const NO_PIPELINE_BUNDLE = bundleCopy((dir) => fs.rmSync(path.join(dir, 'pipeline_infrastructure'), { recursive: true }), SERVICE_BUNDLE);

let proton: LocalProton;
// Short Proton delays; local-cfn's default of 8 operations at once; warm containers, as Lambda keeps them between
// invocations (every invocation a cold start doubles the run time on two cores).
useLocalProton({ registrationDelayMs: 20, deploymentDelayMs: 30, deleteDelayMs: 30, warmContainers: true }, (started) => { proton = started; });

/** 40 environments and 80 services of one instance each (two per environment); `revision` is what an update changes. */
const scaleApp = (revision: number) => synth(STACK, (stack) => {
  const { envV1, protonServiceRole, svcV1 } = basePlatform(stack, { prefix: 'scl' });
  const webV1 = new ServiceTemplate(stack, 'WebTemplate', { templateName: 'scl-web', pipelineProvisioning: Provisioning.CUSTOMER_MANAGED })
    .addVersion('V1', { bundle: TemplateBundle.fromDirectory(NO_PIPELINE_BUNDLE), compatibleEnvironmentTemplates: [envV1] });
  const environments = Array.from({ length: ENVIRONMENTS }, (_, i) => new Environment(stack, `Env${i}`, {
    environmentName: i < GIVEN_NAMES ? `scl-env-${i}` : undefined,
    templateVersion: envV1,
    spec: Spec.fromObject({ vpc_cidr: `10.${revision}.0.0/16` }),
    protonServiceRole,
  }));
  for (let i = 0; i < SERVICES; i++) {
    const service = new Service(stack, `Svc${i}`, {
      serviceName: i < GIVEN_NAMES ? `scl-svc-${i}` : undefined,
      ...(hasPipeline(i)
        ? { templateVersion: svcV1, pipeline: { spec: Spec.fromObject({ unit_test_command: `npm test -- --revision ${revision}` }) }, ...SERVICE_REPOSITORY }
        : { templateVersion: webV1 }),
    });
    service.addInstance('main', { environment: environments[i % ENVIRONMENTS], spec: Spec.fromObject({ port: 8000 + 100 * revision + i }) });
  }
});

const failedSteps = (report: StackReport) => report.resources.filter((r) => r.status !== 'SUCCEEDED').map((r) => `${r.action} ${r.logicalId}: ${r.reason}`);
/** The Proton names the stack's custom resources of `type` hold. */
const namesOf = (type: string) => [...proton.cfn.liveResources(STACK)!.values()].filter((r) => r.type === type).map((r) => r.physicalId).sort();
/** The calls of the handlers (not of the harness's own client), whatever their outcome. */
const handlerCalls = (): RequestLogEntry[] => proton.emulator.log.entries.filter((e) => e.principal !== undefined && !e.principal.endsWith(':root'));
const succeeded = (operation: string) => handlerCalls().filter((e) => e.operation === operation && e.status === 200);
/** How many times each value of `key` occurs in the successful calls of `operation`. */
const timesEach = (operation: string, key: (input: Record<string, unknown>) => unknown) => {
  const counts = new Map<string, number>();
  for (const e of succeeded(operation)) counts.set(String(key(e.input)), (counts.get(String(key(e.input))) ?? 0) + 1);
  return counts;
};
const allOnce = (names: string[]) => new Map(names.map((n) => [n, 1]));

/** What the emulator holds, every page read: environment names, service names, `<service>/<instance>`. */
async function listAll() {
  const environments: string[] = [];
  for await (const page of paginateListEnvironments({ client: proton.client }, {})) {
    environments.push(...(page.environments ?? []).map((e) => e.name!));
  }
  const services: string[] = [];
  for await (const page of paginateListServices({ client: proton.client }, {})) services.push(...(page.services ?? []).map((s) => s.name!));
  const instances: string[] = [];
  for await (const page of paginateListServiceInstances({ client: proton.client }, {})) {
    instances.push(...(page.serviceInstances ?? []).map((i) => `${i.serviceName}/${i.name}`));
  }
  return { environments: environments.sort(), services: services.sort(), instances: instances.sort() };
}

test('40 environments and 80 services deploy at once with 20% of calls throttled: each is made once, then updated and destroyed', async () => {
  proton.emulator.faults.throttleFraction = 0.2;
  const created = await proton.deploy(scaleApp(0), STACK);
  expect(failedSteps(created)).toEqual([]);
  expect(created.status).toBe('CREATE_COMPLETE');
  expect(proton.deniedCalls()).toEqual([]);
  expect(proton.emulator.log.entries.filter((e) => e.error === 'ThrottlingException').length).toBeGreaterThan(50);

  // Within CloudFormation's and IAM's quotas.
  const live = proton.cfn.liveResources(STACK)!;
  expect(live.size).toBeLessThanOrEqual(MAX_STACK_RESOURCES);
  const policy = [...live.values()].find((r) => r.type === 'AWS::IAM::ManagedPolicy')!;
  expect(JSON.stringify(policy.properties.PolicyDocument).replace(/\s/g, '').length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);

  // Exactly one successful Create of each environment and service (a service's instances come with its CreateService).
  const environments = namesOf('Custom::ProtonEnvironment');
  const services = namesOf('Custom::ProtonService');
  expect(environments).toHaveLength(ENVIRONMENTS);
  expect(services).toHaveLength(SERVICES);
  expect(environments).toEqual(expect.arrayContaining(['scl-env-0', 'scl-env-1']));
  expect(timesEach('CreateEnvironment', (input) => input.name)).toEqual(allOnce(environments));
  expect(timesEach('CreateService', (input) => input.name)).toEqual(allOnce(services));
  expect(succeeded('UpdateServiceInstance')).toEqual([]);
  proton.emulator.faults.throttleFraction = 0;
  expect(await listAll()).toEqual({ environments, services, instances: services.map((s) => `${s}/main`) });
  proton.emulator.faults.throttleFraction = 0.2;

  proton.emulator.log.clear();
  const updated = await proton.deploy(scaleApp(1), STACK);
  expect(failedSteps(updated)).toEqual([]);
  expect(updated.status).toBe('UPDATE_COMPLETE');
  expect(proton.deniedCalls()).toEqual([]);
  expect(timesEach('UpdateEnvironment', (input) => input.name)).toEqual(allOnce(environments));
  expect(timesEach('UpdateServiceInstance', (input) => `${input.serviceName}/${input.name}`)).toEqual(allOnce(services.map((s) => `${s}/main`)));
  const piped = [...live.values()].filter((r) => r.type === 'Custom::ProtonService' && r.properties.TemplateName === 'scl-svc').map((r) => r.physicalId).sort();
  expect(piped).toHaveLength(SERVICES / 4);
  expect(timesEach('UpdateServicePipeline', (input) => input.serviceName)).toEqual(allOnce(piped));
  proton.emulator.faults.throttleFraction = 0;
  for (const name of environments) {
    const { environment } = await proton.client.send(new GetEnvironmentCommand({ name }));
    expect({ name, spec: environment?.spec }).toEqual({ name, spec: expect.stringContaining('10.1.0.0/16') });
  }
  for (const serviceName of services) {
    const { serviceInstance } = await proton.client.send(new GetServiceInstanceCommand({ serviceName, name: 'main' }));
    expect({ serviceName, status: serviceInstance?.deploymentStatus, spec: serviceInstance?.spec })
      .toEqual({ serviceName, status: 'SUCCEEDED', spec: expect.stringMatching(/port: 81\d\d/) });
  }
  for (const serviceName of piped) {
    const { service } = await proton.client.send(new GetServiceCommand({ name: serviceName }));
    expect({ serviceName, spec: service?.pipeline?.spec }).toEqual({ serviceName, spec: expect.stringContaining('--revision 1') });
  }
  proton.emulator.faults.throttleFraction = 0.2;

  proton.emulator.log.clear();
  const destroyed = await proton.destroy(STACK);
  expect(failedSteps(destroyed)).toEqual([]);
  expect(destroyed.status).toBe('DELETE_COMPLETE');
  expect(timesEach('DeleteEnvironment', (input) => input.name)).toEqual(allOnce(environments));
  expect(timesEach('DeleteService', (input) => input.name)).toEqual(allOnce(services));
  proton.emulator.faults.throttleFraction = 0;
  expect(await listAll()).toEqual({ environments: [], services: [], instances: [] });
}, 180_000);
