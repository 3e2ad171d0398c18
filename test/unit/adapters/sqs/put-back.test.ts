// Putting FIFO records back sooner than the visibility timeout, against a real local SQS
// (fauxqs): a failed record comes back after the seconds it asked for and a skipped one with its
// group's delay, instead of after the queue's timeout; a record done with is left alone. Which
// delay each skipped record gets (its group's) is the pure skippedPutBacks.
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putBackBatch, skippedPutBacks } from '#core/adapters/sqs/put-back.js';
import { parseSqsRecord, sqsBodies } from '#core/adapters/sqs/record-parser.js';
import { alertJobBody } from '#core/copy/jobs.js';
import { sqsEvent } from '../../../../local/lambda-events.js';
import { freePort } from '../../../../local/processes.js';
import { startSqs, type LocalSqs } from '../../../../local/standins/sqs.js';

const REGION = 'us-east-1';
let sqs: LocalSqs;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startSqs({ port: await freePort(), region: REGION });
  client = new SQSClient({
    region: REGION,
    endpoint: sqs.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  client.destroy();
  await sqs.close();
});

let queues = 0;
/** A fresh FIFO queue with a visibility timeout far longer than the test, filled in order. */
async function queueWith(messages: readonly { group: string; body: string }[]): Promise<string> {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: `put-back-${++queues}.fifo`,
      Attributes: { FifoQueue: 'true', VisibilityTimeout: '60' },
    }),
  );
  const url = QueueUrl as string;
  for (const [i, m] of messages.entries())
    await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: m.body,
        MessageGroupId: m.group,
        MessageDeduplicationId: `d-${i}`,
      }),
    );
  return url;
}

async function receive(url: string): Promise<SQSRecord[]> {
  const out = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return sqsEvent('arn:aws:sqs:us-east-1:000000000000:q', out.Messages ?? []).Records;
}

const failures = (...records: SQSRecord[]) => ({
  batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })),
});
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const bodies = (records: readonly SQSRecord[]) => records.map((r) => r.body);

describe('Function: putBackBatch', () => {
  it('brings a put-back record and a skipped one back within seconds, a done one not', async () => {
    // Prepare: one record per chat (fauxqs, like SQS, hands out no second record of a group while
    // one is in flight). A's fails and goes back for 1 s, B's was skipped unprocessed, C's is done.
    const url = await queueWith([
      { group: 'A', body: 'a1' },
      { group: 'B', body: 'b1' },
      { group: 'C', body: 'c1' },
    ]);
    const records = await receive(url);
    const [a1, b1] = ['a1', 'b1'].map((b) => records.find((r) => r.body === b) as SQSRecord) as [
      SQSRecord,
      SQSRecord,
    ];
    const batch = putBackBatch(client, url);

    // Act
    await batch.queued(a1).putBack(1);
    await batch.putBackSkipped(records, failures(a1, b1));
    const atOnce = await receive(url);
    await new Promise((r) => setTimeout(r, 1_300));
    const after = await receive(url);

    // Assess: without the put-backs both would be hidden for the queue's 60 s.
    expect(bodies(records).sort()).toEqual(['a1', 'b1', 'c1']);
    expect(atOnce).toEqual([]);
    expect(bodies(after).sort()).toEqual(['a1', 'b1']);
    expect(after.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
  });

  it('reads a parsed record as the use cases take it: job, group, receive count, its way back', async () => {
    // Prepare: the record as the queue delivers it, through Powertools' parser (its SQS record
    // schema included) as the consumers run it.
    const job = { id: 'x', userId: '42', chatId: '42', html: 'hi' };
    const url = await queueWith([{ group: '42', body: JSON.stringify(job) }]);
    const [record] = await receive(url);
    const parsed = await parseSqsRecord(record as SQSRecord, sqsBodies(alertJobBody, silent));

    // Act
    const queued = putBackBatch(client, url).queued(parsed);
    await queued.putBack(1);
    await new Promise((r) => setTimeout(r, 1_300));
    const again = await receive(url);

    // Assess
    expect(queued).toMatchObject({ job, groupId: '42', receiveCount: 1 });
    expect(queued.messageId).toBe(record?.messageId);
    expect(bodies(again)).toEqual([JSON.stringify(job)]);
  });

  it('a put-back the queue refuses fails its caller, and the end of the batch leaves that record alone', async () => {
    // Prepare: a receipt handle the queue does not know.
    const url = await queueWith([{ group: 'A', body: 'a1' }]);
    const [real] = await receive(url);
    const stale = { ...(real as SQSRecord), receiptHandle: 'not-a-receipt' };
    const batch = putBackBatch(client, url);

    // Act
    const refused = batch.putBack(stale, 1);

    // Assess
    await expect(refused).rejects.toThrow();
    await expect(batch.putBackSkipped([stale], failures(stale))).resolves.toBeUndefined();
  });
});

describe('Function: skippedPutBacks', () => {
  const record = (messageId: string, group: string): SQSRecord =>
    ({ messageId, attributes: { MessageGroupId: group } }) as unknown as SQSRecord;

  it('puts back only failed records nothing put back yet, each with its group’s delay or 1 s', () => {
    // Prepare
    const [a1, a2, b1, c1, c2] = [
      record('a1', 'A'),
      record('a2', 'A'),
      record('b1', 'B'),
      record('c1', 'C'),
      record('c2', 'C'),
    ] as SQSRecord[];
    const all = [a1, a2, b1, c1, c2] as SQSRecord[];

    // Act: a1 went back for Telegram's 7 s; c's records failed without a put-back; b1 succeeded.
    const out = skippedPutBacks(
      all,
      failures(a1 as SQSRecord, a2 as SQSRecord, c1 as SQSRecord, c2 as SQSRecord),
      new Set(['a1']),
      new Map([['A', 7]]),
    );

    // Assess
    expect(out.map((o) => [o.record.messageId, o.seconds])).toEqual([
      ['a2', 7],
      ['c1', 1],
      ['c2', 1],
    ]);
  });
});
