// Realistic analytics fills for tests and benchmarks: builders for the transactions the PnL ledger
// reads (an open with its opening fee, partial and full market closes, TP/SL/LIQ, margin updates),
// with chain-ordered fill keys and timestamps, and a fast-check arbitrary of valid multi-trader
// histories (several pairs and slots, slot reuse, fees), interleaved across traders in chain order.
// Each history also keeps its plan, so tests can derive the expected PnL without the ledger.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { BASE_MAINNET } from '#core/domain/avantis/addresses.js';
import { fillId, fillKey, type TradeEventRecord } from '#core/domain/fills.js';
import type { LimitOrderType, LogPosition, TradeEvent, TradeStruct } from '#core/domain/trade-events.js';

/** One USDC in chain units (1e6). */
export const USDC = 1_000_000n;
/** Prices, leverage and percentProfit are scaled by 1e10. */
export const ONE = 10_000_000_000n;
/** 2025-10-10T00:00:00Z, a UTC midnight. */
export const T0 = 1_760_054_400;
export const DAY = 86_400;
/** Base block at T0; Base mines one block every 2 s. */
export const BLOCK_AT_T0 = 36_000_000;
export const BLOCK_SECONDS = 2;

/** Leverage `x` (may be fractional, e.g. 2.5) at 1e10. */
export const lev = (x: number): bigint => BigInt(Math.round(x * 10_000)) * 1_000_000n;
/** A price in USD at 1e10. */
export const px = (usd: number): bigint => BigInt(Math.round(usd * 10_000)) * 1_000_000n;
/** An amount in whole USDC at 1e6. */
export const usdc = (whole: number): bigint => BigInt(Math.round(whole * 1_000_000));

/** A deterministic, realistic-looking lower-case address. */
export function address(seed: string | number): string {
  return `0x${createHash('sha256').update(`trader-${seed}`).digest('hex').slice(0, 40)}`;
}

export function txHashOf(seed: string): string {
  return `0x${createHash('sha256').update(`tx-${seed}`).digest('hex')}`;
}

export const blockOf = (timestamp: number): number =>
  BLOCK_AT_T0 + Math.floor((timestamp - T0) / BLOCK_SECONDS);

const blockHashOf = (blockNumber: number): string => `0x${blockNumber.toString(16).padStart(64, '0')}`;

// ---------------------------------------------------------------- events and fills

/** The slot a position lives in, and its terms. */
export interface Slot {
  readonly trader: string;
  readonly pairIndex: number;
  readonly index: number;
  readonly buy: boolean;
  readonly leverage: bigint;
  readonly openPrice: bigint;
}

export function slot(trader: string, over: Partial<Omit<Slot, 'trader'>> = {}): Slot {
  return {
    trader,
    pairIndex: over.pairIndex ?? 0,
    index: over.index ?? 0,
    buy: over.buy ?? true,
    leverage: over.leverage ?? lev(10),
    openPrice: over.openPrice ?? px(3_000),
  };
}

/** The Trade struct as emitted, holding `collateral` (its initialPosToken). */
export function tradeOf(s: Slot, collateral: bigint, openedAt: number): TradeStruct {
  return {
    trader: s.trader,
    pairIndex: s.pairIndex,
    index: s.index,
    initialPosToken: collateral,
    openPrice: s.openPrice,
    buy: s.buy,
    leverage: s.leverage,
    tp: 0n,
    sl: 0n,
    timestamp: BigInt(openedAt),
  };
}

/** Where a transaction sits: its block, time, hash and first log index. */
export interface TxAt {
  readonly blockNumber: number;
  readonly timestamp: number;
  readonly txHash: string;
  readonly logIndex: number;
}

/** Collects the logs of one transaction, numbering them from `at.logIndex`. */
class TxLogs {
  readonly fills: TradeEventRecord[] = [];
  constructor(
    private readonly at: TxAt,
    private readonly trader: string,
  ) {}

  position(address: string): LogPosition {
    return {
      blockNumber: this.at.blockNumber,
      blockHash: blockHashOf(this.at.blockNumber),
      logIndex: this.at.logIndex + this.fills.length,
      txHash: this.at.txHash,
      address,
    };
  }

  push(event: TradeEvent): void {
    this.fills.push({
      fillId: fillId(event.txHash, event.logIndex),
      fillKey: fillKey(event.blockNumber, event.logIndex),
      trader: this.trader,
      timestamp: this.at.timestamp,
      event,
    });
  }

  openingFee(s: Slot, fee: bigint): void {
    this.push({
      kind: 'OpeningFeeCharged',
      variant: 'FeesCharged/TradingStorage-v1.5',
      ...this.position(BASE_MAINNET.tradingStorage),
      trader: s.trader,
      pairIndex: s.pairIndex,
      buy: s.buy,
      fee,
    });
  }
}

/** FACTS section 3: `diff * 100 * 1e10 * leverage / 1e10 / openPrice`, clamped to -100%. */
export function percentProfitOf(s: Slot, price: bigint): bigint {
  const diff = s.buy ? price - s.openPrice : s.openPrice - price;
  const p = (diff * 100n * ONE * s.leverage) / ONE / s.openPrice;
  return p < -100n * ONE ? -100n * ONE : p;
}

export type FeeOrder = 'before' | 'after';

export interface OpenOptions {
  /** TradingStorage.FeesCharged in the same transaction; none when absent or 0n. */
  readonly fee?: bigint;
  /** Avantis charges the fee before registering the trade; 'after' covers the other order. */
  readonly feeOrder?: FeeOrder;
  /** A market order (MarketExecuted open) or a triggered limit order (LimitExecuted OPEN). */
  readonly via?: 'MARKET' | 'LIMIT';
  readonly price?: bigint;
}

/** A keeper-executed open: [fee,] MarketExecuted(open) or LimitExecuted(OPEN)[, fee]. */
export function openTx(at: TxAt, s: Slot, collateral: bigint, opts: OpenOptions = {}): TradeEventRecord[] {
  const tx = new TxLogs(at, s.trader);
  const fee = opts.fee ?? 0n;
  const order = opts.feeOrder ?? 'before';
  const price = opts.price ?? s.openPrice;
  const trade = tradeOf(s, collateral, at.timestamp);
  if (fee > 0n && order === 'before') tx.openingFee(s, fee);
  if (opts.via === 'LIMIT') {
    tx.push({
      kind: 'LimitExecuted',
      variant: 'LimitExecuted/v1.5',
      ...tx.position(BASE_MAINNET.tradingCallbacks),
      orderId: 0n,
      limitIndex: 0n,
      trade,
      orderType: 'OPEN',
      price,
      positionSizeUsdc: collateral,
      percentProfit: price, // FACTS trap 2: the trigger price
      usdcSentToTrader: 0n,
      isPnl: false,
    });
  } else {
    tx.push({
      kind: 'MarketExecuted',
      variant: 'MarketExecuted/v1.5',
      ...tx.position(BASE_MAINNET.tradingCallbacks),
      orderId: 1n,
      trade,
      open: true,
      price,
      positionSizeUsdc: collateral,
      percentProfit: 0n,
      usdcSentToTrader: 0n,
      isPnl: false,
    });
  }
  if (fee > 0n && order === 'after') tx.openingFee(s, fee);
  return tx.fills;
}

export interface CloseOptions {
  /** Collateral the position holds before this close (the emitted trade's initialPosToken). */
  readonly collateralBefore: bigint;
  /** Collateral closed (MarketExecuted.positionSizeUSDC). */
  readonly amount: bigint;
  readonly usdcSent: bigint;
  readonly price?: bigint;
  /** PairInfos.FeesCharged closing fee emitted before the close; none when absent. */
  readonly closingFee?: bigint;
  /** When the position was opened (the trade's timestamp). */
  readonly openedAt?: number;
}

/** A (partial) market close: [PairInfos.FeesCharged,] MarketExecuted(open = false). */
export function closeTx(at: TxAt, s: Slot, opts: CloseOptions): TradeEventRecord[] {
  const tx = new TxLogs(at, s.trader);
  const price = opts.price ?? s.openPrice;
  if (opts.closingFee !== undefined) {
    tx.push({
      kind: 'ClosingFeesCharged',
      variant: 'FeesCharged/PairInfos-v1.5',
      ...tx.position(BASE_MAINNET.pairInfos),
      buy: s.buy,
      collateral: opts.amount,
      leverage: s.leverage,
      percentProfit: percentProfitOf(s, price),
      rolloverFee: 0n,
      closingFee: opts.closingFee,
      lossProtection: 0n,
    });
  }
  tx.push({
    kind: 'MarketExecuted',
    variant: 'MarketExecuted/v1.5',
    ...tx.position(BASE_MAINNET.tradingCallbacks),
    orderId: 2n,
    trade: tradeOf(s, opts.collateralBefore, opts.openedAt ?? at.timestamp),
    open: false,
    price,
    positionSizeUsdc: opts.amount,
    percentProfit: percentProfitOf(s, price),
    usdcSentToTrader: opts.usdcSent,
    isPnl: false,
  });
  return tx.fills;
}

export type TriggerType = Exclude<LimitOrderType, 'OPEN'>;

export interface TriggerOptions {
  /** The whole remaining collateral: a trigger closes the position. */
  readonly collateral: bigint;
  readonly usdcSent: bigint;
  readonly price?: bigint;
  readonly openedAt?: number;
}

/** TP, SL or liquidation: LimitExecuted with orderType 0, 1 or 2. */
export function triggerTx(at: TxAt, s: Slot, type: TriggerType, opts: TriggerOptions): TradeEventRecord[] {
  const tx = new TxLogs(at, s.trader);
  const price = opts.price ?? s.openPrice;
  tx.push({
    kind: 'LimitExecuted',
    variant: 'LimitExecuted/v1.5',
    ...tx.position(BASE_MAINNET.tradingCallbacks),
    orderId: 3n,
    limitIndex: 0n,
    trade: tradeOf(s, opts.collateral, opts.openedAt ?? at.timestamp),
    orderType: type,
    price,
    positionSizeUsdc: opts.collateral,
    percentProfit: percentProfitOf(s, price),
    usdcSentToTrader: opts.usdcSent,
    isPnl: false,
  });
  return tx.fills;
}

/** Trading.MarginUpdated: a deposit or withdrawal leaving the position with `newCollateral`. */
export function marginTx(
  at: TxAt,
  s: Slot,
  type: 'DEPOSIT' | 'WITHDRAW',
  newCollateral: bigint,
  openedAt = at.timestamp,
): TradeEventRecord[] {
  const tx = new TxLogs(at, s.trader);
  const [trading] = BASE_MAINNET.trading;
  tx.push({
    kind: 'MarginUpdated',
    variant: 'MarginUpdated/v1.5',
    ...tx.position(trading ?? BASE_MAINNET.tradingCallbacks),
    trader: s.trader,
    pairIndex: s.pairIndex,
    index: s.index,
    updateType: type,
    trade: tradeOf(s, newCollateral, openedAt),
    marginFees: 0n,
  });
  return tx.fills;
}

/** The user's request (Trading.MarketOrderInitiated): no effect on PnL. */
export function requestTx(at: TxAt, s: Slot, open: boolean): TradeEventRecord[] {
  const tx = new TxLogs(at, s.trader);
  const [trading] = BASE_MAINNET.trading;
  tx.push({
    kind: 'MarketOrderInitiated',
    variant: 'MarketOrderInitiated/v1.5',
    ...tx.position(trading ?? BASE_MAINNET.tradingCallbacks),
    trader: s.trader,
    pairIndex: s.pairIndex,
    open,
    orderId: 1n,
  });
  return tx.fills;
}

/** An opening fee alone in its own transaction (no open to attach to). */
export function feeTx(at: TxAt, s: Slot, fee: bigint): TradeEventRecord[] {
  const tx = new TxLogs(at, s.trader);
  tx.openingFee(s, fee);
  return tx.fills;
}

// ---------------------------------------------------------------- a tape with a clock

/**
 * Appends transactions in chain order: each lands in the next block (2 s later) unless the clock
 * is moved with `at` or `after`. Keeps the collateral of each open position, so closes need only
 * what differs.
 */
export class FillTape {
  readonly fills: TradeEventRecord[] = [];
  private time: number;
  private block: number;
  private txCount = 0;
  private readonly open = new Map<string, { collateral: bigint; openedAt: number }>();

  constructor(start = T0) {
    this.time = start;
    this.block = blockOf(start);
  }

  get now(): number {
    return this.time;
  }

  /** The next transaction happens at `timestamp` (not before the current time). */
  at(timestamp: number): this {
    if (timestamp < this.time) throw new Error(`time goes forward: ${timestamp} < ${this.time}`);
    this.time = timestamp;
    return this;
  }

  after(seconds: number): this {
    return this.at(this.time + seconds);
  }

  private next(): TxAt {
    const blockNumber = Math.max(this.block + 1, blockOf(this.time));
    this.block = blockNumber;
    this.txCount += 1;
    const at = { blockNumber, timestamp: this.time, txHash: txHashOf(`tape-${this.txCount}`), logIndex: 0 };
    this.time += BLOCK_SECONDS;
    return at;
  }

  private add(fills: TradeEventRecord[]): TradeEventRecord[] {
    this.fills.push(...fills);
    return fills;
  }

  private held(s: Slot) {
    const key = `${s.trader}|${s.pairIndex}|${s.index}`;
    const held = this.open.get(key);
    if (!held) throw new Error(`no open position in ${key}`);
    return { key, ...held };
  }

  openPosition(s: Slot, collateral: bigint, opts: OpenOptions = {}): TradeEventRecord[] {
    const at = this.next();
    this.open.set(`${s.trader}|${s.pairIndex}|${s.index}`, { collateral, openedAt: at.timestamp });
    return this.add(openTx(at, s, collateral, opts));
  }

  /** A market close of `amount` (all that is left when omitted). */
  close(s: Slot, usdcSent: bigint, amount?: bigint, price?: bigint): TradeEventRecord[] {
    const held = this.held(s);
    const closed = amount ?? held.collateral;
    if (closed > held.collateral) throw new Error('closing more than is open');
    const fills = closeTx(this.next(), s, {
      collateralBefore: held.collateral,
      amount: closed,
      usdcSent,
      price,
      openedAt: held.openedAt,
    });
    if (closed === held.collateral) this.open.delete(held.key);
    else this.open.set(held.key, { collateral: held.collateral - closed, openedAt: held.openedAt });
    return this.add(fills);
  }

  trigger(s: Slot, type: TriggerType, usdcSent: bigint, price?: bigint): TradeEventRecord[] {
    const held = this.held(s);
    this.open.delete(held.key);
    return this.add(
      triggerTx(this.next(), s, type, {
        collateral: held.collateral,
        usdcSent,
        price,
        openedAt: held.openedAt,
      }),
    );
  }

  margin(s: Slot, type: 'DEPOSIT' | 'WITHDRAW', amount: bigint): TradeEventRecord[] {
    const held = this.held(s);
    const collateral = type === 'DEPOSIT' ? held.collateral + amount : held.collateral - amount;
    this.open.set(held.key, { collateral, openedAt: held.openedAt });
    return this.add(marginTx(this.next(), s, type, collateral, held.openedAt));
  }

  request(s: Slot, open = true): TradeEventRecord[] {
    return this.add(requestTx(this.next(), s, open));
  }

  /** A TradingStorage fee in a transaction of its own. */
  strayFee(s: Slot, fee: bigint): TradeEventRecord[] {
    return this.add(feeTx(this.next(), s, fee));
  }
}

// ---------------------------------------------------------------- planned histories

export type CloseReason = 'MARKET' | TriggerType;

/** One thing that happens to a position after its open, with the amounts already worked out. */
export type PlannedStep =
  | {
      readonly kind: 'CLOSE';
      readonly reason: CloseReason;
      /** Collateral closed. */
      readonly amount: bigint;
      readonly usdcSent: bigint;
      readonly price: bigint;
      /** Closes what is left. */
      readonly full: boolean;
    }
  | { readonly kind: 'MARGIN'; readonly type: 'DEPOSIT' | 'WITHDRAW'; readonly amount: bigint };

export interface PlannedPosition {
  readonly id: number;
  readonly slot: Slot;
  /** Collateral after the opening fee. */
  readonly collateral: bigint;
  readonly fee: bigint;
  readonly feeOrder: FeeOrder;
  readonly via: 'MARKET' | 'LIMIT';
  readonly requested: boolean;
  readonly steps: readonly PlannedStep[];
  /** Whether the last step closes what is left. */
  readonly closed: boolean;
}

/** One transaction of the plan: its trader, time and what it does. */
export interface PlannedTx {
  readonly trader: string;
  readonly timestamp: number;
  readonly txHash: string;
  readonly position: number;
  /** -2 the request, -1 the open, else the index into the position's steps. */
  readonly step: number;
}

export interface HistoryPlan {
  readonly traders: readonly string[];
  readonly positions: readonly PlannedPosition[];
  /** Per trader, in that trader's order (timestamps strictly increasing). */
  readonly txs: readonly PlannedTx[];
}

export interface History {
  readonly plan: HistoryPlan;
  /** Every fill in chain order. */
  readonly fills: readonly TradeEventRecord[];
  /** fillId of each open and close fill -> the planned position it belongs to. */
  readonly positionOf: ReadonlyMap<string, number>;
}

/** A small deterministic PRNG (mulberry32) for the interleavings. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Lays the planned transactions on a chain: ordered by time, transactions at the same time share a
 * block and are ordered by `seed` (so another seed interleaves traders differently), logs numbered
 * within each block. Each trader's own order never changes.
 */
export function materialize(plan: HistoryPlan, seed: number): History {
  const rand = prng(seed);
  const keyed = plan.txs.map((tx) => ({ tx, tie: rand() }));
  keyed.sort((a, b) => a.tx.timestamp - b.tx.timestamp || a.tie - b.tie);
  const byId = new Map(plan.positions.map((p) => [p.id, p]));
  const state = new Map<number, { collateral: bigint; openedAt: number }>();
  const fills: TradeEventRecord[] = [];
  const positionOf = new Map<string, number>();
  let block = -1;
  let logIndex = 0;
  for (const { tx } of keyed) {
    const blockNumber = blockOf(tx.timestamp);
    if (blockNumber !== block) {
      block = blockNumber;
      logIndex = 0;
    }
    const at: TxAt = { blockNumber, timestamp: tx.timestamp, txHash: tx.txHash, logIndex };
    const p = byId.get(tx.position) as PlannedPosition;
    let out: TradeEventRecord[];
    if (tx.step === -2) {
      out = requestTx(at, p.slot, true);
    } else if (tx.step === -1) {
      state.set(p.id, { collateral: p.collateral, openedAt: tx.timestamp });
      out = openTx(at, p.slot, p.collateral, { fee: p.fee, feeOrder: p.feeOrder, via: p.via });
    } else {
      const step = p.steps[tx.step] as PlannedStep;
      const held = state.get(p.id) as { collateral: bigint; openedAt: number };
      if (step.kind === 'MARGIN') {
        const collateral =
          step.type === 'DEPOSIT' ? held.collateral + step.amount : held.collateral - step.amount;
        state.set(p.id, { ...held, collateral });
        out = marginTx(at, p.slot, step.type, collateral, held.openedAt);
      } else if (step.reason === 'MARKET') {
        out = closeTx(at, p.slot, {
          collateralBefore: held.collateral,
          amount: step.amount,
          usdcSent: step.usdcSent,
          price: step.price,
          closingFee: (step.amount * p.slot.leverage) / ONE / 1_000n, // 0.1% of the notional
          openedAt: held.openedAt,
        });
        state.set(p.id, { ...held, collateral: held.collateral - step.amount });
      } else {
        out = triggerTx(at, p.slot, step.reason, {
          collateral: step.amount,
          usdcSent: step.usdcSent,
          price: step.price,
          openedAt: held.openedAt,
        });
        state.set(p.id, { ...held, collateral: 0n });
      }
    }
    for (const f of out) {
      const k = f.event.kind;
      if (k === 'MarketExecuted' || k === 'LimitExecuted') positionOf.set(f.fillId, p.id);
    }
    fills.push(...out);
    logIndex += out.length;
  }
  return { plan, fills, positionOf };
}

// ---------------------------------------------------------------- the arbitrary

interface RawStep {
  readonly margin: boolean;
  readonly deposit: boolean;
  /** Per mille of the current collateral. */
  readonly permille: number;
  /** Price move in basis points. */
  readonly moveBps: number;
}

interface RawPosition {
  readonly slot: number;
  readonly buy: boolean;
  /** Tenths of x: 11 = 1.1x .. 1000 = 100x, mostly at most 20x. */
  readonly leverageTenths: number;
  readonly openPrice: bigint;
  readonly collateral: bigint;
  readonly feePermille: number;
  readonly feeOdd: bigint;
  readonly feeOrder: FeeOrder;
  readonly via: 'MARKET' | 'LIMIT';
  readonly requested: boolean;
  readonly steps: readonly RawStep[];
  /** The end: undefined leaves the position open (when allowed). */
  readonly end: { readonly reason: CloseReason; readonly moveBps: number } | undefined;
}

interface RawTrader {
  readonly positions: readonly RawPosition[];
  /** Gaps between the trader's transactions, in 10-minute units, cycled. */
  readonly gaps: readonly number[];
  readonly startUnits: number;
}

export interface HistoryOptions {
  readonly minTraders?: number;
  readonly maxTraders?: number;
  readonly maxPositionsPerTrader?: number;
  /** Every position ends closed (default: the last one of a slot may stay open). */
  readonly allClosed?: boolean;
  /** All activity fits in this many seconds from T0 (default 25 days). */
  readonly maxSpanSeconds?: number;
  /** Slots per trader to spread positions over (pairs x indexes); fewer means more reuse. */
  readonly slots?: number;
}

const UNIT = 600; // 10 minutes: coarse, so traders often share a block and their order is up to the tie-break

const rawStep: fc.Arbitrary<RawStep> = fc.record({
  margin: fc.boolean(),
  deposit: fc.boolean(),
  permille: fc.integer({ min: 1, max: 999 }),
  moveBps: fc.integer({ min: -400, max: 400 }),
});

function rawPosition(slots: number): fc.Arbitrary<RawPosition> {
  return fc.record({
    slot: fc.integer({ min: 0, max: slots - 1 }),
    buy: fc.boolean(),
    leverageTenths: fc.oneof(
      { arbitrary: fc.integer({ min: 11, max: 200 }), weight: 4 },
      { arbitrary: fc.integer({ min: 201, max: 1_000 }), weight: 1 },
    ),
    openPrice: fc.bigInt({ min: px(0.01), max: px(120_000) }),
    collateral: fc.bigInt({ min: 1n, max: usdc(250_000) }),
    feePermille: fc.oneof(
      { arbitrary: fc.constant(0), weight: 1 },
      { arbitrary: fc.integer({ min: 1, max: 20 }), weight: 3 },
    ),
    feeOdd: fc.bigInt({ min: 0n, max: 999n }),
    feeOrder: fc.constantFrom<FeeOrder>('before', 'before', 'after'),
    via: fc.constantFrom<'MARKET' | 'LIMIT'>('MARKET', 'MARKET', 'LIMIT'),
    requested: fc.boolean(),
    steps: fc.array(rawStep, { maxLength: 4 }),
    end: fc.option(
      fc.record({
        reason: fc.constantFrom<CloseReason>('MARKET', 'MARKET', 'TP', 'SL', 'LIQ'),
        moveBps: fc.integer({ min: -400, max: 400 }),
      }),
      { nil: undefined, freq: 4 },
    ),
  });
}

/**
 * What a close of `amount` sends back after a price move of `moveBps`, as the v1 contract values it:
 * collateral + pnl - closing fee, and nothing once the loss reaches 85% (liquidation).
 */
function valueAfter(s: Slot, amount: bigint, moveBps: number): { price: bigint; usdcSent: bigint } {
  const price = (s.openPrice * BigInt(10_000 + moveBps)) / 10_000n;
  const pct = percentProfitOf(s, price);
  const pnl = (amount * pct) / ONE / 100n;
  const closingFee = (amount * s.leverage) / ONE / 1_000n;
  const value = amount + pnl - closingFee;
  return { price, usdcSent: value <= (amount * 15n) / 100n ? 0n : value };
}

function planPosition(id: number, s: Slot, raw: RawPosition, mustClose: boolean): PlannedPosition {
  let collateral = raw.collateral;
  const steps: PlannedStep[] = [];
  for (const st of raw.steps) {
    const part = (collateral * BigInt(st.permille)) / 1_000n;
    if (st.margin && st.deposit) {
      const amount = part > 0n ? part : 1n;
      steps.push({ kind: 'MARGIN', type: 'DEPOSIT', amount });
      collateral += amount;
    } else if (part > 0n && part < collateral) {
      if (st.margin) {
        steps.push({ kind: 'MARGIN', type: 'WITHDRAW', amount: part });
      } else {
        const { price, usdcSent } = valueAfter(s, part, st.moveBps);
        steps.push({ kind: 'CLOSE', reason: 'MARKET', amount: part, usdcSent, price, full: false });
      }
      collateral -= part;
    }
  }
  const end = raw.end ?? (mustClose ? { reason: 'MARKET' as const, moveBps: 0 } : undefined);
  if (end) {
    const move =
      end.reason === 'TP'
        ? Math.abs(end.moveBps) + 1
        : end.reason === 'SL'
          ? -(Math.abs(end.moveBps) % 200) - 1
          : end.moveBps;
    const signed = s.buy ? move : -move;
    const { price, usdcSent } = valueAfter(s, collateral, signed);
    steps.push({
      kind: 'CLOSE',
      reason: end.reason,
      amount: collateral,
      usdcSent: end.reason === 'LIQ' ? 0n : usdcSent,
      price,
      full: true,
    });
  }
  const fee = (raw.collateral * BigInt(raw.feePermille)) / 10_000n + (raw.feePermille > 0 ? raw.feeOdd : 0n);
  return {
    id,
    slot: s,
    collateral: raw.collateral,
    fee,
    feeOrder: raw.feeOrder,
    via: raw.via,
    requested: raw.requested,
    steps,
    closed: end !== undefined,
  };
}

/** Turns one trader's raw material into positions and transactions in that trader's order. */
function planTrader(
  traderNo: number,
  raw: RawTrader,
  firstId: number,
  slots: number,
  opts: Required<Pick<HistoryOptions, 'allClosed' | 'maxSpanSeconds'>>,
  rand: () => number,
): { positions: PlannedPosition[]; txs: PlannedTx[] } {
  const trader = address(traderNo);
  const lastOnSlot = new Map<number, number>();
  raw.positions.forEach((p, i) => lastOnSlot.set(p.slot, i));
  const positions = raw.positions.map((p, i) => {
    const s = slot(trader, {
      pairIndex: p.slot % 3,
      index: Math.floor(p.slot / 3),
      buy: p.buy,
      leverage: BigInt(p.leverageTenths) * 1_000_000_000n,
      openPrice: p.openPrice,
    });
    // Only the last position of a slot may stay open: a slot is reused after a full close.
    const mustClose = opts.allClosed || lastOnSlot.get(p.slot) !== i;
    return planPosition(firstId + i, s, p, mustClose);
  });
  // One stream of transactions per slot (its positions one after another), merged at random.
  const streams: { position: number; step: number }[][] = Array.from({ length: slots }, () => []);
  positions.forEach((p, i) => {
    const stream = streams[(raw.positions[i] as RawPosition).slot] as { position: number; step: number }[];
    if (p.requested) stream.push({ position: p.id, step: -2 });
    stream.push({ position: p.id, step: -1 });
    p.steps.forEach((_, step) => stream.push({ position: p.id, step }));
  });
  const order: { position: number; step: number }[] = [];
  const live = streams.filter((s) => s.length > 0);
  while (live.length > 0) {
    const k = Math.floor(rand() * live.length);
    const stream = live[k] as { position: number; step: number }[];
    order.push(stream.shift() as { position: number; step: number });
    if (stream.length === 0) live.splice(k, 1);
  }
  // Times: strictly increasing in 10-minute units, the whole history within maxSpanSeconds.
  const units = Math.max(1, Math.floor(opts.maxSpanSeconds / UNIT));
  const maxGap = Math.max(1, Math.floor((units - raw.startUnits) / Math.max(1, order.length)));
  let t = raw.startUnits;
  const txs = order.map((o, seq) => {
    t += 1 + ((raw.gaps[seq % Math.max(1, raw.gaps.length)] ?? 0) % maxGap);
    return {
      trader,
      timestamp: T0 + Math.min(t, units) * UNIT,
      txHash: txHashOf(`${traderNo}-${seq}`),
      position: o.position,
      step: o.step,
    };
  });
  // Keep time strictly increasing even when clamped at the end of the span.
  for (let i = 1; i < txs.length; i++) {
    const prev = txs[i - 1] as PlannedTx;
    const cur = txs[i] as PlannedTx;
    if (cur.timestamp <= prev.timestamp) txs[i] = { ...cur, timestamp: prev.timestamp + BLOCK_SECONDS };
  }
  return { positions, txs };
}

/**
 * Valid histories over several traders: opens (market or limit, fee before, after or none), partial
 * closes that never exceed the open collateral, margin deposits and withdrawals, full closes,
 * TP/SL/LIQ, slot reuse; laid on a chain in time order with traders interleaved.
 */
export function historyArb(options: HistoryOptions = {}): fc.Arbitrary<History> {
  const slots = options.slots ?? 4;
  const opts = {
    allClosed: options.allClosed ?? false,
    maxSpanSeconds: options.maxSpanSeconds ?? 25 * DAY,
  };
  const trader: fc.Arbitrary<RawTrader> = fc.record({
    positions: fc.array(rawPosition(slots), { minLength: 1, maxLength: options.maxPositionsPerTrader ?? 6 }),
    gaps: fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 8 }),
    startUnits: fc.integer({ min: 0, max: 12 }),
  });
  return fc
    .record({
      traders: fc.array(trader, { minLength: options.minTraders ?? 1, maxLength: options.maxTraders ?? 4 }),
      seed: fc.integer(),
    })
    .map(({ traders, seed }) => {
      const rand = prng(seed);
      const positions: PlannedPosition[] = [];
      const txs: PlannedTx[] = [];
      traders.forEach((raw, no) => {
        const planned = planTrader(no, raw, positions.length, slots, opts, rand);
        positions.push(...planned.positions);
        txs.push(...planned.txs);
      });
      const plan: HistoryPlan = { traders: traders.map((_, no) => address(no)), positions, txs };
      return materialize(plan, seed);
    });
}

/** The fills of one trader, in chain order. */
export function fillsOf(fills: readonly TradeEventRecord[], trader: string): TradeEventRecord[] {
  return fills.filter((f) => f.trader === trader);
}
