import {
  ConflictException,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  DeleteEnvironmentTemplateVersionCommand,
  ListEnvironmentTemplateVersionsCommand,
  ProtonClient,
  UpdateEnvironmentTemplateCommand,
  ValidationException,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor, envBundleFiles, fastWaiter, tarGz } from './helpers';
import { ClientTokenStore, DeletionMemory, IDEMPOTENCY_WINDOW_MS, fingerprint } from './idempotency';

let proton: ProtonEmulator;
let client: ProtonClient;
const source = { s3: { bucket: 'bundles', key: 'env.tar.gz' } };
let counter = 0;

beforeAll(async () => {
  proton = await ProtonEmulator.start({ registrationDelayMs: 10 });
  client = clientFor(proton);
  proton.s3.putObject('bundles', 'env.tar.gz', tarGz(envBundleFiles()));
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

async function newTemplate(): Promise<string> {
  const name = `idem-${++counter}`;
  await client.send(new CreateEnvironmentTemplateCommand({ name }));
  return name;
}

async function versionsOf(templateName: string): Promise<string[]> {
  const out = await client.send(new ListEnvironmentTemplateVersionsCommand({ templateName }));
  return out.templateVersions!.map(v => `${v.majorVersion}.${v.minorVersion}`);
}

describe('client-token creates (template versions)', () => {
  test('the same token and parameters give back the original version and create nothing', async () => {
    const templateName = await newTemplate();
    const request = { templateName, source, description: 'v1', clientToken: 'cfn-request-1' };
    const first = (await client.send(new CreateEnvironmentTemplateVersionCommand(request))).environmentTemplateVersion!;
    await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), { templateName, majorVersion: '1', minorVersion: '0' });
    const replay = (await client.send(new CreateEnvironmentTemplateVersionCommand(request))).environmentTemplateVersion!;
    expect(replay).toMatchObject({ arn: first.arn, majorVersion: '1', minorVersion: '0' });
    expect(replay.createdAt).toEqual(first.createdAt);
    // the original resource as it is now (registered), not a copy of the first answer
    expect(replay.status).toBe('DRAFT');
    expect(await versionsOf(templateName)).toEqual(['1.0']);
    expect(proton.log.count('CreateEnvironmentTemplateVersion', input => input.templateName === templateName)).toBe(2);
  });

  test('the same token with different parameters is a ValidationException (IdempotentParameterMismatch)', async () => {
    const templateName = await newTemplate();
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName, source, clientToken: 'tok-a' }));
    const other = client.send(new CreateEnvironmentTemplateVersionCommand({ templateName, source, clientToken: 'tok-a', description: 'changed' }));
    await expect(other).rejects.toThrow(ValidationException);
    await expect(client.send(new CreateEnvironmentTemplateVersionCommand({ templateName, source, clientToken: 'tok-a', description: 'changed' })))
      .rejects.toThrow(/IdempotentParameterMismatch/);
    expect(await versionsOf(templateName)).toEqual(['1.0']);
  });

  test('without a token of its own, the SDK generates one per call: two calls make two versions', async () => {
    const templateName = await newTemplate();
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName, source }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName, source }));
    expect(await versionsOf(templateName)).toEqual(['1.0', '2.0']);
    const tokens = proton.log.ofOperation('CreateEnvironmentTemplateVersion')
      .filter(e => e.input.templateName === templateName).map(e => e.input.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  test('a token is forgotten when its version is deleted: the same request then creates a new version', async () => {
    const templateName = await newTemplate();
    const request = { templateName, source, clientToken: 'tok-deleted' };
    await client.send(new CreateEnvironmentTemplateVersionCommand(request));
    await waitUntilEnvironmentTemplateVersionRegistered(fastWaiter(client), { templateName, majorVersion: '1', minorVersion: '0' });
    await client.send(new DeleteEnvironmentTemplateVersionCommand({ templateName, majorVersion: '1', minorVersion: '0' }));
    const again = (await client.send(new CreateEnvironmentTemplateVersionCommand(request))).environmentTemplateVersion!;
    expect(again.status).toBe('REGISTRATION_IN_PROGRESS');
    expect(await versionsOf(templateName)).toEqual(['1.0']);
    expect(again.createdAt!.getTime()).toBeGreaterThan(0);
  });
});

describe('creates without a token (templates)', () => {
  test('same parameters while unmodified: the original; after an update: ConflictException; other parameters: ValidationException', async () => {
    const name = `tpl-${++counter}`;
    const request = { name, displayName: 'Shown', tags: [{ key: 'k', value: 'v' }] };
    const first = (await client.send(new CreateEnvironmentTemplateCommand(request))).environmentTemplate!;
    const retry = (await client.send(new CreateEnvironmentTemplateCommand(request))).environmentTemplate!;
    expect(retry).toEqual(first);

    await expect(client.send(new CreateEnvironmentTemplateCommand({ ...request, displayName: 'Other' })))
      .rejects.toThrow(/IdempotentParameterMismatch/);

    await client.send(new UpdateEnvironmentTemplateCommand({ name, description: 'changed' }));
    await expect(client.send(new CreateEnvironmentTemplateCommand(request))).rejects.toThrow(ConflictException);
  });
});

describe('ClientTokenStore and DeletionMemory', () => {
  test('a token expires after 8 hours', () => {
    let now = 1_000;
    const store = new ClientTokenStore(() => now);
    const params = fingerprint({ b: 1, a: [{ y: 2, x: 1 }], clientToken: 't' }, ['clientToken']);
    expect(params).toBe(fingerprint({ a: [{ x: 1, y: 2 }], b: 1 }));
    store.remember('Op', 't', params, 'arn:1');
    now += IDEMPOTENCY_WINDOW_MS - 1;
    expect(store.lookup('Op', 't', params)).toBe('arn:1');
    expect(store.lookup('OtherOp', 't', params)).toBeUndefined();
    expect(() => store.lookup('Op', 't', fingerprint({ b: 2 }))).toThrow(/IdempotentParameterMismatch/);
    now += 1;
    expect(store.lookup('Op', 't', params)).toBeUndefined();
  });

  test('a delete is remembered for the same window, and forgotten when the resource is created again', () => {
    let now = 0;
    const memory = new DeletionMemory(() => now);
    memory.remember('arn:x');
    expect(memory.wasDeleted('arn:x')).toBe(true);
    memory.forget('arn:x');
    expect(memory.wasDeleted('arn:x')).toBe(false);
    memory.remember('arn:x');
    now += IDEMPOTENCY_WINDOW_MS;
    expect(memory.wasDeleted('arn:x')).toBe(false);
  });
});
