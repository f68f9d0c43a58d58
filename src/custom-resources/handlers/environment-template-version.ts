import {
  CreateEnvironmentTemplateVersionCommand,
  DeleteEnvironmentTemplateVersionCommand,
  EnvironmentTemplateVersion,
  GetEnvironmentTemplateVersionCommand,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { TemplateVersionApi, TemplateVersionHandler, VersionState } from './template-version';

function state(version: EnvironmentTemplateVersion | undefined): VersionState {
  if (!version) throw new Error('Proton returned no environment template version');
  return {
    templateName: version.templateName!,
    majorVersion: version.majorVersion!,
    minorVersion: version.minorVersion!,
    arn: version.arn!,
    status: version.status!,
    statusMessage: version.statusMessage,
  };
}

const api: TemplateVersionApi = {
  noun: 'environment template version',
  async create(client, input) {
    const out = await client.send(new CreateEnvironmentTemplateVersionCommand({
      templateName: input.templateName,
      majorVersion: input.majorVersion,
      description: input.description,
      source: { s3: { bucket: input.bucket, key: input.key } },
      clientToken: input.clientToken,
      tags: input.tags,
    }));
    return state(out.environmentTemplateVersion);
  },
  async get(client, id) {
    const out = await client.send(new GetEnvironmentTemplateVersionCommand(id));
    return state(out.environmentTemplateVersion);
  },
  async update(client, id, changes) {
    await client.send(new UpdateEnvironmentTemplateVersionCommand({ ...id, ...changes }));
  },
  async delete(client, id) {
    await client.send(new DeleteEnvironmentTemplateVersionCommand(id));
  },
  waitUntilRegistered: waitUntilEnvironmentTemplateVersionRegistered,
};

export const environmentTemplateVersionHandler = new TemplateVersionHandler(api);
