// The follows item codec: a follow round-trips through followToItem/followFromItem with every
// optional setting, an item of the wrong shape is refused with its key in the message (not a
// TypeError later on the copy path), and items stored before an attribute existed still read
// with today's defaults. followersOf (through a fake client) reads `paused` from the same parse.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoFollowStore, followFromItem, followToItem } from '#core/adapters/dynamo/follow-store.js';
import type { Follow } from '#core/domain/follows.js';

const TRADER = '0x00000000000000000000000000000000000000aa';

const full: Follow = {
  userId: 'u1',
  trader: TRADER,
  chatId: '100',
  mode: 'AUTO',
  sizing: { kind: 'FIXED_USD', usdc: 25_000_000n },
  maxLeverage: 20,
  maxPositionUsdc: 500_000_000n,
  pairs: [0, 1, 7],
  notify: false,
  notifications: 'COPIES',
  direction: 'REVERSE',
  stopLoss: { kind: 'USD', usdc: 5_000_000n },
  minTraderLeverage: 3,
  createdAt: '2026-01-02T03:04:05.000Z',
};

describe('followToItem / followFromItem', () => {
  it('round-trips a follow with every optional setting', () => {
    // Prepare
    const item = followToItem(full, true);
    // Act
    const back = followFromItem(item);
    // Assess
    expect(back).toEqual(full);
  });

  it('round-trips each sizing kind, a PCT stop-loss and ALL pairs', () => {
    // Prepare
    const follows: Follow[] = [
      {
        ...full,
        sizing: { kind: 'PCT_EQUITY', bps: 1500 },
        stopLoss: { kind: 'PCT', bps: 2500 },
        pairs: 'ALL',
      },
      { ...full, sizing: { kind: 'MULTIPLIER', milli: 1250 } },
    ];
    // Act
    const back = follows.map((f) => followFromItem(followToItem(f)));
    // Assess
    expect(back).toEqual(follows);
  });

  it('reads an old item without notify, notifications, direction, stop-loss, paused or createdAt', () => {
    // Prepare
    const item = {
      userId: 'u1',
      trader: TRADER,
      chatId: '100',
      mode: 'ALERTS',
      sizing: { kind: 'PCT_EQUITY', amount: '500' },
      maxLeverage: 10,
      maxPositionUsdc: '1000000',
      pairs: 'ALL',
    };
    // Act
    const f = followFromItem(item);
    // Assess
    expect(f).toEqual({
      userId: 'u1',
      trader: TRADER,
      chatId: '100',
      mode: 'ALERTS',
      sizing: { kind: 'PCT_EQUITY', bps: 500 },
      maxLeverage: 10,
      maxPositionUsdc: 1_000_000n,
      pairs: 'ALL',
      notify: true,
      createdAt: '',
    });
  });

  it('refuses an item with a wrong type, naming the table and key', () => {
    // Prepare
    const bad = { ...followToItem(full), maxPositionUsdc: 12 };
    // Act
    const read = () => followFromItem(bad);
    // Assess
    expect(read).toThrow(`follows item userId=u1 trader=${TRADER} does not parse`);
    expect(read).toThrow(/maxPositionUsdc/);
  });

  it('refuses a sizing amount that is not digits instead of a SyntaxError from BigInt', () => {
    // Prepare
    const bad = { ...followToItem(full), sizing: { kind: 'FIXED_USD', amount: '1.5' } };
    // Act
    const read = () => followFromItem(bad);
    // Assess
    expect(read).toThrow(/follows item userId=u1 .* does not parse/);
  });
});

describe('DynamoFollowStore.followersOf', () => {
  it('gives each follower with the paused flag of its item', async () => {
    // Prepare
    const items = [followToItem(full, true), followToItem({ ...full, userId: 'u2' })];
    const db = { send: () => Promise.resolve({ Items: items }) } as unknown as DynamoDBDocumentClient;
    const store = new DynamoFollowStore(db, { follows: 'follows', users: 'users' });
    // Act
    const pages: { userId: string; paused: boolean }[][] = [];
    for await (const page of store.followersOf(TRADER)) pages.push(page);
    // Assess
    expect(pages.flat().map((f) => [f.userId, f.paused])).toEqual([
      ['u1', true],
      ['u2', false],
    ]);
  });
});
