import {
  CreateServiceTemplateVersionCommand,
  DeleteServiceTemplateVersionCommand,
  GetServiceTemplateVersionCommand,
  paginateListServiceTemplateVersions,
  ServiceTemplateVersion,
  UpdateServiceTemplateVersionCommand,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { listedVersions, registrationOf, TemplateVersionApi, TemplateVersionHandler, versionStateOf } from './template-version';

const NOUN = 'service template version';
const state = (version: ServiceTemplateVersion | undefined) => versionStateOf(version, NOUN);

const api: TemplateVersionApi = {
  noun: NOUN,
  async create(client, input) {
    const out = await client.send(new CreateServiceTemplateVersionCommand({
      ...registrationOf(input),
      compatibleEnvironmentTemplates: input.compatibleEnvironmentTemplates ?? [],
      supportedComponentSources: input.supportedComponentSources,
    }));
    return state(out.serviceTemplateVersion);
  },
  async get(client, id) {
    const out = await client.send(new GetServiceTemplateVersionCommand(id));
    return state(out.serviceTemplateVersion);
  },
  async update(client, id, changes) {
    await client.send(new UpdateServiceTemplateVersionCommand({ ...id, ...changes }));
  },
  async delete(client, id) {
    await client.send(new DeleteServiceTemplateVersionCommand(id));
  },
  list(client, templateName, majorVersion) {
    return listedVersions(paginateListServiceTemplateVersions({ client }, { templateName, majorVersion }), NOUN);
  },
  waitUntilRegistered: waitUntilServiceTemplateVersionRegistered,
};

export const serviceTemplateVersionHandler = new TemplateVersionHandler(api);
