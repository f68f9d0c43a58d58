/**
 * `cdk-proton`: deploys a synthesized CDK app to the embedded Proton emulator with local CloudFormation, the
 * machinery of the tests (`LocalProton`), keeping its state in `.cdk-proton/` between runs. Bundled into
 * `assets/cli/index.js` (`build.ts`), outside the construct library's API. See local-proton/README.md, "The command".
 */
import * as fs from 'fs';
import * as path from 'path';
import { ProtonClient } from '@aws-sdk/client-proton';
import { importEstate } from './import';
import { listStacks, ResourceReport, StackReport, StackSummary } from '../local-cfn';
import { LocalProton } from '../local-proton';
import { schemaTypes } from '../types/schema-types';

/** Where the command writes, and hooks for its tests and the demo. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Relative paths start here. @default process.cwd() */
  readonly cwd?: string;
  /** Told the local Proton and the stack reports before it stops: what the demo and the tests check. */
  readonly inspect?: (proton: LocalProton, reports: StackReport[]) => Promise<void> | void;
}

export const USAGE = `usage: cdk-proton deploy [cdk.out] [options]
       cdk-proton destroy [cdk.out] [options]
       cdk-proton types <bundle dir> [--out <file.ts>]
       cdk-proton import --endpoint <url> [--region <region>] [--out <dir>]

Deploys a synthesized CDK app (its cloud assembly, default ./cdk.out) to an embedded AWS Proton
emulator with a local CloudFormation: no AWS account. The state is kept in .cdk-proton/, so the
next deploy is an update and destroy removes everything.

options:
  --state <dir>              where the state is kept (default: .cdk-proton)
  --stack <name>             only this stack (repeatable; default: every stack with resources)
  --fail <target>[=message]  the deployment of that Proton resource fails with the message (on
                             destroy: its deletion); target: a logical id, a construct path or a
                             Proton name (environment, <service>/<instance>, template)
  --throttle <fraction>      Proton throttles that fraction of the calls (0 to 1)
  --duplicate-deliveries     CloudFormation delivers each custom resource event twice
  --delay <ms>               how long Proton takes to register a template version or to deploy
                             (default: 50)
  -h, --help                 this text

import reads the Proton estate at --endpoint (credentials from the environment, as the AWS CLI takes
them) and writes a CDK app declaring it with adopt: true (default --out imported-estate): its first
deployment takes the estate over without deploying anything.

types writes TypeScript for the inputs of a template bundle's schema/schema.yaml: an interface per
input type and typed spec helpers (to standard output, or --out <file.ts>).

exit status: 0 done, 1 a deployment failed, 2 bad usage`;

interface Options {
  readonly command: 'deploy' | 'destroy';
  readonly assembly: string;
  readonly state: string;
  readonly stacks: string[];
  readonly fails: Array<{ target: string; message: string }>;
  readonly throttle: number;
  readonly duplicateDeliveries: boolean;
  readonly delayMs?: number;
}

/** A usage error: exit status 2, with the usage text. */
class UsageError extends Error {}

/** Runs the command line `argv` (without `node` and the script); answers the exit status. */
export async function main(argv: readonly string[], io: CliIo = consoleIo()): Promise<number> {
  if (argv[0] === 'types' && !argv.includes('--help') && !argv.includes('-h')) return types(argv.slice(1), io);
  if (argv[0] === 'import' && !argv.includes('--help') && !argv.includes('-h')) return importCommand(argv.slice(1), io);
  let options: Options | 'help';
  try {
    options = parse(argv, io.cwd ?? process.cwd());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`cdk-proton: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    io.out(USAGE);
    return 0;
  }
  try {
    return await run(options, io);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`cdk-proton: ${e.message}\n\n${USAGE}`);
    return 2;
  }
}

/** `import --endpoint <url> [--region <region>] [--out <dir>]`: the estate as a CDK app. */
async function importCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!['--endpoint', '--region', '--out'].includes(argv[i]) || argv[i + 1] === undefined) {
      io.err(`cdk-proton: import takes --endpoint <url>, --region <region> and --out <dir>, not '${argv[i]}'\n\n${USAGE}`);
      return 2;
    }
    flags.set(argv[i], argv[i + 1]);
  }
  if (!flags.has('--endpoint')) {
    io.err(`cdk-proton: import needs --endpoint <url>: where Proton answers\n\n${USAGE}`);
    return 2;
  }
  const out = path.resolve(io.cwd ?? process.cwd(), flags.get('--out') ?? 'imported-estate');
  const client = new ProtonClient({ endpoint: flags.get('--endpoint'), region: flags.get('--region') ?? process.env.AWS_REGION ?? 'us-east-1' });
  try {
    const estate = await importEstate(client, out);
    io.out(`cdk-proton: imported ${estate.environments.length} environments (${estate.environments.join(', ') || 'none'}) `
      + `and ${estate.services.length} services (${estate.services.join(', ') || 'none'}) into ${out}`);
    for (const name of estate.skipped) io.out(`  component ${name} not declared: Proton does not report its template file`);
    return 0;
  } catch (e) {
    io.err(`cdk-proton: could not read the estate at ${flags.get('--endpoint')}: ${(e as Error).message}`);
    return 1;
  } finally {
    client.destroy();
  }
}

/** `types <bundle dir> [--out <file.ts>]`: the bundle's input types as TypeScript. */
function types(argv: readonly string[], io: CliIo): number {
  const args = [...argv];
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;
  if (args.length !== 1 || args[0].startsWith('-') || (outAt >= 0 && !out)) {
    io.err(`cdk-proton: types takes one bundle directory and, optionally, --out <file.ts>\n\n${USAGE}`);
    return 2;
  }
  const cwd = io.cwd ?? process.cwd();
  let text: string;
  try {
    text = schemaTypes(path.resolve(cwd, args[0]), args[0]);
  } catch (e) {
    io.err(`cdk-proton: ${(e as Error).message}`);
    return 1;
  }
  if (out === undefined) {
    io.out(text);
  } else {
    fs.mkdirSync(path.dirname(path.resolve(cwd, out)), { recursive: true });
    fs.writeFileSync(path.resolve(cwd, out), text);
    io.out(`cdk-proton: wrote ${out}`);
  }
  return 0;
}

function parse(argv: readonly string[], cwd: string): Options | 'help' {
  const args = [...argv];
  if (args.some(a => a === '-h' || a === '--help')) return 'help';
  const command = args.shift();
  if (command !== 'deploy' && command !== 'destroy') {
    throw new UsageError(command === undefined ? 'a command is needed: deploy, destroy, types or import' : `unknown command '${command}'`);
  }
  const positional: string[] = [];
  const stacks: string[] = [];
  const fails: Options['fails'] = [];
  let state = '.cdk-proton';
  let throttle = 0;
  let duplicateDeliveries = false;
  let delayMs: number | undefined;
  const value = (flag: string) => {
    const v = args.shift();
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    switch (arg) {
      case '--state': state = value(arg); break;
      case '--stack': stacks.push(value(arg)); break;
      case '--fail': {
        const [target, ...message] = value(arg).split('=');
        fails.push({ target, message: message.length > 0 ? message.join('=') : 'Failed by cdk-proton --fail' });
        break;
      }
      case '--throttle':
        throttle = Number(value(arg));
        if (!(throttle >= 0 && throttle <= 1)) throw new UsageError(`--throttle takes a fraction from 0 to 1, not '${throttle}'`);
        break;
      case '--duplicate-deliveries': duplicateDeliveries = true; break;
      case '--delay':
        delayMs = Number(value(arg));
        if (!(delayMs >= 0)) throw new UsageError(`--delay takes milliseconds, not '${delayMs}'`);
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
        positional.push(arg);
    }
  }
  if (positional.length > 1) throw new UsageError(`one cloud assembly at most, got ${positional.join(', ')}`);
  return {
    command,
    stacks,
    fails,
    throttle,
    duplicateDeliveries,
    delayMs,
    assembly: path.resolve(cwd, positional[0] ?? 'cdk.out'),
    state: path.resolve(cwd, state),
  };
}

/** The files of the state folder. */
function stateFiles(stateDir: string) {
  return { stacks: path.join(stateDir, 'stacks'), assemblies: path.join(stateDir, 'assemblies'), journal: path.join(stateDir, 'proton.jsonl') };
}

async function run(options: Options, io: CliIo): Promise<number> {
  const files = stateFiles(options.state);
  const hasAssembly = fs.existsSync(path.join(options.assembly, 'manifest.json'));
  if (!hasAssembly && options.command === 'deploy') {
    throw new UsageError(`no cloud assembly in ${options.assembly}: synthesize the app first (cdk synth)`);
  }
  const assemblyStacks = hasAssembly ? listStacks(options.assembly) : [];
  const stackNames = chooseStacks(options, assemblyStacks, files.stacks);
  const faults = options.fails.map(f => ({ ...f, keys: faultKeys(f.target, assemblyStacks) }));

  let assembly = options.assembly;
  if (options.command === 'deploy') {
    // Deployed from a copy: an update, a rollback or a destroy runs the old handler code and templates even after
    // the app is synthesized again.
    assembly = path.join(files.assemblies, `${Date.now()}-${process.pid}`);
    fs.cpSync(options.assembly, assembly, { recursive: true });
  }
  const proton = await LocalProton.start({
    stateDir: files.stacks,
    journal: files.journal,
    registrationDelayMs: options.delayMs,
    deploymentDelayMs: options.delayMs,
    duplicateDeliveries: options.duplicateDeliveries,
    onProgress: (stack, step) => printStep(io, stack, step),
  });
  const replayed = proton.emulator.replayed!;
  io.out(`Proton emulator on ${proton.emulator.endpoint} (account ${proton.emulator.accountId}, ${proton.emulator.region}), `
    + `state in ${path.relative(io.cwd ?? process.cwd(), options.state) || '.'}${replayed.entries > 0 ? ` (${replayed.entries} changes replayed)` : ''}`);
  for (const failed of replayed.failed) io.err(`warning: a change of an earlier run no longer applies: ${failed}`);
  proton.emulator.faults.throttleFraction = options.throttle;
  for (const fault of faults) {
    for (const key of fault.keys) {
      if (options.command === 'deploy') {
        proton.emulator.faults.failDeployment(key, fault.message);
        proton.emulator.faults.failRegistration(key, fault.message);
      } else {
        proton.emulator.faults.failDeletion(key, fault.message);
      }
    }
    io.out(`fault: ${options.command === 'deploy' ? 'deployments' : 'deletions'} of ${fault.keys.join(', ')} fail with "${fault.message}"`);
  }

  const reports: StackReport[] = [];
  let code = 0;
  try {
    for (const stackName of stackNames) {
      io.out(`\n${stackName}: ${options.command === 'deploy' ? 'deploying' : 'destroying'}`);
      const calls = proton.emulator.log.entries.length;
      const report = options.command === 'deploy' ? await proton.deploy(assembly, stackName) : await proton.destroy(stackName);
      reports.push(report);
      printReport(io, report, proton.emulator.log.entries.slice(calls).map(e => e.operation));
      const ok = options.command === 'deploy'
        ? ['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(report.status) || report.reason === 'No updates are to be performed.'
        : report.status === 'DELETE_COMPLETE';
      if (!ok) {
        code = 1;
        break;
      }
    }
  } catch (e) {
    // The stack can't be deployed (an invalid template, a stack in a *_FAILED state): CloudFormation's refusal.
    io.err(`cdk-proton: ${(e as Error).message}`);
    code = 1;
  } finally {
    await io.inspect?.(proton, reports);
    try {
      await proton.stop();
    } catch (e) {
      io.err(`cdk-proton: ${(e as Error).message}`);
      code = 1;
    }
  }
  const outputs = reports.flatMap(r => Object.entries(r.outputs).map(([key, v]) => `  ${r.stackName}.${key} = ${v}`));
  if (options.command === 'deploy' && outputs.length > 0) io.out(`\nOutputs:\n${outputs.join('\n')}`);
  cleanUp(options.state);
  io.out(code === 0 ? `\n${options.command} done` : `\n${options.command} failed`);
  return code;
}

/** The stacks to deploy (in dependency order) or destroy (in reverse): `--stack`, else every stack with resources. */
function chooseStacks(options: Options, assemblyStacks: StackSummary[], stacksDir: string): string[] {
  const deployed = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).filter(f => f.endsWith('.json')).map(f => f.slice(0, -5)) : [];
  const known = assemblyStacks.map(s => s.stackName);
  for (const name of options.stacks) {
    if (!known.includes(name) && !(options.command === 'destroy' && deployed.includes(name))) {
      throw new UsageError(`no stack '${name}' in ${options.assembly}${known.length > 0 ? ` (stacks: ${known.join(', ')})` : ''}`);
    }
  }
  if (options.command === 'deploy') {
    const withResources = assemblyStacks.filter(s => Object.values(s.template.Resources ?? {}).some(r => r.Type !== 'AWS::CDK::Metadata'));
    const chosen = options.stacks.length > 0 ? assemblyStacks.filter(s => options.stacks.includes(s.stackName)) : withResources;
    if (chosen.length === 0) throw new UsageError(`no stack with resources in ${options.assembly}`);
    return chosen.map(s => s.stackName);
  }
  if (options.stacks.length > 0) return [...options.stacks].reverse();
  // The assembly's order, reversed, then what else was deployed from this state folder.
  const ordered = [...known].reverse().filter(name => deployed.includes(name));
  return [...ordered, ...deployed.filter(name => !ordered.includes(name))];
}

/**
 * The fault keys (`Faults.failDeployment`, `failRegistration`) of `--fail <target>`: the Proton names of the
 * resources whose logical id or construct path it is, else the target itself as a Proton name.
 */
function faultKeys(target: string, stacks: StackSummary[]): string[] {
  const keys: string[] = [];
  let matched = false;
  for (const stack of stacks) {
    for (const [lid, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
      // A construct path with or without the stack's name: `ProtonPlatform/Beta`, `Beta`.
      const constructPath = stack.constructPaths[lid] ?? resource.Metadata?.['aws:cdk:path'] ?? '';
      const under = (p: string) => constructPath === p || constructPath.startsWith(`${p}/`);
      if (lid !== target && !under(target) && !under(`${stack.stackName}/${target}`)) continue;
      const names = protonNames(resource.Type, resource.Properties ?? {});
      if (names === undefined) continue;
      matched = true;
      if (names.length === 0) throw new UsageError(`--fail ${target}: the Proton name of ${lid} is only known at deploy time; give the name itself`);
      keys.push(...names);
    }
  }
  return matched ? [...new Set(keys)] : [target];
}

/** The fault keys of a resource of this library (undefined: not a Proton resource; [] when they are not literal strings). */
function protonNames(type: string, props: Record<string, any>): string[] | undefined {
  const literal = (...values: unknown[]) => values.every(v => typeof v === 'string');
  switch (type) {
    case 'Custom::ProtonEnvironment':
    case 'Custom::ProtonComponent':
      return literal(props.Name) ? [props.Name] : [];
    case 'Custom::ProtonServiceInstance':
      return literal(props.ServiceName, props.Name) ? [`${props.ServiceName}/${props.Name}`] : [];
    case 'Custom::ProtonService': {
      const instances: any[] = Array.isArray(props.Instances) ? props.Instances : [];
      if (!literal(props.Name, ...instances.map(i => i.Name))) return [];
      return [...instances.map(i => `${props.Name}/${i.Name}`), ...(props.PipelineSpec ? [`${props.Name}:pipeline`] : [])];
    }
    case 'Custom::ProtonEnvironmentTemplateVersion':
    case 'Custom::ProtonServiceTemplateVersion':
      return literal(props.TemplateName) ? [props.TemplateName] : [];
    default:
      return undefined;
  }
}

/** One line per Proton resource step as it ends; the simulated ones (IAM, Lambda, ...) are counted at the end. */
function printStep(io: CliIo, stackName: string, step: ResourceReport): void {
  if (step.kind === 'simulated' || step.action === 'NO_CHANGE') return;
  const type = step.type.replace(/^Custom::Proton|^AWS::Proton::/, '');
  const line = `  ${stackName} | ${step.action.padEnd(15)} ${step.status.padEnd(9)} | ${step.logicalId} (${type}) ${step.durationMs} ms`;
  io.out(step.status === 'FAILED' && step.reason ? `${line}\n      ${step.reason}` : line);
}

/** The stack's outcome, with the Proton operations its handlers called (`operations`, in order). */
function printReport(io: CliIo, report: StackReport, operations: string[]): void {
  const simulated = report.resources.filter(r => r.kind === 'simulated').length;
  const unchanged = report.resources.filter(r => r.kind !== 'simulated' && r.action === 'NO_CHANGE').length;
  const calls = new Map<string, number>();
  for (const operation of operations) calls.set(operation, (calls.get(operation) ?? 0) + 1);
  io.out([
    `${report.stackName}: ${report.status} in ${(report.durationMs / 1000).toFixed(1)} s${report.reason ? `: ${report.reason}` : ''}`,
    `  ${simulated} other resources simulated${unchanged > 0 ? `, ${unchanged} Proton resources unchanged` : ''}; Proton calls: `
      + (calls.size === 0 ? 'none' : [...calls].map(([op, n]) => `${op} x${n}`).join(', ')),
  ].join('\n'));
}

/** Removes the assembly copies no stack refers to any more, and the state folder once no stack is left. */
function cleanUp(stateDir: string): void {
  const files = stateFiles(stateDir);
  const states = fs.existsSync(files.stacks) ? fs.readdirSync(files.stacks).filter(f => f.endsWith('.json')) : [];
  if (states.length === 0) {
    fs.rmSync(stateDir, { recursive: true, force: true });
    return;
  }
  const used = states.map(f => fs.readFileSync(path.join(files.stacks, f), 'utf-8')).join('\n');
  for (const copy of fs.existsSync(files.assemblies) ? fs.readdirSync(files.assemblies) : []) {
    if (!used.includes(path.join(files.assemblies, copy))) fs.rmSync(path.join(files.assemblies, copy), { recursive: true, force: true });
  }
}

function consoleIo(): CliIo {
  return { out: line => console.log(line), err: line => console.error(line) };
}

/** The bundle's entry point (`bin/cdk-proton`). */
export function cli(): void {
  main(process.argv.slice(2)).then(code => process.exit(code), (error) => {
    console.error(error);
    process.exit(1);
  });
}
