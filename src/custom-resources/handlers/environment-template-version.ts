import {
  CreateEnvironmentTemplateVersionCommand,
  DeleteEnvironmentTemplateVersionCommand,
  EnvironmentTemplateVersion,
  GetEnvironmentTemplateVersionCommand,
  paginateListEnvironmentTemplateVersions,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { listedVersions, registrationOf, TemplateVersionApi, TemplateVersionHandler, versionStateOf } from './template-version';

const NOUN = 'environment template version';
const state = (version: EnvironmentTemplateVersion | undefined) => versionStateOf(version, NOUN);

const api: TemplateVersionApi = {
  noun: NOUN,
  async create(client, input) {
    const out = await client.send(new CreateEnvironmentTemplateVersionCommand({
      ...registrationOf(input),
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
  list(client, templateName, majorVersion) {
    return listedVersions(paginateListEnvironmentTemplateVersions({ client }, { templateName, majorVersion }), NOUN);
  },
  waitUntilRegistered: waitUntilEnvironmentTemplateVersionRegistered,
};

export const environmentTemplateVersionHandler = new TemplateVersionHandler(api);
