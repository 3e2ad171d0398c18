// Per-trader stats (domain/analytics/stats.ts): hand-checked cases (partial closes, holding time, a
// trader without closes, decoded logs), property tests against a plain reference model derived
// from the generated plan (never from the ledger's lots, slots or fee matching: batching,
// interleaving, windows, the equity curve), and over random v2 lives (v2-lives.ts) the same
// realized PnL as the wallet, a cancelled open's kept fee included. USDC 1e6, prices 1e10.
import { describe, expect, it } from 'vitest';
import { decodeLog } from '#core/domain/avantis/decode.js';
import { fillsFromEvents, type TradeEventRecord } from '#core/domain/fills.js';
import type { CloseEffect, LedgerEffect } from '#core/domain/analytics/ledger.js';
import {
  allTimeStats,
  statsFromFills,
  applyFillToStats,
  concatEquity,
  dayOf,
  emptyStats,
  windowStats,
  type EquitySegment,
  type TraderStats,
} from '#core/domain/analytics/stats.js';
import type { TradeEvent } from '#core/domain/trade-events.js';
import { marketClose, marketOpen } from '../../../fixtures/avantis-logs.js';
import {
  FillTape,
  T0,
  address,
  lev,
  px,
  slot,
  usdc,
  DAY,
  fillsOf,
  historyArb,
  materialize,
  prng,
  type History,
  type PlannedPosition,
} from '../../../support/analytics-fills.js';
import fc from 'fast-check';
import { TRADER, life, play } from './v2-lives.js';

const ALICE = address('alice');

const RUNS = { numRuns: 200 };

// ---------------------------------------------------------------- the reference model

/** Realized PnL of one position by the book: what came back minus what went in, minus its fee once closed. */
function referencePositionPnl(p: PlannedPosition): { withoutFee: bigint; fee: bigint } {
  let withoutFee = 0n;
  for (const step of p.steps) if (step.kind === 'CLOSE') withoutFee += step.usdcSent - step.amount;
  return { withoutFee, fee: p.fee };
}

/** A trader's realized PnL when every position is closed: sum of (usdcSent - collateral) minus every opening fee. */
function referenceTraderPnl(history: History, trader: string): bigint {
  let total = 0n;
  for (const p of history.plan.positions) {
    if (p.slot.trader !== trader) continue;
    const { withoutFee, fee } = referencePositionPnl(p);
    total += withoutFee - fee;
  }
  return total;
}

/** Max drawdown by brute force: the deepest fall from any running total (the start counts as 0) to a later one. */
function bruteDrawdown(pnls: readonly bigint[]): bigint {
  const running = [0n];
  for (const p of pnls) running.push((running.at(-1) as bigint) + p);
  let worst = 0n;
  for (let i = 0; i < running.length; i++) {
    for (let j = i; j < running.length; j++) {
      const fall = (running[i] as bigint) - (running[j] as bigint);
      if (fall > worst) worst = fall;
    }
  }
  return worst;
}

/** The equity segment of a sequence of close PnLs, by brute force. */
function bruteSegment(pnls: readonly bigint[]): EquitySegment {
  let sum = 0n;
  let high = 0n;
  let low = 0n;
  for (const p of pnls) {
    sum += p;
    if (sum > high) high = sum;
    if (sum < low) low = sum;
  }
  return { sum, high, low, drawdown: bruteDrawdown(pnls) };
}

// ---------------------------------------------------------------- helpers

interface Applied {
  readonly stats: Map<string, TraderStats>;
  /** fillId -> the effect applying it had. */
  readonly effects: Map<string, LedgerEffect>;
}

/** The indexer's way: every fill in chain order into its trader's stats, one at a time. */
function applyOneByOne(fills: readonly TradeEventRecord[], into = new Map<string, TraderStats>()): Applied {
  const effects = new Map<string, LedgerEffect>();
  for (const fill of fills) {
    let stats = into.get(fill.trader);
    if (!stats) {
      stats = emptyStats(fill.trader);
      into.set(fill.trader, stats);
    }
    const effect = applyFillToStats(stats, fill);
    if (effect) effects.set(fill.fillId, effect);
  }
  return { stats: into, effects };
}

function closeEffectsOf(
  history: History,
  effects: Map<string, LedgerEffect>,
  positionId: number,
): CloseEffect[] {
  const out: CloseEffect[] = [];
  for (const fill of history.fills) {
    const effect = effects.get(fill.fillId);
    if (effect?.kind === 'CLOSE' && history.positionOf.get(fill.fillId) === positionId) out.push(effect);
  }
  return out;
}

/** Everything but the key of the last fill absorbed, which depends on where the fills sit on chain. */
function content(stats: TraderStats | undefined) {
  if (!stats) return undefined;
  const { lastFillKey: _ignored, ...rest } = stats;
  return rest;
}

/** A random merge of the traders' fills that keeps each trader's own order. */
function reinterleave(fills: readonly TradeEventRecord[], seed: number): TradeEventRecord[] {
  const rand = prng(seed);
  const queues = new Map<string, TradeEventRecord[]>();
  for (const f of fills) {
    const q = queues.get(f.trader) ?? [];
    q.push(f);
    queues.set(f.trader, q);
  }
  const live = [...queues.values()];
  const out: TradeEventRecord[] = [];
  while (live.length > 0) {
    const k = Math.floor(rand() * live.length);
    const q = live[k] as TradeEventRecord[];
    out.push(q.shift() as TradeEventRecord);
    if (q.length === 0) live.splice(k, 1);
  }
  return out;
}

// ---------------------------------------------------------------- (2) partial closes

/** Cuts `total` into `cuts.length + 1` positive parts (fewer when cuts collide). */
function partition(total: bigint, cuts: readonly bigint[]): bigint[] {
  const points = [...new Set(cuts.map((c) => 1n + (c % (total - 1n))))].sort((a, b) => (a < b ? -1 : 1));
  const parts: bigint[] = [];
  let prev = 0n;
  for (const p of [...points, total]) {
    parts.push(p - prev);
    prev = p;
  }
  return parts;
}

// ---------------------------------------------------------------- (5) drawdown

const pnlSeq = fc.array(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), { maxLength: 30 });

describe('partial closes', () => {
  it('sum to the PnL of one full close: 1,030 - 1,000 USDC less the whole fee', () => {
    // Prepare
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(1_000), { fee: 1_000_001n });
    tape.close(s, usdc(260), usdc(250));
    tape.close(s, usdc(240), usdc(250));
    tape.close(s, usdc(530), usdc(500));

    // Act
    const stats = statsFromFills(ALICE, tape.fills);

    // Assess: 30,000,000 - 1,000,001 = 28,999,999.
    expect(stats.allTime.realizedPnl).toBe(28_999_999n);
  });

  it('weight the holding time by the collateral closed', () => {
    // Prepare: 100 USDC opened at T0; half closed one hour later, the rest three hours after the open.
    const s = slot(ALICE);
    const tape = new FillTape(T0);
    tape.openPosition(s, usdc(100));
    tape.at(T0 + 3_600).close(s, usdc(50), usdc(50));
    tape.at(T0 + 10_800).close(s, usdc(50));

    // Act
    const stats = allTimeStats(statsFromFills(ALICE, tape.fills));

    // Assess: (3,600 + 10,800) / 2 = 7,200 s.
    expect(stats.avgHoldSeconds).toBe(7_200);
  });
});

describe('a trader without closes', () => {
  it('shows zeros, never NaN, and the median leverage of the opens', () => {
    // Prepare: opens at 5x, 10x and 20x, none closed.
    const tape = new FillTape();
    [5, 10, 20].forEach((x, i) => tape.openPosition(slot(ALICE, { index: i, leverage: lev(x) }), usdc(100)));

    // Act
    const stats = allTimeStats(statsFromFills(ALICE, tape.fills));

    // Assess
    expect(stats).toMatchObject({
      trades: 3,
      closes: 0,
      winRate: 0,
      roi: 0,
      avgHoldSeconds: 0,
      realizedPnlUsdc: 0n,
      maxDrawdownUsdc: 0n,
      medianLeverage: 10,
    });
    for (const [, v] of Object.entries(stats))
      if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  });

  it('takes the middle two for an even number of opens', () => {
    // Prepare: opens at 5x, 10x, 20x and 25x.
    const tape = new FillTape();
    [5, 10, 20, 25].forEach((x, i) =>
      tape.openPosition(slot(ALICE, { index: i, leverage: lev(x) }), usdc(100)),
    );

    // Act
    const stats = allTimeStats(statsFromFills(ALICE, tape.fills));

    // Assess: (10 + 20) / 2 = 15.
    expect(stats.medianLeverage).toBe(15);
  });
});

describe('decoded logs', () => {
  it('an open and a partial close decoded from raw logs give the same PnL as built fills', () => {
    // Prepare: the fixtures' default trade: long 10x at 3,000 with 1,000 USDC; 400 closed for 430.
    const trade = { trader: ALICE, collateral: usdc(1_000) };
    const logs = [
      marketOpen(trade, { blockNumber: 100, logIndex: 0 }),
      marketClose(
        trade,
        { blockNumber: 105, logIndex: 0 },
        {
          amount: usdc(400),
          price: px(3_022.5),
          percentProfit: 75_000_000_000n,
          usdcSentToTrader: usdc(430),
        },
      ),
    ];
    const events = logs.map((l) => decodeLog(l)).flatMap((r) => (r.ok ? [r.event] : ([] as TradeEvent[])));
    const { fills } = fillsFromEvents(events, (block) => T0 + block * 2);
    const tape = new FillTape();
    tape.openPosition(slot(ALICE), usdc(1_000));
    tape.close(slot(ALICE), usdc(430), usdc(400));

    // Act
    const decoded = statsFromFills(ALICE, fills);
    const built = statsFromFills(ALICE, tape.fills);

    // Assess: 430 - 400 = +30 USDC either way.
    expect(events).toHaveLength(2);
    expect(decoded.allTime.realizedPnl).toBe(30_000_000n);
    expect(built.allTime.realizedPnl).toBe(decoded.allTime.realizedPnl);
  });
});

// ---------------------------------------------------------------- (1) realized PnL

describe('realized PnL matches the reference model', () => {
  it('per trader, all-time realized PnL equals the sum of per-close PnL and the reference when all positions are closed', () => {
    fc.assert(
      fc.property(historyArb({ allClosed: true }), (history) => {
        // Prepare / Act
        const { stats, effects } = applyOneByOne(history.fills);

        // Assess
        for (const trader of history.plan.traders) {
          const s = stats.get(trader) as TraderStats;
          let perClose = 0n;
          for (const f of fillsOf(history.fills, trader)) {
            const e = effects.get(f.fillId);
            if (e?.kind === 'CLOSE') perClose += e.realizedPnl;
          }
          expect(s.allTime.realizedPnl).toBe(perClose);
          expect(s.allTime.realizedPnl).toBe(referenceTraderPnl(history, trader));
        }
      }),
      RUNS,
    );
  });

  it('per position, closes realize usdcSent - collateral and exactly the opening fee once closed, at most it while open', () => {
    fc.assert(
      fc.property(historyArb(), (history) => {
        // Prepare / Act
        const { effects } = applyOneByOne(history.fills);

        // Assess
        for (const p of history.plan.positions) {
          const closes = closeEffectsOf(history, effects, p.id);
          const planned = p.steps.filter((s) => s.kind === 'CLOSE');
          expect(closes.map((c) => [c.reason, c.collateralClosed, c.usdcSent])).toEqual(
            planned.map((s) => [s.reason, s.amount, s.usdcSent]),
          );
          const feeShares = closes.reduce((sum, c) => sum + c.feeShare, 0n);
          const realized = closes.reduce((sum, c) => sum + c.realizedPnl, 0n);
          const { withoutFee, fee } = referencePositionPnl(p);
          if (p.closed) {
            expect(feeShares).toBe(fee);
          } else {
            expect(feeShares >= 0n && feeShares <= fee).toBe(true);
          }
          expect(realized).toBe(withoutFee - feeShares);
        }
      }),
      RUNS,
    );
  });

  it('counts opens, closes and wins and keeps the drawdown of the close PnL sequence', () => {
    fc.assert(
      fc.property(historyArb(), (history) => {
        // Prepare / Act
        const { stats, effects } = applyOneByOne(history.fills);

        // Assess
        for (const trader of history.plan.traders) {
          const positions = history.plan.positions.filter((p) => p.slot.trader === trader);
          const pnls = fillsOf(history.fills, trader).flatMap((f) => {
            const e = effects.get(f.fillId);
            return e?.kind === 'CLOSE' ? [e.realizedPnl] : [];
          });
          const all = allTimeStats(stats.get(trader) as TraderStats);
          expect(all.trades).toBe(positions.length);
          expect(all.closes).toBe(positions.flatMap((p) => p.steps.filter((s) => s.kind === 'CLOSE')).length);
          expect(all.wins).toBe(pnls.filter((p) => p > 0n).length);
          expect(all.maxDrawdownUsdc).toBe(bruteDrawdown(pnls));
        }
      }),
      RUNS,
    );
  });

  it('leaves no open lot once every position is closed', () => {
    fc.assert(
      fc.property(historyArb({ allClosed: true }), (history) => {
        // Prepare / Act
        const { stats } = applyOneByOne(history.fills);

        // Assess
        for (const s of stats.values()) expect([...s.ledger.slots.entries()]).toEqual([]);
      }),
      RUNS,
    );
  });
});

describe('partial closes', () => {
  it('add up to exactly what one full close of the same total gives, fee included', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2n, max: usdc(1_000_000) }),
        fc.bigInt({ min: 0n, max: usdc(5_000) }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.bigInt({ min: 0n, max: usdc(100_000) }), { minLength: 7, maxLength: 7 }),
        fc.constantFrom<'before' | 'after'>('before', 'after'),
        fc.constantFrom<'MARKET' | 'TP' | 'SL' | 'LIQ'>('MARKET', 'TP', 'SL', 'LIQ'),
        (collateral, fee, cuts, sent, feeOrder, lastBy) => {
          // Prepare
          const s = slot(address('partial'), { leverage: lev(7.5) });
          const parts = partition(collateral, cuts);
          const sends = parts.map((_, i) =>
            lastBy === 'LIQ' && i === parts.length - 1 ? 0n : (sent[i] as bigint),
          );
          const partial = new FillTape();
          partial.openPosition(s, collateral, { fee, feeOrder });
          parts.forEach((part, i) => {
            const last = i === parts.length - 1;
            if (last && lastBy !== 'MARKET') partial.trigger(s, lastBy, sends[i] as bigint);
            else partial.close(s, sends[i] as bigint, part);
          });
          const whole = new FillTape();
          whole.openPosition(s, collateral, { fee, feeOrder });
          whole.close(
            s,
            sends.reduce((a, b) => a + b, 0n),
          );

          // Act
          const a = applyOneByOne(partial.fills);
          const b = applyOneByOne(whole.fills);

          // Assess
          const closesA = [...a.effects.values()].filter((e): e is CloseEffect => e.kind === 'CLOSE');
          const closesB = [...b.effects.values()].filter((e): e is CloseEffect => e.kind === 'CLOSE');
          expect(closesA.reduce((sum, e) => sum + e.feeShare, 0n)).toBe(fee);
          expect(closesB.map((e) => e.feeShare)).toEqual([fee]);
          expect(closesA.reduce((sum, e) => sum + e.realizedPnl, 0n)).toBe(closesB[0]?.realizedPnl);
          expect(a.stats.get(s.trader)?.allTime.realizedPnl).toBe(b.stats.get(s.trader)?.allTime.realizedPnl);
          expect(a.stats.get(s.trader)?.allTime.collateralClosed).toBe(collateral);
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- (3) batching and interleaving

describe('results do not depend on batching or interleaving', () => {
  it('statsFromFills over shuffled, duplicated fills equals applying them one by one in chain order', () => {
    fc.assert(
      fc.property(historyArb(), fc.integer(), (history, seed) => {
        // Prepare
        const { stats } = applyOneByOne(history.fills);
        const rand = prng(seed);

        // Act
        const rebuilt = history.plan.traders.map((trader) => {
          const own = fillsOf(history.fills, trader);
          const messy = [...own, ...own.filter(() => rand() < 0.3)].sort(() => rand() - 0.5);
          return statsFromFills(trader, messy);
        });

        // Assess
        for (const s of rebuilt) expect(s).toEqual(stats.get(s.trader));
      }),
      RUNS,
    );
  });

  it('statsFromFills over the fills of each trader in chain order, replays included, equals applying them one by one', () => {
    fc.assert(
      fc.property(historyArb(), fc.integer(), (history, seed) => {
        // Prepare
        const { stats } = applyOneByOne(history.fills);
        const rand = prng(seed);

        // Act
        const rebuilt = history.plan.traders.map((trader) =>
          statsFromFills(
            trader,
            fillsOf(history.fills, trader).flatMap((f) => (rand() < 0.2 ? [f, f] : [f])),
          ),
        );

        // Assess
        for (const s of rebuilt) expect(s).toEqual(stats.get(s.trader));
      }),
      RUNS,
    );
  });

  it('random overlapping chunks (redelivered fills) give the same stats as one pass', () => {
    fc.assert(
      fc.property(
        historyArb(),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 }),
        (history, chunking) => {
          // Prepare
          const n = history.fills.length;
          const { stats: expected } = applyOneByOne(history.fills);
          const into = new Map<string, TraderStats>();

          // Act: each chunk starts at or before where the previous one ended, so some fills come twice.
          let done = 0;
          for (const [back, size] of chunking) {
            const start = Math.max(0, done - (back % 5));
            const end = Math.min(n, start + 1 + (size % 20));
            applyOneByOne(history.fills.slice(start, end), into);
            done = Math.max(done, end);
          }
          applyOneByOne(history.fills.slice(Math.max(0, done - 3)), into);

          // Assess
          expect(into).toEqual(expected);
        },
      ),
      RUNS,
    );
  });

  it('re-applying an absorbed fill changes nothing', () => {
    fc.assert(
      fc.property(historyArb(), fc.nat(), (history, pick) => {
        // Prepare
        const { stats } = applyOneByOne(history.fills);
        const fill = history.fills[pick % history.fills.length] as TradeEventRecord;
        const s = stats.get(fill.trader) as TraderStats;
        const before = structuredClone(s);

        // Act
        const effect = applyFillToStats(s, fill);

        // Assess
        expect(effect).toBeUndefined();
        expect(s).toEqual(before);
      }),
      RUNS,
    );
  });

  it('applying the traders in another interleaving gives the same stats', () => {
    fc.assert(
      fc.property(historyArb({ minTraders: 2 }), fc.integer(), (history, seed) => {
        // Prepare
        const { stats: expected } = applyOneByOne(history.fills);

        // Act
        const { stats } = applyOneByOne(reinterleave(history.fills, seed));

        // Assess
        expect(stats).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('the same histories laid on chain in another interleaving (other blocks and log indexes) give the same stats', () => {
    fc.assert(
      fc.property(historyArb({ minTraders: 2 }), fc.integer(), (history, seed) => {
        // Prepare
        const other = materialize(history.plan, seed);
        const { stats: expected } = applyOneByOne(history.fills);

        // Act
        const { stats } = applyOneByOne(other.fills);

        // Assess
        for (const trader of history.plan.traders) {
          expect(content(stats.get(trader))).toEqual(content(expected.get(trader)));
        }
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- (4) windows

describe('window stats', () => {
  it('a window covering all activity equals all-time (counts, volume, PnL, drawdown)', () => {
    fc.assert(
      fc.property(
        historyArb({ maxSpanSeconds: 25 * DAY }),
        fc.integer({ min: 0, max: 3 * DAY }),
        (history, later) => {
          // Prepare
          const { stats, effects } = applyOneByOne(history.fills);
          const now = (history.fills.at(-1) as TradeEventRecord).timestamp + later;

          for (const trader of history.plan.traders) {
            // Act
            const s = stats.get(trader) as TraderStats;
            const window = windowStats(s, now, 30);
            const all = allTimeStats(s);

            // Assess
            const days = new Set(
              fillsOf(history.fills, trader)
                .filter((f) => effects.has(f.fillId))
                .map((f) => dayOf(f.timestamp)),
            );
            expect({ ...window, activeDays: 0, profitableDays: 0 }).toEqual(all);
            expect(window.activeDays).toBe(days.size);
          }
        },
      ),
      RUNS,
    );
  });
});

describe('equity curve and drawdown', () => {
  it('concatenating two segments gives the segment of the concatenated sequence', () => {
    fc.assert(
      fc.property(pnlSeq, pnlSeq, (xs, ys) => {
        // Prepare / Act
        const joined = concatEquity(bruteSegment(xs), bruteSegment(ys));

        // Assess
        expect(joined).toEqual(bruteSegment([...xs, ...ys]));
      }),
      RUNS,
    );
  });

  it('concatEquity is associative, with the empty segment as identity', () => {
    fc.assert(
      fc.property(pnlSeq, pnlSeq, pnlSeq, (xs, ys, zs) => {
        // Prepare
        const [a, b, c] = [bruteSegment(xs), bruteSegment(ys), bruteSegment(zs)];
        const empty: EquitySegment = { sum: 0n, high: 0n, low: 0n, drawdown: 0n };

        // Act
        const left = concatEquity(concatEquity(a, b), c);
        const right = concatEquity(a, concatEquity(b, c));

        // Assess
        expect(left).toEqual(right);
        expect(concatEquity(empty, a)).toEqual(a);
        expect(concatEquity(a, empty)).toEqual(a);
      }),
      RUNS,
    );
  });

  it('folding a sequence split at random points matches the brute-force max drawdown', () => {
    fc.assert(
      fc.property(pnlSeq, fc.array(fc.nat(), { maxLength: 8 }), (xs, splits) => {
        // Prepare
        const points = [...new Set(splits.map((s) => s % (xs.length + 1)))].sort((a, b) => a - b);
        const chunks: bigint[][] = [];
        let prev = 0;
        for (const p of [...points, xs.length]) {
          chunks.push(xs.slice(prev, p));
          prev = p;
        }

        // Act
        const folded = chunks
          .map(bruteSegment)
          .reduce((acc, seg) => concatEquity(acc, seg), { sum: 0n, high: 0n, low: 0n, drawdown: 0n });

        // Assess
        expect(folded.drawdown).toBe(bruteDrawdown(xs));
        expect(folded.sum).toBe(xs.reduce((a, b) => a + b, 0n));
      }),
      RUNS,
    );
  });
});

describe('realized PnL across v2 lives of a position (property, against the wallet)', () => {
  it('stats count the same realized PnL, closes and a cancelled fee without a close', () => {
    fc.assert(
      fc.property(life, ([open, middle, end]) => {
        const p = play([open, ...middle, end]);
        const stats = emptyStats(TRADER);
        for (const r of p.records) applyFillToStats(stats, r);
        expect(stats.allTime.realizedPnl).toBe(p.cash);
        expect(stats.allTime.closes).toBe(p.closes.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('realized PnL: v2 cases', () => {
  it("a cancelled open's kept opening fee is a realized loss, and counts as no close", () => {
    const p = play([{ kind: 'CANCEL_OPEN', paid: 100_000_000n, fee: 450_000n }]);
    const stats = emptyStats(TRADER);
    const effects = p.records.map((r) => applyFillToStats(stats, r));
    expect(effects.at(-1)).toMatchObject({
      kind: 'FEE_LOSS',
      realizedPnl: -450_000n,
      reason: 'OPEN_CANCELED',
    });
    expect(stats.allTime).toMatchObject({ realizedPnl: -450_000n, closes: 0, wins: 0 });
  });
});
