// Signals: what followers react to, derived from a fill alone (the event carries the collateral
// before a close, and the blended position after an increase), so a replayed fill always yields the
// same signal with the same id. OPEN on an open, CLOSE with the exact fraction on a (partial) close
// or (partial) TP/SL/liquidation, UPDATE on an increase (v2), RETRACT after a reorg.
import { executionOf, isFill, type TradeEventRecord } from './fills.js';
import { pairName } from './avantis/pairs.js';

export type SignalKind = 'OPEN' | 'CLOSE' | 'UPDATE' | 'RETRACT';
export type CloseReason = 'MARKET' | 'TP' | 'SL' | 'LIQ';

/** JSON-safe: amounts are decimal strings in chain units (USDC 1e6; price and leverage 1e10). */
export interface Signal {
  /** The fill's id (`txHash:logIndex`); for RETRACT, `<fill id>:retract:<block hash prefix>`. Also the SQS dedup id. */
  readonly id: string;
  readonly kind: SignalKind;
  readonly trader: string;
  readonly pairIndex: number;
  readonly pair: string;
  readonly tradeIndex: number;
  readonly side: 'LONG' | 'SHORT';
  /** The position's leverage (on UPDATE: after the increase, blended). */
  readonly leverage: string;
  /** OPEN: collateral opened; CLOSE: collateral before the close; UPDATE: collateral after the increase. */
  readonly collateralUsdc: string;
  /** collateral x leverage, USDC 1e6. */
  readonly notionalUsdc: string;
  /** The execution price (on UPDATE: of the added part). */
  readonly price: string;
  /** On CLOSE: collateral closed and collateral before, so followers close the same fraction exactly. */
  readonly closeFraction?: { readonly closed: string; readonly of: string };
  readonly closeReason?: CloseReason;
  readonly usdcSentToTrader?: string;
  /** The position's TP and SL after this fill, 1e10 (0 = none). */
  readonly tp?: string;
  readonly sl?: string;
  /** On UPDATE (an increase): collateral added, the position's collateral before it, and the added part's leverage. */
  readonly addedCollateralUsdc?: string;
  readonly collateralBeforeUsdc?: string;
  readonly addedLeverage?: string;
  /** On UPDATE: the position's average entry after the increase, 1e10. */
  readonly openPrice?: string;
  /** On RETRACT: the id of the signal whose block was orphaned by a reorg. */
  readonly retracts?: string;
  readonly block: number;
  readonly blockHash: string;
  readonly txHash: string;
  readonly ts: number;
}

const LEVERAGE_PRECISION = 10_000_000_000n;

/** The signal a fill yields; other trade events yield none. */
export function signalFromFill(fill: TradeEventRecord): Signal | undefined {
  if (!isFill(fill)) return undefined;
  const e = fill.event;
  const x = executionOf(e);
  const t = x.trade;
  const collateral = x.action === 'OPEN' ? x.collateral : x.action === 'CLOSE' ? x.before : t.initialPosToken;
  const base = {
    id: fill.fillId,
    trader: fill.trader,
    pairIndex: t.pairIndex,
    pair: pairName(t.pairIndex),
    tradeIndex: t.index,
    side: t.buy ? 'LONG' : 'SHORT',
    leverage: t.leverage.toString(),
    collateralUsdc: collateral.toString(),
    notionalUsdc: ((collateral * t.leverage) / LEVERAGE_PRECISION).toString(),
    price: e.price.toString(),
    tp: t.tp.toString(),
    sl: t.sl.toString(),
    block: e.blockNumber,
    blockHash: e.blockHash,
    txHash: e.txHash,
    ts: fill.timestamp,
  } as const;
  switch (x.action) {
    case 'OPEN':
      return { ...base, kind: 'OPEN' };
    case 'INCREASE':
      return {
        ...base,
        kind: 'UPDATE',
        addedCollateralUsdc: x.added.toString(),
        collateralBeforeUsdc: x.before.toString(),
        addedLeverage: x.addedLeverage.toString(),
        openPrice: t.openPrice.toString(),
      };
    case 'CLOSE':
      return {
        ...base,
        kind: 'CLOSE',
        closeFraction: { closed: x.closed.toString(), of: x.before.toString() },
        closeReason: x.reason,
        usdcSentToTrader: x.usdcSentToTrader.toString(),
      };
  }
}

/** Tells followers that a signal's block left the canonical chain. */
export function retraction(signal: Signal): Signal {
  return {
    ...signal,
    id: `${signal.id}:retract:${signal.blockHash.slice(2, 10)}`,
    kind: 'RETRACT',
    retracts: signal.id,
  };
}
