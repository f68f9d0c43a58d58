import {
  CreateServiceTemplateVersionCommand,
  DeleteServiceTemplateVersionCommand,
  GetServiceTemplateVersionCommand,
  ServiceTemplateVersion,
  UpdateServiceTemplateVersionCommand,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { TemplateVersionApi, TemplateVersionHandler, VersionState } from './template-version';

function state(version: ServiceTemplateVersion | undefined): VersionState {
  if (!version) throw new Error('Proton returned no service template version');
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
  noun: 'service template version',
  async create(client, input) {
    const out = await client.send(new CreateServiceTemplateVersionCommand({
      templateName: input.templateName,
      majorVersion: input.majorVersion,
      description: input.description,
      source: { s3: { bucket: input.bucket, key: input.key } },
      clientToken: input.clientToken,
      tags: input.tags,
      compatibleEnvironmentTemplates: input.compatibleEnvironmentTemplates ?? [],
      supportedComponentSources: input.supportedComponentSources as any,
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
  waitUntilRegistered: waitUntilServiceTemplateVersionRegistered,
};

export const serviceTemplateVersionHandler = new TemplateVersionHandler(api);
