// The backtest against a plain model computed from the planned trades (not from the fills), exact
// to the micro-USDC, plus the behaviours a user relies on: skips with reasons, caps, the window.
import { describe, expect, it } from 'vitest';
import { pairCatalog } from '#core/domain/avantis/pairs.js';
import { backtest, type BacktestSettings } from '#core/domain/backtest.js';
import { T0, usdc } from '../../support/analytics-fills.js';
import { backtestHistory, type BacktestHistory } from '../../support/backtest-history.js';

const E10 = 10_000_000_000n;
const HUNDRED = 100n * E10;

const base: BacktestSettings = {
  sizing: { kind: 'FIXED_USD', usdc: usdc(50) },
  maxLeverage: 20,
  maxPositionUsdc: usdc(250),
  pairs: 'ALL',
  risk: { maxLeverage: 50, maxPositionUsdc: usdc(2_000), capitalCeilingUsdc: usdc(10_000) },
  equityUsdc: usdc(5_000),
};

/** The model: walk the plan's opens and closes in time order with the rules written out plainly. */
function model(h: BacktestHistory, s: BacktestSettings) {
  type Ev = { at: number; seq: number; trade: number; close?: number };
  const evs: Ev[] = [];
  let seq = 0;
  h.trades.forEach((t, i) => {
    evs.push({ at: t.openedAt, seq: seq++, trade: i });
    t.closes.forEach((c, j) => evs.push({ at: c.at, seq: seq++, trade: i, close: j }));
  });
  evs.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const copies = new Map<
    number,
    { coll: bigint; reserved: bigint; fee: bigint; lev: bigint; traderLeft: bigint }
  >();
  let pnl = 0n;
  let fees = 0n;
  let used = 0n;
  let peakUsed = 0n;
  let high = 0n;
  let dd = 0n;
  let copied = 0;
  const skipped: Record<string, number> = {};
  for (const e of evs) {
    const t = h.trades[e.trade]!;
    const pair = pairCatalog.get(t.slot.pairIndex)!;
    if (e.close === undefined) {
      if (s.pairs !== 'ALL' && !s.pairs.includes(t.slot.pairIndex)) {
        skipped.PAIR_NOT_ALLOWED = (skipped.PAIR_NOT_ALLOWED ?? 0) + 1;
        continue;
      }
      if (!pair.listed) {
        skipped.PAIR_NOT_LISTED = (skipped.PAIR_NOT_LISTED ?? 0) + 1;
        continue;
      }
      if (s.minTraderLeverage && t.slot.leverage < BigInt(s.minTraderLeverage) * E10) {
        skipped.TRADER_LEVERAGE_BELOW = (skipped.TRADER_LEVERAGE_BELOW ?? 0) + 1;
        continue;
      }
      const maxX = Math.min(s.maxLeverage, s.risk.maxLeverage, pair.maxLeverage);
      const lev = t.slot.leverage < BigInt(maxX) * E10 ? t.slot.leverage : BigInt(maxX) * E10;
      let coll =
        s.sizing.kind === 'FIXED_USD'
          ? s.sizing.usdc
          : s.sizing.kind === 'MULTIPLIER'
            ? (t.collateral * BigInt(s.sizing.milli)) / 1000n
            : ((s.equityUsdc + pnl) * BigInt(s.sizing.bps)) / 10_000n;
      coll = [coll, s.maxPositionUsdc, s.risk.maxPositionUsdc, s.risk.capitalCeilingUsdc - used].reduce(
        (a, b) => (b < a ? b : a),
      );
      if (coll <= 0n) {
        skipped.CAPITAL_CEILING = (skipped.CAPITAL_CEILING ?? 0) + 1;
        continue;
      }
      if ((coll * lev) / E10 < pair.minPositionUsdc) {
        skipped.BELOW_MIN = (skipped.BELOW_MIN ?? 0) + 1;
        continue;
      }
      const fee = (((coll * lev) / E10) * pair.openFeeP) / HUNDRED;
      fees += fee;
      used += coll;
      if (used > peakUsed) peakUsed = used;
      copied += 1;
      copies.set(e.trade, { coll: coll - fee, reserved: coll, fee, lev, traderLeft: t.collateral });
      continue;
    }
    const c = copies.get(e.trade);
    if (!c) continue;
    const close = t.closes[e.close]!;
    const last = e.close === t.closes.length - 1;
    const part = last ? c.coll : (c.coll * close.amount) / c.traderLeft;
    const feePart = last ? c.fee : (c.fee * close.amount) / c.traderLeft;
    const freed = last ? c.reserved : (c.reserved * close.amount) / c.traderLeft;
    let gross: bigint;
    let closeFee = 0n;
    const buy = s.direction === 'REVERSE' ? !t.slot.buy : t.slot.buy;
    if (close.kind === 'LIQ' && buy === t.slot.buy && c.lev >= t.slot.leverage)
      gross = -part; // liquidated with the trader
    else {
      const diff = buy ? close.price - t.slot.openPrice : t.slot.openPrice - close.price;
      let pct = (diff * 100n * E10 * c.lev) / E10 / t.slot.openPrice;
      if (pct < -HUNDRED) pct = -HUNDRED;
      if (pct > BigInt(pair.maxGainP) * E10) pct = BigInt(pair.maxGainP) * E10;
      gross = (part * pct) / HUNDRED;
      closeFee = (((part * c.lev) / E10) * pair.closeFeeP) / HUNDRED;
    }
    pnl += gross - closeFee - feePart;
    fees += closeFee;
    used -= freed;
    c.coll -= part;
    c.fee -= feePart;
    c.reserved -= freed;
    c.traderLeft -= close.amount;
    if (pnl > high) high = pnl;
    if (high - pnl > dd) dd = high - pnl;
  }
  return { pnl, fees, dd, peakUsed, copied, skipped };
}

describe('Function: backtest', () => {
  it.each([
    ['fixed $50, 20x cap', base],
    [
      '0.5x the trader, ETH and BTC only',
      { ...base, sizing: { kind: 'MULTIPLIER', milli: 500 }, pairs: [0, 1] },
    ],
    [
      '10% of equity, a $600 ceiling',
      {
        ...base,
        sizing: { kind: 'PCT_EQUITY', bps: 1_000 },
        risk: { ...base.risk, capitalCeilingUsdc: usdc(600) },
      },
    ],
    [
      'fixed $5 at 3x (below the minimums)',
      { ...base, sizing: { kind: 'FIXED_USD', usdc: usdc(5) }, maxLeverage: 3 },
    ],
    ['reverse, skipping trades below 10x', { ...base, direction: 'REVERSE', minTraderLeverage: 10 }],
  ] as const)('matches the plain model to the micro-USDC: %s', (_name, settings) => {
    const h = backtestHistory(7, 300, T0);
    const expected = model(h, settings as BacktestSettings);

    const got = backtest(h.fills, settings as BacktestSettings, { from: T0, to: T0 + 400 * 3_600 });

    expect({
      pnl: got.realizedPnlUsdc,
      fees: got.feesUsdc,
      dd: got.maxDrawdownUsdc,
      peakUsed: got.capitalUsedUsdc,
      copied: got.copied,
      skipped: got.skipped,
    }).toEqual(expected);
    expect(got.points).toHaveLength(got.closes);
    expect(got.points.at(-1)?.cumulativeUsdc ?? 0n).toBe(got.realizedPnlUsdc);
  });

  it('explains every open it did not copy, and counts each open once', () => {
    const h = backtestHistory(11, 200, T0);
    const r = backtest(
      h.fills,
      { ...base, pairs: [0, 1, 2, 12], sizing: { kind: 'FIXED_USD', usdc: usdc(10) }, maxLeverage: 5 },
      { from: T0, to: T0 + 300 * 3_600 },
    );

    const skippedOpens = [
      'TRADER_LEVERAGE_BELOW',
      'PAIR_NOT_ALLOWED',
      'PAIR_NOT_LISTED',
      'BELOW_MIN',
      'LEVERAGE_BELOW_MIN',
      'CAPITAL_CEILING',
    ] as const;
    expect(r.copied + skippedOpens.reduce((n, k) => n + (r.skipped[k] ?? 0), 0)).toBe(r.traderOpens);
    expect(r.traderOpens).toBe(200);
    expect(r.skipped.PAIR_NOT_ALLOWED).toBeGreaterThan(0); // pair 32 is outside the list
    expect(r.skipped.BELOW_MIN).toBeGreaterThan(0); // $10 x 5x = $50 < $100 minimum
  });

  it('leaves out trades opened before the window, and says so', () => {
    const h = backtestHistory(3, 50, T0);
    const from = T0 + 20 * 3_600;

    const r = backtest(h.fills, base, { from, to: T0 + 100 * 3_600 });

    expect(r.traderOpens).toBe(h.trades.filter((t) => t.openedAt >= from).length);
    expect(r.skipped.OPENED_BEFORE ?? 0).toBeGreaterThan(0);
  });

  it('a ROI on the capital the copies used, in basis points', () => {
    const h = backtestHistory(5, 100, T0);
    const r = backtest(h.fills, base, { from: T0, to: T0 + 200 * 3_600 });

    expect(r.capitalUsedUsdc).toBeGreaterThan(0n);
    expect(r.roiBps).toBe((r.realizedPnlUsdc * 10_000n) / r.capitalUsedUsdc);
  });
});
