// Open positions of traders, folded from fills in chain order. Applying a fill twice is a no-op
// (each position remembers the last fill it absorbed), so a replayed page cannot double-count.
import { byChainOrder, type Fill } from './fills.js';
import type { TradeStruct } from './trade-events.js';

export interface Position {
  readonly trader: string;
  readonly pairIndex: number;
  /** The per-(trader, pair) slot; reused after a full close. */
  readonly tradeIndex: number;
  readonly buy: boolean;
  /** 1e10. */
  readonly leverage: bigint;
  /** Remaining collateral, USDC 1e6. */
  readonly collateral: bigint;
  readonly openPrice: bigint;
  readonly tp: bigint;
  readonly sl: bigint;
  readonly openFillId: string;
  readonly openedAt: number;
  readonly lastFillKey: string;
}

export function positionKey(pairIndex: number, tradeIndex: number): string {
  return `${String(pairIndex).padStart(5, '0')}#${String(tradeIndex).padStart(5, '0')}`;
}

/** The slot a fill is about, when it is about one. */
export function slotOf(fill: Fill): { pairIndex: number; tradeIndex: number } | undefined {
  const e = fill.event;
  switch (e.kind) {
    case 'MarketExecuted':
    case 'LimitExecuted':
      return { pairIndex: e.trade.pairIndex, tradeIndex: e.trade.index };
    case 'TpUpdated':
    case 'SlUpdated':
    case 'MarginUpdated':
      return { pairIndex: e.pairIndex, tradeIndex: e.index };
    default:
      return undefined;
  }
}

function opened(fill: Fill, t: TradeStruct, price: bigint, collateral: bigint): Position {
  return {
    trader: fill.trader,
    pairIndex: t.pairIndex,
    tradeIndex: t.index,
    buy: t.buy,
    leverage: t.leverage,
    collateral,
    openPrice: price,
    tp: t.tp,
    sl: t.sl,
    openFillId: fill.fillId,
    openedAt: fill.timestamp,
    lastFillKey: fill.fillKey,
  };
}

/**
 * The position after a fill: a new one on an open (a reused slot starts afresh), less collateral on a
 * partial close, none after a full close, new TP/SL/margin on updates. `undefined` = no open position.
 */
export function applyFill(current: Position | undefined, fill: Fill): Position | undefined {
  if (current && fill.fillKey <= current.lastFillKey) return current;
  const e = fill.event;
  const touched = (p: Position, patch: Partial<Position>): Position => ({
    ...p,
    ...patch,
    lastFillKey: fill.fillKey,
  });
  switch (e.kind) {
    case 'MarketExecuted':
    case 'LimitExecuted': {
      const isOpen = e.kind === 'MarketExecuted' ? e.open : e.orderType === 'OPEN';
      if (isOpen) return opened(fill, e.trade, e.price, e.positionSizeUsdc);
      // Closes: the event's trade carries the collateral before this close; trust it over our state,
      // which may be missing when indexing started after the open.
      const before = e.trade.initialPosToken;
      const remaining = before - e.positionSizeUsdc;
      const fullyClosed = e.kind === 'LimitExecuted' || remaining <= 0n;
      if (fullyClosed) return undefined;
      return current
        ? touched(current, { collateral: remaining })
        : { ...opened(fill, e.trade, e.trade.openPrice, remaining), openFillId: '' };
    }
    case 'TpUpdated':
      return current && touched(current, { tp: e.newTp });
    case 'SlUpdated':
      return current && touched(current, { sl: e.newSl });
    case 'MarginUpdated':
      return (
        current &&
        touched(current, {
          ...(e.trade ? { collateral: e.trade.initialPosToken, leverage: e.trade.leverage } : {}),
          ...(e.newSl === undefined ? {} : { sl: e.newSl }),
        })
      );
    default:
      return current;
  }
}

/** Positions of one trader from their whole fill history (used to rebuild after a reorg). */
export function replayPositions(fills: readonly Fill[]): Map<string, Position> {
  const open = new Map<string, Position>();
  for (const fill of [...fills].sort(byChainOrder)) {
    const slot = slotOf(fill);
    if (!slot) continue;
    const key = positionKey(slot.pairIndex, slot.tradeIndex);
    const next = applyFill(open.get(key), fill);
    if (next) open.set(key, next);
    else open.delete(key);
  }
  return open;
}
