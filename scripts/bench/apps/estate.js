// The estate every benchmark app declares, the same for the three ways: N objects are two template versions, then
// environments and services (one instance each) in equal numbers. Read from the environment the runner sets.
const path = require('path');

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const N = Number(process.env.BENCH_N ?? 10);
const pairs = Math.max(1, Math.floor((N - 2) / 2));

module.exports = {
  N,
  /** Environment and service i (0 ≤ i < pairs). */
  indexes: Array.from({ length: pairs }, (_, i) => i),
  outdir: process.env.BENCH_OUT,
  envBundle: path.join(FIXTURES, 'env-bundle'),
  serviceBundle: path.join(FIXTURES, 'service-bundle'),
  connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/bench',
  cidr: (i) => `10.${i % 250}.0.0/16`,
};
