import {
  CreateServiceTemplateVersionCommand,
  DeleteServiceTemplateVersionCommand,
  GetServiceTemplateVersionCommand,
  paginateListServiceTemplateVersions,
  ServiceTemplateVersion,
  UpdateServiceTemplateVersionCommand,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { TemplateVersionApi, TemplateVersionHandler, VersionState, versionStateOf } from './template-version';

const NOUN = 'service template version';
const state = (version: ServiceTemplateVersion | undefined) => versionStateOf(version, NOUN);

const api: TemplateVersionApi = {
  noun: NOUN,
  async create(client, input) {
    const out = await client.send(new CreateServiceTemplateVersionCommand({
      templateName: input.templateName,
      majorVersion: input.majorVersion,
      description: input.description,
      source: { s3: { bucket: input.bucket, key: input.key } },
      clientToken: input.clientToken,
      tags: input.tags,
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
  async list(client, templateName, majorVersion) {
    const versions: VersionState[] = [];
    for await (const page of paginateListServiceTemplateVersions({ client }, { templateName, majorVersion })) {
      versions.push(...(page.templateVersions ?? []).map((v) => versionStateOf(v, NOUN)));
    }
    return versions;
  },
  waitUntilRegistered: waitUntilServiceTemplateVersionRegistered,
};

export const serviceTemplateVersionHandler = new TemplateVersionHandler(api);
