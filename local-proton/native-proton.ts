import {
  CreateEnvironmentAccountConnectionCommand,
  CreateEnvironmentTemplateCommand,
  CreateServiceTemplateCommand,
  DeleteEnvironmentAccountConnectionCommand,
  DeleteEnvironmentTemplateCommand,
  DeleteServiceTemplateCommand,
  ProtonClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEnvironmentAccountConnectionCommand,
  UpdateEnvironmentTemplateCommand,
  UpdateServiceTemplateCommand,
} from '@aws-sdk/client-proton';
import type { NativeResourceContext, NativeResourceHandler, NativeResourceResult } from './local-cfn';

/**
 * Stand-ins for CloudFormation's own Proton types (`AWS::Proton::EnvironmentTemplate`,
 * `AWS::Proton::ServiceTemplate`, `AWS::Proton::EnvironmentAccountConnection`), calling the
 * emulator as CloudFormation would call Proton. Ref is the ARN; a template's Name, EncryptionKey
 * and (Pipeline)Provisioning and a connection's ManagementAccountId and EnvironmentName are create-only.
 */
export function nativeProtonResources(proton: ProtonClient): Record<string, NativeResourceHandler> {
  return {
    'AWS::Proton::EnvironmentTemplate': templateHandler(proton, 'environment'),
    'AWS::Proton::ServiceTemplate': templateHandler(proton, 'service'),
    'AWS::Proton::EnvironmentAccountConnection': connectionHandler(proton),
  };
}

function connectionHandler(proton: ProtonClient): NativeResourceHandler {
  const create = async (props: any): Promise<NativeResourceResult> => {
    const out = await proton.send(new CreateEnvironmentAccountConnectionCommand({
      managementAccountId: props.ManagementAccountId,
      environmentName: props.EnvironmentName,
      roleArn: props.RoleArn,
      codebuildRoleArn: props.CodebuildRoleArn,
      componentRoleArn: props.ComponentRoleArn,
      tags: (props.Tags ?? []).map((t: any) => ({ key: t.Key, value: t.Value })),
    }));
    const connection = out.environmentAccountConnection!;
    return { physicalId: connection.arn!, attributes: { Arn: connection.arn!, Id: connection.id!, Status: connection.status! } };
  };
  const idOf = (arn: string) => arn.split('/').pop()!;
  return {
    create,
    async update(physicalId, props, oldProps) {
      if (['ManagementAccountId', 'EnvironmentName'].some((key) => props[key] !== oldProps[key])) return create(props);
      const out = await proton.send(new UpdateEnvironmentAccountConnectionCommand({
        id: idOf(physicalId), roleArn: props.RoleArn, codebuildRoleArn: props.CodebuildRoleArn, componentRoleArn: props.ComponentRoleArn,
      }));
      const connection = out.environmentAccountConnection!;
      return { physicalId, attributes: { Arn: physicalId, Id: connection.id!, Status: connection.status! } };
    },
    async delete(physicalId) {
      try {
        await proton.send(new DeleteEnvironmentAccountConnectionCommand({ id: idOf(physicalId) }));
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }
    },
  };
}

type Kind = 'environment' | 'service';

const CREATE_ONLY: Record<Kind, string[]> = {
  environment: ['Name', 'EncryptionKey', 'Provisioning'],
  service: ['Name', 'EncryptionKey', 'PipelineProvisioning'],
};

function templateHandler(proton: ProtonClient, kind: Kind): NativeResourceHandler {
  const nameOf = (arn: string) => arn.split('/').pop()!;

  const create = async (props: any, ctx: NativeResourceContext): Promise<NativeResourceResult> => {
    // CloudFormation names a template itself when the template gives no name.
    const name = props.Name ?? `${ctx.stackName}-${ctx.logicalId}-${Math.random().toString(36).slice(2, 10)}`.slice(0, 100);
    const common = {
      name,
      displayName: props.DisplayName,
      description: props.Description,
      encryptionKey: props.EncryptionKey,
      tags: (props.Tags ?? []).map((t: any) => ({ key: t.Key, value: t.Value })),
    };
    const arn = kind === 'environment'
      ? (await proton.send(new CreateEnvironmentTemplateCommand({ ...common, provisioning: props.Provisioning }))).environmentTemplate!.arn!
      : (await proton.send(new CreateServiceTemplateCommand({ ...common, pipelineProvisioning: props.PipelineProvisioning }))).serviceTemplate!.arn!;
    return { physicalId: arn, attributes: { Arn: arn } };
  };

  return {
    create,
    async update(physicalId, props, oldProps, ctx) {
      if (CREATE_ONLY[kind].some((key) => JSON.stringify(props[key]) !== JSON.stringify(oldProps[key]))) {
        return create(props, ctx);
      }
      const name = nameOf(physicalId);
      const changes = { name, displayName: props.DisplayName, description: props.Description };
      if (kind === 'environment') await proton.send(new UpdateEnvironmentTemplateCommand(changes));
      else await proton.send(new UpdateServiceTemplateCommand(changes));
      const oldTags = new Map<string, string>((oldProps.Tags ?? []).map((t: any) => [t.Key, t.Value]));
      const newTags = new Map<string, string>((props.Tags ?? []).map((t: any) => [t.Key, t.Value]));
      const removed = [...oldTags.keys()].filter((k) => !newTags.has(k));
      const changed = [...newTags].filter(([k, v]) => oldTags.get(k) !== v).map(([key, value]) => ({ key, value }));
      if (removed.length > 0) await proton.send(new UntagResourceCommand({ resourceArn: physicalId, tagKeys: removed }));
      if (changed.length > 0) await proton.send(new TagResourceCommand({ resourceArn: physicalId, tags: changed }));
      return { physicalId, attributes: { Arn: physicalId } };
    },
    async delete(physicalId) {
      const name = nameOf(physicalId);
      try {
        if (kind === 'environment') await proton.send(new DeleteEnvironmentTemplateCommand({ name }));
        else await proton.send(new DeleteServiceTemplateCommand({ name }));
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }
    },
  };
}
