/** BENCHMARKS.md: the machine, the date, how to reproduce, and every figure with its target. */

export interface Figure {
  readonly name: string;
  readonly floor: string;
  readonly awsCustomResource: string;
  readonly cdkProton: string;
  readonly target: string;
  readonly met: boolean;
  /** Why the target is missed (shown only then). */
  readonly why?: string;
  /** How the figure is measured, where the table cannot say it (a footnote). */
  readonly how?: string;
}

export interface Report {
  readonly date: string;
  readonly machine: string;
  readonly rounds: number;
  readonly figures: Figure[];
  /** Why targets are missed, numbered: the figures' reasons cite them. */
  readonly explanations: string[];
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function report(r: Report): string {
  const rows = r.figures.map((f) =>
    `| ${[f.name, f.floor, f.awsCustomResource, f.cdkProton, f.target, f.met ? 'met' : `**missed**${f.why ? `: ${f.why}` : ''}`].map(cell).join(' | ')} |`);
  const notes = r.figures.filter((f) => f.how).map((f) => `- ${f.name}: ${f.how}`);
  return [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (scripts/bench/): edit the script, not this file. -->',
    '',
    `Measured on ${r.date}, on ${r.machine}.`,
    '',
    'The same estate is declared three ways: two template versions, then environments and services with one',
    'instance each, in equal numbers (`scripts/bench/apps/`).',
    '- **floor**: bare `CfnResource` custom resources, nothing but the resources;',
    '- **AwsCustomResource**: one `AwsCustomResource` per object;',
    '- **cdk-proton**: this library\'s constructs, loaded from the compiled `lib/` as a user\'s app loads the package.',
    '',
    `Every time is the median over ${r.rounds} or more whole \`node\` processes. The ways are alternated in each round, so`,
    'that the ratios hold on a noisy machine.',
    '',
    '## Reproduce',
    '',
    '```sh',
    'npm ci && npm run bench   # under 10 minutes; BENCH_ROUNDS=n for more rounds',
    '```',
    '',
    '## Figures',
    '',
    '| figure | floor (CfnResource) | AwsCustomResource | cdk-proton | target | |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...(notes.length ? ['', ...notes] : []),
    '',
    '## Why targets are missed',
    '',
    ...r.explanations.map((e, i) => `${i + 1}. ${e}`),
    '',
  ].join('\n');
}
