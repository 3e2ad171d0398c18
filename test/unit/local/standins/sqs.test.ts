// The SQS stand-in restarted the way the sqs drill restarts it (closed, then served again on the
// same port with the closed server's store) keeps what real SQS keeps: queues, visible messages in
// FIFO order, a message in flight (its receipt handle still deletes it, its group stays locked until
// then) and the deduplication record. Real HTTP through the AWS SDK against fauxqs on loopback.
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
const receive = async (sqs: SQSClient, url: string) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    )
  ).Messages ?? [];

describe('SQS stand-in restart', () => {
  it('serves every queue and message again, in flight and deduplication included', async () => {
    // Prepare: a FIFO queue, group a with three messages (the first received: in flight), group b with one.
    const port = await freePort();
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
    for (const body of ['a1', 'a2', 'a3']) await send(client, url, body, 'a');
    const first = await send(client, url, 'b1', 'b');
    const inFlight = await receive(client, url);
    expect(inFlight.map((m) => m.Body).sort()).toEqual(['a1', 'b1']);
    const a1 = inFlight.find((m) => m.Body === 'a1');

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
    // Group a is still locked by a1 in flight, group b's only message is in flight too.
    expect(whileA1InFlight).toEqual([]);
    expect(afterDelete.map((m) => m.Body)).toEqual(['a2']);
  });
});
