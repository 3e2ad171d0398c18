// Benchmark of the per-trader stats: a full rebuild of 1,000,000 realistic fills over 10,000
// traders (target <= 2 s) with the heap it keeps, and the cost of absorbing one fill into existing
// stats (target <= 50 us). Generation is not timed; the rebuild is the best of 3. Run alone: `npx tsx test/bench/analytics.bench.ts [fills] [traders]`.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { TradeEventRecord } from '#core/domain/fills.js';
import {
  applyFillToStats,
  emptyStats,
  statsFromFills,
  type TraderStats,
} from '#core/domain/analytics/stats.js';
import {
  DAY,
  T0,
  address,
  lev,
  materialize,
  prng,
  px,
  slot,
  txHashOf,
  usdc,
  type CloseReason,
  type HistoryPlan,
  type PlannedPosition,
  type PlannedStep,
  type PlannedTx,
} from '../support/analytics-fills.js';

export interface AnalyticsBench {
  readonly rebuild: {
    readonly fills: number;
    readonly traders: number;
    readonly seconds: number;
    readonly fillsPerSecond: number;
    /** Heap kept by the rebuilt stats (after a collection when one can be forced). */
    readonly heapUsedMiB: number;
  };
  readonly incrementalMicrosPerFill: number;
}

/** A full collection, so heap deltas measure what is kept rather than garbage. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc: unknown = vm.runInNewContext('gc');
  return typeof gc === 'function' ? () => (gc as () => void)() : () => undefined;
}

const PAIRS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
const PRICES = PAIRS.map((p) => px(p === 0 ? 3_000 : p === 1 ? 100_000 : 0.5 + p * 7.25));

/** Fills a position produces (request, fee + open, fee + close per market close, one per trigger or margin update). */
function fillCount(p: PlannedPosition): number {
  let n = (p.requested ? 1 : 0) + (p.fee > 0n ? 2 : 1);
  for (const s of p.steps) n += s.kind === 'MARGIN' || s.reason !== 'MARKET' ? 1 : 2;
  return n;
}

/**
 * A month of trading by `traders` traders, about `fills` fills: market and limit opens with their fee,
 * partial closes, margin updates, market closes, TP, SL and liquidations, over 20 pairs, slots reused.
 */
export function realisticPlan(fills: number, traders: number, seed = 7): HistoryPlan {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const positions: PlannedPosition[] = [];
  const txs: PlannedTx[] = [];
  const perTrader = fills / traders;
  for (let no = 0; no < traders; no++) {
    const trader = address(no);
    const pairs = [pick(PAIRS), pick(PAIRS), pick(PAIRS)];
    const own: PlannedPosition[] = [];
    let count = 0;
    while (count < perTrader) {
      const pairIndex = pick(pairs);
      const s = slot(trader, {
        pairIndex,
        index: Math.floor(r() * 2),
        buy: r() < 0.55,
        leverage: lev(pick([2, 3, 5, 5, 10, 10, 10, 20, 25, 50, 75])),
        openPrice: PRICES[pairIndex] as bigint,
      });
      const collateral = usdc(10 + Math.floor(r() * 5_000)) + BigInt(Math.floor(r() * 1_000_000));
      const notional = (collateral * s.leverage) / 10_000_000_000n;
      const steps: PlannedStep[] = [];
      let left = collateral;
      if (r() < 0.1) {
        const amount = collateral / 4n;
        steps.push({ kind: 'MARGIN', type: 'DEPOSIT', amount });
        left += amount;
      }
      for (let k = 0; k < 2 && r() < 0.3; k++) {
        const amount = (left * BigInt(1 + Math.floor(r() * 60))) / 100n;
        const usdcSent = (amount * BigInt(70 + Math.floor(r() * 60))) / 100n;
        steps.push({ kind: 'CLOSE', reason: 'MARKET', amount, usdcSent, price: s.openPrice, full: false });
        left -= amount;
      }
      const roll = r();
      const reason: CloseReason = roll < 0.6 ? 'MARKET' : roll < 0.8 ? 'TP' : roll < 0.9 ? 'SL' : 'LIQ';
      const factor =
        reason === 'TP' ? 150 : reason === 'SL' ? 80 : reason === 'LIQ' ? 0 : 60 + Math.floor(r() * 80);
      steps.push({
        kind: 'CLOSE',
        reason,
        amount: left,
        usdcSent: (left * BigInt(factor)) / 100n,
        price: s.openPrice,
        full: true,
      });
      const via = r() < 0.8 ? 'MARKET' : 'LIMIT';
      const p: PlannedPosition = {
        id: positions.length + own.length,
        slot: s,
        collateral,
        fee: r() < 0.95 ? (notional * 6n) / 10_000n + 1n : 0n, // 0.06% of the notional, odd units
        feeOrder: 'before',
        via,
        requested: via === 'MARKET', // a market order's request is a fill of its own
        steps,
        closed: true,
      };
      own.push(p);
      count += fillCount(p);
    }
    // The trader's positions one after another (a slot is reused only once closed), over 30 days.
    const txCount = own.reduce((n, p) => n + (p.requested ? 2 : 1) + p.steps.length, 0);
    const gap = Math.max(2, Math.floor((30 * DAY) / (txCount + 1)));
    let t = T0 + Math.floor(r() * gap);
    let seq = 0;
    for (const p of own) {
      const events = [...(p.requested ? [-2] : []), -1, ...p.steps.map((_, i) => i)];
      for (const step of events) {
        t += 2 + Math.floor(r() * 2 * gap);
        txs.push({ trader, timestamp: t, txHash: txHashOf(`bench-${no}-${seq++}`), position: p.id, step });
      }
    }
    positions.push(...own);
  }
  return { traders: Array.from({ length: traders }, (_, no) => address(no)), positions, txs };
}

function groupByTrader(fills: readonly TradeEventRecord[]): Map<string, TradeEventRecord[]> {
  const byTrader = new Map<string, TradeEventRecord[]>();
  for (const f of fills) {
    const own = byTrader.get(f.trader);
    if (own) own.push(f);
    else byTrader.set(f.trader, [f]);
  }
  return byTrader;
}

/** The fills alone, built as the indexer builds them, from a frame of their own so the plan is garbage on return. */
export function realisticFills(fills: number, traders: number): readonly TradeEventRecord[] {
  return materialize(realisticPlan(fills, traders), 11).fills;
}

/**
 * The fills as a rebuild reads them back from the store (`fillsOf(trader)`, in chain order): their keys
 * are flat strings. Keys built in process are concatenations, which V8 flattens on first comparison.
 */
export function asStored(fills: readonly TradeEventRecord[]): TradeEventRecord[] {
  const flat = (s: string) => Buffer.from(s, 'latin1').toString('latin1');
  return fills.map((f) => ({ ...f, fillId: flat(f.fillId), fillKey: flat(f.fillKey) }));
}

function rebuild(fills: readonly TradeEventRecord[]): Map<string, TraderStats> {
  const rebuilt = new Map<string, TraderStats>();
  for (const [trader, own] of groupByTrader(fills)) rebuilt.set(trader, statsFromFills(trader, own));
  return rebuilt;
}

const REBUILDS = 3;

/** One timed rebuild, with the heap its result keeps; the result is garbage once this returns. */
function timedRebuild(
  stored: readonly TradeEventRecord[],
  gc: () => void,
): { seconds: number; heapMiB: number; traders: number } {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const rebuilt = rebuild(stored);
  const seconds = (performance.now() - started) / 1_000;
  gc();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  return { seconds, heapMiB, traders: rebuilt.size };
}

export function analyticsBench(fillTarget = 1_000_000, traderCount = 10_000): AnalyticsBench {
  const gc = collector();
  const live = realisticFills(fillTarget, traderCount);
  const stored = asStored(live);

  // Full rebuild (group by trader, then each trader's stats from their whole history), best of 3.
  let seconds = Infinity;
  let heapUsedMiB = 0;
  for (let run = 0; run < REBUILDS; run++) {
    const r = timedRebuild(stored, gc);
    if (r.traders !== traderCount) throw new Error(`rebuilt ${r.traders} traders, not ${traderCount}`);
    seconds = Math.min(seconds, r.seconds);
    heapUsedMiB = Math.max(heapUsedMiB, r.heapMiB);
  }

  // Incremental: stats rebuilt from the first 90% of the chain absorb the last 10%, built in process
  // as the indexer builds them, one fill at a time.
  const cut = Math.floor(stored.length * 0.9);
  const existing = rebuild(stored.slice(0, cut));
  const tail = live.slice(cut);
  gc();
  const t0 = performance.now();
  for (const fill of tail) {
    let stats = existing.get(fill.trader);
    if (!stats) {
      stats = emptyStats(fill.trader);
      existing.set(fill.trader, stats);
    }
    applyFillToStats(stats, fill);
  }
  const incrementalMicrosPerFill = ((performance.now() - t0) * 1_000) / tail.length;

  const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;
  return {
    rebuild: {
      fills: stored.length,
      traders: traderCount,
      seconds: round(seconds, 3),
      fillsPerSecond: Math.round(stored.length / seconds),
      heapUsedMiB: round(heapUsedMiB, 1),
    },
    incrementalMicrosPerFill: round(incrementalMicrosPerFill, 3),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fills = Number(process.argv[2] ?? 1_000_000);
  const traders = Number(process.argv[3] ?? 10_000);
  const result = analyticsBench(fills, traders);
  console.log('analytics', JSON.stringify(result, null, 2));
  console.log('targets: rebuild <= 2 s, incremental <= 50 us per fill');
}
