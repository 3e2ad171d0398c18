// A random life of one v2 position for the property tests of the ledger, the stats, positions and
// signals: the steps (opens, cancelled opens, increases, margin updates, partial and full closes,
// TP/SL, liquidations), played as the v2 events the local contracts emit, with the trader's cash
// (USDC in and back) as the reference the tests hold the modules to.
import fc from 'fast-check';
import { fillId, fillKey, type TradeEventRecord } from '#core/domain/fills.js';
import type { LedgerEffect } from '#core/domain/analytics/ledger.js';
import type { TradeEvent, TradeStruct } from '#core/domain/trade-events.js';

export const E10 = 10n ** 10n;
export const TRADER = '0x00000000000000000000000000000000000000a1';
const PAIR = 0;
const INDEX = 0;

export type Step =
  | { kind: 'OPEN'; paid: bigint; fee: bigint }
  | { kind: 'CANCEL_OPEN'; paid: bigint; fee: bigint }
  | { kind: 'INCREASE'; paid: bigint; fee: bigint; accrued: bigint }
  | { kind: 'CANCEL_INCREASE'; paid: bigint; fee: bigint }
  | { kind: 'DEPOSIT'; amount: bigint; fee: bigint }
  | { kind: 'WITHDRAW'; amount: bigint; fee: bigint }
  | { kind: 'CLOSE'; how: 'MARKET' | 'TP' | 'SL'; part: number; sent: bigint }
  | { kind: 'CLOSE_ALL'; how: 'MARKET' | 'TP' | 'SL' | 'LIQ'; sent: bigint };

const usdc = (min: number, max: number) => fc.bigInt(BigInt(min) * 1_000_000n, BigInt(max) * 1_000_000n);
const fee = fc.bigInt(0n, 3_000_000n);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('INCREASE' as const),
    paid: usdc(5, 500),
    fee,
    accrued: fc.bigInt(-500_000n, 2_000_000n),
  }),
  fc.record({ kind: fc.constant('CANCEL_INCREASE' as const), paid: usdc(5, 500), fee }),
  fc.record({ kind: fc.constant('DEPOSIT' as const), amount: usdc(1, 200), fee: fc.bigInt(0n, 1_000_000n) }),
  fc.record({ kind: fc.constant('WITHDRAW' as const), amount: usdc(1, 50), fee: fc.bigInt(0n, 1_000_000n) }),
  fc.record({
    kind: fc.constant('CLOSE' as const),
    how: fc.constantFrom('MARKET' as const, 'TP' as const, 'SL' as const),
    part: fc.integer({ min: 1, max: 99 }),
    sent: usdc(0, 900),
  }),
  fc.record({ kind: fc.constant('CANCEL_OPEN' as const), paid: usdc(10, 500), fee }),
);
/** A life: an open, some steps, and a full close at the end. */
export const life = fc.tuple(
  fc.record({ kind: fc.constant('OPEN' as const), paid: usdc(50, 1_000), fee }),
  fc.array(step, { maxLength: 12 }),
  fc.record({
    kind: fc.constant('CLOSE_ALL' as const),
    how: fc.constantFrom('MARKET' as const, 'TP' as const, 'SL' as const, 'LIQ' as const),
    sent: usdc(0, 3_000),
  }),
);

export interface Played {
  readonly records: TradeEventRecord[];
  /** USDC back to the wallet minus USDC out of it. */
  readonly cash: bigint;
  /** The collateral the protocol holds after each record that changes it (undefined = no position). */
  readonly collateralAfter: (bigint | undefined)[];
  readonly closes: { closed: bigint; before: bigint; sent: bigint }[];
}

/** Plays the steps as the local v2 contracts would emit them, keeping the wallet's cash by hand. */
export function play(steps: readonly Step[]): Played {
  const records: TradeEventRecord[] = [];
  const collateralAfter: (bigint | undefined)[] = [];
  const closes: Played['closes'] = [];
  let block = 100;
  let cash = 0n;
  let collateral: bigint | undefined;
  let leverage = 10n * E10;
  const trade = (c: bigint): TradeStruct => ({
    trader: TRADER,
    pairIndex: PAIR,
    index: INDEX,
    initialPosToken: c,
    openPrice: 3_000n * E10,
    buy: true,
    leverage,
    tp: 0n,
    sl: 0n,
    timestamp: BigInt(1_700_000_000 + block),
  });
  const tx = (events: TradeEvent[]) => {
    for (const e of events) {
      records.push({
        fillId: fillId(e.txHash, e.logIndex),
        fillKey: fillKey(e.blockNumber, e.logIndex),
        trader: TRADER,
        timestamp: 1_700_000_000 + e.blockNumber,
        event: e,
      });
      collateralAfter.push(collateral);
    }
  };
  const at = (logIndex: number) => ({
    blockNumber: block,
    blockHash: `0x${block.toString(16).padStart(64, '0')}`,
    logIndex,
    txHash: `0x${(block * 7).toString(16).padStart(64, 'f')}`,
    address: '0xcb',
  });
  const feeEvent = (f: bigint): TradeEvent => ({
    kind: 'OpeningFeeCharged',
    variant: 'FeesCharged/TradingStorage-v1.5',
    ...at(0),
    trader: TRADER,
    pairIndex: PAIR,
    buy: true,
    fee: f,
  });
  for (const s of steps) {
    block += 3;
    const before = collateral ?? 0n;
    switch (s.kind) {
      case 'OPEN':
      case 'CANCEL_OPEN': {
        if (collateral !== undefined && s.kind === 'OPEN') continue;
        const f = s.fee < s.paid ? s.fee : 0n;
        cash -= f; // a cancel refunds the rest; an open keeps the rest as collateral
        if (s.kind === 'CANCEL_OPEN') {
          if (collateral !== undefined) cash += 0n;
          tx([
            feeEvent(f),
            {
              kind: 'MarketOpenCanceled',
              variant: 'MarketOpenCanceled/v1.5',
              ...at(1),
              orderId: 1n,
              trader: TRADER,
              pairIndex: PAIR,
            },
          ]);
          continue;
        }
        cash -= s.paid - f;
        collateral = s.paid - f;
        tx([
          feeEvent(f),
          {
            kind: 'MarketExecuted',
            variant: 'MarketExecuted/v2-inferred',
            ...at(1),
            orderId: 1n,
            trade: trade(collateral),
            open: true,
            price: 3_000n * E10,
            positionSizeUsdc: collateral,
            percentProfit: 0n,
            usdcSentToTrader: 0n,
            isPnl: false,
          },
        ]);
        continue;
      }
      case 'INCREASE': {
        if (collateral === undefined) continue;
        const after = collateral + s.paid - s.fee - s.accrued;
        if (after <= 0n) continue;
        cash -= s.paid;
        collateral = after;
        leverage = 12n * E10;
        tx([
          feeEvent(s.fee),
          {
            kind: 'PositionSizeIncreased',
            variant: 'PositionSizeIncreased/v2-local',
            ...at(1),
            orderId: 2n,
            trade: trade(collateral),
            isPnl: false,
            price: 3_100n * E10,
            addedCollateral: s.paid,
            addedLeverage: 10n * E10,
            openingFee: s.fee,
          },
        ]);
        continue;
      }
      case 'CANCEL_INCREASE': {
        if (collateral === undefined) continue;
        cash -= s.fee;
        tx([
          feeEvent(s.fee),
          {
            kind: 'IncreasePositionCanceled',
            variant: 'IncreasePositionCanceled/v2-local',
            ...at(1),
            orderId: 3n,
            trader: TRADER,
            pairIndex: PAIR,
            index: INDEX,
          },
        ]);
        continue;
      }
      case 'DEPOSIT':
      case 'WITHDRAW': {
        if (collateral === undefined) continue;
        const after = s.kind === 'DEPOSIT' ? collateral + s.amount - s.fee : collateral - s.amount - s.fee;
        if (after <= 0n) continue;
        cash += s.kind === 'DEPOSIT' ? -s.amount : s.amount;
        collateral = after;
        tx([
          {
            kind: 'MarginUpdated',
            variant: 'MarginUpdated/v2-inferred',
            ...at(0),
            trader: TRADER,
            pairIndex: PAIR,
            index: INDEX,
            updateType: s.kind,
            trade: trade(collateral),
            marginFees: s.fee,
          },
        ]);
        continue;
      }
      case 'CLOSE':
      case 'CLOSE_ALL': {
        if (collateral === undefined) continue;
        const closed = s.kind === 'CLOSE' ? (before * BigInt(s.part)) / 100n : before;
        if (closed <= 0n || (s.kind === 'CLOSE' && closed >= before)) continue;
        const sent = s.how === 'LIQ' ? 0n : s.sent;
        cash += sent;
        closes.push({ closed, before, sent });
        collateral = closed >= before ? undefined : before - closed;
        const t = trade(before);
        const base = {
          ...at(0),
          orderId: 4n,
          trade: t,
          price: 3_050n * E10,
          positionSizeUsdc: closed,
          percentProfit: 0n,
          usdcSentToTrader: sent,
          isPnl: false,
        };
        tx([
          s.how === 'MARKET'
            ? { kind: 'MarketExecuted', variant: 'MarketExecuted/v2-inferred', ...base, open: false }
            : {
                kind: 'LimitExecuted',
                variant: 'LimitExecuted/v2-inferred',
                ...base,
                limitIndex: 0n,
                orderType: s.how,
              },
        ]);
        continue;
      }
    }
  }
  return { records, cash, collateralAfter, closes };
}

export const realizedOf = (effects: (LedgerEffect | undefined)[]) =>
  effects.reduce(
    (sum, e) => sum + (e && (e.kind === 'CLOSE' || e.kind === 'FEE_LOSS') ? e.realizedPnl : 0n),
    0n,
  );
