import { GetEnvironmentTemplateVersionCommand, ListEnvironmentOutputsCommand } from '@aws-sdk/client-proton';
import { CfnOutput } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { load } from 'js-yaml';
import { synth, useLocalProton } from './helpers';
import { LocalProton } from '../../local-proton/local-proton';
import {
  Environment, EnvironmentTemplate, ProtonInputs, ProtonServiceRole, ProtonTemplateStack, Spec, TemplateBundle, TemplateInput,
} from '../../src';

let proton: LocalProton;
useLocalProton({ registrationDelayMs: 30, deploymentDelayMs: 50, deleteDelayMs: 50 }, (started) => { proton = started; });

test('a template written as a CDK stack registers, an environment deploys from it, and its outputs are read back', async () => {
  const assembly = synth('StackTemplate', (stack) => {
    const infra = new ProtonTemplateStack('NetworkInfra');
    const vpc = new ec2.CfnVPC(infra, 'Vpc', {
      cidrBlock: ProtonInputs.environment('vpc_cidr'),
      tags: [{ key: 'Owner', value: '{{resolve:ssm:/platform/owner}}' }],
    });
    new CfnOutput(infra, 'VpcId', { value: vpc.ref });
    new CfnOutput(infra, 'Cidr', { value: vpc.attrCidrBlock });

    const version = new EnvironmentTemplate(stack, 'Network', { templateName: 'stack-network' }).addVersion('V1', {
      bundle: TemplateBundle.fromStack(infra, { inputs: { vpc_cidr: TemplateInput.string({ defaultValue: '10.0.0.0/16' }) } }),
    });
    const env = new Environment(stack, 'Beta', {
      environmentName: 'stack-beta',
      templateVersion: version,
      spec: Spec.fromObject({ vpc_cidr: '10.9.0.0/16' }),
      protonServiceRole: new ProtonServiceRole(stack, 'Role'),
    });
    new CfnOutput(stack, 'BetaVpcId', { value: env.output('VpcId') });
  });

  const report = await proton.deploy(assembly, 'StackTemplate');
  expect(report.status).toBe('CREATE_COMPLETE');
  const version = await proton.client.send(new GetEnvironmentTemplateVersionCommand({ templateName: 'stack-network', majorVersion: '1', minorVersion: '0' }));
  expect(version.environmentTemplateVersion?.status).toBe('PUBLISHED');
  expect(load(version.environmentTemplateVersion!.schema!)).toMatchObject({ schema: { environment_input_type: 'NetworkInfraInput' } });
  const outputs = (await proton.client.send(new ListEnvironmentOutputsCommand({ environmentName: 'stack-beta' }))).outputs!;
  expect(outputs.map((o) => o.key).sort()).toEqual(['Cidr', 'VpcId']);
  expect(report.outputs.BetaVpcId).toBe(outputs.find((o) => o.key === 'VpcId')!.valueString);

  expect((await proton.destroy('StackTemplate')).status).toBe('DELETE_COMPLETE');
});
