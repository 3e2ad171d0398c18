// The local runner drives handlers the way Lambda's triggers do: SQS batches honour
// batchItemFailures (failed messages come back, the rest are deleted), schedules send scheduled events.
import { CreateQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionDef } from '#core/resources.js';
import { startRunner, type LambdaHandler, type Runner } from '../../local/runner.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

const { sqs } = clients(stackInfo());
const base = {
  memoryMb: 128,
  timeoutSeconds: 5,
  tables: {},
  queuesSend: [],
  queuesMonitor: [],
  executionMode: 'none',
  secretFields: [],
} as const;

let runner: Runner | undefined;
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
});

async function fifoQueue(): Promise<string> {
  const out = await sqs.send(
    new CreateQueueCommand({
      QueueName: `runner-test-${uniqueId()}.fifo`,
      Attributes: { FifoQueue: 'true', VisibilityTimeout: '1' },
    }),
  );
  return out.QueueUrl as string;
}

async function run(
  functions: Record<string, FunctionDef>,
  handlers: Record<string, LambdaHandler>,
  queueUrl = '',
) {
  runner = await startRunner({
    root: '.',
    functions,
    sqs,
    queueUrls: { signals: queueUrl, alerts: queueUrl, notices: queueUrl, copies: queueUrl },
    urlPort: () => 0,
    log: () => undefined,
    load: async (entry) => handlers[entry] as LambdaHandler,
  });
  return runner;
}

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('Function: startRunner', () => {
  it('loads one handler instance per poller for a function whose state is per container', async () => {
    // Prepare: a paced function with 3 containers and a plain one with 3, both on one queue.
    const queueUrl = await fifoQueue();
    const loads: { entry: string; container: number | undefined }[] = [];
    const handler: LambdaHandler = async () => ({ batchItemFailures: [] });
    const trigger = { kind: 'queue', queue: 'alerts', batchSize: 10, maxConcurrency: 3 } as const;
    // Act
    runner = await startRunner({
      root: '.',
      functions: {
        paced: { ...base, entry: 'paced.ts', trigger, perContainerState: true },
        shared: { ...base, entry: 'shared.ts', trigger },
      },
      sqs,
      queueUrls: { signals: queueUrl, alerts: queueUrl, notices: queueUrl, copies: queueUrl },
      urlPort: () => 0,
      log: () => undefined,
      load: async (entry, container) => {
        loads.push({ entry, container });
        return handler;
      },
    });
    // Assess: containers 1 and 2 of the paced function are instances of their own.
    expect(loads).toEqual([
      { entry: 'paced.ts', container: undefined },
      { entry: 'paced.ts', container: 1 },
      { entry: 'paced.ts', container: 2 },
      { entry: 'shared.ts', container: undefined },
    ]);
  });

  it('redelivers only the messages a handler reports in batchItemFailures', async () => {
    const queueUrl = await fifoQueue();
    const seen: { body: string; receiveCount: string | undefined; group: string | undefined }[] = [];
    const handler: LambdaHandler = async (event) => {
      const records = (event as SQSEvent).Records;
      for (const r of records) {
        seen.push({
          body: r.body,
          receiveCount: r.attributes.ApproximateReceiveCount,
          group: r.attributes.MessageGroupId,
        });
      }
      // "bad" fails on its first delivery only.
      const failures = records.filter(
        (r) => r.body === 'bad' && r.attributes.ApproximateReceiveCount === '1',
      );
      return {
        batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })),
      } satisfies SQSBatchResponse;
    };
    await run(
      {
        consumer: { ...base, entry: 'consumer', trigger: { kind: 'queue', queue: 'signals', batchSize: 10 } },
      },
      { consumer: handler },
      queueUrl,
    );

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: ['good-1', 'bad', 'good-2'].map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageGroupId: `g${i}`,
          MessageDeduplicationId: `${body}-${uniqueId()}`,
        })),
      }),
    );

    await until(() => seen.filter((s) => s.body === 'bad').length === 2);
    await new Promise((r) => setTimeout(r, 1500)); // past another visibility timeout: nothing else returns
    expect(seen.filter((s) => s.body.startsWith('good')).map((s) => s.receiveCount)).toEqual(['1', '1']);
    expect(seen.filter((s) => s.body === 'bad').map((s) => s.receiveCount)).toEqual(['1', '2']);
    expect(seen.find((s) => s.body === 'bad')?.group).toBe('g1');
  });

  it('sends a scheduled event at start and on every tick, never two at once', async () => {
    const events: ScheduledEvent[] = [];
    let running = 0;
    let overlapped = false;
    const handler: LambdaHandler = async (event) => {
      running += 1;
      overlapped ||= running > 1;
      events.push(event as ScheduledEvent);
      await new Promise((r) => setTimeout(r, 50));
      running -= 1;
      return undefined;
    };
    const r = await run(
      { ticker: { ...base, entry: 'ticker', trigger: { kind: 'schedule', everyMinutes: 1 } } },
      { ticker: handler },
    );

    await Promise.all([r.tick('ticker'), r.tick('ticker')]);
    await r.tick('ticker');

    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(overlapped).toBe(false);
    expect(events[0]).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
  });

  it('serves a url function over HTTP and maps a thrown error to 502, as a Function URL does', async () => {
    const handler: LambdaHandler = async (event) => {
      if ((event as { rawPath: string }).rawPath === '/boom') throw new Error('boom');
      return { statusCode: 201, headers: { 'x-alfa': 'yes' }, body: 'made' };
    };
    const r = await run({ web: { ...base, entry: 'web', trigger: { kind: 'url' } } }, { web: handler });
    const url = r.urls.web as string;

    const ok = await fetch(url, { method: 'POST', body: 'x' });
    const boom = await fetch(`${url}boom`);

    expect([ok.status, ok.headers.get('x-alfa'), await ok.text()]).toEqual([201, 'yes', 'made']);
    expect(boom.status).toBe(502);
  });
});
