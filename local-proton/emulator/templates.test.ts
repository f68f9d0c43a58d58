import {
  ConflictException,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  DeleteEnvironmentTemplateCommand,
  DeleteEnvironmentTemplateVersionCommand,
  GetEnvironmentTemplateCommand,
  GetEnvironmentTemplateVersionCommand,
  GetServiceTemplateCommand,
  ListEnvironmentTemplatesCommand,
  ListEnvironmentTemplateVersionsCommand,
  ListTagsForResourceCommand,
  paginateListEnvironmentTemplates,
  ProtonClient,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEnvironmentTemplateCommand,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
  ValidationException,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor, envBundleFiles, fastWaiter, serviceBundleFiles, tarGz } from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;
const BUCKET = 'bundles-bucket';

beforeAll(async () => {
  proton = await ProtonEmulator.start({ accountId: '123456789012', region: 'eu-west-1', registrationDelayMs: 20 });
  client = clientFor(proton);
  proton.s3.putObject(BUCKET, 'env.tar.gz', tarGz(envBundleFiles()));
  proton.s3.putObject(BUCKET, 'svc.tar.gz', tarGz(serviceBundleFiles()));
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

let counter = 0;
/** A fresh template name per test. */
function uniqueName(prefix = 'tmpl'): string {
  return `${prefix}-${++counter}`;
}

async function envTemplate(name: string) {
  await client.send(new CreateEnvironmentTemplateCommand({ name }));
}

async function registeredEnvVersion(templateName: string, majorVersion?: string, key = 'env.tar.gz') {
  const created = await client.send(new CreateEnvironmentTemplateVersionCommand({
    templateName, majorVersion, source: { s3: { bucket: BUCKET, key } },
  }));
  const v = created.environmentTemplateVersion!;
  await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), {
    templateName, majorVersion: v.majorVersion, minorVersion: v.minorVersion,
  });
  return v;
}

async function publishEnv(templateName: string, majorVersion: string, minorVersion: string) {
  return client.send(new UpdateEnvironmentTemplateVersionCommand({ templateName, majorVersion, minorVersion, status: 'PUBLISHED' }));
}

describe('environment templates through the real SDK', () => {
  test('create, register a good bundle, publish: DRAFT then PUBLISHED and recommendedVersion', async () => {
    const name = uniqueName('env');
    const created = await client.send(new CreateEnvironmentTemplateCommand({
      name, displayName: 'My env', description: 'a VPC', tags: [{ key: 'team', value: 'platform' }],
    }));
    expect(created.environmentTemplate).toMatchObject({
      name,
      arn: `arn:aws:proton:eu-west-1:123456789012:environment-template/${name}`,
      displayName: 'My env',
      description: 'a VPC',
    });
    expect(created.environmentTemplate!.createdAt).toBeInstanceOf(Date);
    expect(created.environmentTemplate!.recommendedVersion).toBeUndefined();

    const v = (await client.send(new CreateEnvironmentTemplateVersionCommand({
      templateName: name, description: 'first', source: { s3: { bucket: BUCKET, key: 'env.tar.gz' } },
    }))).environmentTemplateVersion!;
    expect(v).toMatchObject({
      templateName: name,
      majorVersion: '1',
      minorVersion: '0',
      status: 'REGISTRATION_IN_PROGRESS',
      arn: `arn:aws:proton:eu-west-1:123456789012:environment-template/${name}:1.0`,
    });

    const waited = await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), {
      templateName: name, majorVersion: '1', minorVersion: '0',
    });
    expect(waited.state).toBe('SUCCESS');
    const draft = (await client.send(new GetEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' })))
      .environmentTemplateVersion!;
    expect(draft.status).toBe('DRAFT');
    expect(draft.schema).toContain('environment_input_type: "EnvInput"');
    expect(draft.recommendedMinorVersion).toBeUndefined();

    const published = (await publishEnv(name, '1', '0')).environmentTemplateVersion!;
    expect(published.status).toBe('PUBLISHED');
    expect(published.recommendedMinorVersion).toBe('0');
    const template = (await client.send(new GetEnvironmentTemplateCommand({ name }))).environmentTemplate!;
    expect(template.recommendedVersion).toBe('1.0');
  });

  test('majorVersion omitted twice gives 1.0 then 2.0; majorVersion 1 gives 1.1; an unknown major is a ValidationException', async () => {
    const name = uniqueName('env');
    await envTemplate(name);
    const first = await registeredEnvVersion(name);
    const second = await registeredEnvVersion(name);
    const minor = await registeredEnvVersion(name, '1');
    expect([first, second, minor].map(v => `${v.majorVersion}.${v.minorVersion}`)).toEqual(['1.0', '2.0', '1.1']);

    await expect(client.send(new CreateEnvironmentTemplateVersionCommand({
      templateName: name, majorVersion: '7', source: { s3: { bucket: BUCKET, key: 'env.tar.gz' } },
    }))).rejects.toThrow(ValidationException);

    const all = await client.send(new ListEnvironmentTemplateVersionsCommand({ templateName: name }));
    expect(all.templateVersions!.map(v => `${v.majorVersion}.${v.minorVersion}`)).toEqual(['1.0', '1.1', '2.0']);
    const ofMajor1 = await client.send(new ListEnvironmentTemplateVersionsCommand({ templateName: name, majorVersion: '1' }));
    expect(ofMajor1.templateVersions!.map(v => v.minorVersion)).toEqual(['0', '1']);
  });

  test('recommended versions follow publishing: the highest published version and minor version', async () => {
    const name = uniqueName('env');
    await envTemplate(name);
    await registeredEnvVersion(name); // 1.0
    await registeredEnvVersion(name, '1'); // 1.1
    await registeredEnvVersion(name); // 2.0 stays DRAFT
    await publishEnv(name, '1', '1');
    await publishEnv(name, '1', '0');
    const template = (await client.send(new GetEnvironmentTemplateCommand({ name }))).environmentTemplate!;
    expect(template.recommendedVersion).toBe('1.1');
    const v10 = (await client.send(new GetEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' })))
      .environmentTemplateVersion!;
    expect(v10.recommendedMinorVersion).toBe('1');
    await publishEnv(name, '2', '0');
    expect((await client.send(new GetEnvironmentTemplateCommand({ name }))).environmentTemplate!.recommendedVersion).toBe('2.0');
  });

  test('publishing a version that is not registered, or failed, is a ValidationException; PUBLISHED back to DRAFT too', async () => {
    const name = uniqueName('env');
    await envTemplate(name);
    proton.timing.registrationDelayMs = 5_000;
    try {
      await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: name, source: { s3: { bucket: BUCKET, key: 'env.tar.gz' } } }));
      await expect(publishEnv(name, '1', '0')).rejects.toThrow(/REGISTRATION_IN_PROGRESS and can't be published/);
    } finally {
      proton.timing.registrationDelayMs = 20;
    }

    const failedName = uniqueName('env');
    await envTemplate(failedName);
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: failedName, source: { s3: { bucket: BUCKET, key: 'missing.tar.gz' } } }));
    await expect(waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), { templateName: failedName, majorVersion: '1', minorVersion: '0' }))
      .rejects.toThrow(/REGISTRATION_FAILED/);
    await expect(publishEnv(failedName, '1', '0')).rejects.toThrow(ValidationException);

    const okName = uniqueName('env');
    await envTemplate(okName);
    await registeredEnvVersion(okName);
    await publishEnv(okName, '1', '0');
    await expect(client.send(new UpdateEnvironmentTemplateVersionCommand({ templateName: okName, majorVersion: '1', minorVersion: '0', status: 'DRAFT' })))
      .rejects.toThrow(/only change from DRAFT to PUBLISHED/);
    // the same status again is a no-op, and the description can still change
    const again = await client.send(new UpdateEnvironmentTemplateVersionCommand({
      templateName: okName, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED', description: 'now described',
    }));
    expect(again.environmentTemplateVersion).toMatchObject({ status: 'PUBLISHED', description: 'now described' });
  });

  test('deleting a template with versions, or the recommended version while others remain, is a ConflictException', async () => {
    const name = uniqueName('env');
    await envTemplate(name);
    await registeredEnvVersion(name); // 1.0
    await registeredEnvVersion(name, '1'); // 1.1
    await publishEnv(name, '1', '0');
    await publishEnv(name, '1', '1'); // recommended: 1.1

    await expect(client.send(new DeleteEnvironmentTemplateCommand({ name }))).rejects.toThrow(ConflictException);
    await expect(client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '1' })))
      .rejects.toThrow(/recommended version/);

    // a version that is not recommended goes; the delete answers the version as it was
    const deleted = await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' }));
    expect(deleted.environmentTemplateVersion).toMatchObject({ majorVersion: '1', minorVersion: '0', status: 'PUBLISHED' });
    await expect(client.send(new GetEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' })))
      .rejects.toThrow(ResourceNotFoundException);

    // the recommended version is deletable once it is the last one, then the template
    await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '1' }));
    const gone = await client.send(new DeleteEnvironmentTemplateCommand({ name }));
    expect(gone.environmentTemplate!.name).toBe(name);
  });

  test('the recommended minor version of an older major version stays while other minors of that major remain', async () => {
    const name = uniqueName('env');
    await envTemplate(name);
    await registeredEnvVersion(name); // 1.0
    await registeredEnvVersion(name, '1'); // 1.1
    await registeredEnvVersion(name); // 2.0
    await publishEnv(name, '1', '1');
    await publishEnv(name, '2', '0');
    await expect(client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '1' })))
      .rejects.toThrow(/recommended minor version of major version 1/);
    await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' }));
    await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '1' }));
  });

  test('not found: Get/Delete of unknown templates and versions; a retried delete that succeeded answers empty', async () => {
    await expect(client.send(new GetEnvironmentTemplateCommand({ name: 'nope' }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new DeleteEnvironmentTemplateCommand({ name: 'nope' }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new GetEnvironmentTemplateVersionCommand({ templateName: 'nope', majorVersion: '1', minorVersion: '0' })))
      .rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new ListEnvironmentTemplateVersionsCommand({ templateName: 'nope' }))).rejects.toThrow(ResourceNotFoundException);

    const name = uniqueName('env');
    await envTemplate(name);
    await expect(client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' })))
      .rejects.toThrow(ResourceNotFoundException);
    await registeredEnvVersion(name);
    const first = await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' }));
    expect(first.environmentTemplateVersion).toBeDefined();
    const retried = await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' }));
    expect(retried.environmentTemplateVersion).toBeUndefined();
    await client.send(new DeleteEnvironmentTemplateCommand({ name }));
    const retriedTemplate = await client.send(new DeleteEnvironmentTemplateCommand({ name }));
    expect(retriedTemplate.environmentTemplate).toBeUndefined();
  });

  test('a version still registering cannot be deleted yet', async () => {
    const name = uniqueName('env');
    await envTemplate(name);
    proton.timing.registrationDelayMs = 5_000;
    try {
      await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: name, source: { s3: { bucket: BUCKET, key: 'env.tar.gz' } } }));
      await expect(client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName: name, majorVersion: '1', minorVersion: '0' })))
        .rejects.toThrow(ConflictException);
    } finally {
      proton.timing.registrationDelayMs = 20;
    }
  });

  test('update and list templates, with pagination', async () => {
    const names = [uniqueName('page'), uniqueName('page'), uniqueName('page')];
    for (const name of names) await envTemplate(name);
    const updated = await client.send(new UpdateEnvironmentTemplateCommand({ name: names[0], displayName: 'Shown', description: 'changed' }));
    expect(updated.environmentTemplate).toMatchObject({ displayName: 'Shown', description: 'changed' });
    expect(updated.environmentTemplate!.lastModifiedAt!.getTime()).toBeGreaterThanOrEqual(updated.environmentTemplate!.createdAt!.getTime());

    const firstPage = await client.send(new ListEnvironmentTemplatesCommand({ maxResults: 1 }));
    expect(firstPage.templates).toHaveLength(1);
    expect(firstPage.nextToken).toBeDefined();
    const seen: string[] = [];
    for await (const page of paginateListEnvironmentTemplates({ client, pageSize: 2 }, {})) {
      expect(page.templates!.length).toBeLessThanOrEqual(2);
      seen.push(...page.templates!.map(t => t.name!));
    }
    expect(seen).toEqual(expect.arrayContaining(names));
    expect(new Set(seen).size).toBe(seen.length);
  });

  test('tags given at create are stored; TagResource / UntagResource / ListTagsForResource on known ARNs', async () => {
    const name = uniqueName('env');
    const arn = (await client.send(new CreateEnvironmentTemplateCommand({ name, tags: [{ key: 'a', value: '1' }] }))).environmentTemplate!.arn!;
    await client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'b', value: '2' }, { key: 'a', value: '3' }] }));
    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['b'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'a', value: '3' }]);

    const v = await registeredEnvVersion(name);
    await client.send(new TagResourceCommand({ resourceArn: v.arn!, tags: [{ key: 'v', value: '1' }] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: v.arn! }))).tags).toEqual([{ key: 'v', value: '1' }]);

    const unknown = 'arn:aws:proton:eu-west-1:123456789012:environment-template/never-created';
    await expect(client.send(new ListTagsForResourceCommand({ resourceArn: unknown }))).rejects.toThrow(ResourceNotFoundException);
    await expect(client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'aws:reserved', value: 'x' }] })))
      .rejects.toThrow(ValidationException);
  });
});

describe('service templates through the real SDK', () => {
  test('pipelineProvisioning, compatibleEnvironmentTemplates, registration and publishing', async () => {
    const envName = uniqueName('env');
    await envTemplate(envName);
    await registeredEnvVersion(envName);

    const name = uniqueName('svc');
    const created = await client.send(new CreateServiceTemplateCommand({ name, displayName: 'Svc' }));
    expect(created.serviceTemplate!.arn).toBe(`arn:aws:proton:eu-west-1:123456789012:service-template/${name}`);
    expect(created.serviceTemplate!.pipelineProvisioning).toBeUndefined();

    const v = (await client.send(new CreateServiceTemplateVersionCommand({
      templateName: name,
      source: { s3: { bucket: BUCKET, key: 'svc.tar.gz' } },
      compatibleEnvironmentTemplates: [{ templateName: envName, majorVersion: '1' }],
      supportedComponentSources: ['DIRECTLY_DEFINED'],
    }))).serviceTemplateVersion!;
    expect(v).toMatchObject({ majorVersion: '1', minorVersion: '0', status: 'REGISTRATION_IN_PROGRESS' });
    expect(v.compatibleEnvironmentTemplates).toEqual([{ templateName: envName, majorVersion: '1' }]);
    await waitUntilServiceTemplateVersionRegistered(fastWaiter(client), { templateName: name, majorVersion: '1', minorVersion: '0' });

    const published = await client.send(new UpdateServiceTemplateVersionCommand({
      templateName: name, majorVersion: '1', minorVersion: '0', status: 'PUBLISHED',
    }));
    expect(published.serviceTemplateVersion).toMatchObject({ status: 'PUBLISHED', supportedComponentSources: ['DIRECTLY_DEFINED'] });
    expect((await client.send(new GetServiceTemplateCommand({ name }))).serviceTemplate!.recommendedVersion).toBe('1.0');

    await expect(client.send(new UpdateServiceTemplateVersionCommand({
      templateName: name, majorVersion: '1', minorVersion: '0', compatibleEnvironmentTemplates: [{ templateName: envName, majorVersion: '2' }],
    }))).rejects.toThrow(/has no major version 2/);
  });

  test('UpdateServiceTemplateVersion changes the compatibility lists in place, within the model\'s limits', async () => {
    // API reference, UpdateServiceTemplateVersion: compatibleEnvironmentTemplates (CompatibleEnvironmentTemplateInputList,
    // 1 to 10 items) and supportedComponentSources ("A change ... only affects later associations"; the model gives that
    // list no minimum, so an empty one removes every source) are updatable.
    const envName = uniqueName('env');
    await envTemplate(envName);
    await registeredEnvVersion(envName);
    const otherEnv = uniqueName('env');
    await envTemplate(otherEnv);
    await registeredEnvVersion(otherEnv);
    const name = uniqueName('svc');
    await client.send(new CreateServiceTemplateCommand({ name }));
    await client.send(new CreateServiceTemplateVersionCommand({
      templateName: name,
      source: { s3: { bucket: BUCKET, key: 'svc.tar.gz' } },
      compatibleEnvironmentTemplates: [{ templateName: envName, majorVersion: '1' }],
      supportedComponentSources: ['DIRECTLY_DEFINED'],
    }));
    const id = { templateName: name, majorVersion: '1', minorVersion: '0' };

    const updated = (await client.send(new UpdateServiceTemplateVersionCommand({
      ...id,
      compatibleEnvironmentTemplates: [{ templateName: envName, majorVersion: '1' }, { templateName: otherEnv, majorVersion: '1' }],
      supportedComponentSources: [],
    }))).serviceTemplateVersion!;
    expect(updated.compatibleEnvironmentTemplates).toEqual([{ templateName: envName, majorVersion: '1' }, { templateName: otherEnv, majorVersion: '1' }]);
    expect(updated.supportedComponentSources ?? []).toEqual([]);

    await expect(client.send(new UpdateServiceTemplateVersionCommand({ ...id, compatibleEnvironmentTemplates: [] })))
      .rejects.toThrow(/length greater than or equal to 1/);
    const eleven = Array.from({ length: 11 }, () => ({ templateName: envName, majorVersion: '1' }));
    await expect(client.send(new UpdateServiceTemplateVersionCommand({ ...id, compatibleEnvironmentTemplates: eleven })))
      .rejects.toThrow(/length less than or equal to 10/);
    await expect(client.send(new UpdateServiceTemplateVersionCommand({ ...id, supportedComponentSources: ['VIRTUALLY_DEFINED' as any] })))
      .rejects.toThrow(ValidationException);
  });

  test('compatible environment templates must exist with their major version', async () => {
    const name = uniqueName('svc');
    await client.send(new CreateServiceTemplateCommand({ name }));
    const create = (templateName: string, majorVersion: string) => client.send(new CreateServiceTemplateVersionCommand({
      templateName: name, source: { s3: { bucket: BUCKET, key: 'svc.tar.gz' } }, compatibleEnvironmentTemplates: [{ templateName, majorVersion }],
    }));
    await expect(create('no-such-env', '1')).rejects.toThrow(/Compatible environment template no-such-env does not exist/);
    const envName = uniqueName('env');
    await envTemplate(envName);
    await expect(create(envName, '1')).rejects.toThrow(ValidationException);
  });
});
