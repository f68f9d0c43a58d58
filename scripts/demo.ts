/**
 * `npm run demo`: synthesizes the example app and deploys it with the `cdk-proton` command (its `main`, as
 * `npx cdk-proton` runs it) to the embedded Proton emulator, one run per step on one state folder: create, an
 * update with a changed bundle, a redeploy with nothing changed, destroy. Prints what happened to each Proton
 * resource, and fails if anything did not go as it should.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GetEnvironmentCommand, GetEnvironmentTemplateCommand, GetServiceCommand } from '@aws-sdk/client-proton';
import { buildApp, Revision } from '../examples/app';
import { main } from '../local-proton/cli/main';
import type { StackReport } from '../local-proton/local-cfn';
import type { LocalProton } from '../local-proton/local-proton';

const STACK = 'ProtonPlatform';
const WORK_DIR = path.join(__dirname, '..', '.demo');

interface Step {
  readonly title: string;
  /** The command line of the step's run (the state folder and the delays are added). */
  readonly argv: () => string[];
  /** What must hold after the step; a message when it does not. */
  readonly check: (report: StackReport, proton: LocalProton) => Promise<string | undefined>;
}

function synth(revision: Revision, step: number): string {
  return buildApp({ revision, outdir: path.join(WORK_DIR, `cdk.out-${step}`) }).synth().directory;
}

const versionOf = (report: StackReport) => report.outputs.VpcEnvVersion as string | undefined;

const STEPS: Step[] = [
  {
    title: 'create: register the templates, deploy the beta and prod environments and the orders service (two instances, a pipeline)',
    argv: () => ['deploy', synth('v1', 1)],
    check: async (report) => report.status === 'CREATE_COMPLETE' && versionOf(report) === '1.0' && report.outputs.BetaVpcId
      && report.outputs.OrdersBetaUrl && report.outputs.OrdersProdUrl
      ? undefined : `expected CREATE_COMPLETE with version 1.0, the VPC id and the instance URLs, got ${report.status} ${versionOf(report)}`,
  },
  {
    title: 'update: the environment bundle changed (examples/templates/vpc-env/v1-revised adds an input), so beta and prod move to it; '
      + 'the beta instance of orders gets a new port',
    argv: () => ['deploy', synth('v1-revised', 2)],
    check: async (report, proton) => report.status === 'UPDATE_COMPLETE' && versionOf(report) === '1.1'
      && proton.emulator.log.count('UpdateEnvironment', (input) => input.deploymentType === 'MINOR_VERSION') === 2
      && proton.emulator.log.count('UpdateServiceInstance', (input) => input.name === 'beta' && input.deploymentType === 'CURRENT_VERSION') >= 1
      && proton.emulator.log.count('UpdateServiceInstance', (input) => input.name === 'prod') === 0
      ? undefined : `expected UPDATE_COMPLETE with version 1.1 and both environments moved by MINOR_VERSION deployments and only the beta instance redeployed, got ${report.status} ${versionOf(report)}`,
  },
  {
    title: 'redeploy: nothing changed',
    argv: () => ['deploy', synth('v1-revised', 3)],
    check: async (_report, proton) => proton.emulator.log.entries.length === 0
      ? undefined : `expected no Proton call, got ${proton.emulator.log.entries.length}`,
  },
  {
    title: 'destroy',
    argv: () => ['destroy', path.join(WORK_DIR, 'cdk.out-3')],
    check: async (report, proton) => {
      if (report.status !== 'DELETE_COMPLETE') return `expected DELETE_COMPLETE, got ${report.status}`;
      const exists = (request: Promise<unknown>) => request.then(() => true, () => false);
      if (await exists(proton.client.send(new GetServiceCommand({ name: 'orders' })))) return 'the service is still in Proton';
      if (await exists(proton.client.send(new GetEnvironmentCommand({ name: 'beta' })))) return 'the environment is still in Proton';
      return await exists(proton.client.send(new GetEnvironmentTemplateCommand({ name: 'vpc-env' }))) ? 'the template is still in Proton' : undefined;
    },
  },
];

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd()).join('\n');
}

function describe(report: StackReport, proton: LocalProton): string {
  const protonRows = report.resources
    .filter((r) => r.kind !== 'simulated')
    .map((r) => [
      r.logicalId,
      r.type.replace('AWS::Proton::', '').replace('Custom::Proton', ''),
      r.action,
      r.status,
      r.physicalId?.replace(/^arn:aws:proton:[^:]+:\d+:/, '') ?? '-',
      r.attributes?.MajorVersion ? `${r.attributes.MajorVersion}.${r.attributes.MinorVersion}` : '-',
      `${r.durationMs} ms`,
      r.reason ?? '',
    ]);
  const calls = new Map<string, number>();
  for (const entry of proton.emulator.log.entries) {
    // Show which deployment an update asked for (CURRENT_VERSION, MINOR_VERSION, ...).
    const call = entry.input.deploymentType ? `${entry.operation}(${entry.input.deploymentType})` : entry.operation;
    calls.set(call, (calls.get(call) ?? 0) + 1);
  }
  const callText = calls.size === 0 ? 'none' : [...calls].map(([op, n]) => `${op} x${n}`).join(', ');
  // Each handler call is authorized against the provider role's policy, as deployed at that moment.
  const handlerCalls = proton.emulator.log.entries.filter((e) => e.principal?.includes(':assumed-role/'));
  const denied = handlerCalls.filter((e) => e.error === 'AccessDeniedException');
  return [
    `  stack ${report.status} in ${report.durationMs} ms${report.reason ? ` (${report.reason})` : ''}`,
    protonRows.length > 0
      ? table([['resource', 'type', 'action', 'status', 'Proton id', 'version', 'time', 'reason'], ...protonRows])
      : '  no Proton resource changed',
    `  Proton calls: ${callText}`,
    `  IAM: ${handlerCalls.length - denied.length} handler calls allowed by the provider role's policy, ${denied.length} denied`
      + denied.map((e) => `\n    denied: ${e.errorMessage}`).join(''),
    ...Object.entries(report.outputs).map(([key, value]) => `  output ${key} = ${value}`),
  ].join('\n');
}

/** Runs every step; answers 0 when each did what it should. */
export async function runDemo(log: (line: string) => void = console.log): Promise<number> {
  // The handlers run on Lambda's Node.js 22; the SDK's warning about this machine's Node.js 20 is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  let failures = 0;
  for (const [i, step] of STEPS.entries()) {
    log(`${i + 1}. ${step.title}`);
    let problem: string | undefined = 'the command ended before deploying';
    // Visible registration and deployment times, as Proton takes a while for both.
    const code = await main([...step.argv(), '--stack', STACK, '--state', path.join(WORK_DIR, 'state'), '--delay', '700'], {
      out: (line) => log(line.replace(/^/gm, '  | ')),
      err: (line) => log(line.replace(/^/gm, '  | ')),
      inspect: async (proton, [report]) => {
        if (!report) return;
        log(describe(report, proton));
        problem = await step.check(report, proton)
          ?? (proton.deniedCalls().length > 0 ? `IAM denied handler calls: ${proton.deniedCalls().join(', ')}` : undefined);
      },
    });
    problem ??= code === 0 ? undefined : `cdk-proton exited ${code}`;
    log(problem ? `  FAILED: ${problem}\n` : '  ok\n');
    if (problem) failures++;
  }
  log(failures === 0 ? 'demo: every step did what it should' : `demo: ${failures} step(s) failed`);
  return failures === 0 ? 0 : 1;
}

if (require.main === module) {
  runDemo().then((code) => process.exit(code), (error) => {
    console.error(error);
    process.exit(1);
  });
}
