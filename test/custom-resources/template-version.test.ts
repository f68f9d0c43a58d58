// One file for template-version.ts, which environment-template-version.ts and service-template-version.ts wrap:
// these tests run it through the environment template version handler, and test what the service one adds.
import {
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateVersionCommand,
  DeleteEnvironmentTemplateVersionCommand,
  GetEnvironmentTemplateVersionCommand,
  ListEnvironmentTemplateVersionsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEnvironmentTemplateVersionCommand,
} from '@aws-sdk/client-proton';
import { accessDenied, conflict, context, Delivered, isCompleteRequest, notFound, onEventRequest, proton, RequestParts } from './handler-context';
import { ResourceType, TemplateVersionProperties } from '../../src/custom-resources/contract';
import { clientTokenFor } from '../../src/custom-resources/handlers/client-tokens';
import { environmentTemplateVersionHandler as handler } from '../../src/custom-resources/handlers/environment-template-version';
import { MAX_REASON_BYTES, truncateUtf8 } from '../../src/custom-resources/handlers/errors';
import { ownerTag } from '../../src/custom-resources/handlers/ownership';
import { serviceTemplateVersionHandler } from '../../src/custom-resources/handlers/service-template-version';
import { DELETE_PENDING_TAG, DELETE_WAIT_MS, SOURCE_TAG } from '../../src/custom-resources/handlers/template-version';

const ARN = 'arn:aws:proton:us-east-1:111111111111:environment-template/vpc-env';

const props = (overrides: Delivered<TemplateVersionProperties> = {}) => ({
  TemplateName: 'vpc-env',
  Publish: 'true',
  SourceBucket: 'assets',
  SourceKey: 'aaaa.gz',
  RemovalPolicy: 'delete',
  ...overrides,
});

const event = (requestType: 'Create' | 'Update' | 'Delete', extra: RequestParts<TemplateVersionProperties> = {}) =>
  onEventRequest(requestType, ResourceType.ENVIRONMENT_TEMPLATE_VERSION, props(), extra);

function version(major: string, minor: string, status = 'REGISTRATION_IN_PROGRESS', statusMessage?: string) {
  return {
    environmentTemplateVersion: {
      templateName: 'vpc-env',
      majorVersion: major,
      minorVersion: minor,
      arn: `${ARN}:${major}.${minor}`,
      status,
      statusMessage,
      createdAt: new Date(),
      lastModifiedAt: new Date(),
    },
  } as any;
}

describe('onEvent', () => {
  test('Create registers the bundle with a client token derived from the request, and answers the Proton identity', async () => {
    proton.on(CreateEnvironmentTemplateVersionCommand).resolves(version('1', '0'));
    const first = await handler.onEvent(event('Create'), context);
    expect(first.PhysicalResourceId).toBe('vpc-env:1.0');

    const input = proton.commandCalls(CreateEnvironmentTemplateVersionCommand)[0].args[0].input;
    expect(input).toMatchObject({ templateName: 'vpc-env', source: { s3: { bucket: 'assets', key: 'aaaa.gz' } } });
    expect(input.majorVersion).toBeUndefined();
    expect(input.clientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(input.tags).toContainEqual({ key: SOURCE_TAG, value: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // The replayed request carries the same token; another request does not.
    await handler.onEvent(event('Create'), context);
    const tokens = proton.commandCalls(CreateEnvironmentTemplateVersionCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[1]).toBe(tokens[0]);
    expect(clientTokenFor(event('Create', { RequestId: 'request-2' }))).not.toBe(tokens[0]);
  });

  test('Update with a new bundle registers a new minor version of the current major', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'PUBLISHED'));
    proton.on(ListTagsForResourceCommand).resolves({ tags: [{ key: SOURCE_TAG, value: 'fingerprint-of-old-bundle' }] });
    proton.on(ListEnvironmentTemplateVersionsCommand).resolves({ templateVersions: [version('1', '0', 'PUBLISHED').environmentTemplateVersion] });
    proton.on(CreateEnvironmentTemplateVersionCommand).resolves(version('1', '1'));
    const out = await handler.onEvent(event('Update', {
      PhysicalResourceId: 'vpc-env:1.0',
      ResourceProperties: props({ SourceKey: 'bbbb.gz' }),
      OldResourceProperties: props(),
    }), context);
    expect(out.PhysicalResourceId).toBe('vpc-env:1.1');
    expect(proton.commandCalls(CreateEnvironmentTemplateVersionCommand)[0].args[0].input).toMatchObject({ majorVersion: '1', source: { s3: { key: 'bbbb.gz' } } });
  });

  test('Update with the bundle the version came from (a rollback, or new metadata) changes it in place', async () => {
    // Learn the fingerprint the handler writes for this bundle.
    proton.on(CreateEnvironmentTemplateVersionCommand).resolves(version('1', '0'));
    await handler.onEvent(event('Create'), context);
    const sourceTag = proton.commandCalls(CreateEnvironmentTemplateVersionCommand)[0].args[0].input.tags!.find((t) => t.key === SOURCE_TAG)!;
    proton.reset();

    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'PUBLISHED'));
    proton.on(ListTagsForResourceCommand).resolves({ tags: [sourceTag, { key: 'old', value: 'x' }] });
    // 1.1: registered by this resource's update that CloudFormation cancelled; the rollback Update returns to 1.0.
    const owner = ownerTag(event('Update'));
    proton.on(ListEnvironmentTemplateVersionsCommand).resolves({
      templateVersions: [version('1', '0', 'PUBLISHED').environmentTemplateVersion, version('1', '1').environmentTemplateVersion],
    });
    proton.on(ListTagsForResourceCommand, { resourceArn: `${ARN}:1.1` }).resolves({ tags: [owner] });
    const out = await handler.onEvent(event('Update', {
      PhysicalResourceId: 'vpc-env:1.0',
      ResourceProperties: props({ Description: 'now described', Tags: [{ key: 'team', value: 'platform' }] }),
      OldResourceProperties: props({ SourceKey: 'bbbb.gz' }),
    }), context);
    expect(out.PhysicalResourceId).toBe('vpc-env:1.0');
    expect(proton.commandCalls(CreateEnvironmentTemplateVersionCommand)).toHaveLength(0);
    expect(proton.commandCalls(UpdateEnvironmentTemplateVersionCommand)[0].args[0].input).toEqual({
      templateName: 'vpc-env', majorVersion: '1', minorVersion: '0', description: 'now described',
    });
    expect(proton.commandCalls(UntagResourceCommand)[0].args[0].input.tagKeys).toEqual(['old']);
    expect(proton.commandCalls(TagResourceCommand).map((c) => c.args[0].input)).toEqual([
      { resourceArn: `${ARN}:1.1`, tags: [{ key: DELETE_PENDING_TAG, value: 'true' }] },
      { resourceArn: `${ARN}:1.0`, tags: [{ key: 'team', value: 'platform' }] },
    ]);
  });

  test('Update takes over a version this resource registered from the same bundle instead of registering it again', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'PUBLISHED'));
    proton.on(ListTagsForResourceCommand).resolves({ tags: [] });
    proton.on(ListEnvironmentTemplateVersionsCommand).resolves({ templateVersions: [] });
    proton.on(CreateEnvironmentTemplateVersionCommand).resolves(version('1', '1'));
    const update = event('Update', { PhysicalResourceId: 'vpc-env:1.0', ResourceProperties: props({ SourceKey: 'bbbb.gz' }), OldResourceProperties: props() });
    await handler.onEvent(update, context);
    const sourceTag = proton.commandCalls(CreateEnvironmentTemplateVersionCommand)[0].args[0].input.tags!.find((t) => t.key === SOURCE_TAG)!;
    proton.reset();

    // A rolled-back update left 1.1 (from bbbb.gz) behind; the next deployment of bbbb.gz finds it.
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'PUBLISHED'));
    proton.on(ListEnvironmentTemplateVersionsCommand).resolves({
      templateVersions: [version('1', '0', 'PUBLISHED').environmentTemplateVersion, version('1', '1', 'PUBLISHED').environmentTemplateVersion],
    });
    proton.on(ListTagsForResourceCommand, { resourceArn: `${ARN}:1.0` }).resolves({ tags: [{ key: SOURCE_TAG, value: 'other' }] });
    proton.on(ListTagsForResourceCommand, { resourceArn: `${ARN}:1.1` }).resolves({ tags: [sourceTag] });
    const out = await handler.onEvent({ ...update, RequestId: 'request-2' }, context);
    expect(out.PhysicalResourceId).toBe('vpc-env:1.1');
    expect(proton.commandCalls(CreateEnvironmentTemplateVersionCommand)).toHaveLength(0);
  });

  test('Update to another template registers a version there (a replacement)', async () => {
    proton.on(CreateEnvironmentTemplateVersionCommand).resolves({
      environmentTemplateVersion: { ...version('1', '0').environmentTemplateVersion, templateName: 'other' },
    } as any);
    const out = await handler.onEvent(event('Update', {
      PhysicalResourceId: 'vpc-env:1.0', ResourceProperties: props({ TemplateName: 'other' }), OldResourceProperties: props(),
    }), context);
    expect(out.PhysicalResourceId).toBe('other:1.0');
    expect(proton.commandCalls(CreateEnvironmentTemplateVersionCommand)[0].args[0].input.majorVersion).toBeUndefined();
  });

  test('Delete leaves the Proton calls to isComplete and records when it started', async () => {
    const out = await handler.onEvent(event('Delete', { PhysicalResourceId: 'vpc-env:1.0' }), context);
    expect(out).toEqual({ PhysicalResourceId: 'vpc-env:1.0', Data: { DeleteStartedAt: expect.stringMatching(/^\d+$/) } });
    expect(proton.calls()).toHaveLength(0);
  });

  test('Delete makes no Proton call when retained or for an id it did not make', async () => {
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'vpc-env:1.0', ResourceProperties: props({ RemovalPolicy: 'retain' }) }), context);
    await handler.onEvent(event('Delete', { PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }), context);
    const deleteEvent = (extra: RequestParts<TemplateVersionProperties> & { PhysicalResourceId: string }) =>
      isCompleteRequest('Delete', ResourceType.ENVIRONMENT_TEMPLATE_VERSION, props(), extra);
    await handler.isComplete(deleteEvent({ PhysicalResourceId: 'vpc-env:1.0', ResourceProperties: props({ RemovalPolicy: 'retain' }) }), context);
    await handler.isComplete(deleteEvent({ PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' }), context);
    expect(proton.calls()).toHaveLength(0);
  });

  test('rejects properties CloudFormation could not have sent', async () => {
    await expect(handler.onEvent(event('Create', { ResourceProperties: props({ Publish: 'yes' }) }), context))
      .rejects.toThrow('property Publish must be "true" or "false" (got "yes")');
    await expect(handler.onEvent(event('Create', { ResourceProperties: props({ TemplateName: '' }) }), context))
      .rejects.toThrow('property TemplateName is required');
  });
});

describe('isComplete', () => {
  const completeEvent = (requestType: 'Create' | 'Delete' = 'Create', extra: RequestParts<TemplateVersionProperties> = {}) =>
    isCompleteRequest(requestType, ResourceType.ENVIRONMENT_TEMPLATE_VERSION, props(), { PhysicalResourceId: 'vpc-env:1.0', ...extra });

  test('publishes a registered version and returns the numbers Proton assigned', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'DRAFT'));
    const out = await handler.isComplete(completeEvent(), context);
    expect(out).toEqual({ IsComplete: true, Data: { MajorVersion: '1', MinorVersion: '0', Arn: `${ARN}:1.0` } });
    expect(proton.commandCalls(UpdateEnvironmentTemplateVersionCommand)[0].args[0].input).toEqual({
      templateName: 'vpc-env', majorVersion: '1', minorVersion: '0', status: 'PUBLISHED',
    });
  });

  test('leaves a draft unpublished with Publish false', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'DRAFT'));
    const out = await handler.isComplete(completeEvent('Create', { ResourceProperties: props({ Publish: 'false' }) }), context);
    expect(out.IsComplete).toBe(true);
    expect(proton.commandCalls(UpdateEnvironmentTemplateVersionCommand)).toHaveLength(0);
  });

  test('waits with the SDK waiter while registration is in progress', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand)
      .resolvesOnce(version('1', '0'))
      .resolvesOnce(version('1', '0'))
      .resolves(version('1', '0', 'PUBLISHED'));
    const out = await handler.isComplete(completeEvent(), context);
    expect(out.IsComplete).toBe(true);
    expect(proton.commandCalls(GetEnvironmentTemplateVersionCommand).length).toBeGreaterThanOrEqual(3);
  });

  test('is not complete yet when the invocation has no time left to wait', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0'));
    const out = await handler.isComplete(completeEvent(), { ...context, remainingTimeMs: () => 15_000 });
    expect(out).toEqual({ IsComplete: false });
  });

  test('fails with Proton\'s status message, truncated, and removes the failed version', async () => {
    const longMessage = `schema/schema.yaml: ${'é'.repeat(5000)}`;
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'REGISTRATION_FAILED', longMessage));
    const error: Error = await handler.isComplete(completeEvent(), context).then(() => { throw new Error('expected a failure'); }, (e) => e);
    expect(error.message).toMatch(/^Proton could not register environment template version vpc-env:1\.0: schema\/schema\.yaml: é+ \[truncated\]$/);
    expect(Buffer.byteLength(error.message, 'utf8')).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(proton.commandCalls(DeleteEnvironmentTemplateVersionCommand)).toHaveLength(1);
  });

  test('surfaces errors the waiter would swallow, such as a missing permission', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).rejects(accessDenied('not authorized'));
    await expect(handler.isComplete(completeEvent(), context)).rejects.toThrow('not authorized');
  });

  const deleteEvent = (startedAt = Date.now()) => completeEvent('Delete', { Data: { DeleteStartedAt: String(startedAt) } });
  const summary = (major: string, minor: string) => version(major, minor, 'PUBLISHED').environmentTemplateVersion;

  test('Delete is complete once the version is gone', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).rejects(notFound());
    proton.on(ListEnvironmentTemplateVersionsCommand).resolves({ templateVersions: [] });
    await expect(handler.isComplete(deleteEvent(), context)).resolves.toEqual({ IsComplete: true });
    expect(proton.commandCalls(DeleteEnvironmentTemplateVersionCommand)).toHaveLength(0);
  });

  test('Delete of a version still registering waits for it, then deletes it', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand)
      .resolvesOnce(version('1', '0'))
      .resolves(version('1', '0', 'DRAFT'));
    proton.on(ListEnvironmentTemplateVersionsCommand).resolves({ templateVersions: [] });
    await expect(handler.isComplete(deleteEvent(), context)).resolves.toEqual({ IsComplete: true });
    expect(proton.commandCalls(DeleteEnvironmentTemplateVersionCommand)).toHaveLength(1);
  });

  test('Delete surfaces errors other than gone or refused', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'PUBLISHED'));
    proton.on(DeleteEnvironmentTemplateVersionCommand).rejects(accessDenied('not authorized'));
    await expect(handler.isComplete(deleteEvent(), context)).rejects.toThrow('not authorized');
  });

  test('a refused Delete tags the version delete-pending and keeps it while another version of ours remains', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'PUBLISHED'));
    proton.on(DeleteEnvironmentTemplateVersionCommand).rejects(conflict('in use by environment beta'));
    proton.on(ListEnvironmentTemplateVersionsCommand).resolves({ templateVersions: [summary('1', '0'), summary('1', '1')] });
    proton.on(ListTagsForResourceCommand, { resourceArn: `${ARN}:1.0` }).resolves({ tags: [{ key: SOURCE_TAG, value: 'a' }, { key: DELETE_PENDING_TAG, value: 'true' }] });
    proton.on(ListTagsForResourceCommand, { resourceArn: `${ARN}:1.1` }).resolves({ tags: [{ key: SOURCE_TAG, value: 'b' }] });
    await expect(handler.isComplete(deleteEvent(), context)).resolves.toEqual({ IsComplete: true });
    expect(proton.commandCalls(TagResourceCommand)[0].args[0].input).toEqual({ resourceArn: `${ARN}:1.0`, tags: [{ key: DELETE_PENDING_TAG, value: 'true' }] });
  });

  test('the last version of ours waits for the versions Proton refuses, then fails saying which and why', async () => {
    proton.on(GetEnvironmentTemplateVersionCommand).resolves(version('1', '0', 'PUBLISHED'));
    proton.on(DeleteEnvironmentTemplateVersionCommand).rejects(conflict('in use by environment beta'));
    proton.on(ListEnvironmentTemplateVersionsCommand).resolves({ templateVersions: [summary('1', '0')] });
    proton.on(ListTagsForResourceCommand).resolves({ tags: [{ key: SOURCE_TAG, value: 'a' }, { key: DELETE_PENDING_TAG, value: 'true' }] });
    await expect(handler.isComplete(deleteEvent(), context)).resolves.toEqual({ IsComplete: false });
    await expect(handler.isComplete(deleteEvent(Date.now() - DELETE_WAIT_MS), context)).rejects.toThrow(
      'Proton refuses to delete environment template version vpc-env:1.0 (in use by environment beta), so template vpc-env cannot be deleted either: '
      + 'delete or update the environments and services that use these versions (or delete the other versions), then delete again');
  });
});

test('truncateUtf8 never splits a character and marks the cut', () => {
  expect(truncateUtf8('short', 10)).toBe('short');
  const cut = truncateUtf8('€'.repeat(100), 50);
  expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(50);
  expect(cut).toMatch(/^€+ \[truncated\]$/);
});

describe('service template versions', () => {
  const serviceEvent = (overrides: Delivered<TemplateVersionProperties>) =>
    onEventRequest('Create', ResourceType.SERVICE_TEMPLATE_VERSION, props({ TemplateName: 'svc', ...overrides }));
  const registered = { serviceTemplateVersion: { ...version('1', '0').environmentTemplateVersion, templateName: 'svc' } };

  test('Create registers the compatible environment templates and the component sources the stack declares', async () => {
    proton.on(CreateServiceTemplateVersionCommand).resolves(registered);
    const out = await serviceTemplateVersionHandler.onEvent(serviceEvent({
      CompatibleEnvironmentTemplates: [{ templateName: 'vpc-env', majorVersion: '1' }], SupportedComponentSources: ['DIRECTLY_DEFINED'],
    }), context);
    expect(out.PhysicalResourceId).toBe('svc:1.0');
    expect(proton.commandCalls(CreateServiceTemplateVersionCommand)[0].args[0].input).toMatchObject({
      templateName: 'svc', compatibleEnvironmentTemplates: [{ templateName: 'vpc-env', majorVersion: '1' }], supportedComponentSources: ['DIRECTLY_DEFINED'],
    });
    // Environment template versions have neither.
    proton.on(CreateEnvironmentTemplateVersionCommand).resolves(version('1', '0'));
    await handler.onEvent(event('Create'), context);
    const environmentInput = proton.commandCalls(CreateEnvironmentTemplateVersionCommand)[0].args[0].input;
    expect(environmentInput).not.toHaveProperty('compatibleEnvironmentTemplates');
    expect(environmentInput).not.toHaveProperty('supportedComponentSources');
  });

  test('rejects a component source Proton does not have, before any call', async () => {
    await expect(serviceTemplateVersionHandler.onEvent(serviceEvent({ SupportedComponentSources: ['GIT'] }), context))
      .rejects.toThrow(/^property SupportedComponentSources must list values of DIRECTLY_DEFINED \(got \["GIT"\]\)$/);
    expect(proton.calls()).toHaveLength(0);
  });
});
