// coalescedGets when DynamoDB hands keys back (UnprocessedKeys) or fails the batch: every caller
// still gets its own item or its own error, and keys are asked again until answered or given up.
// A fake client, because DynamoDB Local never answers with UnprocessedKeys: that fault is the point
// here (test/integration/coalesced-gets.test.ts has the rest on DynamoDB Local).
import { BatchGetCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { UnprocessedKeysError, coalescedGets } from '#core/adapters/dynamo/coalesced-gets.js';

type Keys = Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }>;

/** A BatchGetItem stand-in: `back` says which of a request's keys it hands back unprocessed. */
function fakeDb(
  back: (table: string, keys: Record<string, unknown>[], call: number) => Record<string, unknown>[],
) {
  const requests: Keys[] = [];
  const send = async (command: unknown) => {
    if (!(command instanceof BatchGetCommand)) throw new Error('only BatchGetItem expected');
    const asked = command.input.RequestItems as Keys;
    requests.push(asked);
    const Responses: Record<string, Record<string, unknown>[]> = {};
    const UnprocessedKeys: Keys = {};
    for (const [table, { Keys }] of Object.entries(asked)) {
      const unprocessed = back(table, Keys, requests.length);
      Responses[table] = Keys.filter((k) => !unprocessed.includes(k)).map((k) => ({ ...k, table }));
      if (unprocessed.length) UnprocessedKeys[table] = { Keys: unprocessed };
    }
    return { Responses, UnprocessedKeys };
  };
  return { db: { send } as unknown as DynamoDBDocumentClient, requests };
}

const noSleep = async () => undefined;

describe('Function: coalescedGets (faults)', () => {
  it('asks the unprocessed keys again until each caller has its item', async () => {
    // Prepare: the first answer hands back every key but the first, the second answers all.
    const fake = fakeDb((_t, keys, call) => (call === 1 ? keys.slice(1) : []));
    const db = coalescedGets(fake.db, noSleep);
    // Act
    const got = await Promise.all(
      ['1', '2', '3'].map((userId) => db.send(new GetCommand({ TableName: 'users', Key: { userId } }))),
    );
    // Assess
    expect(got.map((o) => o.Item?.userId)).toEqual(['1', '2', '3']);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]?.users?.Keys).toEqual([{ userId: '2' }, { userId: '3' }]);
  });

  it('keeps a table consistent on retry when any of its gets asked for it', async () => {
    // Prepare
    const fake = fakeDb((_t, keys, call) => (call === 1 ? keys : []));
    const db = coalescedGets(fake.db, noSleep);
    // Act
    await Promise.all([
      db.send(new GetCommand({ TableName: 'intents', Key: { intentId: 'a' } })),
      db.send(new GetCommand({ TableName: 'intents', Key: { intentId: 'b' }, ConsistentRead: true })),
    ]);
    // Assess
    expect(fake.requests.map((r) => r.intents?.ConsistentRead)).toEqual([true, true]);
  });

  it('fails every caller of a batch whose keys stay unprocessed, and the next batch starts clean', async () => {
    // Prepare
    let stuck = true;
    const fake = fakeDb((_t, keys) => (stuck ? keys : []));
    const db = coalescedGets(fake.db, noSleep);
    // Act
    const failed = await Promise.allSettled(
      ['1', '2'].map((userId) => db.send(new GetCommand({ TableName: 'users', Key: { userId } }))),
    );
    stuck = false;
    const after = await db.send(new GetCommand({ TableName: 'users', Key: { userId: '3' } }));
    // Assess
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toBeInstanceOf(UnprocessedKeysError);
    expect(fake.requests).toHaveLength(9);
    expect(after.Item?.userId).toBe('3');
  });
});
