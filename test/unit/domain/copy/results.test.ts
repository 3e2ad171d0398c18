// A follower's copy results from their intents: realized PnL of copied closes, fees, unrealized PnL
// of open copies, win rate, and the trader's own result on the same closes, exact to the micro-USDC.
import { describe, expect, it } from 'vitest';
import { copyResults, returnBps } from '#core/domain/copy/results.js';
import type { CopyIntent } from '#core/ports/copy.js';
import { FillTape, address, lev, px, slot } from '../../../support/analytics-fills.js';

const USDC = 1_000_000n;
const A = address('results-a');
const B = address('results-b');

let n = 0;
/** One stored intent; `at` orders them (ISO minutes after a fixed start). */
function intent(over: Partial<CopyIntent> & Pick<CopyIntent, 'kind' | 'state' | 'order'>): CopyIntent {
  n += 1;
  return {
    intentId: `sig-${n}:u1`,
    signalId: `sig-${n}`,
    userId: 'u1',
    chatId: 'u1',
    trader: A,
    slot: { pairIndex: 0, tradeIndex: 0 },
    reason: over.state === 'EXECUTED' ? 'FILLED' : 'MARKET_CANCELED',
    mode: 'LIVE',
    createdAt: new Date(Date.UTC(2026, 11, 1, 10, n)).toISOString(),
    ...over,
  };
}

const open = (collateral: bigint, leverage: bigint, buy = true, pairIndex = 0) =>
  ({
    kind: 'OPEN',
    pairIndex,
    buy,
    leverage: leverage.toString(),
    collateralUsdc: collateral.toString(),
  }) as const;
const close = (closed: bigint, of: bigint, pairIndex = 0) =>
  ({ kind: 'CLOSE', pairIndex, fraction: { closed: closed.toString(), of: of.toString() } }) as const;
const fill = (price: bigint, collateral: bigint, sent: bigint, leverage?: bigint) => ({
  price: price.toString(),
  collateralUsdc: collateral.toString(),
  usdcSentToTrader: sent.toString(),
  ...(leverage ? { leverage: leverage.toString() } : {}),
});

describe('copyResults', () => {
  it('adds up closes, fees and open copies per trader, next to the trader on the same closes', () => {
    // Prepare: trader A opens 1,000 USDC ETH long 10x, closes half for 520 (+20), then the rest for
    // 480 (-20), and opens BTC long 5x. Trader B's copy has no stored fills.
    const tape = new FillTape();
    const eth = slot(A, { pairIndex: 0, index: 0, leverage: lev(10), openPrice: px(3_000) });
    const btc = slot(A, { pairIndex: 1, index: 0, leverage: lev(5), openPrice: px(60_000) });
    tape.openPosition(eth, 1_000n * USDC);
    const half = tape.close(eth, 520n * USDC, 500n * USDC).at(-1);
    const rest = tape.close(eth, 480n * USDC).at(-1);
    tape.openPosition(btc, 2_000n * USDC);
    const intents: CopyIntent[] = [
      // Asked 100, 99.40 after the opening fee.
      intent({
        kind: 'OPEN',
        state: 'EXECUTED',
        order: open(100n * USDC, lev(10)),
        fill: fill(px(3_000), 99_400_000n, 0n, lev(10)),
      }),
      intent({
        kind: 'CLOSE',
        state: 'EXECUTED',
        signalId: half?.fillId ?? '',
        order: close(500n * USDC, 1_000n * USDC),
        fill: fill(px(3_060), 49_700_000n, 51_900_000n),
      }),
      intent({
        kind: 'CLOSE',
        state: 'EXECUTED',
        signalId: rest?.fillId ?? '',
        order: close(500n * USDC, 500n * USDC),
        fill: fill(px(2_940), 49_700_000n, 47_000_000n),
      }),
      // Cancelled by the keeper: Avantis keeps 0.045% of the 500 notional (pair catalog, ETH).
      intent({
        kind: 'OPEN',
        state: 'CANCELED',
        order: open(50n * USDC, lev(10)),
        slot: { pairIndex: 0, tradeIndex: 1 },
      }),
      // Asked 201, 200 after the fee; still open.
      intent({
        kind: 'OPEN',
        state: 'EXECUTED',
        order: open(201n * USDC, lev(5), true, 1),
        slot: { pairIndex: 1, tradeIndex: 0 },
        fill: fill(px(60_000), 200n * USDC, 0n, lev(5)),
      }),
      intent({
        kind: 'CLOSE',
        state: 'FAILED',
        reason: 'NO_POSITION',
        order: close(1n, 1n, 2),
        slot: { pairIndex: 2, tradeIndex: 0 },
      }),
      intent({
        trader: B,
        kind: 'OPEN',
        state: 'EXECUTED',
        order: open(100n * USDC, lev(2)),
        fill: fill(px(3_000), 100n * USDC, 0n),
      }),
      intent({
        trader: B,
        kind: 'CLOSE',
        state: 'EXECUTED',
        order: close(1n, 1n),
        fill: fill(px(2_850), 100n * USDC, 90n * USDC),
      }),
      // Found filled by the reconciler: no amount back, so not in the PnL.
      intent({
        trader: B,
        kind: 'CLOSE',
        state: 'EXECUTED',
        reason: 'RECONCILED_FILLED',
        order: close(1n, 1n, 3),
        slot: { pairIndex: 3, tradeIndex: 0 },
        fill: fill(px(1), 10n * USDC, 0n),
      }),
      intent({
        trader: B,
        kind: 'OPEN',
        state: 'SIMULATED',
        reason: 'MODE_DRY',
        order: open(10n * USDC, lev(2)),
      }),
    ];

    // Act: BTC at 63,000 (+5% on 5x = +25% of 200); the order given is shuffled.
    const { byTrader, total } = copyResults(
      [...intents].reverse(),
      new Map([[1, px(63_000)]]),
      new Map([[A.toUpperCase(), tape.fills]]),
    );

    // Assess
    const a = byTrader.find((r) => r.trader === A.toLowerCase());
    const b = byTrader.find((r) => r.trader === B.toLowerCase());
    expect(a).toEqual({
      trader: A.toLowerCase(),
      copies: 2,
      simulated: 0,
      canceled: 1,
      failed: 1,
      closes: 2,
      wins: 1,
      closesWithoutAmount: 0,
      realizedPnlUsdc: -500_000n, // +2.20 - 2.70
      closedCollateralUsdc: 99_400_000n,
      feesUsdc: 1_825_000n, // 0.60 + 1.00 + 0.225
      openCopies: 1,
      openCollateralUsdc: 200n * USDC,
      unrealizedPnlUsdc: 50n * USDC,
      unpricedOpenCopies: 0,
      traderSide: { closes: 2, wins: 1, realizedPnlUsdc: 0n, closedCollateralUsdc: 1_000n * USDC },
    });
    expect(b).toMatchObject({
      copies: 1,
      simulated: 1,
      closes: 1,
      wins: 0,
      closesWithoutAmount: 1,
      realizedPnlUsdc: -10n * USDC,
      feesUsdc: 0n,
      openCopies: 0,
      traderSide: undefined,
    });
    expect(total).toMatchObject({
      trader: 'ALL',
      copies: 3,
      closes: 3,
      wins: 1,
      realizedPnlUsdc: -10_500_000n,
      closedCollateralUsdc: 199_400_000n,
      feesUsdc: 1_825_000n,
      unrealizedPnlUsdc: 50n * USDC,
      traderSide: { closes: 2, wins: 1, realizedPnlUsdc: 0n, closedCollateralUsdc: 1_000n * USDC },
    });
    expect(returnBps(total.realizedPnlUsdc, total.closedCollateralUsdc)).toBe(-526n); // -5.26%
  });

  it('values a short and leaves an unpriced open copy out of the unrealized PnL', () => {
    // Prepare: a 10x short of 100 at 3,000, and a long on a pair without a price.
    const intents = [
      intent({
        kind: 'OPEN',
        state: 'EXECUTED',
        order: open(100n * USDC, lev(10), false),
        fill: fill(px(3_000), 100n * USDC, 0n, lev(10)),
      }),
      intent({
        kind: 'OPEN',
        state: 'EXECUTED',
        order: open(100n * USDC, lev(10), true, 7),
        slot: { pairIndex: 7, tradeIndex: 0 },
        fill: fill(px(1), 100n * USDC, 0n, lev(10)),
      }),
    ];

    // Act: ETH falls to 2,970 (-1%): the short gains 10% of 100.
    const { total } = copyResults(intents, new Map([[0, px(2_970)]]));

    // Assess
    expect(total.unrealizedPnlUsdc).toBe(10n * USDC);
    expect(total.openCopies).toBe(2);
    expect(total.unpricedOpenCopies).toBe(1);
    expect(total.openCollateralUsdc).toBe(200n * USDC);
  });

  it('follows a partial close to the remaining collateral, and a new open in a reused slot', () => {
    // Prepare: open 100 at 3,000 10x long, close 40 of it, then after a full close the slot
    // opens again with 50.
    const intents = [
      intent({
        kind: 'OPEN',
        state: 'EXECUTED',
        order: open(100n * USDC, lev(10)),
        fill: fill(px(3_000), 100n * USDC, 0n, lev(10)),
      }),
      intent({
        kind: 'CLOSE',
        state: 'EXECUTED',
        order: close(40n, 100n),
        fill: fill(px(3_000), 40n * USDC, 39n * USDC),
      }),
    ];
    const reopened = [
      ...intents,
      intent({
        kind: 'CLOSE',
        state: 'EXECUTED',
        order: close(60n, 60n),
        fill: fill(px(3_000), 60n * USDC, 61n * USDC),
      }),
      intent({
        kind: 'OPEN',
        state: 'EXECUTED',
        order: open(50n * USDC, lev(10)),
        fill: fill(px(3_300), 50n * USDC, 0n, lev(10)),
      }),
    ];

    // Act: the price rises 10% from 3,000.
    const partly = copyResults(intents, new Map([[0, px(3_300)]])).total;
    const again = copyResults(reopened, new Map([[0, px(3_300)]])).total;

    // Assess: 60 left at 10x earns 60; the reopened 50 at 3,300 earns nothing yet.
    expect(partly).toMatchObject({
      openCollateralUsdc: 60n * USDC,
      unrealizedPnlUsdc: 60n * USDC,
      realizedPnlUsdc: -USDC,
    });
    expect(again).toMatchObject({
      copies: 2,
      openCopies: 1,
      openCollateralUsdc: 50n * USDC,
      unrealizedPnlUsdc: 0n,
      realizedPnlUsdc: 0n,
      closes: 2,
      wins: 1,
    });
  });
});
