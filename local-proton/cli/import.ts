/**
 * `cdk-proton import`: reads the Proton estate of an account (any endpoint: the emulator too) and writes a CDK app
 * that declares it with `adopt: true`, so that its first deployment takes the estate over without deploying
 * anything. Templates are imported by name (their versions stay as Proton has them); specs are written as files.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  Environment, GetEnvironmentCommand, GetServiceCommand, GetServiceInstanceCommand, paginateListComponents, paginateListEnvironments,
  paginateListServiceInstances, paginateListServices, ProtonClient, Service, ServiceInstance,
} from '@aws-sdk/client-proton';
import * as YAML from 'js-yaml';

/** What was imported, for the command's report. */
export interface ImportedEstate {
  readonly environments: string[];
  readonly services: string[];
  /** Components, which are not declared: Proton does not report their template files. */
  readonly skipped: string[];
  readonly files: string[];
}

/** A TypeScript identifier for a Proton name, unique among those given before. */
function identifiers(): (name: string) => string {
  const used = new Set<string>();
  return (name) => {
    const base = name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('') || 'Resource';
    let id = /^[0-9]/.test(base) ? `R${base}` : base;
    for (let n = 2; used.has(id); n++) id = `${base}${n}`;
    used.add(id);
    return id;
  };
}

const camel = (identifier: string) => identifier[0].toLowerCase() + identifier.slice(1);

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The inputs a service spec gives one instance (`instances[].spec`) or the pipeline, as Proton stores them. */
function inputsOf(spec: string | undefined, instance?: string): unknown {
  const doc = (YAML.load(spec ?? '') ?? {}) as { spec?: unknown; pipeline?: unknown; instances?: Array<{ name?: string; spec?: unknown }> };
  if (instance === undefined) return doc.pipeline ?? {};
  return (Array.isArray(doc.instances) ? doc.instances.find((i) => i?.name === instance)?.spec : doc.spec) ?? {};
}

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** Reads the estate and writes the app under `outDir`: `lib/imported-estate.ts`, `bin/imported-estate.ts`, `specs/`. */
export async function importEstate(client: ProtonClient, outDir: string): Promise<ImportedEstate> {
  const environments: Environment[] = [];
  for (const page of await all(paginateListEnvironments({ client }, {}))) {
    for (const summary of page.environments ?? []) {
      environments.push((await client.send(new GetEnvironmentCommand({ name: summary.name }))).environment!);
    }
  }
  const services: Array<{ service: Service; instances: ServiceInstance[] }> = [];
  for (const page of await all(paginateListServices({ client }, {}))) {
    for (const summary of page.services ?? []) {
      const service = (await client.send(new GetServiceCommand({ name: summary.name }))).service!;
      const instances: ServiceInstance[] = [];
      for (const instancePage of await all(paginateListServiceInstances({ client }, { serviceName: service.name }))) {
        for (const instance of instancePage.serviceInstances ?? []) {
          instances.push((await client.send(new GetServiceInstanceCommand({ serviceName: service.name, name: instance.name }))).serviceInstance!);
        }
      }
      services.push({ service, instances });
    }
  }
  const components = (await all(paginateListComponents({ client }, {}))).flatMap((p) => p.components ?? []).map((c) => c.name!);

  const files = new Map<string, string>();
  const id = identifiers();
  /** The names the app imports from cdk-proton (and whether it needs aws-iam). */
  const used = new Set<string>(['Spec']);
  const lines: string[] = [];
  const templates = new Map<string, string>();
  const template = (kind: 'Environment' | 'Service', name: string) => {
    const key = `${kind}:${name}`;
    if (!templates.has(key)) {
      const variable = camel(id(`${name}-${kind}-template`));
      used.add(`${kind}Template`);
      templates.set(key, variable);
      lines.push(`    const ${variable} = ${kind}Template.from${kind}TemplateName(this, ${quote(variable[0].toUpperCase() + variable.slice(1))}, ${quote(name)});`);
    }
    return templates.get(key)!;
  };
  const role = (arn: string | undefined) => (arn ? used.add('iam') && `iam.Role.fromRoleArn(this, ${quote(id(`role-${arn.split('/').pop()}`))}, ${quote(arn)}, { mutable: false })` : undefined);
  const pin = (major?: string, minor?: string) => (major === undefined
    // A service without instances or a pipeline does not tell its version.
    ? "majorVersion: '1' /* no instance or pipeline tells the version Proton runs: check it */"
    : `majorVersion: ${quote(major)}, minorVersion: ${quote(minor!)}`);
  const specFile = (file: string, inputs: unknown) => {
    files.set(`specs/${file}`, YAML.dump({ proton: 'ServiceSpec', spec: inputs }));
    return `Spec.fromFile(${quote(`specs/${file}`)})`;
  };

  const envVariables = new Map<string, string>();
  for (const env of environments) {
    files.set(`specs/${env.name}.yaml`, env.spec ?? 'proton: EnvironmentSpec\nspec: {}\n');
    const variable = camel(id(`${env.name}-environment`));
    envVariables.set(env.name!, variable);
    used.add('Environment');
    const props = [
      `environmentName: ${quote(env.name!)}`,
      `template: ${template('Environment', env.templateName!)}`,
      pin(env.templateMajorVersion, env.templateMinorVersion),
      `spec: Spec.fromFile(${quote(`specs/${env.name}.yaml`)})`,
      ...(env.description ? [`description: ${quote(env.description)}`] : []),
      ...(env.protonServiceRoleArn ? [`protonServiceRole: ${role(env.protonServiceRoleArn)}`] : []),
      ...(env.codebuildRoleArn ? [`codebuildRole: ${role(env.codebuildRoleArn)}`] : []),
      ...(env.componentRoleArn ? [`componentRole: ${role(env.componentRoleArn)}`] : []),
      ...(env.environmentAccountConnectionId && used.add('EnvironmentAccountConnection') ? ['environmentAccountConnection: EnvironmentAccountConnection.fromEnvironmentAccountConnectionId(this, '
        + `${quote(id(`${env.name}-connection`))}, ${quote(env.environmentAccountConnectionId)})`] : []),
      ...(env.provisioningRepository && used.add('RepositoryProvider') ? [`provisioningRepository: { provider: RepositoryProvider.${env.provisioningRepository.provider}, `
        + `name: ${quote(env.provisioningRepository.name!)}, branch: ${quote(env.provisioningRepository.branch!)} }`] : []),
      'adopt: true',
    ];
    lines.push(`    const ${variable} = new Environment(this, ${quote(id(env.name!))}, {\n${props.map((p) => `      ${p},`).join('\n')}\n    });`);
  }
  for (const { service, instances } of services) {
    used.add('Service');
    const running = instances[0] ?? service.pipeline ?? {};
    const environment = (name: string) => envVariables.get(name)
      ?? (used.add('Environment') && `Environment.fromEnvironmentName(this, ${quote(id(`${name}-import`))}, ${quote(name)})`);
    const instanceLines = instances.map((i) => `        { name: ${quote(i.name!)}, environment: ${environment(i.environmentName!)}, `
      + `spec: ${specFile(`${service.name}/${i.name}.yaml`, inputsOf(i.spec, i.name))} },`);
    const props = [
      `serviceName: ${quote(service.name!)}`,
      `template: ${template('Service', service.templateName!)}`,
      // A service declares one version for its instances and pipeline; adopting reports any that runs another.
      pin(running.templateMajorVersion, running.templateMinorVersion),
      `instances: [\n${instanceLines.join('\n')}\n      ]`,
      ...(service.pipeline ? [`pipeline: { spec: ${specFile(`${service.name}/pipeline.yaml`, inputsOf(service.pipeline.spec))} }`] : []),
      ...(service.repositoryConnectionArn ? [`repositoryConnectionArn: ${quote(service.repositoryConnectionArn)}`] : []),
      ...(service.repositoryId ? [`repositoryId: ${quote(service.repositoryId)}`] : []),
      ...(service.branchName ? [`branchName: ${quote(service.branchName)}`] : []),
      ...(service.description ? [`description: ${quote(service.description)}`] : []),
      'adopt: true',
    ];
    lines.push(`    new Service(this, ${quote(id(service.name!))}, {\n${props.map((p) => `      ${p},`).join('\n')}\n    });`);
  }
  for (const name of components) {
    lines.push(`    // Component ${name}: Proton does not report its template file. Declare it with Component (adopt: true) and its files.`);
  }

  files.set('lib/imported-estate.ts', [
    '// Written by `cdk-proton import`: the Proton estate as it was, declared with `adopt: true`. The first deployment takes it',
    '// over without deploying anything; then remove each `adopt: true` (a deployment that calls nothing) to let the stack',
    '// delete what it declares, and change it as any stack.',
    "import { Stack, StackProps } from 'aws-cdk-lib';",
    ...(used.has('iam') ? ["import * as iam from 'aws-cdk-lib/aws-iam';"] : []),
    `import { ${[...used].filter((n) => n !== 'iam').sort().join(', ')} } from 'cdk-proton';`,
    "import { Construct } from 'constructs';",
    '',
    'export class ImportedEstate extends Stack {',
    '  constructor(scope: Construct, id: string, props?: StackProps) {',
    '    super(scope, id, props);',
    ...lines,
    '  }',
    '}',
    '',
  ].join('\n'));
  files.set('bin/imported-estate.ts', [
    "import { App } from 'aws-cdk-lib';",
    "import { ImportedEstate } from '../lib/imported-estate';",
    '',
    "new ImportedEstate(new App(), 'ImportedEstate');",
    '',
  ].join('\n'));
  for (const [file, text] of files) {
    fs.mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    fs.writeFileSync(path.join(outDir, file), text);
  }
  return {
    environments: environments.map((e) => e.name!),
    services: services.map((s) => s.service.name!),
    skipped: components,
    files: [...files.keys()],
  };
}
