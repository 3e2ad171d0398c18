// batchWriteItems (adapters/dynamo/batch.ts) on DynamoDB Local: items in wire form are stored as the
// document client stores them, and items DynamoDB hands back unprocessed are written by the retry.
// DynamoDB Local never hands items back, so a middleware on the test's client withholds the last
// items of each chunk's first request from it and answers them as UnprocessedItems, which is what
// DynamoDB does when it accepts only part of a batch.
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchWriteItems, type WireWriteRequest } from '#core/adapters/dynamo/batch.js';
import { createTables } from '../../local/provision.js';
import { stackInfo, uniqueId } from '../support/stack-clients.js';

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
let table: string;

function client(): DynamoDBClient {
  const info = stackInfo();
  return new DynamoDBClient({ region: info.region, endpoint: info.endpoints.dynamodb, credentials });
}

beforeAll(async () => {
  const db = client();
  table = (await createTables(db, `b${uniqueId()}`)).fills;
  db.destroy();
});

const trader = () => `0x${uniqueId().toString(16).padStart(40, '0')}`;
const fillKey = (i: number) => `${String(i).padStart(12, '0')}#000000`;

function wirePuts(who: string, n: number): WireWriteRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    PutRequest: {
      Item: {
        trader: { S: who },
        fillKey: { S: fillKey(i) },
        isFill: { BOOL: i % 3 === 0 },
        block: { N: String(30_000_000 + i) },
        event: { S: `{"kind":"MarketExecuted","price":"${i}000n","note":"\\"q\\" é ✓"}` },
      },
    },
  }));
}

/**
 * Withholds the last `withhold` items of the first request of every chunk (told apart by its first
 * key) from DynamoDB Local and answers them as unprocessed, as they were sent.
 */
function withholdingClient(withhold: number) {
  const db = client();
  const seen = new Set<string>();
  let requests = 0;
  let withheld = 0;
  db.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string>; body: unknown };
      if (!request.headers['x-amz-target']?.endsWith('.BatchWriteItem')) return next(args);
      requests += 1;
      const body = JSON.parse(String(request.body)) as { RequestItems: Record<string, WireWriteRequest[]> };
      const [name, items] = Object.entries(body.RequestItems)[0] as [string, WireWriteRequest[]];
      const first = JSON.stringify(items[0]);
      if (seen.has(first) || items.length <= withhold) return next(args);
      seen.add(first);
      const back = items.slice(-withhold);
      withheld += back.length;
      request.body = JSON.stringify({ RequestItems: { [name]: items.slice(0, -withhold) } });
      request.headers['content-length'] = String(Buffer.byteLength(request.body as string));
      const result = await next(args);
      (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = { [name]: back };
      return result;
    },
    // After the body is written and its length measured, before the request is signed.
    { step: 'build', priority: 'low', name: 'testWithholdItems' },
  );
  return { db, counts: () => ({ requests, withheld }) };
}

async function keysOf(db: DynamoDBClient, who: string): Promise<string[]> {
  const keys: string[] = [];
  let start: Record<string, never> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'trader = :t',
        ExpressionAttributeValues: { ':t': { S: who } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) keys.push(item.fillKey?.S ?? '');
    start = out.LastEvaluatedKey as typeof start;
  } while (start);
  return keys;
}

describe('Function: batchWriteItems', () => {
  it('stores the same item the document client stores from the plain object', async () => {
    // Prepare: one item in wire form and the plain object lib-dynamodb would marshal to it.
    const db = client();
    const doc = DynamoDBDocumentClient.from(db);
    const who = trader();
    const [wire] = wirePuts(who, 1) as [{ PutRequest: { Item: Record<string, { S?: string }> } }];
    const plain = {
      trader: who,
      fillKey: fillKey(1),
      isFill: true,
      block: 30_000_000,
      event: wire.PutRequest.Item.event?.S,
    };
    // Act: the wire item under key 0, the plain one under key 1.
    await batchWriteItems(doc, table, [wire as WireWriteRequest]);
    await doc.send(new BatchWriteCommand({ RequestItems: { [table]: [{ PutRequest: { Item: plain } }] } }));
    // Assess: key aside, the two stored items are the same.
    const get = async (key: string) =>
      (
        await db.send(
          new GetItemCommand({ TableName: table, Key: { trader: { S: who }, fillKey: { S: key } } }),
        )
      ).Item;
    const { fillKey: _k0, ...fromWire } = (await get(fillKey(0))) ?? {};
    const { fillKey: _k1, ...fromPlain } = (await get(fillKey(1))) ?? {};
    expect(fromWire).toEqual(fromPlain);
    expect(fromWire.event).toEqual({ S: plain.event });
    db.destroy();
  });

  it('writes every item when DynamoDB hands the last items of each batch back unprocessed', async () => {
    // Prepare: 1,000 items = 40 chunks, 7 of each chunk's 25 withheld on its first request.
    const { db, counts } = withholdingClient(7);
    const who = trader();
    const requests = wirePuts(who, 1_000);
    // Act
    await batchWriteItems(DynamoDBDocumentClient.from(db), table, requests);
    // Assess: one retry per chunk carried the 280 withheld items, and every item is stored once.
    expect(counts()).toEqual({ requests: 80, withheld: 280 });
    const keys = await keysOf(db, who);
    expect(keys).toEqual(Array.from({ length: 1_000 }, (_, i) => fillKey(i)));
    db.destroy();
  });
});
