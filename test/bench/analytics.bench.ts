// Benchmark of the per-trader stats: a full rebuild of 1,000,000 realistic fills over 10,000
// traders (target <= 2 s) with the heap it keeps, and the cost of absorbing one fill into existing
// stats (target <= 50 us). Generation is not timed. Run alone: `npx tsx test/bench/analytics.bench.ts [fills] [traders]`.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Fill } from '../../layers/core/domain/fills.js';
import { applyFillToStats, statsFromFills, type TraderStats } from '../../layers/core/domain/analytics/stats.js';
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
      const reason = pick<CloseReason>(['MARKET', 'MARKET', 'MARKET', 'MARKET', 'MARKET', 'MARKET', 'TP', 'TP', 'SL', 'LIQ']);
      const factor = reason === 'TP' ? 150 : reason === 'SL' ? 80 : reason === 'LIQ' ? 0 : 60 + Math.floor(r() * 80);
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

function groupByTrader(fills: readonly Fill[]): Map<string, Fill[]> {
  const byTrader = new Map<string, Fill[]>();
  for (const f of fills) {
    const own = byTrader.get(f.trader);
    if (own) own.push(f);
    else byTrader.set(f.trader, [f]);
  }
  return byTrader;
}

/** The fills alone, from a frame of their own so the plan is garbage once it returns. */
export function realisticFills(fills: number, traders: number): readonly Fill[] {
  const out = materialize(realisticPlan(fills, traders), 11).fills;
  return process.env.FLAT ? out.map((f) => ({ ...f, fillKey: Buffer.from(f.fillKey, 'latin1').toString('latin1') })) : out;
}

export function analyticsBench(fillTarget = 1_000_000, traderCount = 10_000): AnalyticsBench {
  const gc = collector();
  const fills = realisticFills(fillTarget, traderCount);

  // Full rebuild: group by trader, then each trader's stats from their whole history.
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const rebuilt = new Map<string, TraderStats>();
  for (const [trader, own] of groupByTrader(fills)) rebuilt.set(trader, statsFromFills(trader, own));
  const seconds = (performance.now() - started) / 1_000;
  gc();
  const heapUsedMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  if (rebuilt.size !== traderCount) throw new Error(`rebuilt ${rebuilt.size} traders, expected ${traderCount}`);
  rebuilt.clear();

  // Incremental: stats built from the first 90% of the chain take the last 10% one fill at a time.
  const cut = Math.floor(fills.length * 0.9);
  const existing = new Map<string, TraderStats>();
  for (const [trader, own] of groupByTrader(fills.slice(0, cut))) existing.set(trader, statsFromFills(trader, own));
  const tail = fills.slice(cut);
  gc();
  const t0 = performance.now();
  for (const fill of tail) {
    let stats = existing.get(fill.trader);
    if (!stats) {
      stats = statsFromFills(fill.trader, []);
      existing.set(fill.trader, stats);
    }
    applyFillToStats(stats, fill);
  }
  const incrementalMicrosPerFill = ((performance.now() - t0) * 1_000) / tail.length;

  const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
  return {
    rebuild: {
      fills: fills.length,
      traders: traderCount,
      seconds: round(seconds, 3),
      fillsPerSecond: Math.round(fills.length / seconds),
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
