import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentTemplateCommand,
  GetResourcesSummaryCommand,
  ListEnvironmentTemplatesCommand,
  ProtonClient,
  ProtonServiceException,
  ValidationException,
} from '@aws-sdk/client-proton';
import { ProtonEmulator, ProtonIam } from '.';
import { ProtonError } from './errors';
import { clientFor } from './helpers';
import { ProtonModel } from './model';

let proton: ProtonEmulator;
let client: ProtonClient;

beforeAll(async () => {
  proton = await ProtonEmulator.start();
  client = clientFor(proton);
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

/** The error the SDK raised for `promise`. */
async function errorOf(promise: Promise<unknown>): Promise<ProtonServiceException> {
  try {
    await promise;
  } catch (e) {
    return e as ProtonServiceException;
  }
  throw new Error('expected the call to fail');
}

/** A raw AWS JSON 1.0 request, for what the SDK would never send. */
/** A request with the administrator's signature (not verified: the access key names the principal). */
const SIGNED = { authorization: `AWS4-HMAC-SHA256 Credential=${ProtonIam.ADMINISTRATOR_KEY}/20261201/us-east-1/proton/aws4_request, SignedHeaders=host, Signature=0` };

async function raw(target: string, body: string, headers: Record<string, string> = SIGNED) {
  const res = await fetch(proton.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target, ...headers },
    body,
  });
  return { status: res.status, body: await res.json() as { __type?: string; message?: string } };
}

describe('requests are validated against the Proton model, through the SDK', () => {
  test('a bad template name fails the pattern, with a message naming the member', async () => {
    const e = await errorOf(client.send(new CreateEnvironmentTemplateCommand({ name: 'bad name!' })));
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.message).toBe("1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: "
      + 'Member must satisfy regular expression pattern: ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$');
  });

  test('an over-long description (sensitive: its value is not echoed) and a 101-character name give two errors', async () => {
    const e = await errorOf(client.send(new CreateEnvironmentTemplateCommand({ name: 'a'.repeat(101), description: 'd'.repeat(501) })));
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.message).toMatch(/^2 validation errors detected: /);
    expect(e.message).toContain("Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 500");
    expect(e.message).toContain('at \'name\' failed to satisfy constraint: Member must have length less than or equal to 100');
    expect(e.message).not.toContain('ddddd');
  });

  test('a missing required member is named', async () => {
    const e = await errorOf(client.send(new CreateEnvironmentTemplateVersionCommand({ templateName: 'x' } as any)));
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.message).toBe("1 validation error detected: Value null at 'source' failed to satisfy constraint: Member must not be null");
  });

  test('nested members, enums, list lengths and integer ranges', async () => {
    const bucket = await errorOf(client.send(new CreateEnvironmentTemplateVersionCommand({
      templateName: 'x', source: { s3: { bucket: 'B!', key: 'k' } },
    })));
    expect(bucket.message).toContain("Value 'B!' at 'source.s3.bucket' failed to satisfy constraint: Member must have length greater than or equal to 3");
    expect(bucket.message).toContain("at 'source.s3.bucket' failed to satisfy constraint: Member must satisfy regular expression pattern");

    const provisioning = await errorOf(client.send(new CreateServiceTemplateCommand({ name: 'x', pipelineProvisioning: 'SELF' as any })));
    expect(provisioning.message).toContain("Value 'SELF' at 'pipelineProvisioning' failed to satisfy constraint: Member must satisfy enum value set: [CUSTOMER_MANAGED]");

    const tooMany = await errorOf(client.send(new CreateServiceTemplateVersionCommand({
      templateName: 'x',
      source: { s3: { bucket: 'bkt', key: 'k' } },
      compatibleEnvironmentTemplates: Array.from({ length: 11 }, (_, i) => ({ templateName: `e${i}`, majorVersion: '1' })),
    })));
    expect(tooMany.message).toContain("Value at 'compatibleEnvironmentTemplates' failed to satisfy constraint: Member must have length less than or equal to 10");

    const tag = await errorOf(client.send(new CreateEnvironmentTemplateCommand({ name: 'x', tags: [{ key: '', value: 'v' }] })));
    expect(tag.message).toContain("Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1");

    const page = await errorOf(client.send(new ListEnvironmentTemplatesCommand({ maxResults: 101 })));
    expect(page.message).toContain("Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  test('a valid request that names nothing existing passes validation and reaches the handler', async () => {
    const e = await errorOf(client.send(new GetEnvironmentTemplateCommand({ name: 'valid-but-absent' })));
    expect(e.name).toBe('ResourceNotFoundException');
    expect(e.$metadata.httpStatusCode).toBe(404);
  });

  test('an operation of the model that is not emulated is named as such', async () => {
    const e = await errorOf(client.send(new GetResourcesSummaryCommand({})));
    expect(e.name).toBe('UnknownOperationException');
    expect(e.message).toBe('GetResourcesSummary is not emulated: the Proton emulator does not implement this operation yet');
    expect(proton.log.ofOperation('GetResourcesSummary')[0]).toMatchObject({ status: 400, error: 'UnknownOperationException' });
  });
});

describe('the wire protocol', () => {
  test('an unsigned request is refused before anything else, as AWS refuses it', async () => {
    const res = await raw('AwsProton20200720.CreateEnvironmentTemplate', JSON.stringify({ name: 'unsigned' }), {});
    expect(res).toEqual({ status: 403, body: { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' } });
  });

  test('unknown JSON members are ignored, as the service does', async () => {
    const res = await raw('AwsProton20200720.CreateEnvironmentTemplate', JSON.stringify({ name: 'with-extra', surprise: { nested: true } }));
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('surprise');
    expect((res.body as any).environmentTemplate.name).toBe('with-extra');
    expect(typeof (res.body as any).environmentTemplate.createdAt).toBe('number');
  });

  test('an operation the API does not have, a body that is not JSON, a value of the wrong type', async () => {
    expect(await raw('AwsProton20200720.LaunchRocket', '{}')).toEqual({
      status: 400, body: { __type: 'UnknownOperationException', message: 'LaunchRocket is not an operation of the Proton API' },
    });
    expect(await raw('SomethingElse.GetEnvironmentTemplate', '{}')).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    expect(await raw('AwsProton20200720.GetEnvironmentTemplate', '{not json')).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
    expect(await raw('AwsProton20200720.GetEnvironmentTemplate', JSON.stringify({ name: 42 }))).toMatchObject({
      status: 400, body: { __type: 'SerializationException', message: "Expected a string at 'name', got number" },
    });
  });
});

describe('ProtonModel', () => {
  const model = ProtonModel.load();
  const messageOf = (operation: string, input: unknown): string => {
    try {
      model.validateInput(operation, input);
    } catch (e) {
      return `${(e as ProtonError).type}: ${(e as Error).message}`;
    }
    return 'valid';
  };

  test('a union must have exactly one member set', () => {
    expect(messageOf('CreateEnvironmentTemplateVersion', { templateName: 't', source: {} }))
      .toBe("ValidationException: 1 validation error detected: Value at 'source' failed to satisfy constraint: Member must have exactly one member set, got 0");
    expect(messageOf('CreateEnvironmentTemplateVersion', { templateName: 't', source: { s3: { bucket: 'bkt', key: 'k' } } })).toBe('valid');
  });

  test('null members count as absent; patterns are anchored as the model gives them', () => {
    expect(messageOf('GetEnvironmentTemplate', { name: null })).toMatch(/Value null at 'name' failed to satisfy constraint: Member must not be null/);
    expect(messageOf('GetEnvironmentTemplateVersion', { templateName: 't', majorVersion: '01', minorVersion: '0' }))
      .toMatch(/Value '01' at 'majorVersion' .* pattern: \^\(0\|\(\[1-9\]\{1\}\\d\*\)\)\$/);
    expect(messageOf('GetEnvironmentTemplateVersion', { templateName: 't', majorVersion: '10', minorVersion: '0' })).toBe('valid');
  });

  test('the status code of each error is the Smithy model\'s (the one the SDK is generated from)', () => {
    expect(model.errorStatus('ValidationException')).toBe(400);
    expect(model.errorStatus('ThrottlingException')).toBe(429);
    expect(model.errorStatus('ResourceNotFoundException')).toBe(404);
    expect(model.errorStatus('ConflictException')).toBe(409);
    expect(model.errorStatus('InternalServerException')).toBe(500);
  });

  test('outputs keep only the members of the output shape and fail loudly on a missing required member', () => {
    const createdAt = new Date(1_700_000_000_500);
    const out = model.shapeOutput('GetEnvironmentTemplate', {
      environmentTemplate: { arn: 'a', name: 'n', createdAt, lastModifiedAt: createdAt, internal: 'x' },
      extra: 1,
    });
    expect(out).toEqual({ environmentTemplate: { arn: 'a', name: 'n', createdAt: 1_700_000_000.5, lastModifiedAt: 1_700_000_000.5 } });
    expect(() => model.shapeOutput('GetEnvironmentTemplate', { environmentTemplate: { name: 'n' } }))
      .toThrow(/required output member GetEnvironmentTemplate.environmentTemplate.arn is missing/);
  });
});
