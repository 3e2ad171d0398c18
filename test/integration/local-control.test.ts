// The local stack's control endpoint (what the dynamodb, sqs, load and soak drills drive from another
// process): DynamoDB Local on disk killed and started again keeps its items, the SQS stand-in
// restarted serves the same queue URLs again, the pids are the live processes, bad bodies are 400.
// Its own small stack: no functions and no simulator, so it starts in seconds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartService, stackProcesses } from '../../local/drills/harness.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

let stack: LocalStack;
let dir: string;
const cred = { accessKeyId: 'x', secretAccessKey: 'x' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alfa-control-'));
  stack = await startLocalStack({ functions: {}, control: true, dynamodbDataDir: dir });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('local stack control endpoint', () => {
  it('kills DynamoDB Local and starts it again with its items, down for at least the time asked', async () => {
    // Prepare
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: stack.info.region,
        endpoint: stack.info.endpoints.dynamodb,
        credentials: cred,
      }),
    );
    await doc.send(new PutCommand({ TableName: stack.info.tables.users, Item: { userId: 'kept', n: 7 } }));
    const before = await stackProcesses(stack.info);

    // Act
    const report = await restartService(stack.info, 'dynamodb', 2);
    const after = await stackProcesses(stack.info);
    const item = await doc.send(
      new GetCommand({ TableName: stack.info.tables.users, Key: { userId: 'kept' } }),
    );
    doc.destroy();

    // Assess
    expect(report).toMatchObject({ service: 'dynamodb', dataKept: true, messagesKept: true });
    expect(report.downMs).toBeGreaterThanOrEqual(2_000);
    expect(after.dynamodb).toBeDefined();
    expect(after.dynamodb).not.toBe(before.dynamodb);
    expect(() => process.kill(after.dynamodb ?? 0, 0)).not.toThrow();
    expect(item.Item).toEqual({ userId: 'kept', n: 7 });
  }, 40_000);

  it('restarts the SQS stand-in on the same port with the same queue URLs and its messages', async () => {
    // Prepare
    const sqs = new SQSClient({
      region: stack.info.region,
      endpoint: stack.info.endpoints.sqs,
      credentials: cred,
    });
    const url = stack.info.queues.alerts.url;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"kept":true}',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'kept',
      }),
    );

    // Act
    const report = await restartService(stack.info, 'sqs', 1);
    const back = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    sqs.destroy();

    // Assess
    expect(report).toMatchObject({ service: 'sqs', dataKept: true, messagesKept: true, messagesHeld: 1 });
    expect(report.downMs).toBeGreaterThanOrEqual(1_000);
    expect(back.Messages?.map((m) => m.Body)).toEqual(['{"kept":true}']);
  }, 20_000);

  it('names the live processes and refuses bad requests', async () => {
    // Prepare
    const url = stack.info.control?.url ?? '';

    // Act
    const procs = await stackProcesses(stack.info);
    const bad = await fetch(`${url}/_alfa/restart`, {
      method: 'POST',
      body: JSON.stringify({ service: 'kms', downSeconds: 1 }),
    });
    const noSimulator = await fetch(`${url}/_alfa/simulator`, {
      method: 'POST',
      body: JSON.stringify({ traders: 10 }),
    });
    const unknown = await fetch(`${url}/nope`);

    // Assess
    expect(procs.node).toBe(process.pid);
    expect(() => process.kill(procs.anvil ?? 0, 0)).not.toThrow();
    expect(bad.status).toBe(400);
    expect(noSimulator.status).toBe(409);
    expect(unknown.status).toBe(404);
    expect(stack.info.control?.dynamodbOnDisk).toBe(true);
  });
});
