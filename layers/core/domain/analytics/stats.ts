// Per-trader statistics, kept incrementally as fills arrive: an all-time aggregate plus one per
// UTC day for the last 30 days. Aggregates merge (they form a monoid, drawdown included), so a
// 7- or 30-day window is the merge of its days, and nothing is ever recomputed from fills.
import type { TradeEventRecord } from '../fills.js';
import { applyToLedger, emptyLedger, type Ledger, type LedgerEffect } from './ledger.js';

const DAY = 86_400;
export const KEPT_DAYS = 31;
const PRECISION = 10_000_000_000n;

/**
 * The realized equity curve of a segment, as the four numbers that let segments concatenate:
 * total, highest and lowest running sum (the empty prefix counts as 0), and the deepest fall from
 * a running high to a later low.
 */
export interface EquitySegment {
  sum: bigint;
  high: bigint;
  low: bigint;
  drawdown: bigint;
}

export interface Aggregate {
  /** Positions opened. */
  opens: number;
  /** Closing fills (partial or full). */
  closes: number;
  wins: number;
  /** Notional opened + notional closed, USDC 1e6. */
  volume: bigint;
  realizedPnl: bigint;
  collateralClosed: bigint;
  /** Leverage (1e10) -> positions opened at it: enough for mean and median. */
  leverages: Map<bigint, number>;
  holdSeconds: number;
  holdCount: number;
  equity: EquitySegment;
  pairs: Set<number>;
  lastActive: number;
}

export function emptyAggregate(): Aggregate {
  return {
    opens: 0,
    closes: 0,
    wins: 0,
    volume: 0n,
    realizedPnl: 0n,
    collateralClosed: 0n,
    leverages: new Map(),
    holdSeconds: 0,
    holdCount: 0,
    equity: { sum: 0n, high: 0n, low: 0n, drawdown: 0n },
    pairs: new Set(),
    lastActive: 0,
  };
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** The curve of `a` followed by `b`. */
export function concatEquity(a: EquitySegment, b: EquitySegment): EquitySegment {
  return {
    sum: a.sum + b.sum,
    high: max(a.high, a.sum + b.high),
    low: min(a.low, a.sum + b.low),
    drawdown: max(max(a.drawdown, b.drawdown), a.high - (a.sum + b.low)),
  };
}

function addPoint(e: EquitySegment, pnl: bigint): void {
  e.sum += pnl;
  if (e.sum > e.high) e.high = e.sum;
  if (e.sum < e.low) e.low = e.sum;
  if (e.high - e.sum > e.drawdown) e.drawdown = e.high - e.sum;
}

function record(agg: Aggregate, effect: LedgerEffect): void {
  agg.pairs.add(effect.pairIndex);
  if (effect.ts > agg.lastActive) agg.lastActive = effect.ts;
  agg.volume += effect.notional;
  if (effect.kind === 'OPEN') {
    agg.opens += 1;
    agg.leverages.set(effect.leverage, (agg.leverages.get(effect.leverage) ?? 0) + 1);
    return;
  }
  // An increase is volume, not a new position; its fee is carried to the closes.
  if (effect.kind === 'INCREASE') return;
  if (effect.kind === 'FEE_LOSS') {
    // A cancelled open's kept fee: realized, on the equity curve, but no close (win rate unchanged).
    agg.realizedPnl += effect.realizedPnl;
    addPoint(agg.equity, effect.realizedPnl);
    return;
  }
  agg.closes += 1;
  if (effect.realizedPnl > 0n) agg.wins += 1;
  agg.realizedPnl += effect.realizedPnl;
  agg.collateralClosed += effect.collateralClosed;
  if (effect.holdSeconds !== undefined) {
    agg.holdSeconds += effect.holdSeconds;
    agg.holdCount += 1;
  }
  addPoint(agg.equity, effect.realizedPnl);
}

/** `a` then `b`, into a new aggregate (order matters for the equity curve only). */
export function mergeAggregates(a: Aggregate, b: Aggregate): Aggregate {
  const leverages = new Map(a.leverages);
  for (const [lev, n] of b.leverages) leverages.set(lev, (leverages.get(lev) ?? 0) + n);
  return {
    opens: a.opens + b.opens,
    closes: a.closes + b.closes,
    wins: a.wins + b.wins,
    volume: a.volume + b.volume,
    realizedPnl: a.realizedPnl + b.realizedPnl,
    collateralClosed: a.collateralClosed + b.collateralClosed,
    leverages,
    holdSeconds: a.holdSeconds + b.holdSeconds,
    holdCount: a.holdCount + b.holdCount,
    equity: concatEquity(a.equity, b.equity),
    pairs: new Set([...a.pairs, ...b.pairs]),
    lastActive: Math.max(a.lastActive, b.lastActive),
  };
}

export interface TraderStats {
  readonly trader: string;
  readonly ledger: Ledger;
  readonly allTime: Aggregate;
  /** UTC day number -> that day's aggregate; only the last KEPT_DAYS days are kept. */
  readonly days: Map<number, Aggregate>;
  /** The last fill absorbed: applying a fill at or before it is a no-op, so replays cannot double-count. */
  lastFillKey: string;
}

export function emptyStats(trader: string): TraderStats {
  return { trader, ledger: emptyLedger(), allTime: emptyAggregate(), days: new Map(), lastFillKey: '' };
}

export const dayOf = (ts: number): number => Math.floor(ts / DAY);

/** Absorbs one fill; returns the effect on PnL, if any. Fills must come in chain order per trader. */
export function applyFillToStats(stats: TraderStats, fill: TradeEventRecord): LedgerEffect | undefined {
  if (fill.fillKey <= stats.lastFillKey) return undefined;
  stats.lastFillKey = fill.fillKey;
  const effect = applyToLedger(stats.ledger, fill);
  if (!effect) return undefined;
  record(stats.allTime, effect);
  const day = dayOf(effect.ts);
  let bucket = stats.days.get(day);
  if (!bucket) {
    bucket = emptyAggregate();
    stats.days.set(day, bucket);
    for (const d of stats.days.keys()) if (d <= day - KEPT_DAYS) stats.days.delete(d);
  }
  record(bucket, effect);
  return effect;
}

/** What a window of stats says, ready to show or rank. Amounts in USDC 1e6; leverage in x. */
export interface WindowStats {
  readonly trades: number;
  readonly closes: number;
  readonly wins: number;
  /** 0..1; 0 when there are no closes (never NaN). */
  readonly winRate: number;
  readonly volumeUsdc: bigint;
  readonly realizedPnlUsdc: bigint;
  /** Realized PnL over collateral closed; 0 without closes. */
  readonly roi: number;
  readonly avgLeverage: number;
  readonly medianLeverage: number;
  readonly avgHoldSeconds: number;
  readonly maxDrawdownUsdc: bigint;
  readonly collateralClosedUsdc: bigint;
  readonly lastActive: number;
  readonly pairs: readonly number[];
  /** Days with activity, and those with positive realized PnL (windows only; all-time has no days). */
  readonly activeDays: number;
  readonly profitableDays: number;
}

function median(leverages: Map<bigint, number>, count: number): number {
  if (count === 0) return 0;
  const sorted = [...leverages].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const at = (k: number): bigint => {
    let seen = 0;
    for (const [lev, n] of sorted) {
      seen += n;
      if (seen > k) return lev;
    }
    return 0n;
  };
  const lo = at(Math.floor((count - 1) / 2));
  const hi = at(Math.floor(count / 2));
  return Number(lo + hi) / 2 / Number(PRECISION);
}

const ratio = (a: bigint, b: bigint) => (b === 0n ? 0 : Number((a * 1_000_000n) / b) / 1_000_000);

export function summarize(agg: Aggregate, days?: { active: number; profitable: number }): WindowStats {
  let levSum = 0n;
  let levCount = 0;
  for (const [lev, n] of agg.leverages) {
    levSum += lev * BigInt(n);
    levCount += n;
  }
  return {
    trades: agg.opens,
    closes: agg.closes,
    wins: agg.wins,
    winRate: agg.closes === 0 ? 0 : agg.wins / agg.closes,
    volumeUsdc: agg.volume,
    realizedPnlUsdc: agg.realizedPnl,
    roi: ratio(agg.realizedPnl, agg.collateralClosed),
    avgLeverage: levCount === 0 ? 0 : Number(levSum / BigInt(levCount)) / Number(PRECISION),
    medianLeverage: median(agg.leverages, levCount),
    avgHoldSeconds: agg.holdCount === 0 ? 0 : Math.round(agg.holdSeconds / agg.holdCount),
    maxDrawdownUsdc: agg.equity.drawdown,
    collateralClosedUsdc: agg.collateralClosed,
    lastActive: agg.lastActive,
    pairs: [...agg.pairs].sort((a, b) => a - b),
    activeDays: days?.active ?? 0,
    profitableDays: days?.profitable ?? 0,
  };
}

/** The last `days` UTC days up to and including `now`'s. */
export function windowStats(stats: TraderStats, now: number, days: number): WindowStats {
  const today = dayOf(now);
  let agg = emptyAggregate();
  let active = 0;
  let profitable = 0;
  const inWindow = [...stats.days.keys()].filter((d) => d > today - days && d <= today).sort((a, b) => a - b);
  for (const d of inWindow) {
    const bucket = stats.days.get(d) as Aggregate;
    agg = mergeAggregates(agg, bucket);
    active += 1;
    if (bucket.realizedPnl > 0n) profitable += 1;
  }
  return summarize(agg, { active, profitable });
}

export function allTimeStats(stats: TraderStats): WindowStats {
  return summarize(stats.allTime);
}

/** A trader's stats from their whole fill history (rebuilds and reorg corrections). */
export function statsFromFills(trader: string, fills: readonly TradeEventRecord[]): TraderStats {
  // The store returns fills in chain order: apply them in one pass, and sort only if one is out of order.
  const stats = emptyStats(trader);
  for (const fill of fills) {
    if (fill.fillKey < stats.lastFillKey) return statsFromSorted(trader, fills);
    applyFillToStats(stats, fill);
  }
  return stats;
}

function statsFromSorted(trader: string, fills: readonly TradeEventRecord[]): TraderStats {
  const stats = emptyStats(trader);
  for (const fill of [...fills].sort((a, b) =>
    a.fillKey < b.fillKey ? -1 : a.fillKey > b.fillKey ? 1 : 0,
  )) {
    applyFillToStats(stats, fill);
  }
  return stats;
}
