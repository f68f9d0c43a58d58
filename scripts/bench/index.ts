/**
 * `npm run bench`: measures this library against the alternatives (bare CfnResource custom resources, AwsCustomResource)
 * and its own costs, and writes BENCHMARKS.md with every figure and its target. Run on a quiet machine.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BundleFigures, measureBundle } from './bundle';
import { LifecycleFigures, measureLifecycle } from './lifecycle';
import { Figure, report } from './report';
import { measureSynth, SynthFigures } from './synth';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const OUT = path.join(__dirname, '..', '..', 'BENCHMARKS.md');

const ms = (s: number) => `${(s * 1000).toFixed(2)} ms`;
const sec = (s: number) => (Number.isNaN(s) ? 'refused' : `${s.toFixed(2)} s`);
const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} KB`;

/** The smallest and the largest estate a way synthesized. */
function extremes(values: Record<number, number>): [number, number] {
  const sizes = Object.keys(values).map(Number).filter((n) => !Number.isNaN(values[n]));
  return [Math.min(...sizes), Math.max(...sizes)];
}

/** What a way costs per object between the smallest and the largest estate it synthesized. */
function perObject(values: Record<number, number>): number {
  const [small, large] = extremes(values);
  return (values[large] - values[small]) / (large - small);
}

const range = (values: Record<number, number>) => extremes(values).join(' → ');

/** Why the synth targets are missed: what the profile (`node --cpu-prof` of the apps) shows. Cited by the short reasons below. */
const EXPLANATIONS = [
  'The Provider framework this library runs on costs a fixed amount the floor never pays: it loads aws-cdk-lib\'s lambda, iam, '
    + 'stepfunctions, logs and custom-resources modules and declares 5 functions, a state machine, 4 roles and two assets. Every '
    + '`lambda.Code.fromAsset` (the framework\'s own functions too) loads aws-cdk-lib\'s region facts: about 470 M instructions, '
    + '0.2 s, measured with callgrind. Only replacing the framework would remove it, and neither way is worth its risk: declaring '
    + 'the framework\'s resources without its constructs would tie the library to its runtime\'s unpublished contract (environment '
    + 'variables, the waiter\'s input), which the user\'s aws-cdk-lib may change; a framework of the library\'s own would need its '
    + 'own waiting and a new model in local CloudFormation for every rollback and retry case the tests prove.',
  'Per object, about half of the cost is aws-cdk-lib resolving the tokens of the properties (`findAllReferences` over each '
    + 'resource\'s property tree, then the template) and the dependencies: at 480 objects 330 ms and 210 ms against the floor\'s '
    + '150 ms and 80 ms (`node --cpu-prof`). The floor\'s objects reference nothing (a literal service token and version numbers); '
    + 'an estate\'s must read what Proton assigns (the versions\' numbers), the provider\'s service token and roles, and depend on '
    + 'the grants. Spec validation (ajv) and rendering (a small YAML writer) are the rest. Replacing Lazy values with render-time '
    + 'ones was measured 0.7% slower and reverted; the aspect that added the grants dependency to every resource is now a '
    + 'dependency added where the resource is made, which halved aspect visits at 480 objects (90 ms to 45 ms; the floor: 8 ms).',
  'Template bytes per object: met since each object became one resource without default deletion policies and a service no '
    + 'longer sends its whole spec (the handler composes it from the instances\' and the pipeline\'s).',
  'A stack holds at most 500 resources: the provider\'s own 17, and the app\'s two templates and Proton role, come on top of the objects.',
];
const WHY = {
  ratio: 'the framework\'s fixed cost and token resolution (notes 1, 2)',
  tooMany: 'over 500 resources (note 4)',
  perObject: 'token resolution, spec validation and rendering (note 2)',
  fixed: 'the framework and its region facts (note 1)',
  bytes: 'see note 3',
};

function synthFigures(s: SynthFigures): Figure[] {
  const sizes = Object.keys(s.seconds).map(Number);
  const at = (n: number) => s.seconds[n];
  const ratio = (n: number) => at(n).cdkProton / at(n).floor;
  const byN = (read: (n: number) => number) => Object.fromEntries(sizes.map((n) => [n, read(n)]));
  const costPerObject = { floor: perObject(byN((n) => at(n).floor)), cdkProton: perObject(byN((n) => at(n).cdkProton)) };
  const bytesPerObject = {
    floor: perObject(byN((n) => s.templateBytes[n].floor)),
    awsCustomResource: perObject(byN((n) => s.templateBytes[n].awsCustomResource)),
    cdkProton: perObject(byN((n) => s.templateBytes[n].cdkProton)),
  };
  const extra = sizes.map((n) => s.resources[n].cdkProton - n).filter((e) => !Number.isNaN(e));
  const belowAwsCustomResource = sizes.every((n) => Number.isNaN(at(n).awsCustomResource) || at(n).cdkProton < at(n).awsCustomResource);
  return [
    ...sizes.map((n): Figure => ({
      name: `synth, ${n} objects`,
      floor: sec(at(n).floor),
      awsCustomResource: sec(at(n).awsCustomResource) + (s.refused[`awsCustomResource@${n}`] ? ` (${s.refused[`awsCustomResource@${n}`]})` : ''),
      cdkProton: Number.isNaN(at(n).cdkProton)
        ? `refused (${s.refused[`cdkProton@${n}`]})` : `${sec(at(n).cdkProton)} (${ratio(n).toFixed(2)}× floor)`,
      target: '≤ 1.3× floor; below AwsCustomResource',
      met: ratio(n) <= 1.3 && (Number.isNaN(at(n).awsCustomResource) || at(n).cdkProton < at(n).awsCustomResource),
      why: Number.isNaN(at(n).cdkProton) ? WHY.tooMany : WHY.ratio,
    })),
    {
      name: 'synth below AwsCustomResource at every N',
      floor: '—',
      awsCustomResource: '—',
      cdkProton: belowAwsCustomResource ? 'yes' : 'no',
      target: 'yes',
      met: belowAwsCustomResource,
    },
    {
      name: 'synth cost per object',
      floor: `${ms(costPerObject.floor)} (${range(byN((n) => at(n).floor))})`,
      awsCustomResource: '—',
      cdkProton: `${ms(costPerObject.cdkProton)} (${range(byN((n) => at(n).cdkProton))})`,
      target: '≤ 0.70 ms',
      met: costPerObject.cdkProton <= 0.0007,
      why: `${WHY.perObject}; the floor itself costs ${ms(costPerObject.floor)} here, and cdk-proton ${(costPerObject.cdkProton / costPerObject.floor).toFixed(2)}× `
        + 'that (the issue set the target as 1.3× a floor of 0.54 ms)',
    },
    {
      name: `fixed cost (${Math.min(...sizes)} objects)`,
      floor: sec(at(Math.min(...sizes)).floor),
      awsCustomResource: '—',
      cdkProton: sec(at(Math.min(...sizes)).cdkProton),
      target: '≤ 0.60 s',
      met: at(Math.min(...sizes)).cdkProton <= 0.6,
      why: `${WHY.fixed}; the floor itself takes ${sec(at(Math.min(...sizes)).floor)} here, and cdk-proton `
        + `${ratio(Math.min(...sizes)).toFixed(2)}× that (the issue set the target as 1.2× a floor of 0.50 s)`,
    },
    {
      name: 'CloudFormation resources',
      floor: 'N',
      awsCustomResource: `2N + ${s.resources[Math.min(...sizes)].awsCustomResource - 2 * Math.min(...sizes)}`,
      cdkProton: new Set(extra).size === 1 ? `N + ${extra[0]}` : `N + ${extra.join(' / ')}`,
      target: 'N + constant',
      met: new Set(extra).size === 1,
    },
    {
      name: 'template bytes per object',
      floor: kb(bytesPerObject.floor),
      awsCustomResource: kb(bytesPerObject.awsCustomResource),
      cdkProton: kb(bytesPerObject.cdkProton),
      target: '≤ 0.75 KB',
      met: bytesPerObject.cdkProton <= 750,
      why: WHY.bytes,
    },
  ];
}

function bundleFigures(b: BundleFigures, handlerAssets: number): Figure[] {
  const ratio = b.coldLoadSeconds / b.referenceColdLoadSeconds;
  return [
    {
      name: 'handler bundles',
      floor: '—',
      awsCustomResource: '—',
      cdkProton: `${handlerAssets} asset${handlerAssets === 1 ? '' : 's'}, ${kb(b.bytes)} (reference: ${kb(b.referenceBytes)})`,
      target: 'one asset, ≤ 620 KB',
      met: handlerAssets === 1 && b.bytes <= 620_000,
    },
    {
      name: 'handler cold load (whole node process)',
      floor: `${sec(b.referenceColdLoadSeconds)} (reference bundle)`,
      awsCustomResource: '—',
      cdkProton: `${sec(b.coldLoadSeconds)} (${ratio.toFixed(2)}×)`,
      target: '≤ 1.1× the reference',
      met: ratio <= 1.1,
    },
  ];
}

/** Detection latency, calls per lifecycle and scale, through the local Proton (scripts/bench/lifecycle.ts). */
function lifecycleFigures(l: LifecycleFigures): Figure[] {
  const w = l.waiter;
  const detection = Object.entries(l.detection).map(([kind, q]): Figure => ({
    name: `detection latency: ${kind}`,
    floor: '—',
    awsCustomResource: '—',
    cdkProton: `median ${q.medianSeconds.toFixed(2)} s, p95 ${q.p95Seconds.toFixed(2)} s (${q.samples} samples)`,
    target: 'median ≤ 2 s, p95 ≤ 6 s',
    met: q.medianSeconds <= 2 && q.p95Seconds <= 6,
    why: 'the waiters\' delays (see the waiter choices, the last note)',
  }));
  const calls = Object.entries(l.calls).map(([type, byLifecycle]): Figure => {
    const cell = Object.entries(byLifecycle).map(([lifecycle, c]) =>
      `${lifecycle}: ${c.mutatingOperations.join(' + ') || 'none'}; reads ${c.readsAt30Seconds} (30 s), ${c.readsAt5Minutes} (5 min)`).join('. ');
    const extra = Object.values(byLifecycle).some((c) => c.mutating > 1);
    const operations = Object.values(byLifecycle).flatMap((c) => c.mutatingOperations);
    const why = [
      operations.some((o) => o.startsWith('TagResource')) ? 'the request tag of an update' : undefined,
      operations.some((o) => /^Update\w+TemplateVersion/.test(o)) ? 'publishing a new version' : undefined,
    ].filter(Boolean).join(', ');
    return {
      name: `API calls per lifecycle: ${type}`,
      floor: '—',
      awsCustomResource: '—',
      cdkProton: cell,
      target: '≤ 1 mutating call per change; reads stated',
      met: !extra,
      why: `${why} (note 5)`,
    };
  });
  return [
    {
      name: 'waiter settings',
      floor: '—',
      awsCustomResource: '—',
      cdkProton: `minDelay ${w.minDelaySeconds} s, maxDelay ${w.maxDelaySeconds} s, ${w.maxWaitSeconds} s per isComplete, queryInterval ${w.queryIntervalSeconds} s`,
      target: 'chosen and documented',
      met: true,
    },
    ...detection,
    {
      name: 'Proton reads per minute of waiting',
      floor: '—',
      awsCustomResource: '—',
      cdkProton: `${l.readsPerMinuteOfWaiting.toFixed(1)}`,
      target: 'stated',
      met: true,
      how: 'every Get and List of the latency stack\'s handlers over the minutes its resources waited (an upper bound)',
    },
    ...calls,
    {
      name: `scale: ${l.scale.environments} environments + ${l.scale.services} services`,
      floor: '—',
      awsCustomResource: '—',
      cdkProton: `${l.scale.wallSeconds.toFixed(1)} s for ${l.scale.simulatedDeploymentSeconds.toFixed(0)} s of deployments (${l.scale.parallelism.toFixed(1)}× `
        + `parallel; longest chain ${l.scale.criticalPathSeconds.toFixed(1)} s)`,
      target: 'stated',
      met: true,
    },
  ];
}

/** How the lifecycle figures are measured, and why their missed targets are missed. */
function lifecycleExplanations(l: LifecycleFigures): string[] {
  return [
    'An update is one Proton change plus one TagResource: the request tag with which a later request (a rollback) stops the execution of '
      + 'one CloudFormation gave up on. A version\'s create is CreateTemplateVersion, then UpdateTemplateVersion to publish it: Proton\'s '
      + 'API has no create-and-publish.',
    ...l.notes,
    `Waiter choices (modelled, queryInterval included; medians / p95 in seconds): ${l.waiterChoices.map((c) =>
      `${c.minDelaySeconds}/${c.maxDelaySeconds} (queryInterval ${c.queryIntervalSeconds} s): short deployments `
      + `${c.shortDeployments.medianSeconds.toFixed(2)}/${c.shortDeployments.p95Seconds.toFixed(2)}, long `
      + `${c.longDeployments.medianSeconds.toFixed(2)}/${c.longDeployments.p95Seconds.toFixed(2)}, ${c.readsPerMinute.toFixed(1)} polls per minute`).join('; ')}.`,
  ];
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  log(`bench: ${ROUNDS} rounds of each measurement`);
  const bundle = measureBundle(ROUNDS * 3);
  log(`bundle: ${bundle.bytes} bytes, cold load ${bundle.coldLoadSeconds.toFixed(3)} s (reference ${bundle.referenceColdLoadSeconds.toFixed(3)} s)`);
  const synth = measureSynth(ROUNDS, log);
  log('lifecycle: through the local Proton (about 4 minutes)');
  const lifecycle = await measureLifecycle();
  const figures = [...synthFigures(synth), ...bundleFigures(bundle, synth.handlerAssets), ...lifecycleFigures(lifecycle)];
  fs.writeFileSync(OUT, report({
    date: new Date().toISOString().slice(0, 10),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}`,
    rounds: ROUNDS,
    figures,
    explanations: [...EXPLANATIONS, ...lifecycleExplanations(lifecycle)],
  }));
  log(`wrote ${path.relative(process.cwd(), OUT)}: ${figures.filter((f) => f.met).length} of ${figures.length} targets met`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
