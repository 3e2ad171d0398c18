// The leaderboard (domain/analytics/leaderboard.ts) on crafted traders: the ordering the score is
// meant to produce, the exclusions (and their limits, inclusive), deterministic ties and the two
// sort orders; and traderView's unrealized PnL at the latest prices, capped both ways.
import { describe, expect, it } from 'vitest';
import { rankTraders, traderView, type TraderView } from '#core/domain/analytics/leaderboard.js';
import type { LeaderRules } from '#core/domain/analytics/score.js';
import { statsFromFills } from '#core/domain/analytics/stats.js';
import { DAY, FillTape, T0, address, lev, slot, usdc, type Slot } from '../../../support/analytics-fills.js';
import { decodeLog } from '#core/domain/avantis/decode.js';
import { fillsFromEvents } from '#core/domain/fills.js';
import type { TradeEvent } from '#core/domain/trade-events.js';
import { marketOpen } from '../../../fixtures/avantis-logs.js';

/** Noon on the 30th day from T0: a 30-day window reaches back to T0's day. */
const NOW = T0 + 29 * DAY + 12 * 3_600;
const HOUR = 3_600;
const LOOSE: LeaderRules = { minTrades30d: 1, minVolume30dUsd: 1_000, activeHours: 72 };

/** One round trip a day from `firstDay`, each closing `pnls[i]` USDC over `collateral`. */
function roundTrips(
  who: string,
  pnls: readonly number[],
  collateral: number,
  leverage: number,
  firstDay = 30 - pnls.length,
) {
  const s: Slot = slot(who, { leverage: lev(leverage) });
  const tape = new FillTape(T0);
  pnls.forEach((pnl, i) => {
    tape.at(T0 + (firstDay + i) * DAY + HOUR).openPosition(s, usdc(collateral));
    tape.after(4 * HOUR).close(s, usdc(collateral + pnl));
  });
  return tape.fills;
}

function view(who: string, fills: ReturnType<typeof roundTrips>, rules = LOOSE): TraderView {
  return traderView(statsFromFills(who, fills), NOW, rules);
}

// Steady: 20 days at 3x with 1,000 USDC, +30 three days in four and -10 on the fourth: PnL +400,
// drawdown 10. edge = 400 / max(10, 1,000) = 0.4 -> 0.4 / 1.4 = 0.286; consistency 0.5 x 0.75 + 0.5 x 0.75
// = 0.75; recency 1; leverage 1; sample 20 / 30 = 0.667 -> score round(1000 x 0.286 x 0.75 x 0.667) = 143.
const steadyPnls = Array.from({ length: 20 }, (_, i) => (i % 4 === 3 ? -10 : 30));
// Whale: one 100,000 USDC trade at 2x, +50,000. edge 0.5 / 1.5 = 0.333; consistency 1; sample 1 / 11
// -> score round(1000 x 0.333 x 0.0909) = 30.
const whalePnls = [50_000];
// Degen: 20 trades at 50x with 100 USDC: 6 x +80, 8 x -90, 6 x +80: PnL +240, drawdown 720. edge 240 / 720
// = 0.333 -> 0.25; consistency 0.6; recency 1; leverage 10 / 50 = 0.2; sample 0.667 -> score 20.
const degenPnls = [...Array<number>(6).fill(80), ...Array<number>(8).fill(-90), ...Array<number>(6).fill(80)];
// Loser: 20 trades at 2x with 1,000 USDC, -10 each: edge < 0 -> score 0.
const loserPnls = Array<number>(20).fill(-10);

const STEADY = address('steady');
const WHALE = address('whale');
const DEGEN = address('degen');
const LOSER = address('loser');

function crowd(): TraderView[] {
  return [
    view(LOSER, roundTrips(LOSER, loserPnls, 1_000, 2)),
    view(DEGEN, roundTrips(DEGEN, degenPnls, 100, 50)),
    view(WHALE, roundTrips(WHALE, whalePnls, 100_000, 2)),
    view(STEADY, roundTrips(STEADY, steadyPnls, 1_000, 3)),
  ];
}

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

describe('copyability score', () => {
  it('ranks steady low-leverage profit above a lucky whale, above a high-leverage degen, above a steady loser', () => {
    // Prepare
    const views = crowd();

    // Act
    const rows = rankTraders(views, 'score', 10);

    // Assess
    expect(rows.map((r) => r.trader)).toEqual([STEADY, WHALE, DEGEN, LOSER]);
    expect(rows.map((r) => r.score)).toEqual([143, 30, 20, 0]);
  });

  it('scores a losing trader 0 while keeping them eligible', () => {
    // Prepare / Act
    const loser = view(LOSER, roundTrips(LOSER, loserPnls, 1_000, 2));

    // Assess
    expect(loser.copyability).toMatchObject({ eligible: true, exclusions: [], score: 0 });
  });

  it('sorts by 30-day PnL differently from the score', () => {
    // Prepare
    const views = crowd();

    // Act
    const rows = rankTraders(views, 'pnl', 10);

    // Assess: PnL +50,000 > +400 > +240 > -200.
    expect(rows.map((r) => r.trader)).toEqual([WHALE, STEADY, DEGEN, LOSER]);
    expect(rows.map((r) => r.realizedPnl30dUsdc)).toEqual([
      '50000000000',
      '400000000',
      '240000000',
      '-200000000',
    ]);
  });

  it('breaks ties by address whatever the input order', () => {
    // Prepare: the same history under three addresses.
    const twins = [address('twin-b'), address('twin-a'), address('twin-c')].map((who) =>
      view(who, roundTrips(who, steadyPnls, 1_000, 3)),
    );
    const sorted = twins.map((v) => v.trader).sort();

    // Act
    const forward = rankTraders(twins, 'score', 10);
    const backward = rankTraders([...twins].reverse(), 'score', 10);

    // Assess
    expect(forward.map((r) => r.trader)).toEqual(sorted);
    expect(backward).toEqual(forward);
    expect(forward.map((r) => r.rank)).toEqual([1, 2, 3]);
  });

  it('returns only the top n', () => {
    // Prepare
    const views = crowd();

    // Act
    const rows = rankTraders(views, 'score', 2);

    // Assess
    expect(rows.map((r) => r.trader)).toEqual([STEADY, WHALE]);
  });
});

describe('exclusions', () => {
  // 5 trades, 10,000 USD volume, 48 h of inactivity allowed.
  const RULES: LeaderRules = { minTrades30d: 5, minVolume30dUsd: 10_000, activeHours: 48 };

  /** Round trips at 1x (volume 2 x the collateral each), the last close `idleSeconds` before NOW. */
  function trader(who: string, collaterals: readonly bigint[], idleSeconds: number): TraderView {
    const s = slot(who, { leverage: lev(1) });
    const tape = new FillTape(T0);
    const lastClose = NOW - idleSeconds;
    collaterals.forEach((c, i) => {
      tape.at(lastClose - (collaterals.length - i) * DAY).openPosition(s, c);
      tape.at(i === collaterals.length - 1 ? lastClose : tape.now + HOUR).close(s, c + usdc(10));
    });
    return traderView(statsFromFills(who, tape.fills), NOW, RULES);
  }

  it('includes a trader exactly at every limit: 5 trades, 10,000 USD volume, last active 48 h ago', () => {
    // Prepare / Act: 5 x (1,000 opened + 1,000 closed) = 10,000 USD.
    const v = trader(address('at-limit'), Array<bigint>(5).fill(usdc(1_000)), 48 * HOUR);

    // Assess
    expect(v.d30.trades).toBe(5);
    expect(v.d30.volumeUsdc).toBe(usdc(10_000));
    expect(v.copyability).toMatchObject({ eligible: true, exclusions: [] });
  });

  it('excludes a trader with too few trades', () => {
    // Prepare / Act: 4 trades of 2,000 = 16,000 USD volume.
    const v = trader(address('few'), Array<bigint>(4).fill(usdc(2_000)), HOUR);

    // Assess
    expect(v.copyability.exclusions).toEqual(['TOO_FEW_TRADES']);
  });

  it('excludes a trader just below the volume', () => {
    // Prepare / Act: one trade 1 unit smaller: 10,000 USD - 2 units of volume.
    const collaterals = [...Array<bigint>(4).fill(usdc(1_000)), usdc(1_000) - 1n];
    const v = trader(address('small'), collaterals, HOUR);

    // Assess
    expect(v.d30.volumeUsdc).toBe(usdc(10_000) - 2n);
    expect(v.copyability.exclusions).toEqual(['TOO_LITTLE_VOLUME']);
  });

  it('excludes a trader inactive one second longer than activeHours', () => {
    // Prepare / Act
    const v = trader(address('idle'), Array<bigint>(5).fill(usdc(1_000)), 48 * HOUR + 1);

    // Assess
    expect(v.copyability.exclusions).toEqual(['INACTIVE']);
  });

  it('leaves excluded traders out of the leaderboard', () => {
    // Prepare
    const views = [
      trader(address('at-limit'), Array<bigint>(5).fill(usdc(1_000)), 48 * HOUR),
      trader(address('few'), Array<bigint>(4).fill(usdc(2_000)), HOUR),
      trader(address('small'), [...Array<bigint>(4).fill(usdc(1_000)), usdc(1_000) - 1n], HOUR),
      trader(address('idle'), Array<bigint>(5).fill(usdc(1_000)), 48 * HOUR + 1),
    ];

    // Act
    const byScore = rankTraders(views, 'score', 10);
    const byPnl = rankTraders(views, 'pnl', 10);

    // Assess
    expect(byScore.map((r) => r.trader)).toEqual([address('at-limit')]);
    expect(byPnl.map((r) => r.trader)).toEqual([address('at-limit')]);
  });
});

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
