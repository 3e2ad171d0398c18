// Materialises the leaderboard: every trader's stats -> 7/30-day views and scores -> the top N by
// score and by PnL, each stored as one item, so the bot reads a leaderboard with one GetItem.
import {
  rankTraders,
  traderView,
  type LeaderboardSort,
  type TraderView,
} from '../domain/analytics/leaderboard.js';
import type { LeaderRules } from '../domain/analytics/score.js';
import { statsFromFills } from '../domain/analytics/stats.js';
import type { TradeEventRecord } from '../domain/fills.js';
import type { AppLog } from '../ports/runtime.js';
import type { Leaderboard, StatsStore, TradeEventStore } from '../ports/stores.js';

export const LEADERBOARD_SIZE = 200;
const SORTS: readonly LeaderboardSort[] = ['score', 'pnl'];

export interface MaterializeResult {
  readonly traders: number;
  readonly eligible: number;
  readonly boards: readonly Leaderboard[];
}

export async function materializeLeaderboards(
  deps: { stats: StatsStore; now: () => Date; log: AppLog },
  rules: LeaderRules,
): Promise<MaterializeResult> {
  const now = Math.floor(deps.now().getTime() / 1000);
  const views: TraderView[] = [];
  for await (const stats of deps.stats.all()) views.push(traderView(stats, now, rules));
  const boards = SORTS.map((sort) => ({
    sort,
    generatedAt: now,
    traders: views.length,
    rows: rankTraders(views, sort, LEADERBOARD_SIZE),
  }));
  for (const board of boards) await deps.stats.putLeaderboard(board);
  const eligible = views.filter((v) => v.copyability.eligible).length;
  deps.log.info('leaderboard materialised', { reason: 'LEADERBOARD_BUILT', traders: views.length, eligible });
  return { traders: views.length, eligible, boards };
}

/** Recomputes every trader's stats from the fills table: for a first build or a changed formula. */
export async function rebuildAllStats(deps: {
  fills: TradeEventStore;
  stats: StatsStore;
  log: AppLog;
}): Promise<{ fills: number; traders: number }> {
  const byTrader = new Map<string, TradeEventRecord[]>();
  let fills = 0;
  for await (const fill of deps.fills.all()) {
    fills += 1;
    const list = byTrader.get(fill.trader);
    if (list) list.push(fill);
    else byTrader.set(fill.trader, [fill]);
  }
  await deps.stats.putMany([...byTrader].map(([trader, list]) => statsFromFills(trader, list)));
  deps.log.info('stats rebuilt from fills', { reason: 'STATS_REBUILT', fills, traders: byTrader.size });
  return { fills, traders: byTrader.size };
}
