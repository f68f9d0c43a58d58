import * as http from 'http';
import { AddressInfo } from 'net';
import { ProtonError, serializationError, unknownOperation } from './errors';
import { END_OF_SUPPORT_MESSAGE } from './faults';
import { AuthorizationRecord, ProtonIam } from './iam/authorizer';
import { RequestLog, RequestLogEntry } from './log';
import { EmulatorContext, OperationHandler, ResourceFamily } from './state/context';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Operations that change nothing (a journal leaves them out). */
const READ_ONLY = /^(Get|List)/;

/**
 * The HTTP side of the emulator: AWS JSON 1.0 (`POST /`, `X-Amz-Target: AwsProton20200720.<Operation>`,
 * JSON body). Per request: log, latency, injected failure, throttling, validation against the model, the
 * IAM (the signing principal's policies must allow the request), the family's handler, output shaped by the model.
 * Signatures are not verified: the access key they name identifies the principal.
 */
export class ProtonServer {
  private readonly server: http.Server;
  private readonly handlers = new Map<string, OperationHandler>();
  private requests = 0;
  /** Told each request that succeeded and may have changed state (a journal records them). */
  onChange?: (operation: string, input: Record<string, unknown>, at: number) => void;

  constructor(private readonly ctx: EmulatorContext, families: readonly ResourceFamily[], private readonly log: RequestLog,
    private readonly iam: ProtonIam) {
    for (const family of families) {
      for (const [operation, handler] of Object.entries(family.operations)) {
        if (this.handlers.has(operation)) throw new Error(`two resource families answer ${operation}`);
        this.handlers.set(operation, handler);
      }
    }
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    // Idle keep-alive connections stay open longer than a busy machine leaves the SDK's sockets idle between
    // requests: with Node's default of 5 s, a socket reused just as the server closes it fails with ECONNRESET.
    // (Emulator decision: AWS does not document its endpoints' idle timeout.)
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
  }

  /** Listens on 127.0.0.1 on a random port; answers the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Stops listening and drops every connection: a second close does nothing. */
  close(): Promise<void> {
    return new Promise(resolve => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = `00000000-0000-4000-8000-${(++this.requests).toString(16).padStart(12, '0')}`;
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const prefix = `${this.ctx.model.targetPrefix}.`;
    const operation = target.startsWith(prefix) ? target.slice(prefix.length) : target;
    let input: Record<string, unknown> = {};
    let parseError: ProtonError | undefined;
    try {
      const parsed: unknown = body.length > 0 ? JSON.parse(body) : {};
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body is not a JSON object');
      input = parsed as Record<string, unknown>;
    } catch (e) {
      parseError = serializationError(`The request body is not valid JSON: ${(e as Error).message}`);
    }
    const entry: RequestLogEntry = { operation, input, status: 0, at: new Date() };
    this.log.add(entry);

    let status = 200;
    let payload: Record<string, unknown>;
    try {
      if (parseError) throw parseError;
      payload = await this.dispatch(req, target, operation, input, entry);
    } catch (e) {
      const error = e instanceof ProtonError ? e : new ProtonError('InternalServerException', `Proton emulator error: ${(e as Error).stack ?? e}`);
      status = this.ctx.model.errorStatus(error.type);
      entry.error = error.type;
      entry.errorMessage = error.message;
      const records = (error as { records?: AuthorizationRecord[] }).records;
      if (records) entry.authorization = records;
      payload = { __type: error.type, message: error.message };
    }
    entry.status = status;
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
      ...(status === 200 ? {} : { 'x-amzn-errortype': String(payload.__type) }),
    });
    res.end(text);
  }

  private async dispatch(
    req: http.IncomingMessage, target: string, operation: string, input: Record<string, unknown>, entry: RequestLogEntry,
  ): Promise<Record<string, unknown>> {
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
      throw unknownOperation(`The Proton emulator answers POST / only (got ${req.method} ${req.url})`);
    }
    if (!target.startsWith(`${this.ctx.model.targetPrefix}.`)) {
      throw unknownOperation(`X-Amz-Target must be ${this.ctx.model.targetPrefix}.<Operation> (got '${target}')`);
    }
    if (!this.ctx.model.operation(operation)) {
      throw unknownOperation(`${operation} is not an operation of the Proton API`);
    }
    // Authentication comes first: who signed the request.
    const principal = this.iam.principal(accessKeyOf(req));
    entry.principal = principal.arn;
    if (this.ctx.faults.endOfSupport) throw new ProtonError('AccessDeniedException', END_OF_SUPPORT_MESSAGE);
    const handler = this.handlers.get(operation);
    if (!handler) {
      throw unknownOperation(`${operation} is not emulated: the Proton emulator does not implement this operation yet`);
    }

    const faults = this.ctx.faults;
    await this.ctx.scheduler.sleep(faults.latencyMs);
    const injected = faults.takeInjected(operation);
    if (injected) throw new ProtonError(injected.errorType, injected.message);
    if (faults.shouldThrottle()) throw new ProtonError('ThrottlingException', 'Rate exceeded');

    this.ctx.model.validateInput(operation, this.relaxForFaults(operation, input));
    // Emulator decision: authorization after validation (the ARNs it checks are built from a valid input).
    entry.authorization = this.iam.authorize(principal, this.iam.checksFor(operation, input));
    // The families answer synchronously: a journal records the request right after its change, in order.
    const at = Date.now();
    const output = this.ctx.at(at, () => handler(input));
    if (!READ_ONLY.test(operation)) this.onChange?.(operation, input, at);
    return this.ctx.model.shapeOutput(operation, await output);
  }

  /** Applies a request from a journal: no log, faults, validation or IAM (it passed them when it was recorded). */
  apply(operation: string, input: Record<string, unknown>): void {
    const handler = this.handlers.get(operation);
    if (!handler) throw new Error(`emulator journal: ${operation} is not emulated`);
    handler(input);
  }

  /**
   * The input as validated: with the fault `outputsPageSize` set, a List…Outputs nextToken (the model's
   * `EmptyNextToken`, length 0) may carry the tokens the emulator handed out.
   */
  private relaxForFaults(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    if (this.ctx.faults.outputsPageSize === undefined || typeof input.nextToken !== 'string') return input;
    if (this.ctx.model.inputMemberShape(operation, 'nextToken') !== 'EmptyNextToken') return input;
    return { ...input, nextToken: '' };
  }
}

/** The access key id of a SigV4 signature: `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/...`. */
function accessKeyOf(req: http.IncomingMessage): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf-8')));
    req.on('error', reject);
  });
}
