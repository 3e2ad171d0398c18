// Stats and leaderboards in DynamoDB Local: the stats codec round-trips, a rebuild from the fills
// table equals the incremental stats, and the scheduled leaderboard Lambda stores boards that are
// read back with one GetItem.
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { DynamoStatsStore } from '#core/adapters/dynamo/stats-store.js';
import { materializeLeaderboards, rebuildAllStats } from '#core/analytics/materialize.js';
import { decodeLog } from '#core/domain/avantis/decode.js';
import {
  allTimeStats,
  applyFillToStats,
  emptyStats,
  statsFromFills,
  type TraderStats,
} from '#core/domain/analytics/stats.js';
import { fillsFromEvents, type TradeEventRecord } from '#core/domain/fills.js';
import type { TradeEvent } from '#core/domain/trade-events.js';
import { scheduledEvent, lambdaContext } from '../../../local/lambda-events.js';
import { createTables } from '../../../local/provision.js';
import { closingFees, marketClose, marketOpen } from '../../fixtures/avantis-logs.js';
import { clients, stackInfo, uniqueId, useStackEnv } from '../../support/stack-clients.js';

const { dynamo } = clients();
const doc = DynamoDBDocumentClient.from(dynamo);
const USDC = 1_000_000n;
const P = 10n ** 10n;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const now = () => new Date();

/** `n` round trips for a trader: open 100 USDC, close it for `pnl` each, a day apart ending now. */
function history(trader: string, n: number, pnlEach: bigint): TradeEventRecord[] {
  const start = Math.floor(Date.now() / 1000) - n * 3600;
  const logs = Array.from({ length: n }, (_, i) => {
    const tx = `0x${(i + 1).toString(16).padStart(64, 'a')}`;
    return [
      marketOpen(
        { trader, index: 0, collateral: 100n * USDC, leverage: 5n * P },
        { blockNumber: 10 * i + 1 },
      ),
      closingFees(
        { blockNumber: 10 * i + 2, txHash: tx, logIndex: 0 },
        { collateral: 100n * USDC, closingFee: 0n },
      ),
      marketClose(
        { trader, index: 0, collateral: 100n * USDC, leverage: 5n * P },
        { blockNumber: 10 * i + 2, txHash: tx, logIndex: 1 },
        {
          amount: 100n * USDC,
          price: 3_000n * P,
          percentProfit: 0n,
          usdcSentToTrader: 100n * USDC + pnlEach,
        },
      ),
    ];
  }).flat();
  const events = logs.map((l) => (decodeLog(l) as { ok: true; event: TradeEvent }).event);
  return [...fillsFromEvents(events, (block) => start + block * 360).fills];
}

const someone = () => `0x${uniqueId().toString(16).padStart(40, '0')}`;

describe('stats and leaderboards in DynamoDB', () => {
  let tables: Awaited<ReturnType<typeof createTables>>;
  beforeAll(async () => {
    tables = await createTables(dynamo, `an${uniqueId()}`);
  });

  it('stores and reads back a trader’s stats exactly', async () => {
    const store = new DynamoStatsStore(doc, tables.stats);
    const trader = someone();
    const stats = statsFromFills(trader, history(trader, 12, 5n * USDC));

    await store.putMany([stats]);
    const back = (await store.getMany([trader])).get(trader) as TraderStats;

    expect(back).toEqual(stats);
    expect(allTimeStats(back).realizedPnlUsdc).toBe(60n * USDC);
  });

  it('rebuilds from the fills table exactly what incremental updates built', async () => {
    const fills = new DynamoFillStore(doc, tables.fills);
    const store = new DynamoStatsStore(doc, tables.stats);
    const traders = [someone(), someone()];
    const all = traders.flatMap((t, i) => history(t, 8 + i, BigInt(i + 1) * USDC));
    await fills.putEvents(all);
    const incremental = traders.map((t) => {
      const s = emptyStats(t);
      for (const f of all.filter((x) => x.trader === t)) applyFillToStats(s, f);
      return s;
    });

    await rebuildAllStats({ fills, stats: store, log: quiet });

    const rebuilt = await store.getMany(traders);
    for (const s of incremental) expect(rebuilt.get(s.trader)).toEqual(s);
  });

  it('materialises boards by score and by PnL, each one item', async () => {
    const store = new DynamoStatsStore(doc, tables.stats);
    const steady = someone();
    const lucky = someone();
    await store.putMany([
      statsFromFills(steady, history(steady, 20, 2n * USDC)),
      statsFromFills(lucky, history(lucky, 10, 1n * USDC)),
    ]);

    const result = await materializeLeaderboards(
      { stats: store, now, log: quiet },
      { minTrades30d: 5, minVolume30dUsd: 1_000, activeHours: 72 },
    );
    const item = await doc.send(
      new GetCommand({ TableName: tables.stats, Key: { pk: 'leaderboard', sk: 'score' } }),
    );

    expect(result.eligible).toBeGreaterThanOrEqual(2);
    const rows = JSON.parse(String(item.Item?.rows)) as { trader: string }[];
    const order = rows.map((r) => r.trader).filter((t) => t === steady || t === lucky);
    expect(order).toEqual([steady, lucky]);
    expect((await store.getLeaderboard('pnl'))?.rows.length).toBe(rows.length);
  });
});

describe('Lambda: leaderboard', () => {
  it('runs on a scheduled event against the stack’s tables and stores both boards', async () => {
    useStackEnv();
    // A trader who qualifies under the stack's default rules (10 trades, $10,000 volume in 30 days).
    const trader = someone();
    await new DynamoStatsStore(doc, stackInfo().tables.stats).putMany([
      statsFromFills(trader, history(trader, 12, 5n * USDC)),
    ]);
    const { handler } = await import('../../../functions/leaderboard/handler.js');
    const { context } = lambdaContext('leaderboard', 50);

    const out = (await handler(scheduledEvent('alfa-test-leaderboard'), context)) as {
      traders: number;
      eligible: number;
    };

    expect(out.traders).toBeGreaterThanOrEqual(1);
    expect(out.eligible).toBeGreaterThanOrEqual(1);
    const board = await doc.send(
      new GetCommand({ TableName: stackInfo().tables.stats, Key: { pk: 'leaderboard', sk: 'pnl' } }),
    );
    expect(board.Item?.generatedAt).toBeGreaterThan(0);
    expect((JSON.parse(String(board.Item?.rows)) as { trader: string }[]).map((r) => r.trader)).toContain(
      trader,
    );
  });
});
