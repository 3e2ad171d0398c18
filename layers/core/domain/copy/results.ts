// A follower's own copy results, from their intents alone (plus the trader's fills for the
// comparison): per followed trader and in total, copies made, realized PnL of the copies' closes
// (usdcSentToTrader − collateral closed: net of the close fee, spread, rollover and funding,
// docs/avantis.md v2 §8), opening fees, unrealized PnL of the copies still open at a price map, win rate, and the
// trader's own realized PnL on exactly the closes that were copied. Pure, bigint money (USDC 1e6,
// prices and leverage 1e10). Also the one-line outcome of a single copy for the /copies history.
import { pairCatalog } from '../avantis/pairs.js';
import { executionOf, isFill, type TradeEventRecord } from '../fills.js';
import type { CopyIntent } from '../../ports/copy.js';
import { feeAtRate } from './fees.js';

const PRECISION = 10_000_000_000n;

/** The trader's side of the same trades: their closes that a copy followed. */
export interface TraderSide {
  readonly closes: number;
  readonly wins: number;
  readonly realizedPnlUsdc: bigint;
  readonly closedCollateralUsdc: bigint;
}

export interface CopyResults {
  /** Lower-case trader address, or 'ALL' for the total. */
  readonly trader: string;
  /** Opens that filled (LIVE). */
  readonly copies: number;
  /** DRY copies: decided, never sent. */
  readonly simulated: number;
  readonly canceled: number;
  readonly failed: number;
  /** Copied closes that filled with a known amount back, and how many of them gained. */
  readonly closes: number;
  readonly wins: number;
  /** Closes found filled by the reconciler without the amount sent back: not in the PnL. */
  readonly closesWithoutAmount: number;
  readonly realizedPnlUsdc: bigint;
  readonly closedCollateralUsdc: bigint;
  /** Opening fees of filled opens and adds (asked − collateral after the fee), plus the estimated
   *  fee Avantis keeps on a cancelled open (notional × the pair's opening fee). */
  readonly feesUsdc: bigint;
  /** Copies still open (by this history) and their collateral. */
  readonly openCopies: number;
  readonly openCollateralUsdc: bigint;
  /** At the given prices; open copies whose pair has no price are left out and counted. */
  readonly unrealizedPnlUsdc: bigint;
  readonly unpricedOpenCopies: number;
  /** The trader's result on the closes copied above; undefined when their fills were not given. */
  readonly traderSide: TraderSide | undefined;
}

/** One trader close, by its fill id (= the signal id the copy carries). */
export interface TraderClose {
  readonly closedUsdc: bigint;
  readonly usdcSentToTrader: bigint;
}

/** The trader's closes among their stored fills, by fill id. */
export function traderClosesOf(fills: readonly TradeEventRecord[]): Map<string, TraderClose> {
  const out = new Map<string, TraderClose>();
  for (const f of fills) {
    if (!isFill(f)) continue;
    const x = executionOf(f.event);
    if (x.action === 'CLOSE')
      out.set(f.fillId, { closedUsdc: x.closed, usdcSentToTrader: x.usdcSentToTrader });
  }
  return out;
}

interface OpenCopy {
  buy: boolean;
  pairIndex: number;
  collateral: bigint;
  leverage: bigint;
  openPrice: bigint;
}

interface Tally {
  copies: number;
  simulated: number;
  canceled: number;
  failed: number;
  closes: number;
  wins: number;
  closesWithoutAmount: number;
  realized: bigint;
  closedCollateral: bigint;
  fees: bigint;
  open: Map<string, OpenCopy>;
  trader: { closes: number; wins: number; realized: bigint; closedCollateral: bigint; known: boolean };
}

const newTally = (): Tally => ({
  copies: 0,
  simulated: 0,
  canceled: 0,
  failed: 0,
  closes: 0,
  wins: 0,
  closesWithoutAmount: 0,
  realized: 0n,
  closedCollateral: 0n,
  fees: 0n,
  open: new Map(),
  trader: { closes: 0, wins: 0, realized: 0n, closedCollateral: 0n, known: false },
});

/** What the user asked to put in: the signed amount when known, else the decision's. */
function askedCollateral(i: CopyIntent): bigint | undefined {
  if (i.signed) return BigInt(i.signed.collateralUsdc);
  return i.order.kind === 'OPEN' ? BigInt(i.order.collateralUsdc) : undefined;
}

function leverageOf(i: CopyIntent): bigint {
  if (i.fill?.leverage) return BigInt(i.fill.leverage);
  if (i.signed) return BigInt(i.signed.leverage);
  return i.order.kind === 'OPEN' || i.order.kind === 'INCREASE' ? BigInt(i.order.leverage) : 0n;
}

/** The estimated opening fee Avantis keeps when it cancels an open, at the pair's base rate (the
 *  copier's cancel notice says the same when it cannot read the refund). */
export function keptFeeOf(i: CopyIntent): bigint {
  if (i.kind === 'CLOSE' || i.state !== 'CANCELED') return 0n;
  const asked = askedCollateral(i);
  const pair = pairCatalog.get(i.signed?.pairIndex ?? i.order.pairIndex);
  if (asked === undefined || !pair) return 0n;
  return feeAtRate(asked, leverageOf(i), pair.openFeeP);
}

/** Realized PnL of one filled close, or undefined when the amount sent back is not known. */
export function closePnlOf(i: CopyIntent): bigint | undefined {
  if (i.kind !== 'CLOSE' || i.state !== 'EXECUTED' || !i.fill) return undefined;
  if (i.reason === 'RECONCILED_FILLED') return undefined;
  return BigInt(i.fill.usdcSentToTrader) - BigInt(i.fill.collateralUsdc);
}

const slotOf = (i: CopyIntent) => `${i.slot.pairIndex}#${i.slot.tradeIndex}`;

function absorb(t: Tally, i: CopyIntent, traderCloses: ReadonlyMap<string, TraderClose> | undefined): void {
  if (i.state === 'SIMULATED') {
    t.simulated += 1;
    return;
  }
  if (i.state === 'CANCELED') {
    t.canceled += 1;
    t.fees += keptFeeOf(i);
    return;
  }
  if (i.state === 'FAILED') {
    t.failed += 1;
    return;
  }
  if (i.state !== 'EXECUTED' || !i.fill) return;
  const filled = BigInt(i.fill.collateralUsdc);
  const price = BigInt(i.fill.price);
  const key = slotOf(i);
  if (i.kind === 'OPEN') {
    t.copies += 1;
    const asked = askedCollateral(i);
    if (asked !== undefined && asked > filled) t.fees += asked - filled;
    // The trader's slot is reused after a full close: a new open there is a new copy.
    t.open.set(key, {
      buy: i.signed?.buy ?? (i.order.kind === 'OPEN' ? i.order.buy : true),
      pairIndex: i.signed?.pairIndex ?? i.order.pairIndex,
      collateral: filled,
      leverage: leverageOf(i),
      openPrice: price,
    });
    return;
  }
  const held = t.open.get(key);
  if (i.kind === 'INCREASE') {
    // The increase's fill carries what was added (after its fee [local]); the fill event's blended
    // entry is not stored, so it is blended here by notional.
    const asked = askedCollateral(i);
    if (asked !== undefined && asked > filled) t.fees += asked - filled;
    if (!held) return;
    const leverage = i.fill.leverage ? BigInt(i.fill.leverage) : held.leverage;
    const before = held.collateral * held.leverage;
    const added = filled * leverage;
    const collateral = held.collateral + filled;
    held.openPrice =
      before + added === 0n ? price : (held.openPrice * before + price * added) / (before + added);
    held.collateral = collateral;
    held.leverage = leverage;
    return;
  }
  // CLOSE
  if (held) {
    held.collateral -= filled;
    const full = i.order.kind === 'CLOSE' && BigInt(i.order.fraction.closed) >= BigInt(i.order.fraction.of);
    if (full || held.collateral <= 0n) t.open.delete(key);
  }
  const pnl = closePnlOf(i);
  if (pnl === undefined) {
    t.closesWithoutAmount += 1;
    return;
  }
  t.closes += 1;
  if (pnl > 0n) t.wins += 1;
  t.realized += pnl;
  t.closedCollateral += filled;
  const theirs = traderCloses?.get(i.signalId);
  if (theirs) {
    const theirPnl = theirs.usdcSentToTrader - theirs.closedUsdc;
    t.trader.closes += 1;
    if (theirPnl > 0n) t.trader.wins += 1;
    t.trader.realized += theirPnl;
    t.trader.closedCollateral += theirs.closedUsdc;
  }
}

/** Unrealized PnL of one open copy at `price` (the copier's formula), USDC 1e6. */
export function unrealizedOf(
  c: { buy: boolean; collateral: bigint; leverage: bigint; openPrice: bigint },
  price: bigint,
): bigint {
  if (c.openPrice === 0n) return 0n;
  const move = c.buy ? price - c.openPrice : c.openPrice - price;
  return (c.collateral * c.leverage * move) / (c.openPrice * PRECISION);
}

function resultOf(
  trader: string,
  t: Tally,
  prices: ReadonlyMap<number, bigint>,
  withTrader: boolean,
): CopyResults {
  let unrealized = 0n;
  let unpriced = 0;
  let openCollateral = 0n;
  for (const c of t.open.values()) {
    openCollateral += c.collateral;
    const price = prices.get(c.pairIndex);
    if (price === undefined) unpriced += 1;
    else unrealized += unrealizedOf(c, price);
  }
  return {
    trader,
    copies: t.copies,
    simulated: t.simulated,
    canceled: t.canceled,
    failed: t.failed,
    closes: t.closes,
    wins: t.wins,
    closesWithoutAmount: t.closesWithoutAmount,
    realizedPnlUsdc: t.realized,
    closedCollateralUsdc: t.closedCollateral,
    feesUsdc: t.fees,
    openCopies: t.open.size,
    openCollateralUsdc: openCollateral,
    unrealizedPnlUsdc: unrealized,
    unpricedOpenCopies: unpriced,
    traderSide: withTrader
      ? {
          closes: t.trader.closes,
          wins: t.trader.wins,
          realizedPnlUsdc: t.trader.realized,
          closedCollateralUsdc: t.trader.closedCollateral,
        }
      : undefined,
  };
}

const sum = (rows: readonly CopyResults[]): CopyResults => {
  const add = (f: (r: CopyResults) => number) => rows.reduce((s, r) => s + f(r), 0);
  const addN = (f: (r: CopyResults) => bigint) => rows.reduce((s, r) => s + f(r), 0n);
  const sides = rows.map((r) => r.traderSide).filter((s): s is TraderSide => s !== undefined);
  return {
    trader: 'ALL',
    copies: add((r) => r.copies),
    simulated: add((r) => r.simulated),
    canceled: add((r) => r.canceled),
    failed: add((r) => r.failed),
    closes: add((r) => r.closes),
    wins: add((r) => r.wins),
    closesWithoutAmount: add((r) => r.closesWithoutAmount),
    realizedPnlUsdc: addN((r) => r.realizedPnlUsdc),
    closedCollateralUsdc: addN((r) => r.closedCollateralUsdc),
    feesUsdc: addN((r) => r.feesUsdc),
    openCopies: add((r) => r.openCopies),
    openCollateralUsdc: addN((r) => r.openCollateralUsdc),
    unrealizedPnlUsdc: addN((r) => r.unrealizedPnlUsdc),
    unpricedOpenCopies: add((r) => r.unpricedOpenCopies),
    traderSide: sides.length
      ? {
          closes: sides.reduce((s, x) => s + x.closes, 0),
          wins: sides.reduce((s, x) => s + x.wins, 0),
          realizedPnlUsdc: sides.reduce((s, x) => s + x.realizedPnlUsdc, 0n),
          closedCollateralUsdc: sides.reduce((s, x) => s + x.closedCollateralUsdc, 0n),
        }
      : undefined,
  };
};

/**
 * Per trader (most copies first) and in total. `intents` in any order (folded by createdAt, so
 * opens, adds and closes of one position meet in order); `traderFills` by lower-case trader: the
 * trader's stored fills, for their side of the same closes.
 */
export function copyResults(
  intents: readonly CopyIntent[],
  prices: ReadonlyMap<number, bigint>,
  traderFills: ReadonlyMap<string, readonly TradeEventRecord[]> = new Map(),
): { readonly byTrader: readonly CopyResults[]; readonly total: CopyResults } {
  const tallies = new Map<string, Tally>();
  const ordered = [...intents].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.intentId.localeCompare(b.intentId),
  );
  const closes = new Map<string, Map<string, TraderClose>>();
  for (const [trader, fills] of traderFills) closes.set(trader.toLowerCase(), traderClosesOf(fills));
  for (const i of ordered) {
    const trader = i.trader.toLowerCase();
    let t = tallies.get(trader);
    if (!t) tallies.set(trader, (t = newTally()));
    absorb(t, i, closes.get(trader));
  }
  const byTrader = [...tallies.entries()]
    .map(([trader, t]) => resultOf(trader, t, prices, closes.has(trader)))
    .sort((a, b) => b.copies - a.copies || a.trader.localeCompare(b.trader));
  return { byTrader, total: sum(byTrader) };
}

/** Return on the collateral closed, basis points (integer), or undefined when nothing closed. */
export function returnBps(pnl: bigint, collateral: bigint): bigint | undefined {
  return collateral === 0n ? undefined : (pnl * 10_000n) / collateral;
}
