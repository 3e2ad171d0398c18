// `npm run trader -- <address> [--json]`: one trader's stats (7d, 30d, all time), score, rank and
// open positions.
import { parseArgs } from 'node:util';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { DynamoPositionStore } from '#core/adapters/dynamo/position-store.js';
import { DynamoStatsStore } from '#core/adapters/dynamo/stats-store.js';
import { loadConfig } from '#core/config.js';
import { parseAddress } from '#core/domain/addresses.js';
import { traderView } from '#core/domain/analytics/leaderboard.js';
import { emptyStats, type WindowStats } from '#core/domain/analytics/stats.js';
import { pairName } from '#core/domain/avantis/pairs.js';
import {
  formatChainLeverage,
  formatDuration,
  formatLeverage,
  formatPercent,
  formatPrice,
  formatUsd,
} from '#core/domain/format.js';
import { UsageError, runCli } from './cli.js';
import { connect } from './connect.js';
import { json, table } from './table.js';

const USAGE = 'usage: npm run trader -- <address> [--json]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'which trader? give an address' : 'give one address');
  const parsed = parseAddress(positionals[0] as string);
  if (!parsed.ok) throw new UsageError(parsed.error);
  const address = parsed.address;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const connection = await connect({ log });
  try {
    const cfg = loadConfig();
    const db = documentDb();
    const statsStore = new DynamoStatsStore(db, cfg.tables.stats);
    const stats = (await statsStore.getMany([address])).get(address);
    const view = traderView(
      stats ?? emptyStats(address),
      Math.floor(Date.now() / 1000),
      cfg.leader,
      await statsStore.getPrices(),
    );
    const board = await statsStore.getLeaderboard('score');
    const rank = board?.rows.find((r) => r.trader === address)?.rank;
    const positions = await new DynamoPositionStore(db, cfg.tables.positions).positionsOf(address);
    if (values.json) {
      process.stdout.write(
        `${json({ address, indexed: stats !== undefined, rank: rank ?? null, ...view, positions })}\n`,
      );
      return;
    }
    const col = (s: WindowStats) => [
      formatUsd(s.realizedPnlUsdc, { sign: true }),
      formatPercent(s.roi),
      formatPercent(s.winRate, 0),
      String(s.trades),
      String(s.closes),
      formatUsd(s.volumeUsdc),
      formatUsd(s.maxDrawdownUsdc),
      formatLeverage(s.medianLeverage),
      formatDuration(s.avgHoldSeconds),
    ];
    const windows = [col(view.d7), col(view.d30), col(view.allTime)];
    const labels = [
      'realized PnL',
      'ROI',
      'win rate',
      'trades',
      'closes',
      'volume',
      'max drawdown',
      'median leverage',
      'avg hold',
    ];
    const c = view.copyability;
    process.stdout.write(
      [
        `trader ${address}${stats ? '' : '  (no trades indexed for this address yet)'}`,
        `rank ${rank ?? '-'}   score ${c.score}${c.exclusions.length ? `   not ranked: ${c.exclusions.join(', ')}` : ''}`,
        ...(view.unrealizedPnlUsdc === undefined
          ? []
          : [
              `unrealized PnL of open positions: ${formatUsd(view.unrealizedPnlUsdc, { sign: true })} (latest prices)`,
            ]),
        '',
        table(
          ['', '7 days', '30 days', 'all time'],
          labels.map((l, i) => [l, ...windows.map((w) => w[i] ?? '')]),
          [1, 2, 3],
        ),
        '',
        positions.length === 0
          ? 'no open positions'
          : table(
              ['pair', 'side', 'collateral', 'leverage', 'open price'],
              positions.map((p) => [
                pairName(p.pairIndex),
                p.buy ? 'LONG' : 'SHORT',
                formatUsd(p.collateral),
                formatChainLeverage(p.leverage),
                formatPrice(p.openPrice),
              ]),
              [2, 3, 4],
            ),
        '',
      ].join('\n'),
    );
  } finally {
    await connection.close();
  }
}

runCli(main, USAGE);
