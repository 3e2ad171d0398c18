// Realized and unrealized PnL in the ledger (domain/analytics/ledger.ts): hand-checked cases
// (liquidation, TP/SL, slot reuse, the opening fee, partial closes, margin updates, unrealized PnL),
// the arithmetic worked out next to each expectation; and over random v2 lives of a position
// (v2-lives.ts) the PnL realized over a life is exactly the USDC back minus the USDC in, each close
// usdcSentToTrader - collateral closed - a non-negative fee share. USDC 1e6, prices 1e10.
import { describe, expect, it } from 'vitest';
import type { TradeEventRecord } from '#core/domain/fills.js';
import {
  applyToLedger,
  emptyLedger,
  unrealizedPnl,
  type CloseEffect,
  type Ledger,
  type LedgerEffect,
} from '#core/domain/analytics/ledger.js';
import {
  FillTape,
  address,
  blockOf,
  lev,
  px,
  slot,
  triggerTx,
  txHashOf,
  usdc,
} from '../../../support/analytics-fills.js';
import fc from 'fast-check';
import { life, play, realizedOf } from './v2-lives.js';

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
});
