// Open positions of traders, folded from trade events in chain order (executions and the TP/SL and
// margin updates), across the v2 upgrade: a position opened with v1 events closes, shrinks or grows
// with v2 ones, keyed by (trader, pairIndex, index). Applying an event twice is a no-op (each
// position remembers the last event it absorbed), so a replayed page cannot double-count.
import { byChainOrder, executionOf, type TradeEventRecord } from './fills.js';
import { isExecution, type TradeStruct } from './trade-events.js';

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
  /**
   * The on-chain Trade.timestamp (unix s) as last seen: a v2 close must carry it (`_openTimestamp`);
   * margin updates and increases refresh it. A partial close may refresh it too (docs/avantis.md v2 §3),
   * which no event shows, so copies re-read it before signing. Absent on positions stored before v2.
   */
  readonly tradeTimestamp?: bigint;
}

export function positionKey(pairIndex: number, tradeIndex: number): string {
  return `${String(pairIndex).padStart(5, '0')}#${String(tradeIndex).padStart(5, '0')}`;
}

/** The slot an event is about, when it changes a position. */
export function slotOf(fill: TradeEventRecord): { pairIndex: number; tradeIndex: number } | undefined {
  const e = fill.event;
  switch (e.kind) {
    case 'MarketExecuted':
    case 'LimitExecuted':
    case 'PositionSizeIncreased':
      return { pairIndex: e.trade.pairIndex, tradeIndex: e.trade.index };
    case 'TpUpdated':
    case 'SlUpdated':
    case 'MarginUpdated':
      return { pairIndex: e.pairIndex, tradeIndex: e.index };
    default:
      return undefined;
  }
}

function opened(fill: TradeEventRecord, t: TradeStruct, price: bigint, collateral: bigint): Position {
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
    tradeTimestamp: t.timestamp,
  };
}

/**
 * The position after an event: a new one on an open (a reused slot starts afresh), less collateral
 * on a partial close (market or partial TP/SL), none after a full close, the blended position after
 * an increase, new TP/SL/margin on updates. `undefined` = no open position.
 */
export function applyFill(current: Position | undefined, fill: TradeEventRecord): Position | undefined {
  if (current && fill.fillKey <= current.lastFillKey) return current;
  const e = fill.event;
  const touched = (p: Position, patch: Partial<Position>): Position => ({
    ...p,
    ...patch,
    lastFillKey: fill.fillKey,
  });
  if (isExecution(e)) {
    const x = executionOf(e);
    switch (x.action) {
      case 'OPEN':
        return opened(fill, x.trade, x.price, x.collateral);
      case 'CLOSE': {
        // The event's trade carries the collateral before this close; trust it over our state,
        // which may be missing when indexing started after the open.
        if (x.full) return undefined;
        const remaining = x.before - x.closed;
        // A v2 partial close re-stamps Trade.timestamp with its block's time (the local v2 does; docs/avantis.md v2 §3).
        const stamp = e.variant.includes('v2') ? { tradeTimestamp: BigInt(fill.timestamp) } : {};
        return current
          ? touched(current, { collateral: remaining, ...stamp })
          : { ...opened(fill, x.trade, x.trade.openPrice, remaining), openFillId: '' };
      }
      case 'INCREASE': {
        const t = x.trade;
        const patch = {
          collateral: t.initialPosToken,
          leverage: t.leverage,
          openPrice: t.openPrice,
          tp: t.tp,
          sl: t.sl,
          tradeTimestamp: t.timestamp,
        };
        return current
          ? touched(current, patch)
          : { ...opened(fill, t, t.openPrice, t.initialPosToken), openFillId: '' };
      }
    }
  }
  const stamp = (ts: bigint | undefined) => (ts === undefined ? {} : { tradeTimestamp: ts });
  switch (e.kind) {
    case 'TpUpdated':
      return current && touched(current, { tp: e.newTp, ...stamp(e.tradeOpenTimestamp) });
    case 'SlUpdated':
      return current && touched(current, { sl: e.newSl, ...stamp(e.tradeOpenTimestamp) });
    case 'MarginUpdated':
      return (
        current &&
        touched(current, {
          ...(e.trade
            ? {
                collateral: e.trade.initialPosToken,
                leverage: e.trade.leverage,
                tradeTimestamp: e.trade.timestamp,
              }
            : {}),
          ...(e.newSl === undefined ? {} : { sl: e.newSl }),
        })
      );
    default:
      return current;
  }
}

/** Positions of one trader from their whole fill history (used to rebuild after a reorg). */
export function replayPositions(fills: readonly TradeEventRecord[]): Map<string, Position> {
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
