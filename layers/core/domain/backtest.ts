// Backtest: what copying a trader over a period would have returned with the user's own settings.
// Replays the trader's stored fills in chain order through the same sizing, caps, pair filter and
// per-pair limits a live copy meets, with Avantis' fees, and reports trades copied and skipped (with
// reasons), realized PnL, fees, max drawdown and ROI on the capital the copies used. Pure and exact
// (bigint, USDC 1e6); the reference model test recomputes it independently to the micro-USDC.
//
// Simplifications, each [I] inferred rather than sourced: a copy fills at the trader's fill price
// (same block, same oracle; the spread is already in that price), funding and rollover are not
// replayed (they are small for the hours most copied trades last), and PCT_EQUITY sizes on the
// starting capital plus the backtest's realized PnL so far. A per-copy stop-loss is not replayed:
// the stored fills hold no price path between a trader's open and close.
import { pairCatalog, type PairCatalogEntry } from './avantis/pairs.js';
import { baseCollateral } from './decision.js';
import { executionOf, type Fill } from './fills.js';
import type { Follow } from './follows.js';
import { feeAtRate } from './copy/fees.js';

const PRECISION = 10_000_000_000n; // prices, leverage and percentages are x 1e10
const HUNDRED = 100n * PRECISION;

export type SkipReason =
  | 'PAIR_NOT_ALLOWED'
  | 'PAIR_NOT_LISTED'
  | 'BELOW_MIN'
  | 'LEVERAGE_BELOW_MIN'
  | 'CAPITAL_CEILING'
  | 'OPENED_BEFORE'
  | 'INCREASE_NOT_COPIED'
  | 'TRADER_LEVERAGE_BELOW';

export interface BacktestSettings {
  readonly sizing: Follow['sizing'];
  /** Whole x: the follow's cap. */
  readonly maxLeverage: number;
  /** The follow's cap on one copy's collateral, USDC 1e6. */
  readonly maxPositionUsdc: bigint;
  readonly pairs: Follow['pairs'];
  /** The user's risk caps (whole x, collateral USDC 1e6, capital in open copies USDC 1e6). */
  readonly risk: {
    readonly maxLeverage: number;
    readonly maxPositionUsdc: bigint;
    readonly capitalCeilingUsdc: bigint;
  };
  /** Starting capital for PCT_EQUITY sizing, USDC 1e6. */
  readonly equityUsdc: bigint;
  /** REVERSE copies the opposite side. */
  readonly direction?: 'SAME' | 'REVERSE';
  /** Whole x: the trader's opens below it are not copied. */
  readonly minTraderLeverage?: number;
}

export interface BacktestCopy {
  readonly pairIndex: number;
  readonly buy: boolean;
  readonly openedAt: number;
  /** The copy's collateral after the opening fee, and its leverage (1e10). */
  readonly collateralUsdc: bigint;
  readonly leverage: bigint;
  /** Net realized PnL of the copy so far (after its share of fees). */
  readonly pnlUsdc: bigint;
  /** The trader's own realized PnL on the same closes (USDC sent back minus collateral closed). */
  readonly traderPnlUsdc: bigint;
  readonly closed: boolean;
}

export interface BacktestPoint {
  /** Unix seconds of the close. */
  readonly at: number;
  /** Cumulative realized PnL after it, USDC 1e6. */
  readonly cumulativeUsdc: bigint;
}

export interface BacktestResult {
  readonly from: number;
  readonly to: number;
  /** Opens the trader made in the period. */
  readonly traderOpens: number;
  readonly copied: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  readonly closes: number;
  readonly wins: number;
  /** Net of every fee, USDC 1e6. */
  readonly realizedPnlUsdc: bigint;
  readonly feesUsdc: bigint;
  /** The trader's realized PnL on the closes that were copied, for comparison. */
  readonly traderPnlUsdc: bigint;
  /** Deepest fall of cumulative realized PnL from its running high, USDC 1e6 (>= 0). */
  readonly maxDrawdownUsdc: bigint;
  /** Most collateral in open copies at once: the capital the strategy used. */
  readonly capitalUsedUsdc: bigint;
  /** realized PnL / capital used, in basis points (0 when nothing was used). */
  readonly roiBps: bigint;
  /** Copies still open at the end (their PnL is not counted). */
  readonly stillOpen: number;
  /** One point per copied close, in order: the chart's series. */
  readonly points: readonly BacktestPoint[];
  /** The copies closed in the period, oldest first. */
  readonly copies: readonly BacktestCopy[];
}

interface OpenCopy {
  pairIndex: number;
  buy: boolean;
  openedAt: number;
  leverage: bigint;
  openPrice: bigint;
  /** Remaining collateral of the copy (after the opening fee). */
  collateral: bigint;
  /** Capital the copy still holds against the ceiling (its collateral before the opening fee). */
  reserved: bigint;
  /** The trader's remaining collateral, to mirror partial closes by the same fraction. */
  traderCollateral: bigint;
  /** Opening fee not yet charged to a close (carried pro rata, the last close takes the rest). */
  openFeeLeft: bigint;
  pnl: bigint;
  traderPnl: bigint;
}

/** Percent profit x 1e10 as Avantis computes it (docs/avantis.md v1 §3), clamped to -100% and the pair's max gain. */
export function percentProfit(
  buy: boolean,
  openPrice: bigint,
  price: bigint,
  leverage: bigint,
  maxGainP: number,
): bigint {
  const diff = buy ? price - openPrice : openPrice - price;
  const p = (diff * 100n * PRECISION * leverage) / PRECISION / openPrice;
  if (p < -HUNDRED) return -HUNDRED;
  const cap = BigInt(maxGainP) * PRECISION;
  return maxGainP > 0 && p > cap ? cap : p;
}

/** A fee of `feeP` (percent x 1e10) on the notional of `collateral` at `leverage`. */
export const feeOn = feeAtRate;

const keyOf = (pairIndex: number, index: number) => `${pairIndex}:${index}`;

/** Replays `fills` (one trader's, any order) between `from` and `to` (unix seconds, inclusive). */
export function backtest(
  fills: readonly Fill[],
  settings: BacktestSettings,
  window: { readonly from: number; readonly to: number },
  catalog: ReadonlyMap<number, PairCatalogEntry> = pairCatalog,
): BacktestResult {
  const ordered = [...fills]
    .filter((f) => f.timestamp >= window.from && f.timestamp <= window.to)
    .sort((a, b) => (a.fillKey < b.fillKey ? -1 : a.fillKey > b.fillKey ? 1 : 0));
  const open = new Map<string, OpenCopy>();
  /** Trader positions opened in the window that were not copied (their closes are ignored). */
  const notCopied = new Set<string>();
  const done: BacktestCopy[] = [];
  const skipped: Partial<Record<SkipReason, number>> = {};
  const skip = (r: SkipReason) => {
    skipped[r] = (skipped[r] ?? 0) + 1;
  };
  let traderOpens = 0;
  let copied = 0;
  let closes = 0;
  let wins = 0;
  let realized = 0n;
  let fees = 0n;
  let traderPnl = 0n;
  let peak = 0n;
  let maxDrawdown = 0n;
  let inUse = 0n;
  let capitalUsed = 0n;
  const points: BacktestPoint[] = [];

  for (const fill of ordered) {
    const x = executionOf(fill.event);
    const t = x.trade;
    const key = keyOf(t.pairIndex, t.index);
    const pair = catalog.get(t.pairIndex);

    if (x.action === 'OPEN') {
      traderOpens += 1;
      notCopied.add(key);
      if (settings.pairs !== 'ALL' && !settings.pairs.includes(t.pairIndex)) {
        skip('PAIR_NOT_ALLOWED');
        continue;
      }
      if (!pair?.listed) {
        skip('PAIR_NOT_LISTED');
        continue;
      }
      if (settings.minTraderLeverage && t.leverage < BigInt(settings.minTraderLeverage) * PRECISION) {
        skip('TRADER_LEVERAGE_BELOW');
        continue;
      }
      const capX = Math.min(settings.maxLeverage, settings.risk.maxLeverage, pair.maxLeverage);
      const cap = BigInt(capX) * PRECISION;
      const leverage = t.leverage > cap ? cap : t.leverage;
      if (leverage < BigInt(pair.minLeverage) * PRECISION) {
        skip('LEVERAGE_BELOW_MIN');
        continue;
      }
      // The live copy's own sizing rule; equity is known here, so the result is always defined.
      let collateral = baseCollateral(settings.sizing, x.collateral, settings.equityUsdc + realized) ?? 0n;
      for (const c of [settings.maxPositionUsdc, settings.risk.maxPositionUsdc])
        if (collateral > c) collateral = c;
      const room = settings.risk.capitalCeilingUsdc - inUse;
      if (collateral > room) collateral = room;
      if (collateral <= 0n) {
        skip('CAPITAL_CEILING');
        continue;
      }
      if ((collateral * leverage) / PRECISION < pair.minPositionUsdc) {
        skip('BELOW_MIN');
        continue;
      }
      const openFee = feeOn(collateral, leverage, pair.openFeeP);
      fees += openFee;
      inUse += collateral;
      if (inUse > capitalUsed) capitalUsed = inUse;
      notCopied.delete(key);
      copied += 1;
      open.set(key, {
        pairIndex: t.pairIndex,
        buy: settings.direction === 'REVERSE' ? !t.buy : t.buy,
        openedAt: fill.timestamp,
        leverage,
        openPrice: x.price,
        collateral: collateral - openFee,
        reserved: collateral,
        traderCollateral: x.collateral,
        openFeeLeft: openFee,
        pnl: 0n,
        traderPnl: 0n,
      });
      continue;
    }

    const copy = open.get(key);
    if (x.action === 'INCREASE') {
      // [I] A live copy may mirror increases; the backtest keeps the first size (said in its result).
      if (copy) {
        copy.traderCollateral += x.added;
        skip('INCREASE_NOT_COPIED');
      }
      continue;
    }

    // CLOSE
    if (!copy) {
      if (!notCopied.has(key)) skip('OPENED_BEFORE');
      if (x.full) notCopied.delete(key);
      continue;
    }
    const full = x.full || x.closed >= copy.traderCollateral;
    const closed = full ? copy.collateral : (copy.collateral * x.closed) / copy.traderCollateral;
    const feeShare = full ? copy.openFeeLeft : (copy.openFeeLeft * x.closed) / copy.traderCollateral;
    // The trader's liquidation liquidates a copy at the same or higher leverage; a copy at lower
    // leverage is not liquidated there, it is closed by the signal at that price [I].
    const liquidated = x.reason === 'LIQ' && copy.buy === x.trade.buy && copy.leverage >= x.trade.leverage;
    const gross = liquidated
      ? -closed
      : (closed * percentProfit(copy.buy, copy.openPrice, x.price, copy.leverage, pair?.maxGainP ?? 0)) /
        HUNDRED;
    const closeFee = liquidated ? 0n : feeOn(closed, copy.leverage, pair?.closeFeeP ?? 0n);
    const net = gross - closeFee - feeShare;
    const traderNet = x.usdcSentToTrader - x.closed;

    fees += closeFee;
    realized += net;
    traderPnl += traderNet;
    closes += 1;
    if (net > 0n) wins += 1;
    if (realized > peak) peak = realized;
    if (peak - realized > maxDrawdown) maxDrawdown = peak - realized;
    points.push({ at: fill.timestamp, cumulativeUsdc: realized });

    copy.pnl += net;
    copy.traderPnl += traderNet;
    copy.openFeeLeft -= feeShare;
    // Capital in use falls by the share of the copy's capital the close frees (before PnL).
    const freed = full ? copy.reserved : (copy.reserved * x.closed) / copy.traderCollateral;
    inUse -= freed;
    copy.reserved -= freed;
    copy.collateral -= closed;
    copy.traderCollateral -= x.closed;
    if (full) {
      open.delete(key);
      done.push({
        pairIndex: copy.pairIndex,
        buy: copy.buy,
        openedAt: copy.openedAt,
        collateralUsdc: copy.reserved + freed,
        leverage: copy.leverage,
        pnlUsdc: copy.pnl,
        traderPnlUsdc: copy.traderPnl,
        closed: true,
      });
    }
  }

  return {
    from: window.from,
    to: window.to,
    traderOpens,
    copied,
    skipped,
    closes,
    wins,
    realizedPnlUsdc: realized,
    feesUsdc: fees,
    traderPnlUsdc: traderPnl,
    maxDrawdownUsdc: maxDrawdown,
    capitalUsedUsdc: capitalUsed,
    roiBps: capitalUsed > 0n ? (realized * 10_000n) / capitalUsed : 0n,
    stillOpen: open.size,
    points,
    copies: done,
  };
}
