// Realized PnL, exactly, in USDC 1e6, across the v2 upgrade. Per close (market, partial or full, and
// partial or full TP/SL, liquidation): usdcSentToTrader - collateral closed - the FIFO share of the
// fees carried by that collateral. usdcSentToTrader already nets the closing fee, the close spread,
// rollover and funding (docs/avantis.md v2 §8 [I]); the carried fees are the opening fee of each lot (an
// open's TradingStorage FeesCharged, an increase's openingFee) and margin fees. A cancelled open's
// kept opening fee is a realized loss on its own (no close). Lots are keyed by (trader, pairIndex,
// index), consumed FIFO by closes, and a reused slot starts afresh. Fee shares are allocated so that
// the closes of a lot always add up to exactly its fee.
import {
  closeReasonOf,
  closedCollateral,
  opensPosition,
  type CloseReason,
  type TradeEventRecord,
} from '../fills.js';
import { pairCatalog } from '../avantis/pairs.js';

const PRECISION = 10_000_000_000n; // prices, leverage and percentProfit are 1e10

export interface Lot {
  /** Collateral still open, USDC 1e6. */
  collateral: bigint;
  /** Fees not yet allocated to a close, USDC 1e6. */
  fee: bigint;
  readonly openedAt: number;
  readonly openPrice: bigint;
  readonly leverage: bigint;
  readonly buy: boolean;
}

export interface Ledger {
  /** Slot key `pairIndex#index` -> lots, oldest first. */
  readonly slots: Map<string, Lot[]>;
  /** The opening fee of the last transaction seen, waiting for its open, increase or cancel (fees come first). */
  lastFee?: { readonly txHash: string; readonly fee: bigint; readonly pairIndex?: number };
  /** The last open seen, for a fee that arrives after its open. */
  lastOpen?: { readonly txHash: string; readonly slot: string };
  /** The last cancelled open, for a kept fee that arrives after the cancel in the same transaction. */
  lastCancel?: { readonly txHash: string; readonly pairIndex: number };
}

export type { CloseReason } from '../fills.js';

export interface OpenEffect {
  readonly kind: 'OPEN';
  readonly pairIndex: number;
  readonly collateral: bigint;
  readonly leverage: bigint;
  /** collateral x leverage, USDC 1e6. */
  readonly notional: bigint;
  readonly ts: number;
}

/** An increase: more collateral at its own leverage; volume, no new position. */
export interface IncreaseEffect {
  readonly kind: 'INCREASE';
  readonly pairIndex: number;
  readonly collateral: bigint;
  readonly leverage: bigint;
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

/** A realized cost with no close: the opening fee a cancelled open kept. */
export interface FeeLossEffect {
  readonly kind: 'FEE_LOSS';
  readonly pairIndex: number;
  readonly reason: 'OPEN_CANCELED' | 'INCREASE_CANCELED';
  /** Negative: the fee lost. */
  readonly realizedPnl: bigint;
  readonly notional: 0n;
  readonly ts: number;
}

export type LedgerEffect = OpenEffect | IncreaseEffect | CloseEffect | FeeLossEffect;

export function emptyLedger(): Ledger {
  return { slots: new Map() };
}

const slotKey = (pairIndex: number, index: number) => `${pairIndex}#${index}`;

/** The waiting opening fee, if it belongs to this transaction (Avantis charges it in the fill's or cancel's). */
function takeFee(ledger: Ledger, txHash: string): bigint {
  const f = ledger.lastFee;
  if (!f || f.txHash !== txHash) return 0n;
  ledger.lastFee = undefined;
  return f.fee;
}

/**
 * Collateral that moved without the trader paying or receiving it (rollover and funding settled on
 * an increase) is money that no close returns or that a close returns unpaid: the lots carry it as
 * fee, so realized PnL stays cash in minus cash out. Newest lot first; a lot that runs dry spills over.
 */
function settleInto(lots: Lot[], delta: bigint): void {
  let rest = delta;
  for (let i = lots.length - 1; rest !== 0n && i >= 0; i--) {
    const lot = lots[i] as Lot;
    const take = rest < 0n && -rest > lot.collateral && i > 0 ? -lot.collateral : rest;
    lot.collateral += take;
    lot.fee -= take;
    rest -= take;
  }
}

function feeLoss(
  pairIndex: number,
  fee: bigint,
  ts: number,
  reason: FeeLossEffect['reason'] = 'OPEN_CANCELED',
): FeeLossEffect {
  return { kind: 'FEE_LOSS', pairIndex, reason, realizedPnl: -fee, notional: 0n, ts };
}

/** Applies one trade event; returns what it did to realized PnL and volume, if anything. */
export function applyToLedger(ledger: Ledger, fill: TradeEventRecord): LedgerEffect | undefined {
  const e = fill.event;
  // Opens and closes are most of the stream: read them in place, without an Execution object.
  if (e.kind === 'MarketExecuted' || e.kind === 'LimitExecuted') {
    const t = e.trade;
    const slot = slotKey(t.pairIndex, t.index);
    if (opensPosition(e)) {
      const fee = takeFee(ledger, e.txHash);
      ledger.lastOpen = { txHash: e.txHash, slot };
      if (ledger.lastCancel) ledger.lastCancel = undefined;
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
    const closed = closedCollateral(e);
    const full = closed >= t.initialPosToken;
    return close(
      ledger,
      slot,
      fill,
      closed,
      e.usdcSentToTrader,
      t.leverage,
      t.pairIndex,
      closeReasonOf(e),
      full,
    );
  }
  if (e.kind === 'PositionSizeIncreased') {
    const t = e.trade;
    const slot = slotKey(t.pairIndex, t.index);
    // The increase carries its own opening fee; TradingStorage's FeesCharged in the same tx is the same money.
    const pending = takeFee(ledger, e.txHash);
    const fee = e.openingFee > 0n ? e.openingFee : pending;
    // [local] addedCollateral is what the trader paid in; the fee comes out of it.
    const net = e.addedCollateral - fee;
    const lots = ledger.slots.get(slot) ?? [];
    const held = lots.reduce((sum, l) => sum + l.collateral, 0n);
    // Whatever else moved the collateral (rollover and funding settled now) stays with the older lots.
    if (lots.length > 0) settleInto(lots, t.initialPosToken - (held + net));
    lots.push({
      collateral: lots.length > 0 ? net : t.initialPosToken,
      fee,
      openedAt: fill.timestamp,
      openPrice: e.price,
      leverage: e.addedLeverage,
      buy: t.buy,
    });
    ledger.slots.set(slot, lots);
    return {
      kind: 'INCREASE',
      pairIndex: t.pairIndex,
      collateral: e.addedCollateral,
      leverage: e.addedLeverage,
      notional: (e.addedCollateral * e.addedLeverage) / PRECISION,
      ts: fill.timestamp,
    };
  }
  switch (e.kind) {
    case 'OpeningFeeCharged': {
      const open = ledger.lastOpen;
      const lot = open?.txHash === e.txHash ? ledger.slots.get(open.slot)?.at(-1) : undefined;
      if (lot) {
        lot.fee += e.fee;
        return undefined;
      }
      if (ledger.lastCancel?.txHash === e.txHash) {
        ledger.lastCancel = undefined;
        return feeLoss(e.pairIndex, e.fee, fill.timestamp);
      }
      ledger.lastFee = { txHash: e.txHash, fee: e.fee, pairIndex: e.pairIndex };
      return undefined;
    }
    case 'MarketOpenCanceled': {
      // v1 kept the opening fee of a cancelled open (docs/avantis.md v1 §7.5); v2 sources are silent [I]: whatever
      // fee event the cancel carries (or its registration did) is lost money.
      const fee = takeFee(ledger, e.txHash);
      if (fee > 0n) return feeLoss(e.pairIndex, fee, fill.timestamp);
      ledger.lastCancel = { txHash: e.txHash, pairIndex: e.pairIndex };
      return undefined;
    }
    case 'IncreasePositionCanceled': {
      // The local v2 keeps an increase's opening fee on a cancel too [local, inferred as for opens].
      const fee = takeFee(ledger, e.txHash);
      return fee > 0n ? feeLoss(e.pairIndex, fee, fill.timestamp, 'INCREASE_CANCELED') : undefined;
    }
    case 'MarginUpdated': {
      const lots = ledger.slots.get(slotKey(e.pairIndex, e.index));
      if (!lots || !e.trade) return undefined;
      // The new trade's collateral already moved by the amount net of the margin fee, so the fee is
      // money the trader paid that no close returns: the newest lot carries it into the PnL.
      const total = lots.reduce((sum, l) => sum + l.collateral, 0n);
      let delta = e.trade.initialPosToken - total;
      const marginFee = e.marginFees ?? 0n;
      if (delta > 0n) {
        const last = lots.at(-1) as Lot;
        lots.push({ ...last, collateral: delta, fee: marginFee, openedAt: fill.timestamp });
      } else if (marginFee > 0n && lots.length > 0) {
        (lots.at(-1) as Lot).fee += marginFee;
      }
      // A withdrawal takes collateral out without realizing anything: newest lot first.
      for (let i = lots.length - 1; delta < 0n && i >= 0; i--) {
        const lot = lots[i] as Lot;
        const take = -delta < lot.collateral ? -delta : lot.collateral;
        lot.collateral -= take;
        delta += take;
        // An emptied lot hands its fee to an older one (the fee is still owed by the position).
        if (lot.collateral === 0n) {
          lots.splice(i, 1);
          const older = lots[i - 1] ?? lots[i];
          if (older) older.fee += lot.fee;
        }
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
  fill: TradeEventRecord,
  collateralClosed: bigint,
  usdcSent: bigint,
  leverage: bigint,
  pairIndex: number,
  reason: CloseReason,
  full: boolean,
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
  // A full close ends the slot: drop any dust a missed event left behind.
  if (full || lots.length === 0) ledger.slots.delete(slot);
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

/**
 * Gross unrealized PnL of the open lots at the latest known prices (pairs without a price are
 * skipped), with Avantis' bounds on a position's percent profit: never below -100% (the collateral)
 * and never above the pair's max gain (`maxGainP`, pair catalog), which is where TP 0 caps it.
 */
export function unrealizedPnl(ledger: Ledger, priceOf: (pairIndex: number) => bigint | undefined): bigint {
  let total = 0n;
  for (const [slot, lots] of ledger.slots) {
    const pairIndex = Number(slot.split('#')[0]);
    const price = priceOf(pairIndex);
    if (price === undefined) continue;
    const maxGain = pairCatalog.get(pairIndex)?.maxGainP;
    const cap = maxGain === undefined ? undefined : BigInt(maxGain) * PRECISION;
    for (const lot of lots) {
      const diff = lot.buy ? price - lot.openPrice : lot.openPrice - price;
      let percent = (diff * 100n * PRECISION * lot.leverage) / PRECISION / lot.openPrice;
      if (percent < -100n * PRECISION) percent = -100n * PRECISION; // a position cannot lose more than its collateral
      if (cap !== undefined && percent > cap) percent = cap;
      total += (lot.collateral * percent) / PRECISION / 100n;
    }
  }
  return total;
}
