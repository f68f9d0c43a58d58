import { CfnOutput } from 'aws-cdk-lib';
import { environmentPlatform, expectProton, integStack, integTest } from './integ/fixtures';

// An environment deployed from a published template version with a spec, and one of its outputs.
const { app, stack } = integStack('cdk-proton-integ-environment');
const { environment } = environmentPlatform(stack, 'integ-env');
new CfnOutput(stack, 'VpcId', { value: environment.output('VpcId') });

const integ = integTest(app, 'Environment', stack);
expectProton(integ, 'getEnvironment', { name: environment.environmentName }, {
  environment: { name: 'integ-env-env', deploymentStatus: 'SUCCEEDED', templateName: 'integ-env-vpc-env', templateMajorVersion: '1' },
});
