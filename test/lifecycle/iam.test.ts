import * as fs from 'fs';
import * as path from 'path';
import { synth, useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import { Environment, EnvironmentTemplate, ProtonServiceRole, Spec, TemplateBundle } from '../../src';
import { ENV_BUNDLE } from '../constructs/helpers';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 20, deploymentDelayMs: 20, deleteDelayMs: 20, expectDenials: true }, (started) => { proton = started; });

/** Takes `action` out of the provider's Proton policy in the synthesized template, as if the library forgot to grant it. */
function withoutGrant(assemblyDir: string, stackName: string, action: string): void {
  const file = path.join(assemblyDir, `${stackName}.template.json`);
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  const [, policy] = Object.entries<any>(template.Resources)
    .find(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && String(r.Properties.Description).startsWith('cdk-proton: '))!;
  for (const statement of policy.Properties.PolicyDocument.Statement) {
    statement.Action = [].concat(statement.Action).filter((a) => a !== action);
  }
  fs.writeFileSync(file, JSON.stringify(template));
}

test('a grant the provider lacks fails the deployment with AWS\'s AccessDenied message naming the action and resource', async () => {
  const assembly = synth('Ungranted', (stack) => {
    const version = new EnvironmentTemplate(stack, 'T', { templateName: 'ungranted-env' })
      .addVersion('V1', { bundle: TemplateBundle.fromDirectory(ENV_BUNDLE) });
    new Environment(stack, 'Env', {
      environmentName: 'ungranted', templateVersion: version, spec: Spec.fromObject({}), protonServiceRole: new ProtonServiceRole(stack, 'Role'),
    });
  });
  withoutGrant(assembly, 'Ungranted', 'proton:CreateEnvironment');
  const report = await proton.deploy(assembly, 'Ungranted');
  expect(report.status).toBe('ROLLBACK_COMPLETE');
  const failed = report.resources.find((r) => r.status === 'FAILED')!;
  expect(failed.type).toBe('Custom::ProtonEnvironment');
  expect(failed.reason).toMatch(new RegExp('^User: arn:aws:sts::111111111111:assumed-role/Ungranted-cdkprotonProtonProviderRole[^/]+/[^ ]+ '
    + 'is not authorized to perform: proton:CreateEnvironment on resource: arn:aws:proton:us-east-1:111111111111:environment/ungranted '
    + 'because no identity-based policy allows the proton:CreateEnvironment action'));
  expect(proton.deniedCalls()).toEqual(['proton:CreateEnvironment on arn:aws:proton:us-east-1:111111111111:environment/ungranted']);
});
