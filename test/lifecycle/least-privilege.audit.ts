/**
 * The least-privilege audit, run by `npm test` after every other test: it reads what the emulator's IAM decided
 * for each handler call of the lifecycle tests and the demo (`test-reports/iam-decisions/`) and shows that
 * (a) the provider's policy allowed every call, and (b) every action the provider can grant was called by some
 * lifecycle, so that grants cannot pile up unnoticed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { IAM_REPORTS, IamReport } from '../../local-proton/iam-report';
import { PERMISSIONS } from '../../src/custom-resources/permissions';

/** What the provider grants besides Proton actions, each only where a construct hands Proton something. */
const HANDED_TO_PROTON = ['iam:PassRole', 'codestar-connections:PassConnection', 's3:GetObject'];

function reports(): IamReport[] {
  if (!fs.existsSync(IAM_REPORTS)) return [];
  return fs.readdirSync(IAM_REPORTS).map((file) => JSON.parse(fs.readFileSync(path.join(IAM_REPORTS, file), 'utf8')));
}

const all = reports();

test('the lifecycle tests left their IAM decisions (run `npm test`, or the lifecycle tests first)', () => {
  expect(all.map((r) => r.suite).some((suite) => suite.startsWith(path.join('test', 'lifecycle')))).toBe(true);
});

test('every handler call of every lifecycle test and the demo was allowed by the provider\'s policy', () => {
  const denied = all.filter((r) => !r.expectDenials)
    .flatMap((r) => r.decisions.filter(([, , decision]) => decision !== 'Allow').map(([action, resource]) => `${r.suite}: ${action} on ${resource}`));
  expect(denied).toEqual([]);
});

test('every action the provider can grant was called, and allowed, in some lifecycle', () => {
  const granted = new Set<string>(HANDED_TO_PROTON);
  for (const permissions of Object.values(PERMISSIONS)) {
    permissions.actions.forEach((action: string) => granted.add(action));
    (permissions as { wildcardActions?: readonly string[] }).wildcardActions?.forEach((action) => granted.add(action));
  }
  const used = new Set(all.flatMap((r) => r.decisions.filter(([, , decision]) => decision === 'Allow').map(([action]) => action)));
  expect([...granted].filter((action) => !used.has(action)).sort()).toEqual([]);
});
