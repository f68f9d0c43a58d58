import { DeleteEnvironmentCommand, DeleteServiceCommand, GetEnvironmentCommand, ProtonClient, ResourceNotFoundException } from '@aws-sdk/client-proton';
import { ProtonEmulator, serviceInstanceKey } from '.';
import { activeService, clientFor, deployedEnvironment, publishedEnvironmentTemplate, publishedServiceTemplate } from './helpers';

let proton: ProtonEmulator;
let client: ProtonClient;
const DELAYS = { registrationDelayMs: 10, deploymentDelayMs: 20, deleteDelayMs: 20, cancelDelayMs: 10 };

beforeAll(async () => {
  proton = await ProtonEmulator.start(DELAYS);
  client = clientFor(proton);
});

afterAll(async () => {
  client.destroy();
  await proton.stop();
});

afterEach(() => {
  proton.faults.clear();
  proton.transitions.clear();
  Object.assign(proton.timing, DELAYS);
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Polls until `done` answers true (at most 5 s). */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await done()); i++) await sleep(10);
}

describe('transitions: when asynchronous work ended', () => {
  test('records a registration, deployments, a service workflow and deletes, each with its key, outcome and time', async () => {
    const before = new Date();
    await publishedEnvironmentTemplate(proton, client, 'tr-env');
    await publishedServiceTemplate(proton, client, 'tr-svc', { environmentTemplate: 'tr-env' });
    await deployedEnvironment(client, 'tr-dev', 'tr-env');
    await activeService(client, 'tr-api', 'tr-svc', [{ name: 'main', environment: 'tr-dev' }]);
    await client.send(new DeleteServiceCommand({ name: 'tr-api' }));
    await until(() => proton.transitions.of('deletion', 'tr-api').length > 0);

    expect(proton.transitions.entries.map(({ kind, resource, outcome }) => ({ kind, resource, outcome }))).toEqual([
      { kind: 'registration', resource: 'tr-env:1.0', outcome: 'DRAFT' },
      { kind: 'registration', resource: 'tr-svc:1.0', outcome: 'DRAFT' },
      { kind: 'deployment', resource: 'tr-dev', outcome: 'SUCCEEDED' },
      { kind: 'deployment', resource: serviceInstanceKey('tr-api', 'main'), outcome: 'SUCCEEDED' },
      { kind: 'service', resource: 'tr-api', outcome: 'ACTIVE' },
      { kind: 'deletion', resource: 'tr-api', outcome: 'DELETED' },
    ]);
    const times = proton.transitions.entries.map(e => e.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(before.getTime());
    expect(times[times.length - 1]).toBeLessThanOrEqual(Date.now());
  });

  test('records failures as they end: REGISTRATION_FAILED, a FAILED deployment, DELETE_FAILED', async () => {
    proton.faults.failRegistration('tr-bad', 'bad bundle');
    await expect(publishedEnvironmentTemplate(proton, client, 'tr-bad')).rejects.toThrow();
    await publishedEnvironmentTemplate(proton, client, 'tr-env2');
    proton.faults.failDeployment('tr-broken', 'Stack failed', 1);
    await expect(deployedEnvironment(client, 'tr-broken', 'tr-env2')).rejects.toThrow();
    proton.faults.failDeletion('tr-broken', 'cannot delete', 1);
    await client.send(new DeleteEnvironmentCommand({ name: 'tr-broken' }));
    await until(() => proton.transitions.of('deletion').length > 0);

    expect(proton.transitions.of('registration').map(e => `${e.resource} ${e.outcome}`)).toEqual(['tr-bad:1.0 REGISTRATION_FAILED', 'tr-env2:1.0 DRAFT']);
    expect(proton.transitions.of('deployment').map(e => `${e.resource} ${e.outcome}`)).toEqual(['tr-broken FAILED']);
    expect(proton.transitions.of('deletion').map(e => `${e.resource} ${e.outcome}`)).toEqual(['tr-broken DELETE_FAILED']);
  });
});

describe('timing: a delay may be a function of the resource', () => {
  test('each deployment takes what the function answers for its key, asked once per deployment', async () => {
    await publishedEnvironmentTemplate(proton, client, 'tm-env');
    const asked: string[] = [];
    proton.timing.deploymentDelayMs = (resource) => {
      asked.push(resource);
      return resource === 'tm-slow' ? 400 : 10;
    };
    const started = Date.now();
    await Promise.all([deployedEnvironment(client, 'tm-slow', 'tm-env'), deployedEnvironment(client, 'tm-fast', 'tm-env')]);

    expect(asked.sort()).toEqual(['tm-fast', 'tm-slow']);
    const [fast, slow] = ['tm-fast', 'tm-slow'].map(name => proton.transitions.of('deployment', name)[0].at.getTime() - started);
    expect(slow).toBeGreaterThanOrEqual(400);
    expect(fast).toBeLessThan(slow);
  });

  test('a delete delay function gets the environment name; the environment is gone after its delay', async () => {
    await publishedEnvironmentTemplate(proton, client, 'tm-env2');
    await deployedEnvironment(client, 'tm-gone', 'tm-env2');
    const asked: string[] = [];
    proton.timing.deleteDelayMs = (resource) => {
      asked.push(resource);
      return 30;
    };
    await client.send(new DeleteEnvironmentCommand({ name: 'tm-gone' }));
    await until(async () => client.send(new GetEnvironmentCommand({ name: 'tm-gone' })).then(() => false, () => true));

    expect(asked).toEqual(['tm-gone']);
    await expect(client.send(new GetEnvironmentCommand({ name: 'tm-gone' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
