// The stats table items: trader stats round-trip through the item putMany writes and statsFromItem,
// leaderboard and prices items read back over a fake GetItem, and items of the wrong shape are
// refused with their key in the message.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoStatsStore, statsFromItem } from '#core/adapters/dynamo/stats-store.js';
import { emptyStats } from '#core/domain/analytics/stats.js';

const TRADER = '0x00000000000000000000000000000000000000aa';
const getting = (Item: Record<string, unknown> | undefined) =>
  new DynamoStatsStore(
    { send: () => Promise.resolve({ Item }) } as unknown as DynamoDBDocumentClient,
    'stats',
  );

describe('statsFromItem', () => {
  it('reads back the stats putMany wrote', async () => {
    // Prepare
    const stats = { ...emptyStats(TRADER), lastFillKey: '000000000100#00003' };
    const items: Record<string, unknown>[] = [];
    const send = (c: {
      input: { RequestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> };
    }) => {
      for (const r of c.input.RequestItems.stats ?? []) items.push(r.PutRequest.Item);
      return Promise.resolve({});
    };
    await new DynamoStatsStore({ send } as unknown as DynamoDBDocumentClient, 'stats').putMany([stats]);
    // Act
    const back = statsFromItem(items[0]!);
    // Assess
    expect(back).toEqual(stats);
  });

  it('refuses an item without its stats attribute, naming the key', () => {
    // Prepare
    const bad = { pk: `trader#${TRADER}`, sk: 'stats', trader: TRADER };
    // Act
    const read = () => statsFromItem(bad);
    // Assess
    expect(read).toThrow(`stats item pk=trader#${TRADER} sk=stats does not parse`);
  });
});

describe('DynamoStatsStore leaderboard and prices', () => {
  it('reads a leaderboard item', async () => {
    // Prepare
    const store = getting({ pk: 'leaderboard', sk: 'pnl', generatedAt: 5, traders: 2, rows: '[]' });
    // Act
    const board = await store.getLeaderboard('pnl');
    // Assess
    expect(board).toEqual({ sort: 'pnl', generatedAt: 5, traders: 2, rows: [] });
  });

  it('refuses a leaderboard item with a wrong type, naming the key', async () => {
    // Prepare
    const store = getting({ pk: 'leaderboard', sk: 'pnl', generatedAt: '5', traders: 2, rows: '[]' });
    // Act
    const reading = store.getLeaderboard('pnl');
    // Assess
    await expect(reading).rejects.toThrow('stats item pk=leaderboard sk=pnl does not parse');
  });

  it('reads the prices item, none without one, and refuses a price that is not digits', async () => {
    // Prepare
    const store = getting({ pk: 'prices', sk: 'latest', p0: '123', p7: '45' });
    const bad = getting({ pk: 'prices', sk: 'latest', p0: 'x' });
    // Act
    const prices = await store.getPrices();
    const none = await getting(undefined).getPrices();
    // Assess
    expect([...prices]).toEqual([
      [0, 123n],
      [7, 45n],
    ]);
    expect(none.size).toBe(0);
    await expect(bad.getPrices()).rejects.toThrow('stats item pk=prices sk=latest');
  });
});
