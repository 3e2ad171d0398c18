// Trader stats and leaderboard snapshots in the stats table. A trader's stats are one item
// (pk `trader#<address>`, sk `stats`); a leaderboard is one item (pk `leaderboard`, sk = sort), so
// reading the leaderboard is one GetItem. Items are checked with zod on read; the JSON attributes
// inside them (stats, rows) are the store's own encodings.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { LeaderboardRow, LeaderboardSort } from '../../domain/analytics/leaderboard.js';
import type { Lot } from '../../domain/analytics/ledger.js';
import type { Aggregate, TraderStats } from '../../domain/analytics/stats.js';
import type { Leaderboard, StatsStore } from '../../ports/stores.js';
import { batchGetAll, batchWrite } from './batch.js';
import { fromJson, toJson } from '../../codec.js';
import { scanAll } from './scan.js';
import { parseItem } from './item-schema.js';

const STATS_SK = 'stats';
const traderPk = (trader: string) => `trader#${trader}`;

// Maps and Sets do not survive JSON: store them as entry lists.
type StoredAggregate = Omit<Aggregate, 'leverages' | 'pairs'> & {
  leverages: [bigint, number][];
  pairs: number[];
};
interface StoredStats {
  trader: string;
  lastFillKey: string;
  slots: [string, Lot[]][];
  lastFee?: TraderStats['ledger']['lastFee'];
  lastOpen?: TraderStats['ledger']['lastOpen'];
  lastCancel?: TraderStats['ledger']['lastCancel'];
  allTime: StoredAggregate;
  days: [number, StoredAggregate][];
}

const storeAgg = (a: Aggregate): StoredAggregate => ({
  ...a,
  leverages: [...a.leverages],
  pairs: [...a.pairs],
});
const loadAgg = (a: StoredAggregate): Aggregate => ({
  ...a,
  leverages: new Map(a.leverages),
  pairs: new Set(a.pairs),
});

export function encodeStats(s: TraderStats): string {
  const stored: StoredStats = {
    trader: s.trader,
    lastFillKey: s.lastFillKey,
    slots: [...s.ledger.slots],
    ...(s.ledger.lastFee ? { lastFee: s.ledger.lastFee } : {}),
    ...(s.ledger.lastOpen ? { lastOpen: s.ledger.lastOpen } : {}),
    ...(s.ledger.lastCancel ? { lastCancel: s.ledger.lastCancel } : {}),
    allTime: storeAgg(s.allTime),
    days: [...s.days].map(([d, a]) => [d, storeAgg(a)]),
  };
  return toJson(stored);
}

export function decodeStats(text: string): TraderStats {
  const s = fromJson<StoredStats>(text);
  return {
    trader: s.trader,
    lastFillKey: s.lastFillKey,
    ledger: {
      slots: new Map(s.slots),
      ...(s.lastFee ? { lastFee: s.lastFee } : {}),
      ...(s.lastOpen ? { lastOpen: s.lastOpen } : {}),
      ...(s.lastCancel ? { lastCancel: s.lastCancel } : {}),
    },
    allTime: loadAgg(s.allTime),
    days: new Map(s.days.map(([d, a]) => [d, loadAgg(a)])),
  };
}

const statsItem = z.object({ pk: z.string(), sk: z.literal(STATS_SK), stats: z.string() });
const leaderboardItem = z.object({ generatedAt: z.number(), traders: z.number(), rows: z.string() });
// One attribute per pair (`p<index>`), a price as its decimal string; pk and sk sit beside them.
const pricesItem = z.record(z.string(), z.string());
const PRICE = /^-?\d+$/;

const parseStats = <S extends z.ZodType>(schema: S, key: string, item: Record<string, unknown>) =>
  parseItem(schema, item, `stats item ${key}`);

export function statsFromItem(item: Record<string, unknown>): TraderStats {
  return decodeStats(parseStats(statsItem, `pk=${String(item.pk)} sk=${String(item.sk)}`, item).stats);
}

export class DynamoStatsStore implements StatsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(trader: string): Promise<TraderStats | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: traderPk(trader), sk: STATS_SK } }),
    );
    return out.Item ? statsFromItem(out.Item) : undefined;
  }

  async getMany(traders: readonly string[]): Promise<Map<string, TraderStats>> {
    const keys = [...new Set(traders)].map((t) => ({ pk: traderPk(t), sk: STATS_SK }));
    const items = await batchGetAll(this.db, this.tableName, keys);
    return new Map(items.map(statsFromItem).map((s) => [s.trader, s]));
  }

  async putMany(stats: readonly TraderStats[]): Promise<void> {
    await batchWrite(
      this.db,
      this.tableName,
      stats.map((s) => ({
        PutRequest: {
          Item: {
            pk: traderPk(s.trader),
            sk: STATS_SK,
            trader: s.trader,
            lastActive: s.allTime.lastActive,
            stats: encodeStats(s),
          },
        },
      })),
    );
  }

  async *all(): AsyncIterable<TraderStats> {
    const items = scanAll(this.db, {
      TableName: this.tableName,
      FilterExpression: 'sk = :sk',
      ExpressionAttributeValues: { ':sk': STATS_SK },
    });
    for await (const item of items) yield statsFromItem(item);
  }

  async putLeaderboard(board: Leaderboard): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: 'leaderboard',
          sk: board.sort,
          generatedAt: board.generatedAt,
          traders: board.traders,
          rows: JSON.stringify(board.rows),
        },
      }),
    );
  }

  async putPrices(prices: ReadonlyMap<number, bigint>): Promise<void> {
    if (prices.size === 0) return;
    const entries = [...prices];
    // One attribute per pair (`p<index>`): an update sets only the pairs this page saw.
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: 'prices', sk: 'latest' },
        UpdateExpression: `SET ${entries.map((_e, i) => `#p${i} = :p${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([pair], i) => [`#p${i}`, `p${pair}`])),
        ExpressionAttributeValues: Object.fromEntries(
          entries.map(([, price], i) => [`:p${i}`, price.toString()]),
        ),
      }),
    );
  }

  async getPrices(): Promise<Map<number, bigint>> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: 'prices', sk: 'latest' } }),
    );
    const item = parseStats(pricesItem, 'pk=prices sk=latest', out.Item ?? {});
    const prices = new Map<number, bigint>();
    for (const [name, value] of Object.entries(item)) {
      if (!/^p\d+$/.test(name)) continue;
      if (!PRICE.test(value))
        throw new Error(`stats item pk=prices sk=latest: ${name} is not a price: ${value}`);
      prices.set(Number(name.slice(1)), BigInt(value));
    }
    return prices;
  }

  async getLeaderboard(sort: LeaderboardSort): Promise<Leaderboard | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: 'leaderboard', sk: sort } }),
    );
    if (!out.Item) return undefined;
    const i = parseStats(leaderboardItem, `pk=leaderboard sk=${sort}`, out.Item);
    return {
      sort,
      generatedAt: i.generatedAt,
      traders: i.traders,
      rows: JSON.parse(i.rows) as LeaderboardRow[],
    };
  }
}
