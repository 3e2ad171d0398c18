// The leaderboard: every trader's 7/30-day stats and score, ranked by score or by 30-day PnL.
import { copyability, type Copyability, type LeaderRules } from './score.js';
import { unrealizedPnl } from './ledger.js';
import { allTimeStats, windowStats, type TraderStats, type WindowStats } from './stats.js';

export type LeaderboardSort = 'score' | 'pnl';

export interface TraderView {
  readonly trader: string;
  readonly d7: WindowStats;
  readonly d30: WindowStats;
  readonly allTime: WindowStats;
  readonly copyability: Copyability;
  /** Gross PnL of open lots at the latest known prices; undefined with nothing open or no price. */
  readonly unrealizedPnlUsdc: bigint | undefined;
}

export interface LeaderboardRow {
  readonly rank: number;
  readonly trader: string;
  readonly score: number;
  readonly realizedPnl30dUsdc: string;
  readonly roi30d: number;
  readonly winRate30d: number;
  readonly trades30d: number;
  readonly volume30dUsdc: string;
  readonly maxDrawdown30dUsdc: string;
  readonly medianLeverage30d: number;
  readonly lastActive: number;
}

export function traderView(
  stats: TraderStats,
  now: number,
  rules: LeaderRules,
  prices: ReadonlyMap<number, bigint> = new Map(),
): TraderView {
  const d7 = windowStats(stats, now, 7);
  const d30 = windowStats(stats, now, 30);
  const open = [...stats.ledger.slots.keys()].map((slot) => Number(slot.split('#')[0]));
  const priced = open.length > 0 && open.every((pair) => prices.has(pair));
  return {
    trader: stats.trader,
    d7,
    d30,
    allTime: allTimeStats(stats),
    copyability: copyability(d30, d7, now, rules),
    unrealizedPnlUsdc: priced ? unrealizedPnl(stats.ledger, (pair) => prices.get(pair)) : undefined,
  };
}

const byScore = (a: TraderView, b: TraderView) =>
  b.copyability.score - a.copyability.score ||
  compareBig(b.d30.realizedPnlUsdc, a.d30.realizedPnlUsdc) ||
  a.trader.localeCompare(b.trader);
const byPnl = (a: TraderView, b: TraderView) =>
  compareBig(b.d30.realizedPnlUsdc, a.d30.realizedPnlUsdc) ||
  b.copyability.score - a.copyability.score ||
  a.trader.localeCompare(b.trader);
const compareBig = (a: bigint, b: bigint) => (a > b ? 1 : a < b ? -1 : 0);

/** The top `n` eligible traders; ties broken by the other measure, then by address, so ranks are stable. */
export function rankTraders(
  views: readonly TraderView[],
  sort: LeaderboardSort,
  n: number,
): LeaderboardRow[] {
  return views
    .filter((v) => v.copyability.eligible)
    .sort(sort === 'score' ? byScore : byPnl)
    .slice(0, n)
    .map((v, i) => ({
      rank: i + 1,
      trader: v.trader,
      score: v.copyability.score,
      realizedPnl30dUsdc: v.d30.realizedPnlUsdc.toString(),
      roi30d: v.d30.roi,
      winRate30d: v.d30.winRate,
      trades30d: v.d30.trades,
      volume30dUsdc: v.d30.volumeUsdc.toString(),
      maxDrawdown30dUsdc: v.d30.maxDrawdownUsdc.toString(),
      medianLeverage30d: v.d30.medianLeverage,
      lastActive: v.d30.lastActive,
    }));
}
