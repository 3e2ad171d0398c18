// Checks the SSM / Secrets Manager stand-in through the real SDK v3 clients and Powertools providers,
// so code that works against it is speaking the real wire protocol.
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  InternalServerError,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterError } from '@aws-lambda-powertools/parameters';
import { SSMProvider, getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { SecretsProvider, getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../../local/standins/aws-control-plane.js';

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

let plane: ControlPlane;
let ssm: SSMClient;
let secrets: SecretsManagerClient;

beforeAll(async () => {
  plane = await startControlPlane({
    parameters: { '/alfa/test/feature': 'on' },
    secrets: { 'alfa/test/bot-token': '123:abc' },
  });
  // maxAttempts 1: a 500 should surface at once instead of after the SDK's retries.
  const config = { endpoint: plane.url, region: 'us-east-1', credentials, maxAttempts: 1 };
  ssm = new SSMClient(config);
  secrets = new SecretsManagerClient(config);
});

afterAll(async () => {
  ssm?.destroy();
  secrets?.destroy();
  await plane?.close();
});

describe('SSM through SSMClient', () => {
  it('returns a seeded parameter with the real response shape', async () => {
    const out = await ssm.send(new GetParameterCommand({ Name: '/alfa/test/feature' }));
    expect(out.Parameter).toMatchObject({
      Name: '/alfa/test/feature',
      Value: 'on',
      Type: 'String',
      Version: 1,
    });
    expect(out.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    expect(out.Parameter?.ARN).toBe('arn:aws:ssm:us-east-1:000000000000:parameter/alfa/test/feature');
  });

  it('finds a parameter by ARN', async () => {
    const Name = 'arn:aws:ssm:us-east-1:000000000000:parameter/alfa/test/feature';
    const out = await ssm.send(new GetParameterCommand({ Name }));
    expect(out.Parameter?.Value).toBe('on');
  });

  it('raises ParameterNotFound for a missing name', async () => {
    const err = await ssm.send(new GetParameterCommand({ Name: '/nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParameterNotFound);
    expect(err).toMatchObject({ name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } });
  });

  it('puts with Overwrite semantics and increments Version', async () => {
    const Name = '/alfa/test/put';
    const first = await ssm.send(new PutParameterCommand({ Name, Value: 'a', Type: 'SecureString' }));
    expect(first).toMatchObject({ Version: 1, Tier: 'Standard' });

    const again = ssm.send(new PutParameterCommand({ Name, Value: 'b', Type: 'SecureString' }));
    await expect(again).rejects.toBeInstanceOf(ParameterAlreadyExists);

    const second = await ssm.send(new PutParameterCommand({ Name, Value: 'b', Overwrite: true }));
    expect(second.Version).toBe(2);
    const read = await ssm.send(new GetParameterCommand({ Name, WithDecryption: true }));
    // An overwrite without Type keeps the old Type.
    expect(read.Parameter).toMatchObject({ Value: 'b', Version: 2, Type: 'SecureString' });
    expect(plane.getParameter(Name)).toBe('b');
  });

  it('GetParameters returns found ones sorted and lists unknown names', async () => {
    plane.putParameter('/alfa/test/b', '2');
    plane.putParameter('/alfa/test/a', '1');
    const out = await ssm.send(
      new GetParametersCommand({ Names: ['/alfa/test/b', '/missing', '/alfa/test/a'] }),
    );
    expect(out.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ['/alfa/test/a', '1'],
      ['/alfa/test/b', '2'],
    ]);
    expect(out.InvalidParameters).toEqual(['/missing']);
  });

  it('deletes, then reports ParameterNotFound', async () => {
    plane.putParameter('/alfa/test/gone', 'x');
    await ssm.send(new DeleteParameterCommand({ Name: '/alfa/test/gone' }));
    expect(plane.getParameter('/alfa/test/gone')).toBeUndefined();
    const again = ssm.send(new DeleteParameterCommand({ Name: '/alfa/test/gone' }));
    await expect(again).rejects.toBeInstanceOf(ParameterNotFound);
  });

  it('answers an operation it does not implement with UnknownOperationException', async () => {
    const err = await ssm.send(new DescribeParametersCommand({})).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });

    const res = await fetch(plane.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSSM.Nope', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('fails every SSM call with a 500 during an outage, and recovers', async () => {
    plane.setSsmOutage(true);
    try {
      const err = await ssm
        .send(new GetParameterCommand({ Name: '/alfa/test/feature' }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InternalServerError);
      expect(err).toMatchObject({ $metadata: { httpStatusCode: 500 } });
      // Secrets Manager is a different service and stays up.
      const s = await secrets.send(new GetSecretValueCommand({ SecretId: 'alfa/test/bot-token' }));
      expect(s.SecretString).toBe('123:abc');
    } finally {
      plane.setSsmOutage(false);
    }
    const out = await ssm.send(new GetParameterCommand({ Name: '/alfa/test/feature' }));
    expect(out.Parameter?.Value).toBe('on');
  });
});

describe('Secrets Manager through SecretsManagerClient', () => {
  it('gets a secret by name and by ARN with the real response shape', async () => {
    const byName = await secrets.send(new GetSecretValueCommand({ SecretId: 'alfa/test/bot-token' }));
    expect(byName).toMatchObject({ Name: 'alfa/test/bot-token', SecretString: '123:abc' });
    expect(byName.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:000000000000:secret:alfa\/test\/bot-token-\w{6}$/,
    );
    expect(byName.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(byName.CreatedDate).toBeInstanceOf(Date);

    const byArn = await secrets.send(new GetSecretValueCommand({ SecretId: byName.ARN }));
    expect(byArn.SecretString).toBe('123:abc');
  });

  it('raises ResourceNotFoundException for a missing secret', async () => {
    const err = await secrets.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err).toMatchObject({ message: "Secrets Manager can't find the specified secret." });
  });

  it('creates, rejects a duplicate, and puts a new version', async () => {
    const created = await secrets.send(
      new CreateSecretCommand({ Name: 'alfa/test/new', SecretString: 'v1' }),
    );
    expect(created.Name).toBe('alfa/test/new');
    const dup = secrets.send(new CreateSecretCommand({ Name: 'alfa/test/new', SecretString: 'v1' }));
    await expect(dup).rejects.toBeInstanceOf(ResourceExistsException);

    const put = await secrets.send(
      new PutSecretValueCommand({ SecretId: 'alfa/test/new', SecretString: 'v2' }),
    );
    expect(put.ARN).toBe(created.ARN);
    expect(put.VersionId).not.toBe(created.VersionId);
    const read = await secrets.send(new GetSecretValueCommand({ SecretId: 'alfa/test/new' }));
    expect(read).toMatchObject({ SecretString: 'v2', VersionId: put.VersionId });
  });

  it('sees secrets put directly on the stand-in', async () => {
    plane.putSecret('alfa/test/direct', 'd');
    const read = await secrets.send(new GetSecretValueCommand({ SecretId: 'alfa/test/direct' }));
    expect(read.SecretString).toBe('d');
  });
});

describe('Powertools parameters', () => {
  it('reads through providers built on injected clients', async () => {
    const params = new SSMProvider({ awsSdkV3Client: ssm });
    const secretStore = new SecretsProvider({ awsSdkV3Client: secrets });
    expect(await params.get('/alfa/test/feature', { forceFetch: true })).toBe('on');
    expect(await secretStore.get('alfa/test/bot-token', { forceFetch: true })).toBe('123:abc');
  });

  it('wraps ParameterNotFound in GetParameterError with the SDK error as cause', async () => {
    const params = new SSMProvider({ awsSdkV3Client: ssm });
    const err = await params.get('/nope', { forceFetch: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GetParameterError);
    expect((err as GetParameterError).cause).toBeInstanceOf(ParameterNotFound);
  });

  it('reads through the default getParameter/getSecret via AWS_ENDPOINT_URL_* env vars', async () => {
    const keys = ['AWS_ENDPOINT_URL_SSM', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION'] as const;
    const extra = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
    const saved = new Map([...keys, ...extra].map((k) => [k, process.env[k]]));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SSM: plane.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: plane.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
    });
    try {
      expect(await getParameter('/alfa/test/feature', { forceFetch: true })).toBe('on');
      expect(await getSecret('alfa/test/bot-token', { forceFetch: true })).toBe('123:abc');
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
