// Signals: what followers react to, derived from a fill alone (the event carries the collateral
// before a close), so a replayed fill always yields the same signal with the same id.
import type { Fill } from './fills.js';
import { pairName } from './avantis/pairs.js';

export type SignalKind = 'OPEN' | 'CLOSE' | 'RETRACT';
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
  readonly leverage: string;
  readonly collateralUsdc: string;
  /** collateral x leverage, USDC 1e6. */
  readonly notionalUsdc: string;
  readonly price: string;
  /** On CLOSE: collateral closed and collateral before, so followers close the same fraction exactly. */
  readonly closeFraction?: { readonly closed: string; readonly of: string };
  readonly closeReason?: CloseReason;
  readonly usdcSentToTrader?: string;
  /** On RETRACT: the id of the signal whose block was orphaned by a reorg. */
  readonly retracts?: string;
  readonly block: number;
  readonly blockHash: string;
  readonly txHash: string;
  readonly ts: number;
}

const LEVERAGE_PRECISION = 10_000_000_000n;
const CLOSE_REASONS = { TP: 'TP', SL: 'SL', LIQ: 'LIQ' } as const;

export function signalFromFill(fill: Fill): Signal | undefined {
  const e = fill.event;
  if (e.kind !== 'MarketExecuted' && e.kind !== 'LimitExecuted') return undefined;
  const t = e.trade;
  const isOpen = e.kind === 'MarketExecuted' ? e.open : e.orderType === 'OPEN';
  const collateral = isOpen ? e.positionSizeUsdc : t.initialPosToken;
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
    block: e.blockNumber,
    blockHash: e.blockHash,
    txHash: e.txHash,
    ts: fill.timestamp,
  } as const;
  if (isOpen) return { ...base, kind: 'OPEN' };
  // A TP/SL/LIQ closes the whole position; a market close closes positionSizeUSDC of it.
  const closed = e.kind === 'LimitExecuted' ? t.initialPosToken : e.positionSizeUsdc;
  return {
    ...base,
    kind: 'CLOSE',
    closeFraction: { closed: closed.toString(), of: t.initialPosToken.toString() },
    closeReason:
      e.kind === 'LimitExecuted' ? CLOSE_REASONS[e.orderType as keyof typeof CLOSE_REASONS] : 'MARKET',
    usdcSentToTrader: e.usdcSentToTrader.toString(),
  };
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
