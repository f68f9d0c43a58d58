import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

export const ENV_BUNDLE = path.join(__dirname, '..', 'fixtures', 'env-bundle');

export function newStack(id = 'TestStack'): Stack {
  const app = new App();
  return new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
}

/** A copy of a bundle fixture (the environment bundle by default) in a fresh temp dir, changed by `mutate`. */
export function bundleCopy(mutate: (dir: string) => void = () => {}, from: string = ENV_BUNDLE): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-bundle-'));
  fs.cpSync(from, dir, { recursive: true });
  mutate(dir);
  return dir;
}

export const SERVICE_BUNDLE = path.join(__dirname, '..', 'fixtures', 'service-bundle');

export const COMPONENT_DIR = path.join(__dirname, '..', 'fixtures', 'component');

/** The statements of the stack's Proton provider policy (its one managed policy). */
export function protonPolicyStatements(template: Template): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Description: Match.stringLikeRegexp('^cdk-proton: ') } }));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}
