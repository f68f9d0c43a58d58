import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProtonClient } from '@aws-sdk/client-proton';
import { nativeProtonResources } from './native-proton';
import { ProtonEmulator, ProtonEmulatorOptions } from '../emulator';
import { AbandonedExecution, DeployOptions, HandlerLogEntry, LocalCloudFormation, LocalCloudFormationOptions, StackReport } from '../local-cfn';

/** `LOCAL_CFN_SHUFFLE_SEED=<n>` runs the lifecycle tests and the demo with a shuffled start order. */
const SHUFFLE_SEED = process.env.LOCAL_CFN_SHUFFLE_SEED;

export interface LocalProtonOptions extends ProtonEmulatorOptions, Pick<LocalCloudFormationOptions, 'maxConcurrency' | 'shuffleSeed'> {
  /** Where deployed stacks are remembered. @default a new temp dir */
  readonly stateDir?: string;
  /** Receives what the handlers log. */
  readonly onHandlerLog?: (entry: HandlerLogEntry) => void;
}

/**
 * The Proton emulator and a local CloudFormation wired together: deploys a cloud assembly's
 * custom resources by running their handler bundles against the emulator, and its native
 * Proton resources as CloudFormation would, independent resources in parallel.
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
      maxConcurrency: options.maxConcurrency,
      shuffleSeed: options.shuffleSeed ?? (SHUFFLE_SEED ? Number(SHUFFLE_SEED) : undefined),
    });
  }

  public deploy(assemblyDir: string, stackName: string, options?: DeployOptions): Promise<StackReport> {
    return this.cfn.deploy(assemblyDir, stackName, options);
  }

  public destroy(stackName: string): Promise<StackReport> {
    return this.cfn.destroy(stackName);
  }

  /** Wait for the Provider executions CloudFormation stopped waiting for (see `LocalCloudFormation.settle`). */
  public settle(): Promise<AbandonedExecution[]> {
    return this.cfn.settle();
  }

  /** Stop the emulator, once the abandoned executions that call it have ended. */
  public async stop(): Promise<void> {
    await this.settle();
    this.client.destroy();
    await this.emulator.stop();
  }
}
