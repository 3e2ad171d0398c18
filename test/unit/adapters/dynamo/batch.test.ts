// batchWrite's pool of BatchWriteItem requests: every item written once even when DynamoDB hands
// part of a batch back (UnprocessedItems), at most 16 requests in flight and 16 kept in flight to
// the end, and a chunk that stays unprocessed fails the write and starts no further chunk. A fake
// client, because DynamoDB Local never answers with UnprocessedItems: that fault is the point here.
// batchWriteItems (items in wire form) shares that pool.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  UnprocessedItemsError,
  batchWrite,
  batchWriteItems,
  type WireWriteRequest,
} from '#core/adapters/dynamo/batch.js';

const TABLE = 'fills';
type Put = { PutRequest: { Item: { id: number } } };
const puts = (n: number): Put[] => Array.from({ length: n }, (_, id) => ({ PutRequest: { Item: { id } } }));

/** A BatchWriteItem stand-in: `unprocessed` says which of a request's items it hands back. */
function fakeDb(unprocessed: (items: readonly Put[]) => readonly Put[], answerMs = 0) {
  const written: number[] = [];
  const firstIds: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const send = async (command: { input: { RequestItems: Record<string, Put[]> } }) => {
    const items = command.input.RequestItems[TABLE] ?? [];
    calls += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    firstIds.push(items[0]?.PutRequest.Item.id ?? -1);
    // Answer after a timer so that requests overlap as they do over HTTP.
    await new Promise((r) => setTimeout(r, answerMs));
    inFlight -= 1;
    const back = unprocessed(items);
    for (const i of items) if (!back.includes(i)) written.push(i.PutRequest.Item.id);
    return back.length > 0 ? { UnprocessedItems: { [TABLE]: back } } : {};
  };
  return {
    db: { send } as unknown as DynamoDBDocumentClient,
    written,
    firstIds,
    stats: () => ({ maxInFlight, calls }),
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('batchWrite', () => {
  it('writes every item exactly once when DynamoDB hands part of each batch back on its first try', async () => {
    // Prepare: 1,000 items = 40 chunks; the first answer for each chunk hands its last 5 items back.
    const handedBack = new Set<number>();
    const fake = fakeDb((items) => {
      const back = items.filter(
        (i) => i.PutRequest.Item.id % 25 >= 20 && !handedBack.has(i.PutRequest.Item.id),
      );
      for (const i of back) handedBack.add(i.PutRequest.Item.id);
      return back;
    });
    // Act
    await batchWrite(fake.db, TABLE, puts(1_000));
    // Assess
    expect([...fake.written].sort((a, b) => a - b)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    expect(fake.stats()).toEqual({ maxInFlight: 16, calls: 80 });
  });

  it('keeps 16 requests in flight until the last chunks (a pool, not waves of 16)', async () => {
    // Prepare: 40 chunks; chunk 0 answers slowly (its retry waits a backoff of 50 ms).
    let slowed = false;
    const fake = fakeDb((items) => {
      if (items[0]?.PutRequest.Item.id === 0 && !slowed) {
        slowed = true;
        return items.slice(-1);
      }
      return [];
    });
    // Act
    await batchWrite(fake.db, TABLE, puts(1_000));
    // Assess: in waves, chunk 16 would wait for chunk 0's retry; in a pool every other chunk goes
    // first, so the retry of chunk 0 (first id 24, its one item handed back) is the last request.
    expect(fake.firstIds.at(-1)).toBe(24);
    expect(fake.written).toHaveLength(1_000);
  });

  it('fails with UnprocessedItemsError after 8 tries and starts no chunk after the failure', async () => {
    // Prepare: chunk 0 is always handed back whole and every answer takes 1 s, so its 8 tries and
    // their backoff (about 12.5 s) end while most of the 400 chunks are still queued.
    vi.useFakeTimers();
    const fake = fakeDb((items) => (items[0]?.PutRequest.Item.id === 0 ? items : []), 1_000);
    // Act
    const outcome = batchWrite(fake.db, TABLE, puts(10_000)).then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await vi.runAllTimersAsync();
    // Assess: the 15 other workers wrote about 13 chunks each, then stopped.
    expect(await outcome).toBeInstanceOf(UnprocessedItemsError);
    const started = new Set(fake.firstIds).size;
    expect(started).toBeGreaterThan(16);
    expect(started).toBeLessThan(400);
    expect(fake.written).toHaveLength((started - 1) * 25);
    expect(fake.firstIds.filter((id) => id === 0)).toHaveLength(8);
  });
});

describe('batchWriteItems', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes every wire item exactly once when DynamoDB hands part of each batch back', async () => {
    // Prepare: 100 items = 4 chunks; the first answer for each chunk hands its last 5 items back.
    const handedBack = new Set<number>();
    const fake = fakeDb((items) => {
      const back = items.filter(
        (i) => i.PutRequest.Item.id % 25 >= 20 && !handedBack.has(i.PutRequest.Item.id),
      );
      for (const i of back) handedBack.add(i.PutRequest.Item.id);
      return back;
    });
    const requests = puts(100) as unknown as WireWriteRequest[];
    // Act
    await batchWriteItems(fake.db, TABLE, requests);
    // Assess
    expect([...fake.written].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(fake.stats()).toEqual({ maxInFlight: 4, calls: 8 });
  });
});
