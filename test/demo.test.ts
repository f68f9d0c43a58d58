import { runDemo } from '../scripts/demo';

test('npm run demo deploys the example app: create, update with a changed bundle, unchanged redeploy, destroy', async () => {
  const lines: string[] = [];
  const code = await runDemo((line) => lines.push(line));
  const output = lines.join('\n');
  expect(output).not.toMatch(/FAILED/);
  expect(code).toBe(0);
  expect(output).toMatch(/EnvironmentTemplateVersion\s+REPLACE\s+SUCCEEDED\s+vpc-env:1\.1\s+1\.1/);
  expect(output).toMatch(/EnvironmentTemplateVersion\s+CLEANUP_DELETE\s+SUCCEEDED\s+vpc-env:1\.0/);
  expect(output).toMatch(/3\. redeploy: nothing changed[\s\S]*Proton calls: none/);
  expect(output).toMatch(/Environment\s+UPDATE\s+SUCCEEDED\s+beta/);
  expect(output).toMatch(/UpdateEnvironment\(MINOR_VERSION\) x2/);
  expect(output).toMatch(/output BetaVpcId = \S+/);
  expect(output).toMatch(/Service\s+CREATE\s+SUCCEEDED\s+orders/);
  expect(output).toMatch(/Service\s+UPDATE\s+SUCCEEDED\s+orders[\s\S]*UpdateServiceInstance\(CURRENT_VERSION\) x1/);
  expect(output).toMatch(/output OrdersBetaUrl = \S+\n\s+output OrdersProdUrl = \S+/);
});
