// `npm run admin` against the local stack: every action goes CLI -> Lambda Invoke API -> the real
// admin handler -> DynamoDB Local, SQS, the SSM and Telegram stand-ins. The admin function here runs
// on a stage of its own (own tables, queues and switch on the shared stand-ins), so turning every
// AUTO follow off or setting the emergency stop never touches what other test files are doing.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusSchema } from '#core/admin/requests.js';
import {
  EXECUTION_MODE_PARAMETER,
  FUNCTIONS,
  QUEUES,
  TABLES,
  physicalName,
  type QueueKey,
} from '#core/resources.js';
import { runAdminCommand, type AdminTarget } from '../../../local/cli/admin.js';
import { UsageError } from '../../../local/cli/cli.js';
import { createQueues, createTables } from '../../../local/provision.js';
import { startRunner, type Runner } from '../../../local/runner.js';
import { ROOT } from '../../../local/stack.js';
import { clients, stackInfo } from '../../support/stack-clients.js';

const info = stackInfo();
const { dynamo, doc, sqs } = clients(info);
const stage = `adm-${randomBytes(3).toString('hex')}`;
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
const ssm = new SSMClient({ region: info.region, endpoint: info.endpoints.awsControlPlane, credentials });
const parameter = physicalName.executionModeParameter(stage);

let runner: Runner;
let target: AdminTarget;
let tables: Record<string, string>;
let queues: Record<QueueKey, { url: string; deadLetterUrl: string }>;

beforeAll(async () => {
  tables = await createTables(dynamo, stage);
  queues = await createQueues(sqs, stage);
  await ssm.send(new PutParameterCommand({ Name: parameter, Value: 'DRY', Type: 'String', Overwrite: true }));
  // The environment CDK would give alfa-<stage>-admin, pointed at the stand-ins.
  Object.assign(process.env, info.env, {
    STAGE: stage,
    [EXECUTION_MODE_PARAMETER.envVar]: parameter,
    ...Object.fromEntries(Object.entries(TABLES).map(([k, d]) => [d.envVar, tables[k]])),
    ...Object.fromEntries(Object.entries(QUEUES).map(([k, d]) => [d.envVar, queues[k as QueueKey].url])),
    WEBHOOK_URL: info.webhook.url,
  });
  delete process.env.RECONCILER_FUNCTION_NAME;
  runner = await startRunner({
    root: ROOT,
    functions: { admin: FUNCTIONS.admin },
    sqs,
    queueUrls: Object.fromEntries(Object.entries(queues).map(([k, q]) => [k, q.url])) as Record<
      QueueKey,
      string
    >,
    urlPort: () => 0,
    invokePort: 0,
    physicalName: (name) => physicalName.function(stage, name),
    log: () => undefined,
  });
  target = {
    lambda: new LambdaClient({
      region: info.region,
      endpoint: runner.invokeUrl,
      credentials,
      maxAttempts: 1,
    }),
    functionName: physicalName.function(stage, 'admin'),
    where: 'test',
  };
});
afterAll(async () => {
  await runner?.stop();
});

async function admin(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCommand(
    argv,
    target,
    { out: (t) => out.push(t), err: (t) => err.push(t) },
    'cli:test',
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const answer = async (...argv: string[]) => {
  const r = await admin(...argv, '--json');
  return {
    code: r.code,
    body: JSON.parse(r.out) as Record<string, unknown> & { result: Record<string, unknown> },
  };
};
const switchValue = async () =>
  (await ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter?.Value;
const depth = async (url: string) =>
  Number(
    (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      )
    ).Attributes?.ApproximateNumberOfMessages,
  );

describe('npm run admin -- status', () => {
  it('--json prints one status object: mode, ceiling, switch, emergency, indexer, queues, intents, last errors', async () => {
    // Prepare: intents in two states (and a pointer item that is not an intent), a recorded error.
    await doc.send(
      new PutCommand({ TableName: tables.intents, Item: { intentId: 's1:u1', state: 'FAILED' } }),
    );
    await doc.send(
      new PutCommand({ TableName: tables.intents, Item: { intentId: 's2:u1', state: 'SIMULATED' } }),
    );
    await doc.send(
      new PutCommand({ TableName: tables.intents, Item: { intentId: 's3:u2', state: 'SIMULATED' } }),
    );
    await doc.send(
      new PutCommand({ TableName: tables.intents, Item: { intentId: 'tx#0xabc', points: 's1:u1' } }),
    );
    await doc.send(
      new PutCommand({
        TableName: tables.state,
        Item: {
          pk: 'errors',
          entries: [
            { at: '2026-12-01T10:00:00.000Z', reason: 'RPC_DOWN', message: 'all down', source: 'indexer' },
          ],
        },
      }),
    );

    // Act
    const { code, out } = await admin('status', '--json');

    // Assess
    expect(code).toBe(0);
    const status = statusSchema.parse(JSON.parse(out));
    expect(status.stage).toBe(stage);
    expect(status.mode).toEqual({ effective: 'DRY', ceiling: 'DRY', switch: 'DRY', emergencyStop: false });
    expect(status.indexer.cursor).toBeNull();
    expect(status.indexer.head).toBeGreaterThan(0);
    expect(status.queues.map((q) => [q.name, q.depth, q.dlqDepth])).toEqual(
      Object.keys(QUEUES).map((k) => [k, 0, 0]),
    );
    expect(status.intents).toEqual({ total: 3, byState: { FAILED: 1, SIMULATED: 2 } });
    expect(Object.keys(status.lastErrors).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    expect(status.lastErrors.indexer).toMatchObject({ reason: 'RPC_DOWN', message: 'all down' });
    expect(status.lastErrors['telegram-webhook']).toBeNull();
  });

  it('without --json prints a readable summary', async () => {
    const { code, out } = await admin('status');
    expect(code).toBe(0);
    expect(out).toMatch(/mode\s+DRY \(ceiling DRY, switch DRY, emergency stop off\)/);
    expect(out).toMatch(/indexer\s+2026-12-01 10:00:00 RPC_DOWN: all down/);
  });
});

describe('npm run admin -- mode', () => {
  it('refuses LIVE without --yes and leaves the switch alone', async () => {
    const { code, body } = await answer('mode', 'LIVE');
    expect(code).toBe(1);
    expect(body).toMatchObject({ ok: false, code: 'CONFIRMATION_REQUIRED' });
    expect(await switchValue()).toBe('DRY');
  });

  it('sets LIVE with --yes, says the DRY ceiling still holds the system DRY, and goes back to DRY', async () => {
    const live = await answer('mode', 'live', '--yes');
    expect(live.code).toBe(0);
    expect(live.body.result).toEqual({ switch: 'LIVE', effective: 'DRY', heldDryBy: 'DEPLOY_CEILING_DRY' });
    expect(await switchValue()).toBe('LIVE');

    const dry = await answer('mode', 'DRY');
    expect(dry.body.result).toEqual({ switch: 'DRY', effective: 'DRY' });
    expect(await switchValue()).toBe('DRY');
  });
});

describe("the admin function, invoked as the bot's confirm button does", () => {
  const invoke = async (request: Record<string, unknown>) => {
    const out = await target.lambda.send(
      new InvokeCommand({ FunctionName: target.functionName, Payload: JSON.stringify(request) }),
    );
    return JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8')) as Record<
      string,
      unknown
    >;
  };
  const asked = () => Math.floor(Date.now() / 1000);

  it('refuses LIVE when the switch was written after the button was asked (DRY -> LIVE -> DRY)', async () => {
    // Prepare: asked at t, then the switch is written (a round trip ends on the same value).
    const at = asked() - 5;
    await ssm.send(
      new PutParameterCommand({ Name: parameter, Value: 'DRY', Type: 'String', Overwrite: true }),
    );
    // Act
    const body = await invoke({
      action: 'mode',
      by: 'telegram:1',
      mode: 'LIVE',
      confirm: true,
      unchangedSince: at,
    });
    // Assess
    expect(body).toMatchObject({ ok: false, code: 'SWITCH_CHANGED' });
    expect(await switchValue()).toBe('DRY');
  });

  it('goes LIVE when nobody wrote the switch since', async () => {
    await ssm.send(
      new PutParameterCommand({ Name: parameter, Value: 'DRY', Type: 'String', Overwrite: true }),
    );
    const body = await invoke({
      action: 'mode',
      by: 'telegram:1',
      mode: 'LIVE',
      confirm: true,
      unchangedSince: asked() + 1,
    });
    expect(body).toMatchObject({ ok: true });
    expect(await switchValue()).toBe('LIVE');
    await answer('mode', 'DRY');
  });
});

describe('npm run admin -- emergency', () => {
  it('stop sets the flag with who set it; start clears it', async () => {
    const stop = await answer('emergency', 'stop');
    expect(stop.body.result).toEqual({ emergencyStop: true, effective: 'DRY' });
    const flags = await doc.send(new GetCommand({ TableName: tables.state, Key: { pk: 'flags' } }));
    expect(flags.Item).toMatchObject({ emergencyStop: true, emergencyBy: 'cli:test' });

    const start = await answer('emergency', 'start');
    expect(start.body.result).toEqual({ emergencyStop: false, effective: 'DRY' });
  });
});

describe('npm run admin -- autocopy-off-all', () => {
  it('turns every AUTO follow into ALERTS and counts them', async () => {
    for (const [userId, mode] of [
      ['1', 'AUTO'],
      ['2', 'AUTO'],
      ['3', 'ALERTS'],
    ] as const) {
      await doc.send(new PutCommand({ TableName: tables.follows, Item: { userId, trader: '0xt', mode } }));
    }
    const { code, body } = await answer('autocopy-off-all');
    expect(code).toBe(0);
    expect(body.result).toEqual({ followsChanged: 2 });
    for (const userId of ['1', '2', '3']) {
      const f = await doc.send(new GetCommand({ TableName: tables.follows, Key: { userId, trader: '0xt' } }));
      expect(f.Item?.mode, userId).toBe('ALERTS');
    }
  });
});

describe('npm run admin -- backfill', () => {
  it('indexes a block range into fills and publishes no signal', async () => {
    const { code, body } = await answer('backfill', '--from', '0', '--to', '20');
    expect(code).toBe(0);
    expect(body.result).toMatchObject({ fromBlock: 0, toBlock: 20, lastBlock: 20, alerted: false });
    expect(await depth(queues.signals.url)).toBe(0);
  });

  it('refuses a range one invocation cannot finish, and a reversed range before calling', async () => {
    const big = await answer('backfill', '--from', '0', '--to', '9000000');
    expect(big.body).toMatchObject({ ok: false, code: 'RANGE_TOO_LARGE' });
    await expect(admin('backfill', '--from', '9', '--to', '1')).rejects.toBeInstanceOf(UsageError);
  });
});

describe('npm run admin -- redrive', () => {
  const send = (group: string, body: string) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.signals.deadLetterUrl,
        MessageBody: body,
        MessageGroupId: group,
        MessageDeduplicationId: body,
      }),
    );

  it('--dry-run shows what would move and leaves the DLQ as it was; then it moves, groups kept', async () => {
    await send('0xa', 'one');
    await send('0xa', 'two');
    await send('0xb', 'three');

    const dry = await answer('redrive', 'signals', '--dry-run');
    expect(dry.body.result).toEqual({
      queue: 'signals',
      dryRun: true,
      messages: 3,
      moved: 0,
      groups: ['0xa', '0xb'],
    });
    expect(await depth(queues.signals.deadLetterUrl)).toBe(3);

    const real = await answer('redrive', 'signals');
    expect(real.body.result).toMatchObject({ messages: 3, moved: 3 });
    expect(await depth(queues.signals.deadLetterUrl)).toBe(0);
    const moved: [string, string][] = [];
    for (let i = 0; i < 6 && moved.length < 3; i++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.signals.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      );
      for (const m of out.Messages ?? []) {
        moved.push([m.Attributes?.MessageGroupId ?? '', m.Body ?? '']);
        // FIFO: the next message of a group comes only once this one is gone.
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queues.signals.url, ReceiptHandle: m.ReceiptHandle }),
        );
      }
    }
    expect(moved.sort()).toEqual([
      ['0xa', 'one'],
      ['0xa', 'two'],
      ['0xb', 'three'],
    ]);
  });

  it('names the queues when asked for one that does not exist', async () => {
    const { code, body } = await answer('redrive', 'nope');
    expect(code).toBe(1);
    expect(body).toMatchObject({ ok: false, code: 'UNKNOWN_QUEUE' });
    expect(String(body.message)).toContain('signals');
  });
});

describe('npm run admin -- reconcile', () => {
  it('says there is no reconciler on a stack that has none, and runs nothing', async () => {
    const { code, body } = await answer('reconcile');
    expect(code).toBe(1);
    expect(body).toMatchObject({ ok: false, code: 'RECONCILER_NOT_DEPLOYED' });
  });
});

describe('npm run admin -- webhook', () => {
  it('set points Telegram at the webhook URL with the secret token; check then reports it healthy', async () => {
    const set = await answer('webhook', 'set');
    expect(set.code).toBe(0);
    expect(set.body.result).toMatchObject({ url: info.webhook.url, healthy: true });
    const calls = (await (await fetch(`${info.telegram.callsUrl}?method=setWebhook`)).json()) as {
      calls: { method: string; params: Record<string, unknown> }[];
    };
    expect(calls.calls.at(-1)?.params).toMatchObject({
      url: info.webhook.url,
      secret_token: info.webhook.secret,
    });

    const check = await answer('webhook', 'check');
    expect(check.body.result).toMatchObject({
      url: info.webhook.url,
      expectedUrl: info.webhook.url,
      healthy: true,
    });
  });
});

describe('requests the function refuses', () => {
  it('answers a malformed request with BAD_REQUEST instead of failing', async () => {
    const out = await runner.invoke('admin', { action: 'mode', by: 'x', mode: 'MAYBE' });
    expect(out).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
  });
});

describe('`npm run admin` as a process, on the running stack', () => {
  it('finds the stack from its stack file and prints the status object of its admin function', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alfa-admin-'));
    const stackFile = path.join(dir, 'stack.json');
    writeFileSync(stackFile, JSON.stringify(info));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'local/cli/admin.ts', 'status', '--json'], {
      cwd: ROOT,
      env: { ...process.env, ALFA_STACK_FILE: stackFile },
      encoding: 'utf8',
      timeout: 60_000,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status, run.stderr).toBe(0);
    const status = statusSchema.parse(JSON.parse(run.stdout));
    expect(status.stage).toBe(info.stage);
    expect(run.stderr).toContain(`admin on local stack (${info.endpoints.lambda})`);
  });

  it('says how to start a stack when none runs', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'local/cli/admin.ts', 'status'], {
      cwd: ROOT,
      env: { ...process.env, ALFA_STACK_FILE: path.join(tmpdir(), 'no-such-stack.json') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/No local stack is running .*npm start.*--remote --stage/);
  });
});
