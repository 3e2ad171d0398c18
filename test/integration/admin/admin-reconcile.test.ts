// `npm run admin -- reconcile` invokes the reconciler once (lambda:InvokeFunction, through the local
// Invoke API) and answers what it did. The reconciler here is a recording stand-in on a stage of its
// own, so the shared stack's intents are not touched.
import { randomBytes } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, physicalName } from '#core/resources.js';
import { runAdminCommand } from '../../../local/cli/admin.js';
import { freePort } from '../../../local/processes.js';
import { startRunner, type LambdaHandler, type Runner } from '../../../local/runner.js';
import { ROOT } from '../../../local/stack.js';
import { clients, stackInfo } from '../../support/stack-clients.js';

const info = stackInfo();
const stage = `rec-${randomBytes(3).toString('hex')}`;
const received: unknown[] = [];
let runner: Runner;
let port: number;

beforeAll(async () => {
  port = await freePort();
  Object.assign(process.env, info.env, {
    STAGE: stage,
    AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}`,
    RECONCILER_FUNCTION_NAME: physicalName.function(stage, 'reconciler'),
  });
  const reconciler: LambdaHandler = async (event) => {
    received.push(event);
    return { rounds: 1, settled: 2, open: 0, stuck: 0 };
  };
  runner = await startRunner({
    root: ROOT,
    functions: {
      admin: FUNCTIONS.admin,
      reconciler: { ...FUNCTIONS.reconciler, entry: 'stand-in', trigger: { kind: 'invoke' } },
    },
    sqs: clients(info).sqs,
    queueUrls: {} as never,
    urlPort: () => 0,
    invokePort: port,
    physicalName: (name) => physicalName.function(stage, name),
    log: () => undefined,
    load: async (entry) =>
      entry === 'stand-in'
        ? reconciler
        : ((await import(`${ROOT}/${entry}`)) as { handler: LambdaHandler }).handler,
  });
});
afterAll(async () => {
  await runner?.stop();
});

describe('npm run admin -- reconcile', () => {
  it('runs the reconciler once, as the operator, and prints what it settled', async () => {
    const out: string[] = [];
    const code = await runAdminCommand(
      ['reconcile', '--json'],
      {
        lambda: new LambdaClient({
          region: info.region,
          endpoint: `http://127.0.0.1:${port}`,
          credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        }),
        functionName: physicalName.function(stage, 'admin'),
        where: 'test',
      },
      { out: (t) => out.push(t), err: () => undefined },
      'cli:test',
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({
      ok: true,
      action: 'reconcile',
      result: { rounds: 1, settled: 2, open: 0, stuck: 0 },
    });
    expect(received).toEqual([{ once: true, source: 'alfa.admin', by: 'cli:test' }]);
  });
});
