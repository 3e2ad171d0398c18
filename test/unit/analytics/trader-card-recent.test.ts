// The trader card's "recent trades" says what each execution did: an open, a v2 increase (what was
// added and the position after it), a full close, and a partial TP/SL or market close with the
// share it closed, newest first as the store gives them.
import { describe, expect, it } from 'vitest';
import { emptyStats } from '../../../layers/core/domain/analytics/stats.js';
import { traderView } from '../../../layers/core/domain/analytics/leaderboard.js';
import { traderScreen } from '../../../layers/core/domain/bot-views.js';
import type { Fill } from '../../../layers/core/domain/fills.js';
import type { TradeStruct } from '../../../layers/core/domain/trade-events.js';

const TRADER = '0x00000000000000000000000000000000000a11ce';
const USDC = 1_000_000n;
const E10 = 10n ** 10n;
const TS = 1_767_225_600; // 2026-01-01 00:00 UTC

const trade = (collateral: bigint, leverage = 10n * E10): TradeStruct => ({
  trader: TRADER,
  pairIndex: 0,
  index: 0,
  initialPosToken: collateral,
  openPrice: 3_000n * E10,
  buy: true,
  leverage,
  tp: 0n,
  sl: 0n,
  timestamp: BigInt(TS),
});

const at = (n: number) => ({
  blockNumber: n,
  blockHash: `0x${n.toString(16).padStart(64, '0')}`,
  txHash: `0x${n.toString(16).padStart(64, 'e')}`,
  logIndex: 0,
  address: '0x00000000000000000000000000000000000000c1',
});

const fill = (n: number, event: Fill['event']): Fill => ({
  fillId: `${event.txHash}:0`,
  fillKey: `${n}`,
  trader: TRADER,
  timestamp: TS + n * 60,
  event,
});

describe('the trader card recent trades', () => {
  it('shows an increase and a partial TP as what they are, beside the open and the final close', () => {
    // Prepare: open 100, increase +50 (fee 1) to 149 at 8x, partial TP of 60 of 149, close the rest.
    const recent: Fill[] = [
      fill(4, {
        kind: 'MarketExecuted',
        variant: 'MarketExecuted/v2-inferred',
        ...at(4),
        orderId: 4n,
        trade: trade(89n * USDC, 8n * E10),
        open: false,
        price: 3_200n * E10,
        positionSizeUsdc: 89n * USDC,
        percentProfit: 0n,
        usdcSentToTrader: 90n * USDC,
        isPnl: false,
      }),
      fill(3, {
        kind: 'LimitExecuted',
        variant: 'LimitExecuted/v2-inferred',
        ...at(3),
        orderId: 3n,
        limitIndex: 0n,
        trade: trade(149n * USDC, 8n * E10),
        orderType: 'TP',
        price: 3_300n * E10,
        positionSizeUsdc: 60n * USDC,
        percentProfit: 0n,
        usdcSentToTrader: 70n * USDC,
        isPnl: false,
      }),
      fill(2, {
        kind: 'PositionSizeIncreased',
        variant: 'PositionSizeIncreased/v2-local',
        ...at(2),
        orderId: 2n,
        trade: trade(149n * USDC, 8n * E10),
        isPnl: false,
        price: 3_100n * E10,
        addedCollateral: 50n * USDC,
        addedLeverage: 5n * E10,
        openingFee: USDC,
      }),
      fill(1, {
        kind: 'MarketExecuted',
        variant: 'MarketExecuted/v2-inferred',
        ...at(1),
        orderId: 1n,
        trade: trade(100n * USDC),
        open: true,
        price: 3_000n * E10,
        positionSizeUsdc: 100n * USDC,
        percentProfit: 0n,
        usdcSentToTrader: 0n,
        isPnl: false,
      }),
    ];
    const view = traderView(emptyStats(TRADER), TS + 600, {
      minTrades30d: 1,
      minVolume30dUsd: 1,
      activeHours: 72,
    });

    // Act
    const { text } = traderScreen({ view, rank: undefined, recent, following: false, indexed: true });

    // Assess
    const lines = text.split('\n');
    const start = lines.indexOf('<b>Recent trades</b>');
    const shown = lines.slice(start + 1, start + 5).map((l) => l.replace(/^\S+ \S+ UTC /, ''));
    expect(shown).toHaveLength(4);
    expect(shown[0]).toMatch(/^close long \S+ \$89(\.00)? collateral × 8x/);
    expect(shown[1]).toMatch(/^partial TP 40\.2% long \S+ \$60(\.00)? of \$149(\.00)? collateral × 8x/);
    expect(shown[2]).toMatch(/^increase long \S+ \+\$50(\.00)? collateral × 5x @ .*now \$149(\.00)? × 8x/);
    expect(shown[3]).toMatch(/^open long \S+ \$100(\.00)? collateral × 10x/);
  });
});
