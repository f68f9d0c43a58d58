import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CreateEnvironmentAccountConnectionCommand, GetEnvironmentAccountConnectionCommand, GetEnvironmentCommand, UpdateEnvironmentCommand,
  waitUntilEnvironmentDeployed,
} from '@aws-sdk/client-proton';
import { ProtonEmulator } from '.';
import { clientFor, deployedEnvironment, fastWaiter, publishedEnvironmentTemplate } from './helpers';

const DELAYS = { registrationDelayMs: 10, deploymentDelayMs: 30, deleteDelayMs: 30, cancelDelayMs: 10 };

/** Runs `body` against an emulator on `journal`, then stops it: one process of a CLI. */
async function session<T>(journal: string, body: (proton: ProtonEmulator, client: ReturnType<typeof clientFor>) => Promise<T>): Promise<T> {
  const proton = await ProtonEmulator.start({ ...DELAYS, journal });
  const client = clientFor(proton);
  try {
    return await body(proton, client);
  } finally {
    client.destroy();
    await proton.stop();
  }
}

describe('journal', () => {
  let journal: string;
  beforeEach(() => {
    journal = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proton-journal-')), 'journal.jsonl');
  });

  test('a new emulator on the journal has the state of the last one: resources, deployment ids, failed deployments', async () => {
    const before = await session(journal, async (proton, client) => {
      await publishedEnvironmentTemplate(proton, client, 'base');
      await deployedEnvironment(client, 'dev', 'base');
      proton.faults.failDeployment('dev', 'Stack failed');
      await client.send(new UpdateEnvironmentCommand({ name: 'dev', deploymentType: 'CURRENT_VERSION', spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n' }));
      await waitUntilEnvironmentDeployed(fastWaiter(client), { name: 'dev' }).catch(() => undefined);
      const connection = await client.send(new CreateEnvironmentAccountConnectionCommand({
        managementAccountId: '111111111111', environmentName: 'dev', roleArn: 'arn:aws:iam::111111111111:role/env',
      }));
      return { environment: (await client.send(new GetEnvironmentCommand({ name: 'dev' }))).environment!, connectionId: connection.environmentAccountConnection!.id! };
    });
    expect(before.environment.deploymentStatus).toBe('FAILED');

    await session(journal, async (proton, client) => {
      expect(proton.replayed).toEqual({ entries: expect.any(Number), failed: [] });
      const after = (await client.send(new GetEnvironmentCommand({ name: 'dev' }))).environment!;
      expect(after).toEqual(before.environment);
      const connection = await client.send(new GetEnvironmentAccountConnectionCommand({ id: before.connectionId }));
      expect(connection.environmentAccountConnection?.environmentName).toBe('dev');
      // The fault of the first process is not this one's: the next deployment succeeds.
      await client.send(new UpdateEnvironmentCommand({ name: 'dev', deploymentType: 'CURRENT_VERSION' }));
      await waitUntilEnvironmentDeployed(fastWaiter(client), { name: 'dev' });
    });

    await session(journal, async (_proton, client) => {
      const third = (await client.send(new GetEnvironmentCommand({ name: 'dev' }))).environment!;
      expect(third.deploymentStatus).toBe('SUCCEEDED');
      expect(third.lastSucceededDeploymentId).not.toBe(before.environment.lastSucceededDeploymentId);
    });
  });

  test('without a journal file the emulator starts empty and records nothing until it changes', async () => {
    await session(journal, async (proton) => {
      expect(proton.replayed).toEqual({ entries: 0, failed: [] });
    });
    expect(fs.existsSync(journal)).toBe(false);
  });
});
