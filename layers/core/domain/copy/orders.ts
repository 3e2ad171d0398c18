// The v2 intents a copy signs, built from a decided order and what was read right before signing:
// an OpenTradeReq with the trader's TP/SL carried over at the same distance from the follower's own
// entry, a CloseTradeReq bound to the follower's position's open timestamp with the exact fraction
// of its own collateral, an IncreasePositionSizeReq on the follower's position. Pure; the messages
// are the ones layers/core/domain/avantis/intents.ts hashes, encodes and the delegate key signs.
import {
  BATCHED_ORDER_TYPES,
  OPEN_ORDER_TYPE,
  type CloseTradeReq,
  type IncreasePositionSizeReq,
  type OpenTradeReq,
} from '../avantis/intents.js';
import type { CopyStopLoss } from '../follows.js';

/** Prices, leverage and slippage are 1e10 on Avantis (docs/avantis.md v2 §3). */
export const PRECISION = 10_000_000_000n;

/** Default slippage of a copy: 1% (× 1e10), docs/avantis.md v2 §3 `_slippageP`. */
export const DEFAULT_SLIPPAGE_P = 10_000_000_000n;

/** How long a signed intent stays valid, ms: the SDK's default (docs/avantis.md v2 §3, `intentDeadlineMs`). */
export const INTENT_DEADLINE_MS = 120_000n;

/**
 * The trader's TP or SL moved to the follower's entry at the same relative distance:
 * level' = entry × level / traderEntry (0 stays 0: no TP/SL). Rounds toward the entry so a scaled
 * SL is never further than the trader's.
 */
export function scaleLevel(level: bigint, traderEntry: bigint, followerEntry: bigint): bigint {
  if (level === 0n || traderEntry === 0n) return 0n;
  return (followerEntry * level) / traderEntry;
}

/** Of two stop-loss prices (0 = none), the one nearer the entry: higher for a long, lower for a short. */
export function tighterStop(buy: boolean, a: bigint, b: bigint): bigint {
  if (a === 0n) return b;
  if (b === 0n) return a;
  return buy ? (a > b ? a : b) : a < b ? a : b;
}

/**
 * The price at which a copy loses its stop-loss: a USDC amount, or a share (bps) of its
 * collateral. Loss = collateral × leverage × move / entry, so move = entry × loss / (collateral ×
 * leverage), before fees (Avantis closes at the SL price and charges its fees on top). 0 when the
 * stop would sit at or past a zero price (a long losing more than the price can fall).
 */
export function stopLossPrice(
  stop: CopyStopLoss,
  p: {
    readonly buy: boolean;
    readonly entry: bigint;
    readonly collateralUsdc: bigint;
    readonly leverage: bigint;
  },
): bigint {
  if (p.collateralUsdc <= 0n || p.leverage <= 0n || p.entry <= 0n) return 0n;
  const loss = stop.kind === 'USD' ? stop.usdc : (p.collateralUsdc * BigInt(stop.bps)) / 10_000n;
  if (loss <= 0n) return 0n;
  const move = (p.entry * loss * PRECISION) / (p.collateralUsdc * p.leverage);
  const price = p.buy ? p.entry - move : p.entry + move;
  return price > 0n ? price : 0n;
}

export interface OpenInput {
  readonly wallet: string;
  readonly pairIndex: number;
  readonly buy: boolean;
  /** 1e10. */
  readonly leverage: bigint;
  /** USDC 1e6. */
  readonly collateralUsdc: bigint;
  /** The reference price the fill must stay within ± slippage: the current price, read right before signing. */
  readonly referencePrice: bigint;
  /** The trader's entry and TP/SL (1e10; 0 = none), scaled to the follower's reference price. */
  readonly trader: { readonly openPrice: bigint; readonly tp: bigint; readonly sl: bigint };
  /** The follower's own stop-loss price (1e10; 0/absent = none): the SL is the tighter of the two. */
  readonly ownStopLoss?: bigint;
  readonly slippageP: bigint;
  /** Upside (PnL) pairs open with `_type` 3 and batched orderType 6 (docs/avantis.md v2 §3); every other pair 0/0. */
  readonly pnl: boolean;
  readonly deadlineMs: bigint;
  readonly nonce: bigint;
}

export interface BuiltIntent<M> {
  readonly orderType: number;
  readonly message: M;
}

export function openTradeReq(i: OpenInput): BuiltIntent<OpenTradeReq> {
  return {
    orderType: i.pnl ? BATCHED_ORDER_TYPES.MARKET_OPEN_PNL : BATCHED_ORDER_TYPES.MARKET_OPEN,
    message: {
      _t: {
        trader: i.wallet,
        pairIndex: BigInt(i.pairIndex),
        index: 0n,
        initialPosToken: 0n,
        // docs/avantis.md v2 §3: on an open the collateral goes in positionSizeUSDC (1e6).
        positionSizeUSDC: i.collateralUsdc,
        openPrice: i.referencePrice,
        buy: i.buy,
        leverage: i.leverage,
        tp: scaleLevel(i.trader.tp, i.trader.openPrice, i.referencePrice),
        sl: tighterStop(
          i.buy,
          scaleLevel(i.trader.sl, i.trader.openPrice, i.referencePrice),
          i.ownStopLoss ?? 0n,
        ),
        timestamp: 0n,
      },
      _type: i.pnl ? OPEN_ORDER_TYPE.MARKET_PNL : OPEN_ORDER_TYPE.MARKET,
      _slippageP: i.slippageP,
      _deadline: i.deadlineMs,
      _nonce: i.nonce,
    },
  };
}

/** The follower's own position as the user-data read returns it, right before signing. */
export interface OwnPosition {
  readonly pairIndex: number;
  readonly index: number;
  readonly buy: boolean;
  /** USDC 1e6. */
  readonly collateral: bigint;
  readonly leverage: bigint;
  readonly openPrice: bigint;
  /** The on-chain Trade.timestamp a close must carry (refreshed by partial closes and margin updates). */
  readonly timestamp: bigint;
}

/**
 * The collateral to close: the trader's exact fraction (closed / of) of the follower's own
 * collateral, read fresh; a fraction at or over 1 closes all of it. 0 when nothing would close.
 */
export function closeAmount(collateral: bigint, fraction: { closed: bigint; of: bigint }): bigint {
  if (fraction.of <= 0n || fraction.closed >= fraction.of) return collateral;
  if (fraction.closed <= 0n) return 0n;
  return (collateral * fraction.closed) / fraction.of;
}

export interface CloseInput {
  readonly wallet: string;
  readonly position: OwnPosition;
  readonly fraction: { readonly closed: bigint; readonly of: bigint };
  /** 1e10: the current price (CloseTradeReq has no slippage field; docs/avantis.md v2 Gaps). */
  readonly wantedPrice: bigint;
  readonly pnl: boolean;
  readonly deadlineMs: bigint;
  readonly nonce: bigint;
}

export function closeTradeReq(i: CloseInput): BuiltIntent<CloseTradeReq> | undefined {
  const amount = closeAmount(i.position.collateral, i.fraction);
  if (amount <= 0n) return undefined;
  return {
    orderType: i.pnl ? BATCHED_ORDER_TYPES.MARKET_CLOSE_PNL : BATCHED_ORDER_TYPES.MARKET_CLOSE,
    message: {
      _trader: i.wallet,
      _pairIndex: BigInt(i.position.pairIndex),
      _index: BigInt(i.position.index),
      _openTimestamp: i.position.timestamp,
      _amount: amount,
      _wantedPrice: i.wantedPrice,
      _deadline: i.deadlineMs,
      _nonce: i.nonce,
    },
  };
}

export interface IncreaseInput {
  readonly wallet: string;
  readonly position: OwnPosition;
  /** Added collateral, USDC 1e6, and the leverage of the added part (1e10). */
  readonly addedCollateralUsdc: bigint;
  readonly leverage: bigint;
  readonly referencePrice: bigint;
  readonly slippageP: bigint;
  readonly deadlineMs: bigint;
  readonly nonce: bigint;
}

export function increasePositionSizeReq(i: IncreaseInput): BuiltIntent<IncreasePositionSizeReq> {
  return {
    orderType: BATCHED_ORDER_TYPES.INCREASE_SIZE,
    message: {
      _updateInfo: {
        trader: i.wallet,
        pairIndex: BigInt(i.position.pairIndex),
        index: BigInt(i.position.index),
        openPrice: i.referencePrice,
        initialPosToken: i.addedCollateralUsdc,
        leverage: i.leverage,
      },
      _slippageP: i.slippageP,
      _deadline: i.deadlineMs,
      _nonce: i.nonce,
    },
  };
}

/** Follower's add to a copy: the trader's added collateral scaled like the open was (copy / trader). */
export function scaledAdd(
  traderAdded: bigint,
  copy: { readonly collateral: bigint },
  traderBefore: bigint,
): bigint {
  if (traderBefore <= 0n) return 0n;
  return (traderAdded * copy.collateral) / traderBefore;
}

/** A nonce from 32 random bytes (docs/avantis.md v2 §3: any unused 256-bit value; the SDK draws randbits(256)). */
export function nonceFromBytes(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}
