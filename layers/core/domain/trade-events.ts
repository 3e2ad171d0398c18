// TradeEvent: one decoded Avantis event, whatever ABI variant it was emitted with (v1 layouts before
// the v2 upgrade block, v2 layouts after it). Amounts stay in chain units as bigint: USDC 1e6;
// prices, leverage, tp, sl, slippage, spread and percentProfit 1e10. Executions (opens, closes,
// partial closes, TP/SL/liquidations, increases) are the events fills are made of; every other kind
// (requests, limit placements, TP/SL and margin updates, cancellations, fee events) is a trade event
// that is stored but never called a fill.

/** Where a log sits on chain; `txHash:logIndex` is a fill's idempotency key. */
export interface LogPosition {
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly logIndex: number;
  readonly txHash: string;
  /** Emitting contract, lower case. */
  readonly address: string;
}

/** The Trade struct as emitted. `positionSizeUSDC` inside it is NOT a size (docs/avantis.md v1 §3 trap 1), so it is not kept. */
export interface TradeStruct {
  /** Lower-case address. */
  readonly trader: string;
  readonly pairIndex: number;
  /** Per-(trader, pair) slot; reused after a full close. */
  readonly index: number;
  /** Collateral after the opening fee, USDC 1e6. */
  readonly initialPosToken: bigint;
  readonly openPrice: bigint;
  readonly buy: boolean;
  readonly leverage: bigint;
  readonly tp: bigint;
  readonly sl: bigint;
  readonly timestamp: bigint;
}

export type LimitOrderType = 'TP' | 'SL' | 'LIQ' | 'OPEN';

interface Base extends LogPosition {
  /** Which ABI variant decoded it, e.g. `MarketExecuted/v1.5`; for logs and abi-inspect. */
  readonly variant: string;
}

export interface MarketExecuted extends Base {
  readonly kind: 'MarketExecuted';
  readonly orderId: bigint;
  readonly trade: TradeStruct;
  readonly open: boolean;
  readonly price: bigint;
  /** On open: the collateral; on close: the collateral closed by this event (USDC 1e6). */
  readonly positionSizeUsdc: bigint;
  readonly percentProfit: bigint;
  readonly usdcSentToTrader: bigint;
  /** Zero-fee-perp trade; absent in variants without the field. */
  readonly isPnl?: boolean;
}

/**
 * v2 [local]: an increase filled (TradingCallbacks.PositionSizeIncreased). `trade` is the position
 * after the increase (collateral, leverage and size-weighted open price blended).
 */
export interface PositionSizeIncreased extends Base {
  readonly kind: 'PositionSizeIncreased';
  readonly orderId: bigint;
  readonly trade: TradeStruct;
  readonly isPnl: boolean;
  /** Fill price of the added part, 1e10. */
  readonly price: bigint;
  /** Collateral paid in for the increase, USDC 1e6; the opening fee comes out of it [local]. */
  readonly addedCollateral: bigint;
  /** Leverage of the added part, 1e10. */
  readonly addedLeverage: bigint;
  /** Opening fee of the added part, USDC 1e6: a cost that the PnL of this collateral carries. */
  readonly openingFee: bigint;
}

/** v2 [local]: an increase registered (Trading.IncreasePositionRequested); a request, not a fill. */
export interface IncreasePositionRequested extends Base {
  readonly kind: 'IncreasePositionRequested';
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly orderId: bigint;
  readonly isBuy: boolean;
  readonly isPnl: boolean;
  readonly addedCollateral: bigint;
  readonly leverage: bigint;
}

/** v2 [local]: an increase the keeper declined; the position is unchanged. */
export interface IncreasePositionCanceled extends Base {
  readonly kind: 'IncreasePositionCanceled';
  readonly orderId: bigint;
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
}

/** A close the keeper declined (the 2024-05 fragment, emitted by v2): the position is unchanged. */
export interface MarketCloseCanceled extends Base {
  readonly kind: 'MarketCloseCanceled';
  readonly orderId: bigint;
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
}

/** v2 [local]: the spread charged against the trader on an open or a close, USDC 1e6 (already inside the fill). */
export interface SpreadCharged extends Base {
  readonly kind: 'SpreadCharged';
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly open: boolean;
  readonly price: bigint;
  /** Percent x 1e10. */
  readonly spreadP: bigint;
  readonly spreadUsdc: bigint;
}

export interface LimitExecuted extends Base {
  readonly kind: 'LimitExecuted';
  readonly orderId: bigint;
  readonly limitIndex: bigint;
  readonly trade: TradeStruct;
  /** OPEN is an open (docs/avantis.md v1 §3 trap 2: percentProfit then carries the trigger price). */
  readonly orderType: LimitOrderType;
  readonly price: bigint;
  readonly positionSizeUsdc: bigint;
  readonly percentProfit: bigint;
  readonly usdcSentToTrader: bigint;
  readonly isPnl?: boolean;
}

export interface MarketOpenCanceled extends Base {
  readonly kind: 'MarketOpenCanceled';
  readonly orderId: bigint;
  readonly trader: string;
  readonly pairIndex: number;
}

export interface MarketOrderInitiated extends Base {
  readonly kind: 'MarketOrderInitiated';
  readonly trader: string;
  readonly pairIndex: number;
  readonly open: boolean;
  readonly orderId: bigint;
  readonly isBuy?: boolean;
  readonly isPnl?: boolean;
  readonly initialPosToken?: bigint;
  readonly leverage?: bigint;
  /** v2 (inferred layout): leverage bounds of coin-sized opens and the wanted price, 1e10. */
  readonly minLeverage?: bigint;
  readonly maxLeverage?: bigint;
  readonly wantedPrice?: bigint;
}

export interface OpenLimitPlaced extends Base {
  readonly kind: 'OpenLimitPlaced';
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly isBuy?: boolean;
  readonly openPrice?: bigint;
  readonly executionFee?: bigint;
  readonly orderType?: number;
  readonly slippageP?: bigint;
  readonly collateral?: bigint;
  readonly leverage?: bigint;
}

export interface OpenLimitUpdated extends Base {
  readonly kind: 'OpenLimitUpdated';
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly newPrice: bigint;
  readonly newTp: bigint;
  readonly newSl: bigint;
}

export interface OpenLimitCanceled extends Base {
  readonly kind: 'OpenLimitCanceled';
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly collateral?: bigint;
}

export interface TpUpdated extends Base {
  readonly kind: 'TpUpdated';
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly newTp: bigint;
  /** v2: the Trade.timestamp of the position (a v2 close binds it). */
  readonly tradeOpenTimestamp?: bigint;
}

export interface SlUpdated extends Base {
  readonly kind: 'SlUpdated';
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly newSl: bigint;
  /** Present on the callbacks' asynchronous variant. */
  readonly orderId?: bigint;
  /** v2: the Trade.timestamp of the position. */
  readonly tradeOpenTimestamp?: bigint;
}

export interface MarginUpdated extends Base {
  readonly kind: 'MarginUpdated';
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  /** Trading's variant: DEPOSIT or WITHDRAW with the new trade; the callbacks' variant carries newSl only. */
  readonly updateType?: 'DEPOSIT' | 'WITHDRAW';
  readonly trade?: TradeStruct;
  readonly marginFees?: bigint;
  readonly newSl?: bigint;
}

/** TradingStorage.FeesCharged: the opening (dev/gov) fee of an open, USDC 1e6. */
export interface OpeningFeeCharged extends Base {
  readonly kind: 'OpeningFeeCharged';
  readonly trader: string;
  readonly pairIndex: number;
  readonly buy: boolean;
  readonly fee: bigint;
}

/** PairInfos.FeesCharged: the fee breakdown of a close. It names no trader: join by txHash. */
export interface ClosingFeesCharged extends Base {
  readonly kind: 'ClosingFeesCharged';
  readonly buy: boolean;
  readonly collateral: bigint;
  readonly leverage: bigint;
  readonly percentProfit: bigint;
  readonly rolloverFee: bigint;
  readonly closingFee: bigint;
  readonly lossProtection: bigint;
  /** v2 (inferred layout): signed funding, USDC 1e6. */
  readonly fundingFee?: bigint;
}

export type TradeEvent =
  | MarketExecuted
  | LimitExecuted
  | PositionSizeIncreased
  | MarketOpenCanceled
  | MarketCloseCanceled
  | IncreasePositionRequested
  | IncreasePositionCanceled
  | SpreadCharged
  | MarketOrderInitiated
  | OpenLimitPlaced
  | OpenLimitUpdated
  | OpenLimitCanceled
  | TpUpdated
  | SlUpdated
  | MarginUpdated
  | OpeningFeeCharged
  | ClosingFeesCharged;

export type TradeEventKind = TradeEvent['kind'];

/** The events a fill is made of: an execution that changes a position. */
export type ExecutionEvent = MarketExecuted | LimitExecuted | PositionSizeIncreased;

export function isExecution(e: TradeEvent): e is ExecutionEvent {
  return e.kind === 'MarketExecuted' || e.kind === 'LimitExecuted' || e.kind === 'PositionSizeIncreased';
}

/** A raw log as eth_getLogs returns it (hex strings), before decoding. */
export interface RawLog {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly transactionHash: string;
  readonly logIndex: number;
  readonly removed?: boolean;
}

export type DecodeResult =
  | { readonly ok: true; readonly event: TradeEvent }
  | {
      readonly ok: false;
      /**
       * UNKNOWN_TOPIC: no known layout (schema drift); IGNORED: a known Avantis or proxy event we
       * deliberately do not decode; MALFORMED_LOG: a known topic0 whose body does not fit (`detail` says how).
       */
      readonly reason: 'UNKNOWN_TOPIC' | 'IGNORED' | 'MALFORMED_LOG';
      readonly topic0: string | undefined;
      readonly detail?: string;
    };
