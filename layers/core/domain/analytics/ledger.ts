// Realized PnL, exactly, in USDC 1e6: per close, usdcSentToTrader - collateral closed - the share of
// the opening fee carried by that collateral. Lots are keyed by (trader, pairIndex, index), consumed
// FIFO by partial closes, and a reused slot starts afresh. Fee shares are allocated so that the
// partial closes of a lot always add up to exactly its fee.
import type { Fill } from '../fills.js';

const PRECISION = 10_000_000_000n; // prices, leverage and percentProfit are 1e10

export interface Lot {
  /** Collateral still open, USDC 1e6. */
  collateral: bigint;
  /** Opening fee not yet allocated to a close, USDC 1e6. */
  fee: bigint;
  readonly openedAt: number;
  readonly openPrice: bigint;
  readonly leverage: bigint;
  readonly buy: boolean;
}

export interface Ledger {
  /** Slot key `pairIndex#index` -> lots, oldest first. */
  readonly slots: Map<string, Lot[]>;
  /** The opening fee of the last transaction seen, waiting for its open (fees come first on Avantis). */
  lastFee?: { readonly txHash: string; readonly fee: bigint };
  /** The last open seen, for a fee that arrives after its open. */
  lastOpen?: { readonly txHash: string; readonly slot: string };
}

export type CloseReason = 'MARKET' | 'TP' | 'SL' | 'LIQ';

export interface OpenEffect {
  readonly kind: 'OPEN';
  readonly pairIndex: number;
  readonly collateral: bigint;
  readonly leverage: bigint;
  /** collateral x leverage, USDC 1e6. */
  readonly notional: bigint;
  readonly ts: number;
}

export interface CloseEffect {
  readonly kind: 'CLOSE';
  readonly pairIndex: number;
  readonly reason: CloseReason;
  readonly collateralClosed: bigint;
  readonly usdcSent: bigint;
  readonly feeShare: bigint;
  /** usdcSent - collateralClosed - feeShare. */
  readonly realizedPnl: bigint;
  readonly notional: bigint;
  /** Collateral-weighted seconds since the lots closed were opened; undefined when the open predates indexing. */
  readonly holdSeconds: number | undefined;
  readonly ts: number;
}

export type LedgerEffect = OpenEffect | CloseEffect;

export function emptyLedger(): Ledger {
  return { slots: new Map() };
}

const slotKey = (pairIndex: number, index: number) => `${pairIndex}#${index}`;
const REASONS: Record<string, CloseReason> = { TP: 'TP', SL: 'SL', LIQ: 'LIQ' };

/** Applies one fill; returns what it did to realized PnL (an open or a close), if anything. */
export function applyToLedger(ledger: Ledger, fill: Fill): LedgerEffect | undefined {
  const e = fill.event;
  switch (e.kind) {
    case 'OpeningFeeCharged': {
      const open = ledger.lastOpen;
      const lot = open?.txHash === e.txHash ? ledger.slots.get(open.slot)?.at(-1) : undefined;
      if (lot) lot.fee += e.fee;
      else ledger.lastFee = { txHash: e.txHash, fee: e.fee };
      return undefined;
    }
    case 'MarketExecuted':
    case 'LimitExecuted': {
      const t = e.trade;
      const slot = slotKey(t.pairIndex, t.index);
      const isOpen = e.kind === 'MarketExecuted' ? e.open : e.orderType === 'OPEN';
      if (isOpen) {
        const fee = ledger.lastFee?.txHash === e.txHash ? ledger.lastFee.fee : 0n;
        ledger.lastFee = undefined;
        ledger.lastOpen = { txHash: e.txHash, slot };
        const collateral = e.positionSizeUsdc;
        // A reused slot starts afresh: whatever was left belonged to a close we never saw.
        ledger.slots.set(slot, [
          { collateral, fee, openedAt: fill.timestamp, openPrice: e.price, leverage: t.leverage, buy: t.buy },
        ]);
        return {
          kind: 'OPEN',
          pairIndex: t.pairIndex,
          collateral,
          leverage: t.leverage,
          notional: (collateral * t.leverage) / PRECISION,
          ts: fill.timestamp,
        };
      }
      const reason = e.kind === 'LimitExecuted' ? (REASONS[e.orderType] ?? 'MARKET') : 'MARKET';
      return close(
        ledger,
        slot,
        fill,
        e.positionSizeUsdc,
        e.usdcSentToTrader,
        t.leverage,
        t.pairIndex,
        reason,
      );
    }
    case 'MarginUpdated': {
      const lots = ledger.slots.get(slotKey(e.pairIndex, e.index));
      if (!lots || !e.trade) return undefined;
      // Margin moves collateral in or out without realizing anything: newest lot first.
      const total = lots.reduce((sum, l) => sum + l.collateral, 0n);
      let delta = e.trade.initialPosToken - total;
      if (delta > 0n) {
        const last = lots.at(-1) as Lot;
        lots.push({ ...last, collateral: delta, fee: 0n, openedAt: fill.timestamp });
      }
      for (let i = lots.length - 1; delta < 0n && i >= 0; i--) {
        const lot = lots[i] as Lot;
        const take = -delta < lot.collateral ? -delta : lot.collateral;
        lot.collateral -= take;
        delta += take;
        // A lot the withdrawal emptied is gone (else a full close would leave it behind as an open slot).
        if (lot.collateral === 0n && lot.fee === 0n) lots.splice(i, 1);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function close(
  ledger: Ledger,
  slot: string,
  fill: Fill,
  collateralClosed: bigint,
  usdcSent: bigint,
  leverage: bigint,
  pairIndex: number,
  reason: CloseReason,
): CloseEffect {
  const lots = ledger.slots.get(slot) ?? [];
  let remaining = collateralClosed;
  let feeShare = 0n;
  let heldWeighted = 0n;
  let heldCollateral = 0n;
  while (remaining > 0n && lots.length > 0) {
    const lot = lots[0] as Lot;
    const take = remaining < lot.collateral ? remaining : lot.collateral;
    // Pro rata, rounded down; the lot's last close takes whatever fee is left, so shares sum exactly.
    const share = take === lot.collateral ? lot.fee : (lot.fee * take) / lot.collateral;
    feeShare += share;
    lot.fee -= share;
    lot.collateral -= take;
    remaining -= take;
    heldWeighted += take * BigInt(Math.max(0, fill.timestamp - lot.openedAt));
    heldCollateral += take;
    if (lot.collateral === 0n) lots.shift();
  }
  // TP, SL and liquidation close the whole position: drop any dust a missed event left behind.
  if (reason !== 'MARKET' || lots.length === 0) ledger.slots.delete(slot);
  return {
    kind: 'CLOSE',
    pairIndex,
    reason,
    collateralClosed,
    usdcSent,
    feeShare,
    realizedPnl: usdcSent - collateralClosed - feeShare,
    notional: (collateralClosed * leverage) / PRECISION,
    holdSeconds: heldCollateral > 0n ? Number(heldWeighted / heldCollateral) : undefined,
    ts: fill.timestamp,
  };
}

/** Gross unrealized PnL of the open lots at the latest known prices (pairs without a price are skipped). */
export function unrealizedPnl(ledger: Ledger, priceOf: (pairIndex: number) => bigint | undefined): bigint {
  let total = 0n;
  for (const [slot, lots] of ledger.slots) {
    const price = priceOf(Number(slot.split('#')[0]));
    if (price === undefined) continue;
    for (const lot of lots) {
      const diff = lot.buy ? price - lot.openPrice : lot.openPrice - price;
      let percent = (diff * 100n * PRECISION * lot.leverage) / PRECISION / lot.openPrice;
      if (percent < -100n * PRECISION) percent = -100n * PRECISION; // a position cannot lose more than its collateral
      total += (lot.collateral * percent) / PRECISION / 100n;
    }
  }
  return total;
}
