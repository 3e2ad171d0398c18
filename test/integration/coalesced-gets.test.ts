// GetItems sent together through coalescedGets on DynamoDB Local: one BatchGetItem across tables
// answers each caller with exactly the item its GetItem would have, none where there is none; a get
// with more than a key and ConsistentRead, and every other command, goes to DynamoDB as it is.
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { coalescedGets } from '#core/adapters/dynamo/coalesced-gets.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';

describe('Function: coalescedGets', () => {
  let doc: DynamoDBDocumentClient;
  let sent: string[];
  let tables: { users: string; follows: string };
  beforeAll(() => {
    const base = clients().doc;
    sent = [];
    // Counts what reaches DynamoDB: the wrapper's batches and whatever it passes through.
    const counting = Object.create(base) as DynamoDBDocumentClient;
    const send = base.send.bind(base) as (c: unknown) => Promise<unknown>;
    counting.send = ((c: unknown) => {
      sent.push((c as object).constructor.name);
      return send(c);
    }) as DynamoDBDocumentClient['send'];
    doc = coalescedGets(counting);
    const info = stackInfo();
    tables = { users: info.tables.users, follows: info.tables.follows };
  });

  it('answers gets sent together, over two tables and with a key asked twice, from one BatchGetItem', async () => {
    // Prepare
    const ids = Array.from({ length: 5 }, () => String(uniqueId()));
    const trader = '0x00000000000000000000000000000000000000c1';
    for (const id of ids.slice(0, 4))
      await doc.send(
        new PutCommand({ TableName: tables.users, Item: { userId: id, chatId: id, n: Number(id) } }),
      );
    await doc.send(
      new PutCommand({ TableName: tables.follows, Item: { trader, userId: ids[0], mode: 'AUTO' } }),
    );
    sent.length = 0;
    // Act: 5 users (the last has no item), one of them twice, and a follow keyed the other way round.
    const got = await Promise.all([
      ...ids.map((id) => doc.send(new GetCommand({ TableName: tables.users, Key: { userId: id } }))),
      doc.send(new GetCommand({ TableName: tables.users, Key: { userId: ids[2] }, ConsistentRead: true })),
      doc.send(new GetCommand({ TableName: tables.follows, Key: { trader, userId: ids[0] } })),
    ]);
    // Assess
    expect(sent).toEqual([BatchGetCommand.name]);
    expect(got.slice(0, 4).map((o) => o.Item?.n)).toEqual(ids.slice(0, 4).map(Number));
    expect(got[4]?.Item).toBeUndefined();
    expect(got[5]?.Item?.userId).toBe(ids[2]);
    expect(got[6]?.Item).toMatchObject({ trader, userId: ids[0], mode: 'AUTO' });
  });

  it('splits more than 100 distinct keys over several requests', async () => {
    // Prepare
    const ids = Array.from({ length: 230 }, () => String(uniqueId()));
    sent.length = 0;
    // Act
    const got = await Promise.all(
      ids.map((id) => doc.send(new GetCommand({ TableName: tables.users, Key: { userId: id } }))),
    );
    // Assess
    expect(sent).toEqual([BatchGetCommand.name, BatchGetCommand.name, BatchGetCommand.name]);
    expect(got.every((o) => o.Item === undefined)).toBe(true);
  });

  it('sends a get with a projection, and a get that fails, as they are', async () => {
    // Prepare
    const me = String(uniqueId());
    await doc.send(new PutCommand({ TableName: tables.users, Item: { userId: me, chatId: me, n: 1 } }));
    sent.length = 0;
    // Act
    const projected = await doc.send(
      new GetCommand({ TableName: tables.users, Key: { userId: me }, ProjectionExpression: 'chatId' }),
    );
    const missing = doc.send(new GetCommand({ TableName: 'alfa-no-such-table', Key: { userId: me } }));
    // Assess
    expect(projected.Item).toEqual({ chatId: me });
    await expect(missing).rejects.toThrow(/non-existent table|ResourceNotFound|Cannot do operations/i);
    expect(sent).toEqual([GetCommand.name, BatchGetCommand.name]);
  });
});
