// Trader stats and leaderboard snapshots in the stats table. A trader's stats are one item
// (pk `trader#<address>`, sk `stats`); a leaderboard is one item (pk `leaderboard`, sk = sort), so
// reading the leaderboard is one GetItem.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LeaderboardRow, LeaderboardSort } from '../../domain/analytics/leaderboard.js';
import type { Lot } from '../../domain/analytics/ledger.js';
import type { Aggregate, TraderStats } from '../../domain/analytics/stats.js';
import type { Leaderboard, StatsStore } from '../../ports/stores.js';
import { batchGetAll, batchWrite } from './batch.js';
import { fromJson, toJson } from '../../codec.js';
import { scanAll } from './scan.js';

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

export class DynamoStatsStore implements StatsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getMany(traders: readonly string[]): Promise<Map<string, TraderStats>> {
    const keys = [...new Set(traders)].map((t) => ({ pk: traderPk(t), sk: STATS_SK }));
    const items = await batchGetAll(this.db, this.tableName, keys);
    return new Map(items.map((item) => decodeStats(String(item.stats))).map((s) => [s.trader, s]));
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
    for await (const item of items) yield decodeStats(String(item.stats));
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
    const prices = new Map<number, bigint>();
    for (const [name, value] of Object.entries(out.Item ?? {})) {
      if (/^p\d+$/.test(name)) prices.set(Number(name.slice(1)), BigInt(String(value)));
    }
    return prices;
  }

  async getLeaderboard(sort: LeaderboardSort): Promise<Leaderboard | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: 'leaderboard', sk: sort } }),
    );
    if (!out.Item) return undefined;
    return {
      sort,
      generatedAt: Number(out.Item.generatedAt),
      traders: Number(out.Item.traders),
      rows: JSON.parse(String(out.Item.rows)) as LeaderboardRow[],
    };
  }
}
