import { describe, expect, it } from 'vitest';
import { traderView } from '../../../layers/core/domain/analytics/leaderboard.js';
import { statsFromFills } from '../../../layers/core/domain/analytics/stats.js';
import { decodeLog } from '../../../layers/core/domain/avantis/decode.js';
import { fillsFromEvents } from '../../../layers/core/domain/fills.js';
import type { TradeEvent } from '../../../layers/core/domain/trade-events.js';
import { marketOpen } from '../../fixtures/avantis-logs.js';

const ALICE = '0x00000000000000000000000000000000000a11ce';
const USDC = 1_000_000n;
const P = 10n ** 10n;
const rules = { minTrades30d: 1, minVolume30dUsd: 1, activeHours: 72 };

function aliceLong() {
  // 100 USDC long ETH at 3,000 with 10x.
  const log = marketOpen(
    { trader: ALICE, collateral: 100n * USDC, leverage: 10n * P, openPrice: 3_000n * P },
    { blockNumber: 1 },
  );
  const event = (decodeLog(log) as { ok: true; event: TradeEvent }).event;
  return statsFromFills(ALICE, [...fillsFromEvents([event], () => 1_700_000_000).fills]);
}

describe('Function: traderView (unrealized PnL)', () => {
  it('values open lots at the latest price: +10% on 10x is +100% of the collateral', () => {
    const view = traderView(aliceLong(), 1_700_000_100, rules, new Map([[0, 3_300n * P]]));

    expect(view.unrealizedPnlUsdc).toBe(100n * USDC);
  });

  it('caps a loss at the collateral', () => {
    const view = traderView(aliceLong(), 1_700_000_100, rules, new Map([[0, 1_000n * P]]));

    expect(view.unrealizedPnlUsdc).toBe(-100n * USDC);
  });

  it("caps a gain at the pair's max gain (ETH: 2,500% of the collateral, pair catalog)", () => {
    // 4x the price on 10x is +3,000%: Avantis pays at most maxGainP.
    const view = traderView(aliceLong(), 1_700_000_100, rules, new Map([[0, 12_000n * P]]));

    expect(view.unrealizedPnlUsdc).toBe(2_500n * USDC);
  });

  it('says nothing without a price for every open pair', () => {
    expect(traderView(aliceLong(), 1_700_000_100, rules).unrealizedPnlUsdc).toBeUndefined();
  });
});
