import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProtonClient } from '@aws-sdk/client-proton';
import { ProtonEmulator, ProtonEmulatorOptions, ProtonIam } from './emulator';
import { FunctionPrincipals } from './function-principals';
import { IAM_REPORTS, IamReport } from './iam-report';
import { AbandonedExecution, DeployOptions, DestroyOptions, HandlerLogEntry, LocalCloudFormation, LocalCloudFormationOptions, StackReport } from './local-cfn';
import { invokeLambda } from './local-cfn/lambda';
import { nativeProtonResources } from './native-proton';
import { RetryUntilDeadline } from '../src/custom-resources/handlers/retry';

/** The bundle of the provider's handlers, as its functions run it. */
const HANDLER_BUNDLE = path.join(__dirname, '..', 'assets', 'custom-resources', 'provider-handlers');

/** `LOCAL_CFN_SHUFFLE_SEED=<n>` runs the lifecycle tests and the demo with a shuffled start order. */
const SHUFFLE_SEED = process.env.LOCAL_CFN_SHUFFLE_SEED;

export interface LocalProtonOptions extends ProtonEmulatorOptions, Pick<LocalCloudFormationOptions, 'maxConcurrency' | 'shuffleSeed' | 'abandonedExecutions' | 'duplicateDeliveries' | 'warmContainers' | 'onProgress'> {
  /** Where deployed stacks are remembered. @default a new temp dir */
  readonly stateDir?: string;
  /** Receives what the handlers log. */
  readonly onHandlerLog?: (entry: HandlerLogEntry) => void;
  /**
   * Whether a handler call IAM denies is what the test is about. Otherwise `stop()` fails when any was denied,
   * so every lifecycle test also proves the provider's policy allows every call it made.
   * @default false
   */
  readonly expectDenials?: boolean;
}

/**
 * The Proton emulator and a local CloudFormation wired together: deploys a cloud assembly's
 * custom resources by running their handler bundles against the emulator, and its native
 * Proton resources as CloudFormation would, independent resources in parallel. Every handler call is
 * authorized by the emulator against the policies of its function's role as deployed at that moment;
 * the harness's own `client` is an administrator.
 */
export class LocalProton {
  public static async start(options: LocalProtonOptions = {}): Promise<LocalProton> {
    const emulator = await ProtonEmulator.start(options);
    return new LocalProton(emulator, options);
  }

  /** A client of the emulator, for assertions. */
  public readonly client: ProtonClient;
  public readonly cfn: LocalCloudFormation;
  private readonly principals: FunctionPrincipals;

  private constructor(public readonly emulator: ProtonEmulator, private readonly options: LocalProtonOptions) {
    this.client = new ProtonClient({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: { accessKeyId: ProtonIam.ADMINISTRATOR_KEY, secretAccessKey: 'test' },
      // CloudFormation's own Proton resources (the native ones this client stands in for) ride out throttling.
      retryStrategy: new RetryUntilDeadline(() => Date.now() + 60_000),
    });
    this.principals = new FunctionPrincipals(() => this.cfn, emulator.accountId);
    emulator.iam.addPrincipalResolver(this.principals.resolve);
    const { AWS_ENDPOINT_URL_PROTON, AWS_REGION } = emulator.clientEnv();
    this.cfn = new LocalCloudFormation({
      accountId: emulator.accountId,
      region: emulator.region,
      stateDir: options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proton-stacks-')),
      handlerEnv: { AWS_ENDPOINT_URL_PROTON, AWS_REGION },
      functionEnv: this.principals.credentialsFor,
      publishFileAsset: (bucket, key, body) => emulator.s3.putObject(bucket, key, body),
      nativeResources: nativeProtonResources(this.client),
      pollIntervalMs: 20,
      onHandlerLog: options.onHandlerLog,
      maxConcurrency: options.maxConcurrency,
      abandonedExecutions: options.abandonedExecutions,
      duplicateDeliveries: options.duplicateDeliveries,
      warmContainers: options.warmContainers,
      onProgress: options.onProgress,
      shuffleSeed: options.shuffleSeed ?? (SHUFFLE_SEED ? Number(SHUFFLE_SEED) : undefined),
    });
  }

  public deploy(assemblyDir: string, stackName: string, options?: DeployOptions): Promise<StackReport> {
    return this.cfn.deploy(assemblyDir, stackName, options);
  }

  public destroy(stackName: string, options?: DestroyOptions): Promise<StackReport> {
    return this.cfn.destroy(stackName, options);
  }

  /**
   * Runs only the stack's onEvent handler for `event`, with the provider role's identity: a request whose
   * isComplete CloudFormation never waited for (it stopped waiting, or the stack timed out).
   */
  public onEventOnly(stackName: string, event: Record<string, unknown>): Promise<unknown> {
    return this.invokeHandler(stackName, 'onEvent', event);
  }

  /**
   * Runs one isComplete poll for `event` (an onEvent request, with the PhysicalResourceId onEvent answered): the
   * next step of a Provider execution CloudFormation stopped waiting for. Answers what isComplete answered, or
   * throws its error.
   */
  public isCompleteOnly(stackName: string, event: Record<string, unknown>): Promise<unknown> {
    return this.invokeHandler(stackName, 'isComplete', event);
  }

  private async invokeHandler(stackName: string, handler: 'onEvent' | 'isComplete', event: Record<string, unknown>): Promise<unknown> {
    const live = this.cfn.liveResources(stackName) ?? new Map();
    const [logicalId, fn] = [...live].find(([, r]) => r.type === 'AWS::Lambda::Function' && r.properties.Handler === `index.${handler}`)!;
    const functionName = fn.name ?? fn.physicalId;
    const { AWS_ENDPOINT_URL_PROTON, AWS_REGION } = this.emulator.clientEnv();
    const result = await invokeLambda({
      functionName,
      functionArn: `arn:aws:lambda:${AWS_REGION}:${this.emulator.accountId}:function:${functionName}`,
      codeDir: HANDLER_BUNDLE,
      handler: `index.${handler}`,
      timeoutSeconds: 120,
      memoryMb: 128,
      environment: {},
    }, event, {
      region: AWS_REGION,
      extraEnv: { AWS_ENDPOINT_URL_PROTON, ...this.principals.credentialsFor({ stackName, logicalId, functionName, roleArn: fn.properties.Role }) },
    });
    if (result.functionError) throw new Error(result.functionError.errorMessage);
    return result.payload;
  }

  /** Handler calls IAM denied, as `<action> on <resource>` (the tests' own administrator calls are never denied). */
  public deniedCalls(): string[] {
    return this.emulator.iam.denied.map((d) => `${d.action} on ${d.resource}`);
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
    writeIamReport(this.emulator, this.options.expectDenials ?? false);
    const denied = this.deniedCalls();
    if (denied.length > 0 && !this.options.expectDenials) {
      throw new Error(`the provider's policy denied handler calls: ${[...new Set(denied)].join('; ')}`);
    }
  }
}

/**
 * Leaves what IAM decided for the handlers' calls where the least-privilege audit reads it
 * (`test/lifecycle/least-privilege.audit.ts`, run after every lifecycle test).
 */
function writeIamReport(emulator: ProtonEmulator, expectDenials: boolean): void {
  const decisions = [...new Set(emulator.iam.decisions.map((d) => JSON.stringify([d.action, d.resource, d.decision])))]
    .map((text) => JSON.parse(text) as [string, string, string]);
  // Only under jest: the demo run by hand leaves nothing behind.
  const suite: string | undefined = (globalThis as any).expect?.getState?.().testPath;
  if (decisions.length === 0 || suite === undefined) return;
  const report: IamReport = { suite: path.relative(process.cwd(), suite), expectDenials, decisions };
  fs.mkdirSync(IAM_REPORTS, { recursive: true });
  fs.writeFileSync(path.join(IAM_REPORTS, `${path.basename(suite)}-${process.pid}-${Date.now()}.json`), JSON.stringify(report));
}
