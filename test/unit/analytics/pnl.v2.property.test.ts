// Realized PnL across the v2 semantics, against a plain cash model. A random life of one position
// (opens, cancelled opens, increases with their fee and the rollover/funding they settle, cancelled
// increases, margin deposits and withdrawals with their fees, partial and full market closes, partial
// and full TP/SL, liquidations) is played as the v2 events the local contracts emit. The reference is
// the trader's wallet: once the position is closed, the PnL realized over its life must be exactly
// the USDC that came back minus the USDC that went in, to the unit; every close realizes
// usdcSentToTrader - collateral closed - a share of fees that never goes below zero; positions
// follow the collateral, and signals carry the exact fraction closed and the increases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillId, fillKey, type TradeEventRecord } from '../../../layers/core/domain/fills.js';
import { applyFill, type Position } from '../../../layers/core/domain/positions.js';
import { signalFromFill } from '../../../layers/core/domain/signals.js';
import {
  applyToLedger,
  emptyLedger,
  type LedgerEffect,
} from '../../../layers/core/domain/analytics/ledger.js';
import { applyFillToStats, emptyStats } from '../../../layers/core/domain/analytics/stats.js';
import type { TradeEvent, TradeStruct } from '../../../layers/core/domain/trade-events.js';

const E10 = 10n ** 10n;
const TRADER = '0x00000000000000000000000000000000000000a1';
const PAIR = 0;
const INDEX = 0;

type Step =
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
const life = fc.tuple(
  fc.record({ kind: fc.constant('OPEN' as const), paid: usdc(50, 1_000), fee }),
  fc.array(step, { maxLength: 12 }),
  fc.record({
    kind: fc.constant('CLOSE_ALL' as const),
    how: fc.constantFrom('MARKET' as const, 'TP' as const, 'SL' as const, 'LIQ' as const),
    sent: usdc(0, 3_000),
  }),
);

interface Played {
  readonly records: TradeEventRecord[];
  /** USDC back to the wallet minus USDC out of it. */
  readonly cash: bigint;
  /** The collateral the protocol holds after each record that changes it (undefined = no position). */
  readonly collateralAfter: (bigint | undefined)[];
  readonly closes: { closed: bigint; before: bigint; sent: bigint }[];
}

/** Plays the steps as the local v2 contracts would emit them, keeping the wallet's cash by hand. */
function play(steps: readonly Step[]): Played {
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

const realizedOf = (effects: (LedgerEffect | undefined)[]) =>
  effects.reduce(
    (sum, e) => sum + (e && (e.kind === 'CLOSE' || e.kind === 'FEE_LOSS') ? e.realizedPnl : 0n),
    0n,
  );

describe('realized PnL across v2 lives of a position (property, against the wallet)', () => {
  it('over a whole life, realized PnL is exactly USDC back minus USDC in', () => {
    fc.assert(
      fc.property(life, ([open, middle, end]) => {
        // Prepare
        const p = play([open, ...middle, end]);

        // Act
        const ledger = emptyLedger();
        const effects = p.records.map((r) => applyToLedger(ledger, r));

        // Assess
        expect(realizedOf(effects)).toBe(p.cash);
        expect(ledger.slots.size).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('each close realizes usdcSentToTrader - collateral closed - a non-negative fee share, never more fee than was paid', () => {
    fc.assert(
      fc.property(life, ([open, middle, end]) => {
        const p = play([open, ...middle, end]);
        const ledger = emptyLedger();
        const closes = p.records.flatMap((r) => {
          const e = applyToLedger(ledger, r);
          return e?.kind === 'CLOSE' ? [e] : [];
        });
        expect(closes.map((c) => [c.collateralClosed, c.usdcSent])).toEqual(
          p.closes.map((c) => [c.closed, c.sent]),
        );
        for (const c of closes) expect(c.realizedPnl).toBe(c.usdcSent - c.collateralClosed - c.feeShare);
      }),
      { numRuns: 300 },
    );
  });

  it('stats count the same realized PnL, closes and a cancelled fee without a close', () => {
    fc.assert(
      fc.property(life, ([open, middle, end]) => {
        const p = play([open, ...middle, end]);
        const stats = emptyStats(TRADER);
        for (const r of p.records) applyFillToStats(stats, r);
        expect(stats.allTime.realizedPnl).toBe(p.cash);
        expect(stats.allTime.closes).toBe(p.closes.length);
      }),
      { numRuns: 200 },
    );
  });

  it('positions follow the collateral the protocol holds, and signals carry exact fractions and increases', () => {
    fc.assert(
      fc.property(life, ([open, middle, end]) => {
        const p = play([open, ...middle, end]);
        let position: Position | undefined;
        let closeIndex = 0;
        p.records.forEach((r, i) => {
          position = applyFill(position, r);
          if (
            r.event.kind !== 'OpeningFeeCharged' &&
            r.event.kind !== 'MarketOpenCanceled' &&
            r.event.kind !== 'IncreasePositionCanceled'
          ) {
            expect(position?.collateral).toBe(p.collateralAfter[i]);
          }
          const s = signalFromFill(r);
          if (s?.kind === 'CLOSE') {
            const c = p.closes[closeIndex++];
            expect(s.closeFraction).toEqual({ closed: String(c?.closed), of: String(c?.before) });
          }
          if (s?.kind === 'UPDATE' && r.event.kind === 'PositionSizeIncreased') {
            expect(s.addedCollateralUsdc).toBe(String(r.event.addedCollateral));
            expect(s.collateralUsdc).toBe(String(r.event.trade.initialPosToken));
          }
        });
        expect(position).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('realized PnL: v2 cases', () => {
  it("a cancelled open's kept opening fee is a realized loss, and counts as no close", () => {
    const p = play([{ kind: 'CANCEL_OPEN', paid: 100_000_000n, fee: 450_000n }]);
    const stats = emptyStats(TRADER);
    const effects = p.records.map((r) => applyFillToStats(stats, r));
    expect(effects.at(-1)).toMatchObject({
      kind: 'FEE_LOSS',
      realizedPnl: -450_000n,
      reason: 'OPEN_CANCELED',
    });
    expect(stats.allTime).toMatchObject({ realizedPnl: -450_000n, closes: 0, wins: 0 });
  });

  it('a partial TP closes its fraction and leaves the rest open', () => {
    const p = play([
      { kind: 'OPEN', paid: 101_000_000n, fee: 1_000_000n },
      { kind: 'CLOSE', how: 'TP', part: 25, sent: 40_000_000n },
    ]);
    const ledger = emptyLedger();
    const effects = p.records.map((r) => applyToLedger(ledger, r));
    // 25 of 100 closed for 40: 40 - 25 - (1 x 25/100) = 14.75 USDC.
    expect(effects.at(-1)).toMatchObject({
      kind: 'CLOSE',
      reason: 'TP',
      collateralClosed: 25_000_000n,
      realizedPnl: 14_750_000n,
    });
    expect(ledger.slots.get('0#0')?.[0]?.collateral).toBe(75_000_000n);
    const signal = signalFromFill(p.records.at(-1) as TradeEventRecord);
    expect(signal).toMatchObject({
      kind: 'CLOSE',
      closeReason: 'TP',
      closeFraction: { closed: '25000000', of: '100000000' },
    });
  });

  it('an increase is an UPDATE signal with the new size and average entry, the added collateral and leverage', () => {
    const p = play([
      { kind: 'OPEN', paid: 100_000_000n, fee: 0n },
      { kind: 'INCREASE', paid: 50_000_000n, fee: 500_000n, accrued: 0n },
    ]);
    const signal = signalFromFill(p.records.at(-1) as TradeEventRecord);
    expect(signal).toMatchObject({
      kind: 'UPDATE',
      collateralUsdc: '149500000',
      addedCollateralUsdc: '50000000',
      collateralBeforeUsdc: '100000000',
      addedLeverage: String(10n * E10),
      leverage: String(12n * E10),
      price: String(3_100n * E10),
      openPrice: String(3_000n * E10),
    });
  });
});
