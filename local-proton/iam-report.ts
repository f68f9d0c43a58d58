import * as path from 'path';

/** Where each LocalProton run leaves the IAM decisions on its handlers' calls. */
export const IAM_REPORTS = path.join(__dirname, '..', 'test-reports', 'iam-decisions');

/** What one LocalProton run (one lifecycle test file, the demo) leaves there. */
export interface IamReport {
  /** The test file (or script) that ran. */
  readonly suite: string;
  /** Whether that run was about denials (then they are expected). */
  readonly expectDenials: boolean;
  /** Each distinct `[action, resource, decision]` of a handler's call. */
  readonly decisions: ReadonlyArray<readonly [string, string, string]>;
}
