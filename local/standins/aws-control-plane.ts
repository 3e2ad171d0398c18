// Local stand-in for AWS SSM Parameter Store and Secrets Manager (AWS JSON 1.1 protocol), so the real
// SDK v3 clients and Powertools providers can run against it in tests and in the local stack.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KmsError, KmsStandIn } from './kms.js';

export interface ControlPlane {
  readonly url: string;
  putParameter(name: string, value: string): void;
  getParameter(name: string): string | undefined;
  putSecret(name: string, value: string): void;
  /** fault injection for tests: make every SSM call fail with a 500 until cleared */
  setSsmOutage(on: boolean): void;
  close(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** KMS keys (key id -> secp256k1 private key) for the executor's KMS signer. */
  kmsKeys?: Record<string, string>;
  /** KMS HMAC keys (key id or alias -> key material): users' delegate keys are derived from one. */
  hmacKeys?: Record<string, Buffer>;
  port?: number;
  parameters?: Record<string, string>;
  secrets?: Record<string, string>;
}

// The stand-in pretends to be one account in one region; ARNs only need to look real.
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

interface StoredParameter {
  name: string;
  value: string;
  type: string;
  version: number;
  lastModified: Date;
}

interface StoredSecret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  created: Date;
}

type Json = Record<string, unknown>;

/** An error the way AWS JSON services send it: HTTP status plus `__type` (and a message) in the body. */
class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    // SSM's error shapes use `message`, Secrets Manager's use `Message`; the SDK reads either.
    readonly messageKey: 'message' | 'Message' = 'message',
  ) {
    super(message);
  }
}

/** Epoch seconds with fraction: the timestamp format of AWS JSON 1.1. */
const epochSeconds = (d: Date): number => d.getTime() / 1000;

function parameterArn(name: string): string {
  return `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/** Real secret ARNs end in a dash and six random characters. */
function secretArn(name: string): string {
  const suffix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 6);
  return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${suffix}`;
}

function requireString(body: Json, key: string, messageKey: 'message' | 'Message' = 'message'): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') {
    throw new AwsError(
      400,
      'ValidationException',
      `1 validation error detected: ${key} is required`,
      messageKey,
    );
  }
  return value;
}

class Store {
  readonly parameters = new Map<string, StoredParameter>();
  readonly secrets = new Map<string, StoredSecret>();
  ssmOutage = false;
  /** SSM GetParameter calls answered (outage 500s included), for drills that count reads. */
  ssmGetParameterCalls = 0;
  readonly kms = new KmsStandIn();

  putParameter(name: string, value: string, overwrite: boolean, type?: string): number {
    const existing = this.parameters.get(name);
    if (existing && !overwrite) {
      throw new AwsError(
        400,
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const version = (existing?.version ?? 0) + 1;
    // An overwrite without a Type keeps the old one, as SSM does.
    const storedType = type ?? existing?.type ?? 'String';
    this.parameters.set(name, { name, value, type: storedType, version, lastModified: new Date() });
    return version;
  }

  /** Accepts a name or a parameter ARN, as SSM does. */
  findParameter(nameOrArn: string): StoredParameter | undefined {
    const direct = this.parameters.get(nameOrArn);
    if (direct || !nameOrArn.startsWith('arn:')) return direct;
    return [...this.parameters.values()].find((p) => parameterArn(p.name) === nameOrArn);
  }

  putSecret(name: string, value: string, versionId: string = randomUUID()): StoredSecret {
    const existing = this.secrets.get(name);
    const secret = { name, arn: existing?.arn ?? secretArn(name), value, versionId, created: new Date() };
    this.secrets.set(name, secret);
    return secret;
  }

  /** Accepts a name or the full ARN. */
  findSecret(id: string): StoredSecret {
    const secret = this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
    if (!secret) {
      throw new AwsError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
        'Message',
      );
    }
    return secret;
  }
}

function describeParameter(p: StoredParameter): Json {
  return {
    Name: p.name,
    Type: p.type,
    Value: p.value,
    Version: p.version,
    LastModifiedDate: epochSeconds(p.lastModified),
    ARN: parameterArn(p.name),
    DataType: 'text',
  };
}

function parameterNotFound(): AwsError {
  return new AwsError(400, 'ParameterNotFound', 'Parameter not found.');
}

type Handler = (store: Store, body: Json) => Json;

const ssmHandlers: Record<string, Handler> = {
  GetParameter(store, body) {
    const p = store.findParameter(requireString(body, 'Name'));
    if (!p) throw parameterNotFound();
    return { Parameter: describeParameter(p) };
  },
  GetParameters(store, body) {
    const names = Array.isArray(body.Names)
      ? body.Names.filter((n): n is string => typeof n === 'string')
      : [];
    const found = names.map((n) => store.findParameter(n)).filter((p) => p !== undefined);
    return {
      // SSM lists results alphabetically and reports unknown names instead of failing.
      Parameters: found.sort((a, b) => a.name.localeCompare(b.name)).map(describeParameter),
      InvalidParameters: names.filter((n) => !store.findParameter(n)),
    };
  },
  PutParameter(store, body) {
    const name = requireString(body, 'Name');
    const value = requireString(body, 'Value');
    const type = typeof body.Type === 'string' ? body.Type : undefined;
    return { Version: store.putParameter(name, value, body.Overwrite === true, type), Tier: 'Standard' };
  },
  DeleteParameter(store, body) {
    const p = store.findParameter(requireString(body, 'Name'));
    if (!p) throw parameterNotFound();
    store.parameters.delete(p.name);
    return {};
  },
};

const secretsHandlers: Record<string, Handler> = {
  GetSecretValue(store, body) {
    const s = store.findSecret(requireString(body, 'SecretId', 'Message'));
    return {
      ARN: s.arn,
      Name: s.name,
      SecretString: s.value,
      VersionId: s.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: epochSeconds(s.created),
    };
  },
  PutSecretValue(store, body) {
    const current = store.findSecret(requireString(body, 'SecretId', 'Message'));
    const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
    const s = store.putSecret(current.name, requireString(body, 'SecretString', 'Message'), token);
    return { ARN: s.arn, Name: s.name, VersionId: s.versionId, VersionStages: ['AWSCURRENT'] };
  },
  CreateSecret(store, body) {
    const name = requireString(body, 'Name', 'Message');
    if (store.secrets.has(name)) {
      const message = `The operation failed because the secret ${name} already exists.`;
      throw new AwsError(400, 'ResourceExistsException', message, 'Message');
    }
    const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
    const s = store.putSecret(name, requireString(body, 'SecretString', 'Message'), token);
    return { ARN: s.arn, Name: s.name, VersionId: s.versionId };
  },
};

/** Maps `X-Amz-Target` (e.g. `AmazonSSM.GetParameter`) to a handler, applying the SSM outage switch. */
function route(store: Store, target: string): Handler {
  const [service = '', operation = ''] = target.split('.');
  if (service === 'TrentService') {
    return (_store, body) => {
      try {
        return store.kms.handle(operation, body);
      } catch (err) {
        if (err instanceof KmsError) throw new AwsError(400, err.type, err.message);
        throw err;
      }
    };
  }
  if (service === 'AmazonSSM' && Object.hasOwn(ssmHandlers, operation)) {
    if (operation === 'GetParameter') store.ssmGetParameterCalls += 1;
    if (store.ssmOutage) {
      return () => {
        throw new AwsError(500, 'InternalServerError', 'An error occurred on the server side.');
      };
    }
    return ssmHandlers[operation] as Handler;
  }
  if (service === 'secretsmanager' && Object.hasOwn(secretsHandlers, operation)) {
    return secretsHandlers[operation] as Handler;
  }
  return () => {
    throw new AwsError(400, 'UnknownOperationException', `Unknown operation ${target}`);
  };
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json;
  } catch {
    // fall through to the same error as a non-object body
  }
  throw new AwsError(400, 'SerializationException', 'Request body is not a JSON object');
}

function send(res: ServerResponse, status: number, body: Json, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID() };
  // Real services also name the error in this header; the SDK accepts the body or the header.
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
}

async function handle(store: Store, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Test control, outside the AWS protocol: POST /_alfa/ssm-outage {"on": true} makes every SSM call fail.
  if (req.method === 'POST' && req.url === '/_alfa/ssm-outage') {
    const body = await readJson(req).catch(() => ({}) as Json);
    store.ssmOutage = body.on === true;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ssmOutage: store.ssmOutage }));
    return;
  }
  // Test control: GET /_alfa/ssm-stats tells how many GetParameter calls arrived (the ssm drill).
  if (req.method === 'GET' && req.url === '/_alfa/ssm-stats') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ getParameterCalls: store.ssmGetParameterCalls, ssmOutage: store.ssmOutage }));
    return;
  }
  try {
    const target = req.headers['x-amz-target'];
    const handler = route(store, typeof target === 'string' ? target : '');
    send(res, 200, handler(store, await readJson(req)));
  } catch (err) {
    const e = err instanceof AwsError ? err : new AwsError(500, 'InternalFailure', String(err));
    send(res, e.status, { __type: e.type, [e.messageKey]: e.message }, e.type);
  }
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const store = new Store();
  for (const [name, value] of Object.entries(opts.parameters ?? {})) store.putParameter(name, value, true);
  for (const [name, value] of Object.entries(opts.secrets ?? {})) store.putSecret(name, value);
  for (const [id, key] of Object.entries(opts.kmsKeys ?? {})) store.kms.addKey(id, key);
  for (const [id, key] of Object.entries(opts.hmacKeys ?? {})) store.kms.addHmacKey(id, key);

  const server = createServer((req, res) => void handle(store, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: this process holds secrets and has no authentication.
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    putParameter: (name, value) => void store.putParameter(name, value, true),
    getParameter: (name) => store.parameters.get(name)?.value,
    putSecret: (name, value) => void store.putSecret(name, value),
    setSsmOutage: (on) => {
      store.ssmOutage = on;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // SDK clients keep sockets alive; without this close() would wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
