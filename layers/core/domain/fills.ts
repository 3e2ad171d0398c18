// Stored trade events and fills. Every decoded Avantis event is stored as a TradeEventRecord, keyed
// so DynamoDB orders them on chain order and a replay writes the same item; a *fill* is the record
// of an execution only (an open, a close or partial close, a TP/SL/liquidation, an increase).
// Requests, limit placements, TP/SL and margin updates, cancellations and fee events are trade
// events, never fills. `executionOf` says once, for every consumer, what an execution did.
import {
  isExecution,
  type ExecutionEvent,
  type LimitExecuted,
  type MarketExecuted,
  type TradeEvent,
  type TradeStruct,
} from './trade-events.js';

/** Fixed width so `block#logIndex` sorts as text exactly as it sorts on chain (Base stays below 1e12 blocks). */
const BLOCK_DIGITS = 12;
const LOG_DIGITS = 6;

/** The sort key of a stored trade event (`block#logIndex`); the table names it `fillKey`. */
export function fillKey(blockNumber: number, logIndex: number): string {
  return `${String(blockNumber).padStart(BLOCK_DIGITS, '0')}#${String(logIndex).padStart(LOG_DIGITS, '0')}`;
}

/** The first key of a block: every event of block n or later sorts at or after it. */
export function firstFillKeyOfBlock(blockNumber: number): string {
  return fillKey(blockNumber, 0);
}

/** `txHash:logIndex`: the id of a stored trade event (and of the signal a fill yields). */
export function fillId(txHash: string, logIndex: number): string {
  return `${txHash.toLowerCase()}:${logIndex}`;
}

/**
 * One stored trade event. The field names `fillId`/`fillKey` are the table's attribute names
 * (resources.ts) and stay; the type says what the record holds.
 */
export interface TradeEventRecord<E extends TradeEvent = TradeEvent> {
  readonly fillId: string;
  readonly fillKey: string;
  /** Lower-case address the event belongs to (for fee-only events: the trader of the close in the same tx). */
  readonly trader: string;
  /** Block timestamp, unix seconds. */
  readonly timestamp: number;
  readonly event: E;
}

/** A fill: the record of an execution. */
export type Fill = TradeEventRecord<ExecutionEvent>;

export function isFill(r: TradeEventRecord): r is Fill {
  return isExecution(r.event);
}

/** The trader an event is about; PairInfos.FeesCharged names none and is attributed by transaction. */
export function traderOf(event: TradeEvent): string | undefined {
  switch (event.kind) {
    case 'MarketExecuted':
    case 'LimitExecuted':
    case 'PositionSizeIncreased':
      return event.trade.trader;
    case 'ClosingFeesCharged':
      return undefined;
    default:
      return event.trader;
  }
}

export type CloseReason = 'MARKET' | 'TP' | 'SL' | 'LIQ';

/** What an execution did to its position, in chain units (USDC 1e6; price and leverage 1e10). */
export type Execution =
  | {
      readonly action: 'OPEN';
      readonly trade: TradeStruct;
      /** Collateral after the opening fee. */
      readonly collateral: bigint;
      readonly price: bigint;
    }
  | {
      readonly action: 'CLOSE';
      /** The trade as it was before the close. */
      readonly trade: TradeStruct;
      readonly reason: CloseReason;
      /** Collateral before the close, and closed by it (equal on a full close). */
      readonly before: bigint;
      readonly closed: bigint;
      readonly full: boolean;
      readonly usdcSentToTrader: bigint;
      readonly price: bigint;
    }
  | {
      readonly action: 'INCREASE';
      /** The position after the increase (blended open price, new collateral and leverage). */
      readonly trade: TradeStruct;
      /** Collateral before the increase (derived: after - (added - opening fee)). */
      readonly before: bigint;
      /** Collateral paid in, before the opening fee. */
      readonly added: bigint;
      readonly addedLeverage: bigint;
      readonly openingFee: bigint;
      readonly price: bigint;
    };

const REASONS = { TP: 'TP', SL: 'SL', LIQ: 'LIQ' } as const;

/** Whether a MarketExecuted/LimitExecuted opens a position (a limit open is LimitExecuted OPEN). */
export function opensPosition(e: MarketExecuted | LimitExecuted): boolean {
  return e.kind === 'MarketExecuted' ? e.open : e.orderType === 'OPEN';
}

export function closeReasonOf(e: MarketExecuted | LimitExecuted): CloseReason {
  return e.kind === 'LimitExecuted' ? (REASONS[e.orderType as keyof typeof REASONS] ?? 'MARKET') : 'MARKET';
}

/**
 * Collateral a close takes. `positionSizeUsdc` is the collateral closed (docs/avantis.md v2 §7 [I]:
 * treated as collateral until a real log settles it). A TP/SL that closes less than the position is
 * a partial TP/SL (v2, orderType 11); v1 layouts report the whole collateral, and a liquidation
 * always closes everything. The hot path of every close (ledger, positions, signals): no allocation.
 */
export function closedCollateral(e: MarketExecuted | LimitExecuted): bigint {
  const before = e.trade.initialPosToken;
  const size = e.positionSizeUsdc;
  if (e.kind === 'MarketExecuted') return size;
  return e.orderType !== 'LIQ' && size > 0n && size < before ? size : before;
}

/** What an execution did to its position (see closedCollateral for how much a close takes). */
export function executionOf(e: ExecutionEvent): Execution {
  const t = e.trade;
  if (e.kind === 'PositionSizeIncreased') {
    return {
      action: 'INCREASE',
      trade: t,
      // The opening fee comes out of what was paid in [local]; rollover and funding settled by the
      // increase are not in the event, so `before` is off by them (small next to the collateral).
      before: t.initialPosToken - (e.addedCollateral - e.openingFee),
      added: e.addedCollateral,
      addedLeverage: e.addedLeverage,
      openingFee: e.openingFee,
      price: e.price,
    };
  }
  if (opensPosition(e)) return { action: 'OPEN', trade: t, collateral: e.positionSizeUsdc, price: e.price };
  const before = t.initialPosToken;
  const closed = closedCollateral(e);
  return {
    action: 'CLOSE',
    trade: t,
    reason: closeReasonOf(e),
    before,
    closed,
    full: closed >= before,
    usdcSentToTrader: e.usdcSentToTrader,
    price: e.price,
  };
}

export interface RecordsFromEvents {
  readonly records: readonly TradeEventRecord[];
  /** Fee events with no close in the same transaction to attribute them to. */
  readonly unattributed: number;
}

/**
 * Turns a block-ordered batch of events into stored records. The batch must hold whole transactions,
 * which a block-range page always does, so a close's PairInfos.FeesCharged finds its close.
 */
export function recordsFromEvents(
  events: readonly TradeEvent[],
  timestampOf: (blockNumber: number) => number,
): RecordsFromEvents {
  const closerByTx = new Map<string, string>();
  for (const e of events) {
    if ((e.kind === 'MarketExecuted' || e.kind === 'LimitExecuted') && !opensPosition(e)) {
      closerByTx.set(e.txHash, e.trade.trader);
    }
  }
  const records: TradeEventRecord[] = [];
  let unattributed = 0;
  for (const event of events) {
    const trader = traderOf(event) ?? closerByTx.get(event.txHash);
    if (trader === undefined) {
      unattributed += 1;
      continue;
    }
    records.push({
      fillId: fillId(event.txHash, event.logIndex),
      fillKey: fillKey(event.blockNumber, event.logIndex),
      trader,
      timestamp: timestampOf(event.blockNumber),
      event,
    });
  }
  return { records, unattributed };
}

/** @deprecated the old name: `recordsFromEvents`, whose `records` are trade events (fills among them). */
export function fillsFromEvents(
  events: readonly TradeEvent[],
  timestampOf: (blockNumber: number) => number,
): { readonly fills: readonly TradeEventRecord[]; readonly unattributed: number } {
  const { records, unattributed } = recordsFromEvents(events, timestampOf);
  return { fills: records, unattributed };
}

/** On-chain order: block, then log index. */
export function byChainOrder(a: { fillKey: string }, b: { fillKey: string }): number {
  return a.fillKey < b.fillKey ? -1 : a.fillKey > b.fillKey ? 1 : 0;
}
