// Fills: decoded TradeEvents as stored, keyed so DynamoDB orders them and replays are idempotent.
import type { TradeEvent } from './trade-events.js';

/** Fixed width so `block#logIndex` sorts as text exactly as it sorts on chain (Base stays below 1e12 blocks). */
const BLOCK_DIGITS = 12;
const LOG_DIGITS = 6;

export function fillKey(blockNumber: number, logIndex: number): string {
  return `${String(blockNumber).padStart(BLOCK_DIGITS, '0')}#${String(logIndex).padStart(LOG_DIGITS, '0')}`;
}

/** The first key of a block: every fill of block n or later sorts at or after it. */
export function firstFillKeyOfBlock(blockNumber: number): string {
  return fillKey(blockNumber, 0);
}

export function fillId(txHash: string, logIndex: number): string {
  return `${txHash.toLowerCase()}:${logIndex}`;
}

export interface Fill {
  readonly fillId: string;
  readonly fillKey: string;
  /** Lower-case address the fill belongs to (for fee-only events: the trader of the close in the same tx). */
  readonly trader: string;
  /** Block timestamp, unix seconds. */
  readonly timestamp: number;
  readonly event: TradeEvent;
}

/** The trader an event is about; PairInfos.FeesCharged names none and is attributed by transaction. */
export function traderOf(event: TradeEvent): string | undefined {
  switch (event.kind) {
    case 'MarketExecuted':
    case 'LimitExecuted':
      return event.trade.trader;
    case 'ClosingFeesCharged':
      return undefined;
    default:
      return event.trader;
  }
}

export interface FillsFromEvents {
  readonly fills: readonly Fill[];
  /** Fee events with no close in the same transaction to attribute them to. */
  readonly unattributed: number;
}

/**
 * Turns a block-ordered batch of events into fills. The batch must hold whole transactions, which a
 * block-range page always does, so a close's PairInfos.FeesCharged finds its MarketExecuted.
 */
export function fillsFromEvents(
  events: readonly TradeEvent[],
  timestampOf: (blockNumber: number) => number,
): FillsFromEvents {
  const closerByTx = new Map<string, string>();
  for (const e of events) {
    const closes =
      (e.kind === 'MarketExecuted' && !e.open) || (e.kind === 'LimitExecuted' && e.orderType !== 'OPEN');
    if (closes) closerByTx.set(e.txHash, traderOf(e) as string);
  }
  const fills: Fill[] = [];
  let unattributed = 0;
  for (const event of events) {
    const trader = traderOf(event) ?? closerByTx.get(event.txHash);
    if (trader === undefined) {
      unattributed += 1;
      continue;
    }
    fills.push({
      fillId: fillId(event.txHash, event.logIndex),
      fillKey: fillKey(event.blockNumber, event.logIndex),
      trader,
      timestamp: timestampOf(event.blockNumber),
      event,
    });
  }
  return { fills, unattributed };
}

/** On-chain order: block, then log index. */
export function byChainOrder(a: { fillKey: string }, b: { fillKey: string }): number {
  return a.fillKey < b.fillKey ? -1 : a.fillKey > b.fillKey ? 1 : 0;
}
