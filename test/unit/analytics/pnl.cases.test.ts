// Hand-checked realized and unrealized PnL cases. Amounts are USDC at 1e6 (1 USDC = 1_000_000),
// prices and leverage at 1e10; the arithmetic is worked out next to each expectation.
import { describe, expect, it } from 'vitest';
import { decodeLog } from '../../../layers/core/domain/avantis/decode.js';
import { fillsFromEvents, type TradeEventRecord } from '../../../layers/core/domain/fills.js';
import {
  applyToLedger,
  emptyLedger,
  unrealizedPnl,
  type CloseEffect,
  type Ledger,
  type LedgerEffect,
} from '../../../layers/core/domain/analytics/ledger.js';
import { allTimeStats, statsFromFills } from '../../../layers/core/domain/analytics/stats.js';
import type { TradeEvent } from '../../../layers/core/domain/trade-events.js';
import { marketClose, marketOpen } from '../../fixtures/avantis-logs.js';
import {
  FillTape,
  T0,
  address,
  blockOf,
  lev,
  px,
  slot,
  triggerTx,
  txHashOf,
  usdc,
} from '../../support/analytics-fills.js';

const ALICE = address('alice');

function ledgerOf(fills: readonly TradeEventRecord[]): {
  ledger: Ledger;
  effects: LedgerEffect[];
  closes: CloseEffect[];
} {
  const ledger = emptyLedger();
  const effects: LedgerEffect[] = [];
  for (const f of fills) {
    const e = applyToLedger(ledger, f);
    if (e) effects.push(e);
  }
  return { ledger, effects, closes: effects.filter((e): e is CloseEffect => e.kind === 'CLOSE') };
}

describe('liquidation', () => {
  it('realizes minus the collateral and the opening fee', () => {
    // Prepare: 1,000 USDC in at 20x after a 1.2 USDC opening fee; liquidated, nothing sent back.
    const s = slot(ALICE, { leverage: lev(20) });
    const tape = new FillTape();
    tape.openPosition(s, usdc(1_000), { fee: usdc(1.2) });
    tape.trigger(s, 'LIQ', 0n, px(2_860));

    // Act
    const { closes, ledger } = ledgerOf(tape.fills);

    // Assess: 0 - 1,000,000,000 - 1,200,000 = -1,001,200,000.
    expect(closes).toMatchObject([{ reason: 'LIQ', usdcSent: 0n, feeShare: 1_200_000n }]);
    expect(closes[0]?.realizedPnl).toBe(-1_001_200_000n);
    expect(ledger.slots.size).toBe(0);
  });

  it('realizes exactly minus the collateral when no opening fee is known', () => {
    // Prepare
    const s = slot(ALICE, { leverage: lev(20) });
    const tape = new FillTape();
    tape.openPosition(s, usdc(1_000));
    tape.trigger(s, 'LIQ', 0n);

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess: 0 - 1,000,000,000.
    expect(closes[0]?.realizedPnl).toBe(-1_000_000_000n);
  });
});

describe('take profit and stop loss', () => {
  it('a TP realizes what came back over the collateral, less the opening fee', () => {
    // Prepare: long 10x ETH at 3,000 with 500 USDC, fee 0.35 USDC. TP at 3,090 (+3% x 10 = +30%):
    // pnl +150, closing fee 0.08% of the 5,000 notional = 4, so usdcSentToTrader = 500 + 150 - 4 = 646.
    const s = slot(ALICE, { buy: true, leverage: lev(10), openPrice: px(3_000) });
    const tape = new FillTape();
    tape.openPosition(s, usdc(500), { fee: usdc(0.35) });
    tape.trigger(s, 'TP', usdc(646), px(3_090));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess: 646 - 500 - 0.35 = 145.65 USDC.
    expect(closes).toMatchObject([{ reason: 'TP', collateralClosed: 500_000_000n, feeShare: 350_000n }]);
    expect(closes[0]?.realizedPnl).toBe(145_650_000n);
  });

  it('an SL on a short realizes the loss', () => {
    // Prepare: short 5x BTC at 100,000 with 2,000 USDC, no fee. SL at 102,000 (-2% x 5 = -10%):
    // pnl -200, closing fee 0.08% of 10,000 = 8, so usdcSentToTrader = 2,000 - 200 - 8 = 1,792.
    const s = slot(ALICE, { pairIndex: 1, buy: false, leverage: lev(5), openPrice: px(100_000) });
    const tape = new FillTape();
    tape.openPosition(s, usdc(2_000));
    tape.trigger(s, 'SL', usdc(1_792), px(102_000));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess: 1,792 - 2,000 = -208 USDC.
    expect(closes).toMatchObject([{ reason: 'SL', feeShare: 0n }]);
    expect(closes[0]?.realizedPnl).toBe(-208_000_000n);
  });

  it('a trigger closes the whole slot, dropping collateral a missed event left behind', () => {
    // Prepare: 100 USDC open, then a TP reporting 99 USDC closed (a 1 USDC withdrawal was missed).
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(1) });
    const at = {
      blockNumber: blockOf(tape.now) + 10,
      timestamp: tape.now + 20,
      txHash: txHashOf('tp'),
      logIndex: 0,
    };
    const fills = [...tape.fills, ...triggerTx(at, s, 'TP', { collateral: usdc(99), usdcSent: usdc(120) })];

    // Act
    const { closes, ledger } = ledgerOf(fills);

    // Assess: fee share pro rata 1 x 99/100 = 0.99; 120 - 99 - 0.99 = 20.01 USDC; nothing stays open.
    expect(closes[0]?.realizedPnl).toBe(20_010_000n);
    expect(ledger.slots.size).toBe(0);
  });
});

describe('slot reuse', () => {
  it('a position reopened in a fully closed slot carries only its own lot and fee', () => {
    // Prepare: slot (1, 0): 100 USDC with fee 1, closed for 110 (PnL 110 - 100 - 1 = 9); reopened with
    // 200 USDC and fee 3, then 50 closed for 60.
    const s = slot(ALICE, { pairIndex: 1, index: 0 });
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(1) });
    tape.close(s, usdc(110));
    tape.openPosition(s, usdc(200), { fee: usdc(3) });
    tape.close(s, usdc(60), usdc(50));

    // Act
    const { closes, ledger } = ledgerOf(tape.fills);

    // Assess: second close's fee share 3 x 50/200 = 0.75; 60 - 50 - 0.75 = 9.25; 150 left with 2.25 of fee.
    expect(closes.map((c) => c.realizedPnl)).toEqual([9_000_000n, 9_250_000n]);
    expect(ledger.slots.get('1#0')).toMatchObject([{ collateral: 150_000_000n, fee: 2_250_000n }]);
  });

  it('an open in a slot whose close was never seen starts afresh', () => {
    // Prepare: 100 USDC with fee 1 in slot (0, 0); its close is missing; 200 USDC with fee 2 opens in
    // the same slot and closes for 190.
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(1) });
    tape.openPosition(s, usdc(200), { fee: usdc(2) });
    tape.close(s, usdc(190));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess: 190 - 200 - 2 = -12 USDC; the stale lot and its fee play no part.
    expect(closes).toMatchObject([{ collateralClosed: 200_000_000n, feeShare: 2_000_000n }]);
    expect(closes[0]?.realizedPnl).toBe(-12_000_000n);
  });
});

describe('opening fee', () => {
  it('a fee charged before the open in the same transaction is the position fee', () => {
    // Prepare
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(0.5), feeOrder: 'before' });
    tape.close(s, usdc(100));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess: 100 - 100 - 0.5 = -0.5 USDC.
    expect(closes).toMatchObject([{ feeShare: 500_000n, realizedPnl: -500_000n }]);
  });

  it('a fee charged after the open in the same transaction is the position fee', () => {
    // Prepare
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(0.5), feeOrder: 'after' });
    tape.close(s, usdc(100));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess
    expect(closes).toMatchObject([{ feeShare: 500_000n, realizedPnl: -500_000n }]);
  });

  it('without a fee event the position has no fee', () => {
    // Prepare
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100));
    tape.close(s, usdc(101));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess: 101 - 100 = 1 USDC.
    expect(closes).toMatchObject([{ feeShare: 0n, realizedPnl: 1_000_000n }]);
  });

  it('a fee from another transaction is not taken for the next open', () => {
    // Prepare
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.strayFee(s, usdc(0.5));
    tape.openPosition(s, usdc(100));
    tape.close(s, usdc(100));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess
    expect(closes).toMatchObject([{ feeShare: 0n, realizedPnl: 0n }]);
  });
});

describe('partial closes', () => {
  it('25% / 25% / 50% closes share an odd fee exactly', () => {
    // Prepare: 1,000 USDC with a fee of 1,000,001 units; closes of 250, 250 and 500 sending back 260, 240, 530.
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(1_000), { fee: 1_000_001n });
    tape.close(s, usdc(260), usdc(250));
    tape.close(s, usdc(240), usdc(250));
    tape.close(s, usdc(530), usdc(500));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess: shares floor(1,000,001 x 250/1,000) = 250,000; floor(750,001 x 250/750) = 250,000; the last
    // takes the rest, 500,001. PnL 10 - 0.25 = 9.75; -10 - 0.25 = -10.25; 30 - 0.500001 = 29.499999 USDC.
    expect(closes.map((c) => c.feeShare)).toEqual([250_000n, 250_000n, 500_001n]);
    expect(closes.map((c) => c.realizedPnl)).toEqual([9_750_000n, -10_250_000n, 29_499_999n]);
  });

  it('sum to the PnL of one full close: 1,030 - 1,000 USDC less the whole fee', () => {
    // Prepare
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(1_000), { fee: 1_000_001n });
    tape.close(s, usdc(260), usdc(250));
    tape.close(s, usdc(240), usdc(250));
    tape.close(s, usdc(530), usdc(500));

    // Act
    const stats = statsFromFills(ALICE, tape.fills);

    // Assess: 30,000,000 - 1,000,001 = 28,999,999.
    expect(stats.allTime.realizedPnl).toBe(28_999_999n);
  });

  it('weight the holding time by the collateral closed', () => {
    // Prepare: 100 USDC opened at T0; half closed one hour later, the rest three hours after the open.
    const s = slot(ALICE);
    const tape = new FillTape(T0);
    tape.openPosition(s, usdc(100));
    tape.at(T0 + 3_600).close(s, usdc(50), usdc(50));
    tape.at(T0 + 10_800).close(s, usdc(50));

    // Act
    const stats = allTimeStats(statsFromFills(ALICE, tape.fills));

    // Assess: (3,600 + 10,800) / 2 = 7,200 s.
    expect(stats.avgHoldSeconds).toBe(7_200);
  });
});

describe('margin updates', () => {
  it('a deposit realizes nothing', () => {
    // Prepare
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(1) });
    const deposit = tape.margin(s, 'DEPOSIT', usdc(50));

    // Act
    const { effects } = ledgerOf(tape.fills);

    // Assess: only the open had an effect.
    expect(deposit).toHaveLength(1);
    expect(effects.map((e) => e.kind)).toEqual(['OPEN']);
  });

  it('a deposit then a full close realizes against the whole collateral and the fee once', () => {
    // Prepare: 100 USDC with fee 1; 50 deposited (new collateral 150); all closed for 170.
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(1) });
    tape.margin(s, 'DEPOSIT', usdc(50));
    tape.close(s, usdc(170));

    // Act
    const { closes, ledger } = ledgerOf(tape.fills);

    // Assess: 170 - 150 - 1 = 19 USDC.
    expect(closes).toMatchObject([{ collateralClosed: 150_000_000n, feeShare: 1_000_000n }]);
    expect(closes[0]?.realizedPnl).toBe(19_000_000n);
    expect(ledger.slots.size).toBe(0);
  });

  it('a withdrawal then a full close realizes against what is left', () => {
    // Prepare: 100 USDC with fee 1; 30 withdrawn (70 left); closed for 77.
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(1) });
    tape.margin(s, 'WITHDRAW', usdc(30));
    tape.close(s, usdc(77));

    // Act
    const { closes } = ledgerOf(tape.fills);

    // Assess: 77 - 70 - 1 = 6 USDC.
    expect(closes[0]?.realizedPnl).toBe(6_000_000n);
  });

  it('a withdrawal larger than the last deposit, then a full close, leaves no open lot', () => {
    // Prepare: 100 in, 50 deposited, 80 withdrawn (70 left, the deposit's lot emptied), all closed for 75.
    const s = slot(ALICE);
    const tape = new FillTape();
    tape.openPosition(s, usdc(100), { fee: usdc(1) });
    tape.margin(s, 'DEPOSIT', usdc(50));
    tape.margin(s, 'WITHDRAW', usdc(80));
    tape.close(s, usdc(75));

    // Act
    const { closes, ledger } = ledgerOf(tape.fills);

    // Assess: 75 - 70 - 1 = 4 USDC, and the slot is gone.
    expect(closes[0]?.realizedPnl).toBe(4_000_000n);
    expect([...ledger.slots.keys()]).toEqual([]);
  });
});

describe('unrealized PnL', () => {
  it('a long gains its leverage times the price move on its collateral', () => {
    // Prepare: long 10x at 3,000 with 100 USDC; price 3,150 (+5% x 10 = +50%).
    const tape = new FillTape();
    tape.openPosition(slot(ALICE, { buy: true, leverage: lev(10), openPrice: px(3_000) }), usdc(100));
    const { ledger } = ledgerOf(tape.fills);

    // Act
    const pnl = unrealizedPnl(ledger, () => px(3_150));

    // Assess: 100 x 50% = +50 USDC.
    expect(pnl).toBe(50_000_000n);
  });

  it('a short loses when the price rises', () => {
    // Prepare: short 5x at 3,000 with 200 USDC; price 3,150 (-5% x 5 = -25%).
    const tape = new FillTape();
    tape.openPosition(slot(ALICE, { buy: false, leverage: lev(5), openPrice: px(3_000) }), usdc(200));
    const { ledger } = ledgerOf(tape.fills);

    // Act
    const pnl = unrealizedPnl(ledger, () => px(3_150));

    // Assess: 200 x -25% = -50 USDC.
    expect(pnl).toBe(-50_000_000n);
  });

  it('never loses more than the collateral', () => {
    // Prepare: long 10x at 3,000 with 100 USDC; price 2,000 (-33% x 10 = -333%, capped at -100%).
    const tape = new FillTape();
    tape.openPosition(slot(ALICE, { buy: true, leverage: lev(10), openPrice: px(3_000) }), usdc(100));
    const { ledger } = ledgerOf(tape.fills);

    // Act
    const pnl = unrealizedPnl(ledger, () => px(2_000));

    // Assess
    expect(pnl).toBe(-100_000_000n);
  });

  it('counts only what is still open and skips pairs without a price', () => {
    // Prepare: long 10x ETH (pair 0) 100 USDC, 40 of it closed; short BTC (pair 1) without a price.
    const eth = slot(ALICE, { pairIndex: 0, buy: true, leverage: lev(10), openPrice: px(3_000) });
    const btc = slot(ALICE, { pairIndex: 1, buy: false, leverage: lev(5), openPrice: px(100_000) });
    const tape = new FillTape();
    tape.openPosition(eth, usdc(100));
    tape.openPosition(btc, usdc(500));
    tape.close(eth, usdc(40), usdc(40));
    const { ledger } = ledgerOf(tape.fills);

    // Act
    const pnl = unrealizedPnl(ledger, (pair) => (pair === 0 ? px(3_150) : undefined));

    // Assess: 60 left x 50% = +30 USDC.
    expect(pnl).toBe(30_000_000n);
  });
});

describe('a trader without closes', () => {
  it('shows zeros, never NaN, and the median leverage of the opens', () => {
    // Prepare: opens at 5x, 10x and 20x, none closed.
    const tape = new FillTape();
    [5, 10, 20].forEach((x, i) => tape.openPosition(slot(ALICE, { index: i, leverage: lev(x) }), usdc(100)));

    // Act
    const stats = allTimeStats(statsFromFills(ALICE, tape.fills));

    // Assess
    expect(stats).toMatchObject({
      trades: 3,
      closes: 0,
      winRate: 0,
      roi: 0,
      avgHoldSeconds: 0,
      realizedPnlUsdc: 0n,
      maxDrawdownUsdc: 0n,
      medianLeverage: 10,
    });
    for (const [, v] of Object.entries(stats))
      if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
  });

  it('takes the middle two for an even number of opens', () => {
    // Prepare: opens at 5x, 10x, 20x and 25x.
    const tape = new FillTape();
    [5, 10, 20, 25].forEach((x, i) =>
      tape.openPosition(slot(ALICE, { index: i, leverage: lev(x) }), usdc(100)),
    );

    // Act
    const stats = allTimeStats(statsFromFills(ALICE, tape.fills));

    // Assess: (10 + 20) / 2 = 15.
    expect(stats.medianLeverage).toBe(15);
  });
});

describe('decoded logs', () => {
  it('an open and a partial close decoded from raw logs give the same PnL as built fills', () => {
    // Prepare: the fixtures' default trade: long 10x at 3,000 with 1,000 USDC; 400 closed for 430.
    const trade = { trader: ALICE, collateral: usdc(1_000) };
    const logs = [
      marketOpen(trade, { blockNumber: 100, logIndex: 0 }),
      marketClose(
        trade,
        { blockNumber: 105, logIndex: 0 },
        {
          amount: usdc(400),
          price: px(3_022.5),
          percentProfit: 75_000_000_000n,
          usdcSentToTrader: usdc(430),
        },
      ),
    ];
    const events = logs.map((l) => decodeLog(l)).flatMap((r) => (r.ok ? [r.event] : ([] as TradeEvent[])));
    const { fills } = fillsFromEvents(events, (block) => T0 + block * 2);
    const tape = new FillTape();
    tape.openPosition(slot(ALICE), usdc(1_000));
    tape.close(slot(ALICE), usdc(430), usdc(400));

    // Act
    const decoded = statsFromFills(ALICE, fills);
    const built = statsFromFills(ALICE, tape.fills);

    // Assess: 430 - 400 = +30 USDC either way.
    expect(events).toHaveLength(2);
    expect(decoded.allTime.realizedPnl).toBe(30_000_000n);
    expect(built.allTime.realizedPnl).toBe(decoded.allTime.realizedPnl);
  });
});
