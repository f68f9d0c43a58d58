import {
  CreateEnvironmentTemplateVersionCommand,
  DeleteEnvironmentTemplateVersionCommand,
  EnvironmentTemplateVersion,
  GetEnvironmentTemplateVersionCommand,
  paginateListEnvironmentTemplateVersions,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { TemplateVersionApi, TemplateVersionHandler, VersionState, versionStateOf } from './template-version';

const NOUN = 'environment template version';
const state = (version: EnvironmentTemplateVersion | undefined) => versionStateOf(version, NOUN);

const api: TemplateVersionApi = {
  noun: NOUN,
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
    await client.send(new UpdateEnvironmentTemplateVersionCommand({ ...id, description: changes.description, status: changes.status }));
  },
  async delete(client, id) {
    await client.send(new DeleteEnvironmentTemplateVersionCommand(id));
  },
  async list(client, templateName, majorVersion) {
    const versions: VersionState[] = [];
    for await (const page of paginateListEnvironmentTemplateVersions({ client }, { templateName, majorVersion })) {
      versions.push(...(page.templateVersions ?? []).map((v) => versionStateOf(v, NOUN)));
    }
    return versions;
  },
  waitUntilRegistered: waitUntilEnvironmentTemplateVersionRegistered,
};

export const environmentTemplateVersionHandler = new TemplateVersionHandler(api);
