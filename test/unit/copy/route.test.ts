// routeSignal: opens to followers, closes to every holder of a copy (whatever became of the follow),
// alerts and copies on their own queues; no "close your copy" line where there is no copy.
import { describe, expect, it } from 'vitest';
import { routeSignal, type RouteDeps } from '#core/copy/route.js';
import type { FollowerView } from '#core/domain/decision.js';
import { defaultRiskPolicy } from '#core/domain/risk.js';
import type { Signal } from '#core/domain/signals.js';
import type { AlertJob, CopyJob, Mirror } from '#core/ports/copy.js';

const P = 10_000_000_000n;
const TRADER = '0x00000000000000000000000000000000000000bb';
const open: Signal = {
  id: '0xo:1',
  kind: 'OPEN',
  trader: TRADER,
  pairIndex: 1,
  pair: 'BTC/USD',
  tradeIndex: 3,
  side: 'LONG',
  leverage: String(10n * P),
  collateralUsdc: '1000000000',
  notionalUsdc: '10000000000',
  price: String(30_000n * P),
  block: 1,
  blockHash: '0xb',
  txHash: '0xo',
  ts: 1,
};
const close: Signal = {
  ...open,
  id: '0xc:1',
  kind: 'CLOSE',
  closeFraction: { closed: '1', of: '2' },
  closeReason: 'MARKET',
};
const follower = (userId: string, mode: 'AUTO' | 'ALERTS'): FollowerView => ({
  userId,
  chatId: userId,
  mode,
  sizing: { kind: 'FIXED_USD', usdc: 100_000_000n },
  maxLeverage: 50,
  maxPositionUsdc: 100_000_000_000n,
  pairs: 'ALL',
  notify: true,
  paused: false,
});
const mirror = (userId: string): Mirror => ({
  userId,
  chatId: userId,
  trader: TRADER,
  pairIndex: 1,
  tradeIndex: 3,
  wallet: '0xw',
  openIntentId: `0xo:1:${userId}`,
  simulated: false,
  buy: true,
  index: 0,
});

function deps(opts: {
  followers: FollowerView[];
  mirrors: Mirror[];
  emergencyStop?: boolean;
  mode?: 'DRY' | 'LIVE';
}) {
  const alerts: AlertJob[] = [];
  const copies: CopyJob[] = [];
  const d: RouteDeps = {
    followers: {
      followersOf: async function* () {
        yield opts.followers;
      },
    },
    profiles: {
      profiles: async (ids) =>
        new Map(
          ids.map((id) => [
            id,
            {
              user: { userId: id, chatId: id, firstName: 'A', active: true },
              risk: defaultRiskPolicy(),
              wallet: '0xw',
            },
          ]),
        ),
    },
    mirrors: { mirrorsOfSlot: async () => opts.mirrors },
    alerts: { publish: async (a) => void alerts.push(...a) },
    copies: { publish: async (c) => void copies.push(...c) },
    mode: {
      read: async () => ({
        mode: opts.mode ?? 'LIVE',
        emergencyStop: opts.emergencyStop ?? false,
        switchValue: 'LIVE',
      }),
    },
    canary: { maxNotionalUsdc: 0n, maxLeverage: 100, allowedPairs: 'ALL' },
    now: () => 0,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  return { d, alerts, copies };
}

describe('Function: routeSignal', () => {
  it('sends an open to AUTO followers as a copy job and to every follower as an alert', async () => {
    const { d, alerts, copies } = deps({
      followers: [follower('1', 'AUTO'), follower('2', 'ALERTS')],
      mirrors: [],
    });
    await routeSignal(open, d);
    expect(copies.map((c) => c.userId)).toEqual(['1']);
    expect(alerts.map((a) => a.userId).sort()).toEqual(['1', '2']);
  });

  it('closes the copies of users who unfollowed or went ALERTS-only, and alerts the others without a copy line', async () => {
    // User 3 holds a copy but no longer follows; user 1 follows (now ALERTS) and holds one; user 2 never copied.
    const { d, alerts, copies } = deps({
      followers: [follower('1', 'ALERTS'), follower('2', 'AUTO')],
      mirrors: [mirror('1'), mirror('3')],
      mode: 'DRY',
    });
    await routeSignal(close, d);
    expect(copies.map((c) => c.userId).sort()).toEqual(['1', '3']);
    expect(copies[0]?.decision.order).toEqual({
      kind: 'CLOSE',
      pairIndex: 1,
      fraction: { closed: '1', of: '2' },
    });
    const byUser = new Map(alerts.map((a) => [a.userId, a.html]));
    expect(byUser.get('1')).toContain('closing 50% of your copy');
    expect(byUser.get('1')).not.toContain('(DRY)');
    expect(byUser.get('2')).not.toMatch(/your copy/);
  });

  it('signs nothing in an emergency stop and tells copy holders what stays open', async () => {
    const { d, alerts, copies } = deps({ followers: [], mirrors: [mirror('3')], emergencyStop: true });
    await routeSignal(close, d);
    expect(copies).toHaveLength(0);
    expect(alerts[0]?.html).toMatch(/stay open[\s\S]*LONG BTC\/USD \(trade #0\)/);
  });
});
