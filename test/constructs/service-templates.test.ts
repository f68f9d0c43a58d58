import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { bundleCopy, firstResource, newStack, SERVICE_BUNDLE, servicePlatform } from './helpers';
import { Provisioning, ServiceTemplate, TemplateBundle } from '../../src';

const SVC_VERSION_TYPE = 'Custom::ProtonServiceTemplateVersion';

describe('ServiceTemplate', () => {
  test('declares the native template and registers versions with their compatible environment templates', () => {
    const stack = newStack();
    const { serviceVersion } = servicePlatform(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Proton::ServiceTemplate', { Name: 'api-svc' });
    const props = firstResource(t, SVC_VERSION_TYPE).Properties;
    expect(props).toMatchObject({
      TemplateName: 'api-svc',
      CompatibleEnvironmentTemplates: [{ templateName: 'vpc-env', majorVersion: { 'Fn::GetAtt': [expect.stringMatching(/^VpcEnvV1/), 'MajorVersion'] } }],
      SupportedComponentSources: ['DIRECTLY_DEFINED'],
    });
    expect(stack.resolve(serviceVersion.minorVersion)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiV1/), 'MinorVersion'] });
  });

  test('checks the service bundle: instance infrastructure always, pipeline infrastructure when the template has a pipeline', () => {
    const stack = newStack();
    const { envVersion } = servicePlatform(stack);
    const noPipeline = bundleCopy((dir) => fs.rmSync(path.join(dir, 'pipeline_infrastructure'), { recursive: true }), SERVICE_BUNDLE);
    expect(() => new ServiceTemplate(stack, 'WithPipeline').addVersion('V1', { bundle: TemplateBundle.fromDirectory(noPipeline), compatibleEnvironmentTemplates: [envVersion] }))
      .toThrow(/pipeline_infrastructure\/manifest\.yaml is missing/);
    new ServiceTemplate(stack, 'NoPipeline', { pipelineProvisioning: Provisioning.CUSTOMER_MANAGED })
      .addVersion('V1', { bundle: TemplateBundle.fromDirectory(noPipeline), compatibleEnvironmentTemplates: [envVersion] });
    Template.fromStack(stack).hasResourceProperties('AWS::Proton::ServiceTemplate', { PipelineProvisioning: 'CUSTOMER_MANAGED' });
  });

  test('fails on 0 or more than 10 compatible environment templates', () => {
    const stack = newStack();
    const { envVersion, serviceTemplate } = servicePlatform(stack);
    expect(() => serviceTemplate.addVersion('Empty', { bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: [] }))
      .toThrow(/compatibleEnvironmentTemplates has 0 entries, Proton takes 1 to 10/);
    expect(() => serviceTemplate.addVersion('Many', { bundle: TemplateBundle.fromDirectory(SERVICE_BUNDLE), compatibleEnvironmentTemplates: Array(11).fill(envVersion) }))
      .toThrow(/has 11 entries/);
  });

  test('imports a service template by name', () => {
    const stack = newStack();
    const imported = ServiceTemplate.fromServiceTemplateName(stack, 'T', 'shared-svc');
    expect(imported.pipeline).toBe(true);
    expect(ServiceTemplate.fromServiceTemplateArn(stack, 'A', 'arn:aws:proton:us-east-1:111111111111:service-template/x').templateName).toBe('x');
  });
});
