// The document client's cached middleware chains (adapters/dynamo/client.ts) on DynamoDB Local:
// commands of one class sent at once each get their own marshalled input and unmarshalled output,
// a failed condition still throws the SDK's error, and sends with options take the SDK's own path.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { cachedSends } from '#core/adapters/dynamo/client.js';
import { DynamoIntentStore } from '#core/adapters/dynamo/intent-store.js';
import type { CopyIntent } from '#core/ports/copy.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

function intent(userId: string, n: number): CopyIntent {
  return {
    intentId: `sig-${n}:${userId}`,
    signalId: `sig-${n}`,
    userId,
    chatId: userId,
    trader: '0x00000000000000000000000000000000000000f3',
    slot: { pairIndex: n, tradeIndex: 0 },
    kind: 'OPEN',
    wallet: '0x00000000000000000000000000000000000000ab',
    state: 'CREATED',
    reason: 'COPY_OK',
    mode: 'LIVE',
    order: { kind: 'OPEN', pairIndex: n, buy: true, leverage: String(n + 2), collateralUsdc: `${n}000000` },
    // Recent: the shared stack's reconciler expires a CREATED intent unsigned for more than 10 s,
    // and once did so between this test's claim and its read.
    createdAt: new Date(Date.now() + n).toISOString(),
  };
}

describe('Function: cachedSends', () => {
  let doc: DynamoDBDocumentClient;
  let table: string;
  beforeAll(() => {
    doc = cachedSends(
      DynamoDBDocumentClient.from(clients().dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    );
    table = stackInfo().tables.intents;
  });

  it('gives each of many concurrent commands of one class its own item', async () => {
    // Prepare
    const me = String(uniqueId());
    const store = new DynamoIntentStore(doc, table);
    const all = Array.from({ length: 12 }, (_, n) => intent(me, n));
    // Act
    const claimed = await Promise.all(all.map((i) => store.claim(i)));
    const read = await Promise.all(all.map((i) => store.get(i.intentId)));
    // Assess
    expect(claimed).toEqual(all.map(() => true));
    expect(read).toEqual(all);
  });

  it('returns the written item of each concurrent update and its own query page', async () => {
    // Prepare
    const me = String(uniqueId());
    const store = new DynamoIntentStore(doc, table);
    const all = Array.from({ length: 6 }, (_, n) => intent(me, n));
    await Promise.all(all.map((i) => store.claim(i)));
    // Act
    const updated = await Promise.all(
      all.map((i, n) =>
        doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { intentId: i.intentId },
            UpdateExpression: 'SET reason = :r',
            ExpressionAttributeValues: { ':r': `R${n}` },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      ),
    );
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byUser',
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': me },
      }),
    );
    // Assess
    expect(updated.map((u) => u.Attributes?.reason)).toEqual(all.map((_i, n) => `R${n}`));
    expect(updated.map((u) => u.Attributes?.intentId)).toEqual(all.map((i) => i.intentId));
    expect((page.Items ?? []).map((i) => i.intentId as string).sort()).toEqual(
      all.map((i) => i.intentId).sort(),
    );
  });

  it('throws the SDK error when a condition fails, and still answers the next command', async () => {
    // Prepare
    const me = String(uniqueId());
    const item = intent(me, 1);
    const put = () =>
      doc.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(intentId)',
        }),
      );
    await put();
    // Act
    const second = await put().catch((err: unknown) => err);
    const got = await doc.send(new GetCommand({ TableName: table, Key: { intentId: item.intentId } }));
    // Assess
    expect((second as Error).name).toBe('ConditionalCheckFailedException');
    expect(got.Item).toEqual(item);
  });

  it('takes the SDK path for a send with options', async () => {
    // Prepare
    const me = String(uniqueId());
    const item = intent(me, 2);
    // The put goes the cached way, with the client's marshall options: the undefined attribute is left out.
    await doc.send(new PutCommand({ TableName: table, Item: { ...item, extra: undefined } }));
    // Act
    const got = await doc.send(new GetCommand({ TableName: table, Key: { intentId: item.intentId } }), {
      abortSignal: new AbortController().signal,
    });
    // Assess
    expect(got.Item).toEqual(item);
  });
});
