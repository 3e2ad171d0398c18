// Positions from fills (domain/positions.ts), with the signals each fill gives: opens, partial and
// full closes, limit opens, reused slots, replays absorbed once, the close fee's trader; and, over
// random v2 lives of a position (v2-lives.ts), positions follow the collateral the protocol holds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type TradeEventRecord, fillsFromEvents } from '#core/domain/fills.js';
import { applyFill, type Position, replayPositions } from '#core/domain/positions.js';
import { signalFromFill } from '#core/domain/signals.js';
import { applyToLedger, emptyLedger } from '#core/domain/analytics/ledger.js';
import type { TradeEvent, RawLog } from '#core/domain/trade-events.js';
import { life, play } from './analytics/v2-lives.js';
import { decodeLog } from '#core/domain/avantis/decode.js';
import { closingFees, limitExecuted, marketClose, marketOpen } from '../../fixtures/avantis-logs.js';

const ALICE = '0x00000000000000000000000000000000000a11ce';
const USDC = 1_000_000n;
const P = 10n ** 10n;

function toFills(logs: RawLog[]): TradeEventRecord[] {
  const events = logs.map((l) => {
    const r = decodeLog(l);
    if (!r.ok) throw new Error(`undecodable: ${r.reason}`);
    return r.event;
  }) as TradeEvent[];
  return [...fillsFromEvents(events, (n) => 1_700_000_000 + n).fills];
}

const fold = (fills: TradeEventRecord[]) =>
  fills.reduce<Position | undefined>((p, f) => applyFill(p, f), undefined);

describe('realized PnL across v2 lives of a position (property, against the wallet)', () => {
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
});

describe('positions and signals from fills', () => {
  const open = marketOpen({ trader: ALICE, collateral: 100n * USDC, leverage: 20n * P }, { blockNumber: 1 });
  const partial = marketClose(
    { trader: ALICE, collateral: 100n * USDC, leverage: 20n * P },
    { blockNumber: 2 },
    {
      amount: 25n * USDC,
      price: 3_100n * P,
      percentProfit: 66n * P,
      usdcSentToTrader: 41_000_000n,
    },
  );

  it('opens a position with the collateral after fees and signals OPEN with the notional', () => {
    const [fill] = toFills([open]);

    expect(fold([fill as TradeEventRecord])).toMatchObject({
      trader: ALICE,
      collateral: 100n * USDC,
      leverage: 20n * P,
      buy: true,
    });
    expect(signalFromFill(fill as TradeEventRecord)).toMatchObject({
      kind: 'OPEN',
      side: 'LONG',
      pair: 'ETH/USD',
      collateralUsdc: '100000000',
      notionalUsdc: '2000000000',
      leverage: '200000000000',
    });
  });

  it('reduces the position on a partial close and signals the exact fraction closed', () => {
    const fills = toFills([open, partial]);

    expect(fold(fills)?.collateral).toBe(75n * USDC);
    expect(signalFromFill(fills[1] as TradeEventRecord)).toMatchObject({
      kind: 'CLOSE',
      closeReason: 'MARKET',
      closeFraction: { closed: '25000000', of: '100000000' },
      usdcSentToTrader: '41000000',
    });
  });

  it.each([
    [0, 'TP'],
    [1, 'SL'],
    [2, 'LIQ'],
  ] as const)('closes the whole position on LimitExecuted orderType %i (%s)', (orderType, reason) => {
    const trigger = limitExecuted({ trader: ALICE, collateral: 75n * USDC }, { blockNumber: 3 }, orderType, {
      price: 2_000n * P,
      percentProfit: -85n * P,
      usdcSentToTrader: 0n,
    });
    const fills = toFills([open, partial, trigger]);

    expect(fold(fills)).toBeUndefined();
    expect(signalFromFill(fills[2] as TradeEventRecord)).toMatchObject({
      closeReason: reason,
      closeFraction: { closed: '75000000', of: '75000000' },
    });
  });

  it('treats LimitExecuted orderType 3 as an open', () => {
    const limitOpen = limitExecuted({ trader: ALICE, collateral: 50n * USDC }, { blockNumber: 4 }, 3, {
      price: 3_000n * P,
      percentProfit: 3_000n * P, // the trigger price rides in percentProfit (FACTS trap 2)
      usdcSentToTrader: 0n,
    });
    const [fill] = toFills([limitOpen]);

    expect(signalFromFill(fill as TradeEventRecord)?.kind).toBe('OPEN');
    expect(fold([fill as TradeEventRecord])?.collateral).toBe(50n * USDC);
  });

  it('starts a reused slot afresh after a full close', () => {
    const fullClose = marketClose(
      { trader: ALICE, collateral: 75n * USDC },
      { blockNumber: 5 },
      {
        amount: 75n * USDC,
        price: 3_000n * P,
        percentProfit: 0n,
        usdcSentToTrader: 74_000_000n,
      },
    );
    const reopen = marketOpen({ trader: ALICE, collateral: 10n * USDC, buy: false }, { blockNumber: 6 });
    const fills = toFills([open, partial, fullClose, reopen]);

    expect(fold(fills)).toMatchObject({ collateral: 10n * USDC, buy: false, openFillId: fills[3]?.fillId });
  });

  it('ignores a fill it has already absorbed, so a replayed page cannot double-count', () => {
    const fills = toFills([open, partial]);
    const once = fold(fills);

    expect(applyFill(once, fills[1] as TradeEventRecord)).toBe(once);
    expect(replayPositions([...fills, ...fills]).get('00000#00000')?.collateral).toBe(75n * USDC);
  });

  it('attributes PairInfos.FeesCharged to the trader of the close in the same transaction', () => {
    const tx = `0x${'e'.repeat(64)}`;
    const fills = toFills([
      closingFees(
        { blockNumber: 7, txHash: tx, logIndex: 0 },
        { collateral: 25n * USDC, closingFee: 100_000n },
      ),
      marketClose(
        { trader: ALICE, collateral: 100n * USDC },
        { blockNumber: 7, txHash: tx, logIndex: 1 },
        {
          amount: 25n * USDC,
          price: 3_000n * P,
          percentProfit: 0n,
          usdcSentToTrader: 24_900_000n,
        },
      ),
    ]);

    expect(fills.map((f) => [f.trader, f.event.kind])).toEqual([
      [ALICE, 'ClosingFeesCharged'],
      [ALICE, 'MarketExecuted'],
    ]);
  });
});
