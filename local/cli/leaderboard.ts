// `npm run leaderboard -- --top 50 [--sort score|pnl] [--json] [--rebuild]`: ranks the traders from
// their stats (rebuilding them from fills first with --rebuild) and prints the top.
import { parseArgs } from 'node:util';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { DynamoStatsStore } from '#core/adapters/dynamo/stats-store.js';
import { LEADERBOARD_SIZE, materializeLeaderboards, rebuildAllStats } from '#core/analytics/materialize.js';
import { loadConfig } from '#core/config.js';
import { formatLeverage, formatPercent, formatUsd } from '#core/domain/format.js';
import { UsageError, runCli } from './cli.js';
import { connect } from './connect.js';
import { json, table } from './table.js';

const USAGE = 'usage: npm run leaderboard -- [--top <1-200>] [--sort score|pnl] [--json] [--rebuild]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      top: { type: 'string', default: '50' },
      sort: { type: 'string', default: 'score' },
      json: { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
    },
  });
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > LEADERBOARD_SIZE)
    throw new UsageError(`--top must be a whole number from 1 to ${LEADERBOARD_SIZE}, got "${values.top}"`);
  if (values.sort !== 'score' && values.sort !== 'pnl')
    throw new UsageError(`--sort must be score or pnl, got "${values.sort}"`);
  const sort = values.sort;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const connection = await connect({ log });
  try {
    const cfg = loadConfig();
    const db = documentDb();
    const stats = new DynamoStatsStore(db, cfg.tables.stats);
    const quiet = { info: () => undefined, warn: log, error: log };
    if (values.rebuild) {
      const rebuilt = await rebuildAllStats({
        fills: new DynamoFillStore(db, cfg.tables.fills),
        stats,
        log: quiet,
      });
      log(`rebuilt the stats of ${rebuilt.traders} traders from ${rebuilt.fills} fills`);
    }
    const result = await materializeLeaderboards({ stats, now: () => new Date(), log: quiet }, cfg.leader);
    const board = result.boards.find((b) => b.sort === sort);
    const rows = (board?.rows ?? []).slice(0, top);
    if (values.json) {
      process.stdout.write(
        `${json({ sort, generatedAt: board?.generatedAt, traders: result.traders, eligible: result.eligible, rows })}\n`,
      );
      return;
    }
    if (rows.length === 0) {
      process.stdout.write(
        `No trader qualifies yet (${result.traders} traders with stats). To rank, a trader needs >= ${cfg.leader.minTrades30d} ` +
          `trades and >= $${cfg.leader.minVolume30dUsd} volume in 30 days, and activity in the last ${cfg.leader.activeHours} h.\n`,
      );
      return;
    }
    process.stdout.write(
      `${table(
        ['#', 'trader', 'PnL 30d', 'ROI', 'win', 'trades', 'volume 30d', 'max DD', 'lev', 'score'],
        rows.map((r) => [
          String(r.rank),
          r.trader,
          formatUsd(BigInt(r.realizedPnl30dUsdc), { sign: true }),
          formatPercent(r.roi30d),
          formatPercent(r.winRate30d, 0),
          String(r.trades30d),
          formatUsd(BigInt(r.volume30dUsdc)),
          formatUsd(BigInt(r.maxDrawdown30dUsdc)),
          formatLeverage(r.medianLeverage30d),
          String(r.score),
        ]),
        [0, 2, 3, 4, 5, 6, 7, 8, 9],
      )}\n\n${result.eligible} of ${result.traders} traders qualify; sorted by ${sort === 'score' ? 'copyability score' : '30-day PnL'}.\n`,
    );
  } finally {
    await connection.close();
  }
}

runCli(main, USAGE);
