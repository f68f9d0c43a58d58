import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProtonClient } from '@aws-sdk/client-proton';
import { nativeProtonResources } from './native-proton';
import { ProtonEmulator, ProtonEmulatorOptions } from '../emulator';
import { DeployOptions, HandlerLogEntry, LocalCloudFormation, StackReport } from '../local-cfn';

export interface LocalProtonOptions extends ProtonEmulatorOptions {
  /** Where deployed stacks are remembered. @default a new temp dir */
  readonly stateDir?: string;
  /** Receives what the handlers log. */
  readonly onHandlerLog?: (entry: HandlerLogEntry) => void;
}

/**
 * The Proton emulator and a local CloudFormation wired together: deploys a cloud assembly's
 * custom resources by running their handler bundles against the emulator, and its native
 * Proton resources as CloudFormation would.
 */
export class LocalProton {
  public static async start(options: LocalProtonOptions = {}): Promise<LocalProton> {
    const emulator = await ProtonEmulator.start(options);
    return new LocalProton(emulator, options);
  }

  /** A client of the emulator, for assertions. */
  public readonly client: ProtonClient;
  public readonly cfn: LocalCloudFormation;

  private constructor(public readonly emulator: ProtonEmulator, options: LocalProtonOptions) {
    this.client = new ProtonClient({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 10,
    });
    this.cfn = new LocalCloudFormation({
      accountId: emulator.accountId,
      region: emulator.region,
      stateDir: options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-stacks-')),
      handlerEnv: emulator.clientEnv(),
      publishFileAsset: (bucket, key, body) => emulator.s3.putObject(bucket, key, body),
      nativeResources: nativeProtonResources(this.client),
      pollIntervalMs: 20,
      onHandlerLog: options.onHandlerLog,
    });
  }

  public deploy(assemblyDir: string, stackName: string, options?: DeployOptions): Promise<StackReport> {
    return this.cfn.deploy(assemblyDir, stackName, options);
  }

  public destroy(stackName: string): Promise<StackReport> {
    return this.cfn.destroy(stackName);
  }

  public async stop(): Promise<void> {
    this.client.destroy();
    await this.emulator.stop();
  }
}
