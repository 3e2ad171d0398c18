// decide(): every guard of the money path, each proven at its limit (allowed) and just over it (refused).
import { describe, expect, it } from 'vitest';
import {
  decide,
  decideOnCopy,
  type CopyView,
  type DecisionContext,
  type FollowerView,
} from '#core/domain/decision.js';
import { defaultRiskPolicy } from '#core/domain/risk.js';
import type { Signal } from '#core/domain/signals.js';

const USDC = 1_000_000n;
const P = 10_000_000_000n;

const open: Signal = {
  id: '0xabc:1',
  kind: 'OPEN',
  trader: '0xtrader',
  pairIndex: 1,
  pair: 'BTC/USD',
  tradeIndex: 0,
  side: 'LONG',
  leverage: String(20n * P),
  collateralUsdc: String(1_000n * USDC),
  notionalUsdc: String(20_000n * USDC),
  price: String(60_000n * P),
  block: 1,
  blockHash: '0xb',
  txHash: '0xabc',
  ts: 0,
};
const close: Signal = {
  ...open,
  id: '0xdef:2',
  kind: 'CLOSE',
  closeFraction: { closed: '250000000', of: '1000000000' },
  closeReason: 'MARKET',
};

const follower: FollowerView = {
  userId: '1',
  chatId: '1',
  mode: 'AUTO',
  sizing: { kind: 'FIXED_USD', usdc: 50n * USDC },
  maxLeverage: 10,
  maxPositionUsdc: 2_500n * USDC,
  pairs: 'ALL',
  notify: true,
  paused: false,
};
const ctx: DecisionContext = {
  mode: 'LIVE',
  emergencyStop: false,
  risk: {
    ...defaultRiskPolicy(),
    maxLeverage: 50,
    maxPositionUsdc: 1_000n * USDC,
    dailyLossLimitUsdc: 100n * USDC,
    capitalFloorUsdc: 100n * USDC,
    capitalCeilingUsdc: 2_000n * USDC,
  },
  lossTodayUsdc: 0n,
  openCopiedUsdc: 0n,
  wallet: '0xwallet',
  equityUsdc: 1_000n * USDC,
  pair: { listed: true, minLeverage: 1, maxLeverage: 75, minPositionUsdc: 100n * USDC },
  canary: { maxNotionalUsdc: 0n, maxLeverage: 100, allowedPairs: 'ALL' },
};

describe('Function: decide', () => {
  it('copies an open at the follower’s size with leverage capped to the smallest cap', () => {
    expect(decide(open, follower, ctx)).toEqual({
      action: 'COPY',
      reason: 'COPY_OK',
      adjustments: ['LEVERAGE_CAPPED'],
      order: {
        kind: 'OPEN',
        pairIndex: 1,
        buy: true,
        leverage: String(10n * P),
        collateralUsdc: String(50n * USDC),
      },
      notify: true,
    });
  });

  it('in DRY copies as a simulation (reason MODE_DRY)', () => {
    expect(decide(open, follower, { ...ctx, mode: 'DRY' })).toMatchObject({
      action: 'COPY',
      reason: 'MODE_DRY',
    });
  });

  it.each([
    ['a paused follow', { ...follower, paused: true }, ctx, 'SKIP', 'PAUSED'],
    ['alerts only', { ...follower, mode: 'ALERTS' }, ctx, 'ALERT', 'ALERT_ONLY'],
    ['alerts only, muted', { ...follower, mode: 'ALERTS', notify: false }, ctx, 'SKIP', 'ALERT_ONLY'],
    ['a pair outside the allow-list', { ...follower, pairs: [0] }, ctx, 'SKIP', 'PAIR_NOT_ALLOWED'],
    ['the emergency stop', follower, { ...ctx, emergencyStop: true }, 'ALERT', 'EMERGENCY_STOP'],
    [
      'the user paused everything',
      follower,
      { ...ctx, risk: { ...ctx.risk, paused: true } },
      'SKIP',
      'PAUSED',
    ],
    ['no linked wallet', follower, { ...ctx, wallet: undefined }, 'ALERT', 'NO_WALLET'],
    [
      'a canary pair list without it',
      follower,
      { ...ctx, canary: { ...ctx.canary, allowedPairs: [0] } },
      'ALERT',
      'CANARY_PAIR',
    ],
  ] as const)('does not copy with %s', (_what, f, c, action, reason) => {
    expect(decide(open, f as FollowerView, c as DecisionContext)).toMatchObject({ action, reason });
  });

  describe('limits: at the limit allowed, over it refused', () => {
    it('daily loss', () => {
      expect(decide(open, follower, { ...ctx, lossTodayUsdc: 100n * USDC }).action).toBe('COPY');
      expect(decide(open, follower, { ...ctx, lossTodayUsdc: 100n * USDC + 1n })).toMatchObject({
        action: 'ALERT',
        reason: 'CIRCUIT_BREAKER',
      });
    });

    it('capital floor', () => {
      expect(decide(open, follower, { ...ctx, equityUsdc: 150n * USDC }).action).toBe('COPY'); // 150 - 50 = floor
      expect(decide(open, follower, { ...ctx, equityUsdc: 150n * USDC - 1n })).toMatchObject({
        reason: 'CAPITAL_FLOOR',
      });
      expect(decide(open, follower, { ...ctx, equityUsdc: 99n * USDC })).toMatchObject({
        reason: 'CAPITAL_FLOOR',
      });
    });

    it('minimum position of the pair', () => {
      const pair = { listed: true, minLeverage: 1, maxLeverage: 75 };
      const at = { ...ctx, pair: { ...pair, minPositionUsdc: 500n * USDC } }; // 50 x 10x = 500
      expect(decide(open, follower, at).action).toBe('COPY');
      const over = { ...ctx, pair: { ...pair, minPositionUsdc: 500n * USDC + 1n } };
      expect(decide(open, follower, over)).toMatchObject({ action: 'ALERT', reason: 'BELOW_MIN' });
    });

    it('leverage: the trader’s own, the follower’s cap, the user’s, the canary’s and the pair’s', () => {
      const lev = (f: Partial<FollowerView>, c: Partial<DecisionContext>) =>
        (decide(open, { ...follower, ...f }, { ...ctx, ...c }).order as { leverage: string }).leverage;
      expect(lev({ maxLeverage: 20 }, {})).toBe(String(20n * P)); // at the trader's 20x: not capped
      expect(decide(open, { ...follower, maxLeverage: 20 }, ctx).adjustments).toEqual([]);
      expect(lev({ maxLeverage: 50 }, { risk: { ...ctx.risk, maxLeverage: 7 } })).toBe(String(7n * P));
      expect(lev({ maxLeverage: 50 }, { canary: { ...ctx.canary, maxLeverage: 3 } })).toBe(String(3n * P));
      expect(
        lev(
          { maxLeverage: 50 },
          { pair: { listed: true, minLeverage: 1, maxLeverage: 5, minPositionUsdc: 0n } },
        ),
      ).toBe(String(5n * P));
    });

    it('size: the follow’s max position (notional), the user’s, the capital ceiling and the canary notional', () => {
      const size = (f: Partial<FollowerView>, c: Partial<DecisionContext>) =>
        decide(open, { ...follower, ...f }, { ...ctx, ...c });
      const big = { sizing: { kind: 'FIXED_USD', usdc: 400n * USDC } } as const;
      const roomy = { risk: { ...ctx.risk, maxPositionUsdc: 100_000n * USDC } };
      // 400 collateral at 10x = 4,000 notional: at the cap allowed, one unit under it capped.
      expect(size({ ...big, maxPositionUsdc: 4_000n * USDC }, roomy).adjustments).toEqual([
        'LEVERAGE_CAPPED',
      ]);
      expect(size({ ...big, maxPositionUsdc: 4_000n * USDC - 10n }, roomy)).toMatchObject({
        adjustments: ['LEVERAGE_CAPPED', 'SIZE_CAPPED'],
        order: { collateralUsdc: String(400n * USDC - 1n) },
      });
      // The user's own max position is on notional too: 1,000 notional at 10x = 100 collateral.
      expect(size(big, {})).toMatchObject({ order: { collateralUsdc: String(100n * USDC) } });
      expect(
        size({ ...big, maxPositionUsdc: 100_000n * USDC }, { ...roomy, openCopiedUsdc: 1_700n * USDC }),
      ).toMatchObject({ order: { collateralUsdc: String(300n * USDC) } });
      expect(size({}, { openCopiedUsdc: 2_000n * USDC })).toMatchObject({
        action: 'ALERT',
        reason: 'CAPITAL_CEILING',
      });
      expect(size({}, { canary: { ...ctx.canary, maxNotionalUsdc: 200n * USDC } })).toMatchObject({
        order: { collateralUsdc: String(20n * USDC) },
      });
    });
  });

  it('sizes by the wallet’s equity or the trader’s collateral', () => {
    const pct = decide(open, { ...follower, sizing: { kind: 'PCT_EQUITY', bps: 500 } }, ctx);
    expect(pct.order).toMatchObject({ collateralUsdc: String(50n * USDC) }); // 5% of 1,000
    const mult = decide(open, { ...follower, sizing: { kind: 'MULTIPLIER', milli: 100 } }, ctx);
    expect(mult.order).toMatchObject({ collateralUsdc: String(100n * USDC) }); // 0.1x of 1,000
    expect(
      decide(
        open,
        { ...follower, sizing: { kind: 'PCT_EQUITY', bps: 500 } },
        { ...ctx, equityUsdc: undefined },
      ),
    ).toMatchObject({
      action: 'COPY',
      reason: 'NEEDS_EQUITY',
    });
  });

  it('refuses a pair the catalog does not list and a leverage capped below the pair minimum', () => {
    const listed = { listed: true, minLeverage: 1, maxLeverage: 75, minPositionUsdc: 0n };
    expect(decide(open, follower, { ...ctx, pair: { ...listed, listed: false } })).toMatchObject({
      action: 'ALERT',
      reason: 'PAIR_NOT_LISTED',
    });
    // capped to 10x by the follow; the pair starts at 10x (allowed) or 11x (refused)
    expect(decide(open, follower, { ...ctx, pair: { ...listed, minLeverage: 10 } }).action).toBe('COPY');
    expect(decide(open, follower, { ...ctx, pair: { ...listed, minLeverage: 11 } })).toMatchObject({
      reason: 'LEVERAGE_BELOW_MIN',
    });
  });

  it('copies from a follow only opens: a close is an alert for a follower without a copy', () => {
    expect(decide(close, follower, ctx)).toMatchObject({ action: 'ALERT', reason: 'NO_COPY' });
    expect(decide(close, { ...follower, notify: false }, ctx)).toMatchObject({ action: 'SKIP' });
  });

  it('tells followers about a retracted signal, unless muted', () => {
    const retract: Signal = { ...open, kind: 'RETRACT', id: '0xabc:1:retract:aa', retracts: '0xabc:1' };
    expect(decide(retract, follower, ctx)).toMatchObject({ action: 'ALERT', reason: 'RETRACTED' });
    expect(decide(retract, { ...follower, notify: false }, ctx)).toMatchObject({ action: 'SKIP' });
  });
});

describe('Function: decideOnCopy', () => {
  const copy: CopyView = { userId: '1', chatId: '1', simulated: false, notify: false };

  it('closes the trader’s exact fraction whatever the mode, caps or pause', () => {
    for (const mode of ['LIVE', 'DRY'] as const) {
      expect(decideOnCopy(close, copy, { mode, emergencyStop: false })).toMatchObject({
        action: 'COPY',
        reason: 'COPY_OK',
        notify: true,
        order: { kind: 'CLOSE', pairIndex: 1, fraction: { closed: '250000000', of: '1000000000' } },
      });
    }
  });

  it('closes a simulated copy as a simulation', () => {
    expect(
      decideOnCopy(close, { ...copy, simulated: true }, { mode: 'LIVE', emergencyStop: false }),
    ).toMatchObject({
      action: 'COPY',
      reason: 'MODE_DRY',
    });
  });

  it('signs nothing during an emergency stop and tells the user', () => {
    expect(decideOnCopy(close, copy, { mode: 'LIVE', emergencyStop: true })).toMatchObject({
      action: 'ALERT',
      reason: 'EMERGENCY_STOP',
      notify: true,
    });
  });
});

describe('decide: ways to copy', () => {
  it('skips a trade opened below the follower’s minimum trader leverage, and copies at it', () => {
    expect(decide(open, { ...follower, minTraderLeverage: 21 }, ctx).reason).toBe('TRADER_LEVERAGE_LOW');
    expect(decide(open, { ...follower, minTraderLeverage: 20 }, ctx).action).toBe('COPY');
  });

  it('opens the opposite side on a reverse copy', () => {
    const d = decide(open, { ...follower, direction: 'REVERSE' }, ctx);
    expect(d.order).toMatchObject({ kind: 'OPEN', buy: false });
    expect(
      decide({ ...open, side: 'SHORT' }, { ...follower, direction: 'REVERSE' }, ctx).order,
    ).toMatchObject({
      buy: true,
    });
  });
});
