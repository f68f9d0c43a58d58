import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  GetEnvironmentTemplateCommand,
  AccessDeniedException,
  InternalServerException,
  ListEnvironmentTemplatesCommand,
  ProtonClient,
  ThrottlingException,
} from '@aws-sdk/client-proton';
import { END_OF_SUPPORT_MESSAGE, ProtonEmulator } from '.';
import { clientFor, clientWithFastRetries } from './helpers';

let proton: ProtonEmulator;

beforeAll(async () => {
  proton = await ProtonEmulator.start({ seed: 42 });
});

afterAll(async () => {
  await proton.stop();
});

afterEach(() => {
  proton.faults.clear();
  proton.log.clear();
});

/** Indexes of the requests that were throttled when `calls` GetEnvironmentTemplate calls ran with `fraction`. */
async function throttledIndexes(emulator: ProtonEmulator, fraction: number, calls: number): Promise<number[]> {
  const client = clientFor(emulator, 1);
  emulator.faults.throttleFraction = fraction;
  for (let i = 0; i < calls; i++) {
    await client.send(new ListEnvironmentTemplatesCommand({})).catch(() => undefined);
  }
  client.destroy();
  return emulator.log.entries.map((e, i) => (e.error === 'ThrottlingException' ? i : -1)).filter(i => i >= 0);
}

describe('fault injection', () => {
  test('throttleFraction 0.3: the SDK retries ThrottlingException and a sequence of calls still succeeds', async () => {
    const client = clientWithFastRetries(proton, 10);
    proton.faults.throttleFraction = 0.3;
    for (let i = 0; i < 15; i++) {
      await client.send(new CreateEnvironmentTemplateCommand({ name: `throttled-${i}` }));
      const got = await client.send(new GetEnvironmentTemplateCommand({ name: `throttled-${i}` }));
      expect(got.environmentTemplate!.name).toBe(`throttled-${i}`);
    }
    client.destroy();
    const throttled = proton.log.entries.filter(e => e.error === 'ThrottlingException');
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]).toMatchObject({ status: 429 });
    expect(proton.log.entries.length).toBe(30 + throttled.length);
    // a retry after throttling sees the create did not happen: exactly one template per name
    const names = proton.log.ofOperation('CreateEnvironmentTemplate').filter(e => e.status === 200).map(e => e.input.name);
    expect(new Set(names).size).toBe(15);
  });

  test('the SDK\'s default retry strategy retries the emulator\'s ThrottlingException', async () => {
    const client = clientFor(proton, 2);
    proton.faults.failNext('ListEnvironmentTemplates', 'ThrottlingException', 'Rate exceeded');
    const out = await client.send(new ListEnvironmentTemplatesCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(proton.log.ofOperation('ListEnvironmentTemplates').map(e => e.error ?? e.status)).toEqual(['ThrottlingException', 200]);
    client.destroy();
  });

  test('without retries, throttling reaches the caller as ThrottlingException with the model\'s status', async () => {
    const client = clientFor(proton, 1);
    proton.faults.throttleFraction = 1;
    const e = await client.send(new ListEnvironmentTemplatesCommand({})).catch(err => err);
    expect(e).toBeInstanceOf(ThrottlingException);
    expect(e.$metadata.httpStatusCode).toBe(429);
    client.destroy();
  });

  test('the same seed throttles the same requests', async () => {
    const a = await ProtonEmulator.start({ seed: 7 });
    const b = await ProtonEmulator.start({ seed: 7 });
    const c = await ProtonEmulator.start({ seed: 8 });
    try {
      const [ia, ib, ic] = [await throttledIndexes(a, 0.5, 20), await throttledIndexes(b, 0.5, 20), await throttledIndexes(c, 0.5, 20)];
      expect(ia.length).toBeGreaterThan(0);
      expect(ib).toEqual(ia);
      expect(ic).not.toEqual(ia);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  test('failNext fails the next N requests of that operation only, then lets them through', async () => {
    const client = clientFor(proton, 1);
    proton.faults.failNext('ListEnvironmentTemplates', 'InternalServerException', 'injected outage', 2);
    const first = await client.send(new ListEnvironmentTemplatesCommand({})).catch(err => err);
    expect(first).toBeInstanceOf(InternalServerException);
    expect(first.message).toBe('injected outage');
    expect(first.$metadata.httpStatusCode).toBe(500);
    await expect(client.send(new GetEnvironmentTemplateCommand({ name: 'absent' }))).rejects.toThrow(/was not found/);
    await expect(client.send(new ListEnvironmentTemplatesCommand({}))).rejects.toThrow('injected outage');
    await expect(client.send(new ListEnvironmentTemplatesCommand({}))).resolves.toBeDefined();
    expect(proton.log.ofOperation('ListEnvironmentTemplates').map(e => e.error ?? e.status)).toEqual(['InternalServerException', 'InternalServerException', 200]);
    client.destroy();
  });

  test('failNext with a client error: a ConflictException is not retried by the SDK', async () => {
    const client = clientFor(proton, 3); // the SDK's default retry strategy
    proton.faults.failNext('CreateEnvironmentTemplate', 'ConflictException', 'busy');
    await expect(client.send(new CreateEnvironmentTemplateCommand({ name: 'conflicted' }))).rejects.toThrow('busy');
    expect(proton.log.count('CreateEnvironmentTemplate')).toBe(1);
    client.destroy();
  });

  test('latencyMs delays every answer', async () => {
    const client = clientFor(proton, 1);
    proton.faults.latencyMs = 120;
    const started = Date.now();
    await client.send(new ListEnvironmentTemplatesCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    client.destroy();
  });
});

describe('request log', () => {
  test('counts requests per operation, with an input filter, including failed ones; clear() empties it', async () => {
    const client = clientFor(proton, 1);
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'logged-a' }));
    await client.send(new CreateEnvironmentTemplateCommand({ name: 'logged-b' }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'nope', source: { s3: { bucket: 'bkt', key: 'k' } } }))
      .catch(() => undefined);
    expect(proton.log.count('CreateEnvironmentTemplate')).toBe(2);
    expect(proton.log.count('CreateEnvironmentTemplate', input => input.name === 'logged-b')).toBe(1);
    const failed = proton.log.ofOperation('CreateEnvironmentTemplateVersion')[0];
    expect(failed).toMatchObject({ status: 404, error: 'ResourceNotFoundException', input: { templateName: 'nope' } });
    expect(failed.at).toBeInstanceOf(Date);
    proton.log.clear();
    expect(proton.log.entries).toHaveLength(0);
    client.destroy();
  });

  test('clientEnv() is enough for an SDK client that reads its configuration from the environment', async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, proton.clientEnv());
      delete process.env.AWS_PROFILE;
      const client = new ProtonClient({ maxAttempts: 1 });
      await client.send(new CreateEnvironmentTemplateCommand({ name: 'from-env' }));
      client.destroy();
      expect(proton.log.count('CreateEnvironmentTemplate', input => input.name === 'from-env')).toBe(1);
    } finally {
      process.env = saved;
    }
  });

  test('stop() clears pending registrations so nothing keeps the process alive', async () => {
    const emulator = await ProtonEmulator.start({ registrationDelayMs: 60_000 });
    const client = clientFor(emulator);
    await client.send(new CreateEnvironmentTemplateCommand({ name: 't' }));
    await client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 't', source: { s3: { bucket: 'bkt', key: 'k' } } }));
    client.destroy();
    const started = Date.now();
    await emulator.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('end of support', () => {
  test('endOfSupport: every call, the administrator\'s too, is answered AccessDeniedException and changes nothing; clear() ends it', async () => {
    const client = clientFor(proton, 1);
    proton.faults.endOfSupport = true;
    for (const command of [new ListEnvironmentTemplatesCommand({}), new CreateEnvironmentTemplateCommand({ name: 'after-eos' })]) {
      const error = await client.send(command as any).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessDeniedException);
      expect((error as Error).message).toBe(END_OF_SUPPORT_MESSAGE);
      expect((error as AccessDeniedException).$metadata.httpStatusCode).toBe(403);
    }
    // Refused before validation: an invalid request gets the same answer.
    await expect(client.send(new GetEnvironmentTemplateCommand({ name: '' }))).rejects.toThrow(END_OF_SUPPORT_MESSAGE);
    expect(proton.log.entries.map((e) => e.error)).toEqual(['AccessDeniedException', 'AccessDeniedException', 'AccessDeniedException']);
    proton.faults.clear();
    await expect(client.send(new GetEnvironmentTemplateCommand({ name: 'after-eos' }))).rejects.toThrow(/not found|does not exist/i);
    client.destroy();
  });

  test('closePort(): connections are refused (ECONNREFUSED) and stop() afterwards still ends', async () => {
    const closing = await ProtonEmulator.start({ seed: 1 });
    const client = clientFor(closing, 1);
    await client.send(new ListEnvironmentTemplatesCommand({}));
    await closing.closePort();
    // The connection kept alive from the first call is dropped: that call may see it hang up; any new one is refused.
    const first = await client.send(new ListEnvironmentTemplatesCommand({})).catch((e: unknown) => e);
    expect(String(first)).toMatch(/ECONNREFUSED|socket hang up|ECONNRESET/);
    const error = await client.send(new ListEnvironmentTemplatesCommand({})).catch((e: unknown) => e);
    expect(String(error)).toMatch(/ECONNREFUSED/);
    expect(closing.log.entries).toHaveLength(1);
    client.destroy();
    await closing.stop();
  });
});
