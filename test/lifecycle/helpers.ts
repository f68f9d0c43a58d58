import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ListEnvironmentTemplateVersionsCommand, ProtonClient } from '@aws-sdk/client-proton';
import { App, Stack } from 'aws-cdk-lib';
import type { StackReport } from '../../local-proton/local-cfn';

/** Synthesizes a one-stack app into a fresh directory and returns the cloud assembly's path. */
export function synth(stackName: string, build: (stack: Stack) => void): string {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-assembly-')) });
  build(new Stack(app, stackName));
  return app.synth().directory;
}

/** The `major.minor` versions Proton holds for an environment template, with their status. */
export async function versionsOf(client: ProtonClient, templateName: string): Promise<Record<string, string>> {
  const out = await client.send(new ListEnvironmentTemplateVersionsCommand({ templateName }));
  return Object.fromEntries((out.templateVersions ?? []).map((v) => [`${v.majorVersion}.${v.minorVersion}`, v.status!]));
}

/** The report steps of one resource type, as `action status` strings. */
export function stepsOf(report: StackReport, type: string): string[] {
  return report.resources.filter((r) => r.type === type).map((r) => `${r.action} ${r.status}`);
}
