// The SQS stand-in restarted the way the sqs drill restarts it (closed, then served again on the
// same port with the closed server's store) keeps what real SQS keeps: queues, visible messages in
// FIFO order, a message in flight (its receipt handle still deletes it, its group stays locked until
// then) and the deduplication record. A FIFO receive hands as many messages of one group as it can,
// as SQS does. Real HTTP through the AWS SDK against fauxqs on loopback.
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../local/processes.js';
import { startSqs, storedMessages, type LocalSqs } from '../../../../local/standins/sqs.js';

const region = 'us-east-1';
let running: LocalSqs | undefined;
let client: SQSClient | undefined;

afterEach(async () => {
  client?.destroy();
  await running?.close();
  running = undefined;
});

const send = (sqs: SQSClient, url: string, body: string, group: string, dedup = body) =>
  sqs.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: body,
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
    }),
  );
const receive = async (sqs: SQSClient, url: string, max = 10) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: max,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    )
  ).Messages ?? [];

async function fifoQueue(port: number): Promise<{ sqs: SQSClient; url: string }> {
  running = await startSqs({ port, region });
  client = new SQSClient({
    region,
    endpoint: running.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  const url =
    (
      await client.send(
        new CreateQueueCommand({ QueueName: 'drill.fifo', Attributes: { FifoQueue: 'true' } }),
      )
    ).QueueUrl ?? '';
  return { sqs: client, url };
}

describe('SQS stand-in FIFO receive', () => {
  it('hands as many messages of one group as it can, in order, then other groups, each group locked while in flight', async () => {
    // Prepare: group a with 12 messages, then group b with 2, then group c with 1.
    const { sqs, url } = await fifoQueue(await freePort());
    for (let i = 1; i <= 12; i++) await send(sqs, url, `a${i}`, 'a');
    for (const body of ['b1', 'b2']) await send(sqs, url, body, 'b');
    await send(sqs, url, 'c1', 'c');

    // Act
    const first = await receive(sqs, url);
    const second = await receive(sqs, url);
    const whileAllInFlight = await receive(sqs, url);
    for (const m of [...first, ...second])
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    const rest = await receive(sqs, url);

    // Assess
    expect(first.map((m) => m.Body)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10']);
    expect(second.map((m) => m.Body)).toEqual(['b1', 'b2', 'c1']);
    expect(whileAllInFlight).toEqual([]);
    expect(rest.map((m) => m.Body)).toEqual(['a11', 'a12']);
  });
});

describe('SQS stand-in restart', () => {
  it('serves every queue and message again, in flight and deduplication included', async () => {
    // Prepare: a FIFO queue, group a with three messages (the first received: in flight), group b with one.
    const port = await freePort();
    const { url } = await fifoQueue(port);
    if (!client || !running) throw new Error('no stand-in');
    for (const body of ['a1', 'a2', 'a3']) await send(client, url, body, 'a');
    const first = await send(client, url, 'b1', 'b');
    const inFlight = await receive(client, url, 1);
    expect(inFlight.map((m) => m.Body)).toEqual(['a1']);
    const a1 = inFlight[0];

    // Act: closed (the endpoint refuses), then served again from the same store on the same port.
    const store = running.store;
    await running.close();
    running = undefined;
    const refused = await send(client, url, 'lost?', 'c').then(
      () => 'answered',
      () => 'refused',
    );
    const held = storedMessages(store);
    running = await startSqs({ port, region, store });
    const carried = storedMessages(running.store);
    const again = await send(client, url, 'b1', 'b');
    const whileA1InFlight = await receive(client, url);
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a1?.ReceiptHandle }));
    const afterDelete = await receive(client, url);

    // Assess
    expect(refused).toBe('refused');
    expect(held).toBe(4);
    expect(carried).toBe(4);
    expect(storedMessages(running.store)).toBe(3);
    // Sent again within the 5-minute window: the same message, not a second one.
    expect(again.MessageId).toBe(first.MessageId);
    // Group a is still locked by a1 in flight; group b's message is free.
    expect(whileA1InFlight.map((m) => m.Body)).toEqual(['b1']);
    expect(afterDelete.map((m) => m.Body)).toEqual(['a2', 'a3']);
  });
});
