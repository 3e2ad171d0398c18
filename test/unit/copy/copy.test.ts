// The copier and the reconciler over in-memory ports and a scripted batched-market service: a copy
// is a v2 intent signed by the user's delegate key, stored before it is sent, followed to exactly
// one terminal state that the user hears about once, whatever the stream, the service or a crash do.
import { describe, expect, it } from 'vitest';
import { copySignal, driveIntent, emergencyNotices, reconcile } from '#core/copy/copy.js';
import { decodeIntent } from '#core/domain/avantis/intents.js';
import type { Decision, FollowerView } from '#core/domain/decision.js';
import type { Signal } from '#core/domain/signals.js';
import type { CopyJob } from '#core/ports/copy.js';
import { TRADER, WALLET, world, type World } from './fakes.js';

const P = 10_000_000_000n;
const USDC = 1_000_000n;

const open: Signal = {
  id: '0xopen:1',
  kind: 'OPEN',
  trader: TRADER,
  pairIndex: 1,
  pair: 'BTC/USD',
  tradeIndex: 3,
  side: 'LONG',
  leverage: String(10n * P),
  collateralUsdc: String(1_000n * USDC),
  notionalUsdc: String(10_000n * USDC),
  price: String(30_000n * P),
  tp: String(33_000n * P),
  sl: String(27_000n * P),
  block: 10,
  blockHash: '0xb',
  txHash: '0xopen',
  ts: Math.floor(Date.parse('2026-12-01T12:00:00Z') / 1000) - 2,
};
const closeOf = (id: string, closed: bigint, of: bigint): Signal => ({
  ...open,
  id,
  kind: 'CLOSE',
  closeFraction: { closed: String(closed), of: String(of) },
  closeReason: 'MARKET',
});

const follower: FollowerView = {
  userId: '42',
  chatId: '42',
  mode: 'AUTO',
  sizing: { kind: 'FIXED_USD', usdc: 100n * USDC },
  maxLeverage: 50,
  maxPositionUsdc: 100_000n * USDC,
  pairs: 'ALL',
  notify: true,
  paused: false,
};
const openDecision: Decision = {
  action: 'COPY',
  reason: 'COPY_OK',
  adjustments: [],
  notify: true,
  order: {
    kind: 'OPEN',
    pairIndex: 1,
    buy: true,
    leverage: String(10n * P),
    collateralUsdc: String(100n * USDC),
  },
};
const openJob: CopyJob = {
  signal: open,
  userId: '42',
  chatId: '42',
  decision: openDecision,
  follower,
  routedAt: 0,
};
const closeJob = (s: Signal): CopyJob => ({
  signal: s,
  userId: '42',
  chatId: '42',
  decision: {
    action: 'COPY',
    reason: 'COPY_OK',
    adjustments: [],
    notify: true,
    order: { kind: 'CLOSE', pairIndex: 1, fraction: s.closeFraction ?? { closed: '1', of: '1' } },
  },
  routedAt: 0,
});

/** The fake user-data follows the fills: an open adds a position, a close takes its amount off. */
function trackPositions(w: World) {
  w.market.onFill = (kind, m) => {
    if (kind === 'OPEN') {
      const t = m._t as { positionSizeUSDC: bigint; leverage: bigint; buy: boolean };
      w.positions = [
        {
          pairIndex: 1,
          index: 0,
          buy: t.buy,
          collateral: t.positionSizeUSDC,
          leverage: t.leverage,
          openPrice: 30_000n * P,
          timestamp: BigInt(Math.floor(w.clock.now / 1000)),
        },
      ];
    } else {
      const amount = m._amount as bigint;
      w.positions = w.positions
        .map((p) => ({ ...p, collateral: p.collateral - amount, timestamp: p.timestamp + 1n }))
        .filter((p) => p.collateral > 0n);
    }
  };
}

const intentOf = (w: World, signalId: string) => w.intents.items.get(`${signalId}:42`);

describe('Function: copySignal (opens)', () => {
  it('signs an OpenTradeReq with the user key, stores it before sending, follows it to EXECUTED and tells the user once', async () => {
    // Prepare
    const w = world();
    trackPositions(w);
    // Act
    const outcome = await copySignal(openJob, w.deps);
    // Assess
    expect(outcome).toEqual({ status: 'DONE', intent: 'EXECUTED' });
    const sent = w.market.submissions;
    expect(sent).toHaveLength(1);
    expect(sent[0]?.storedBefore?.signed?.userIntent).toBe(sent[0]?.userIntent);
    const msg = decodeIntent('OpenTradeReq', sent[0]?.userIntent ?? '0x') as {
      _t: { trader: string; positionSizeUSDC: bigint; tp: bigint; sl: bigint; openPrice: bigint };
      _nonce: bigint;
    };
    expect(msg._t.trader.toLowerCase()).toBe(WALLET);
    expect(msg._t.positionSizeUSDC).toBe(100n * USDC);
    // The trader's TP/SL at the same distance from the follower's own reference price.
    expect([msg._t.openPrice, msg._t.tp, msg._t.sl]).toEqual([30_000n * P, 33_000n * P, 27_000n * P]);
    const intent = intentOf(w, open.id);
    expect(intent).toMatchObject({ state: 'EXECUTED', trackingId: 'trk-1', reason: 'FILLED' });
    expect(intent?.signed?.nonce).toBe(String(msg._nonce));
    expect(await w.intents.mirrorOf('42', TRADER, 1, 3)).toMatchObject({ index: 0, simulated: false });
    expect(w.alerts).toHaveLength(1);
    expect(w.alerts[0]?.html).toContain('Copy filled: opened');
    expect(w.alerts[0]?.html).toMatch(/size \$1,000\.00, collateral \$100\.00/);
    // Sent in the time trade alerts leave: with many AUTO followers they would otherwise wait.
    expect(w.alerts[0]?.lane).toBe('notice');
    expect(w.metrics.map(([n]) => n)).toEqual(expect.arrayContaining(['SignalToAcceptedMs', 'CopyExecuted']));
  });

  it('tells the user of a fill whose notice could not be queued on the next drive, once', async () => {
    // Prepare: the alerts queue refuses the first publish (SQS down right after the fill).
    const w = world();
    trackPositions(w);
    const publish = w.deps.alerts.publish;
    let refused = 0;
    (w.deps as { alerts: typeof w.deps.alerts }).alerts = {
      publish: async (a) => {
        if (refused++ === 0) throw new Error('connect ECONNREFUSED');
        await publish(a);
      },
    };
    // Act: the copier gives up on the stream; the reconciler's rounds find the untold fill.
    await copySignal(openJob, w.deps).catch(() => undefined);
    const filled = intentOf(w, open.id);
    const listed = await w.intents.unsettled();
    await reconcile(w.deps);
    await reconcile(w.deps);
    // Assess: EXECUTED, not marked told by the failed publish, on the work list, then told once.
    expect(filled).toMatchObject({ state: 'EXECUTED' });
    expect(filled?.notifiedAt).toBeUndefined();
    expect(listed.map((i) => i.intentId)).toEqual([filled?.intentId]);
    expect(w.alerts.map((a) => a.html)).toEqual([expect.stringContaining('Copy filled: opened')]);
    expect(intentOf(w, open.id)?.notifiedAt).toBeDefined();
    expect(await w.intents.unsettled()).toEqual([]);
  });

  it('makes one intent and one submission of the same job delivered three times', async () => {
    const w = world();
    await Promise.all([copySignal(openJob, w.deps), copySignal(openJob, w.deps)]);
    await copySignal(openJob, w.deps);
    expect(w.market.submissions).toHaveLength(1);
    expect(w.intents.items.size).toBe(1);
    expect(w.alerts).toHaveLength(1);
  });

  it('signs nothing during an emergency stop, for a wallet not delegated to the user key, or after autocopy-off', async () => {
    for (const change of [
      (w: World) => (w.mode = { mode: 'LIVE', emergencyStop: true }),
      (w: World) => (w.delegated = false),
      (w: World) => (w.followMode = 'ALERTS'),
    ]) {
      const w = world();
      change(w);
      await copySignal(openJob, w.deps);
      expect(w.market.submissions).toHaveLength(0);
      expect(w.intents.items.size).toBe(0);
    }
  });

  it('signs and claims nothing when the stop comes while the open is read and decided', async () => {
    // Prepare: the first mode read (with the job's first reads) is LIVE; the stop is set after it.
    const w = world();
    let reads = 0;
    const signatures: string[] = [];
    const deps = {
      ...w.deps,
      mode: {
        read: async () => {
          reads += 1;
          return { mode: 'LIVE' as const, emergencyStop: reads > 1, switchValue: 'LIVE' };
        },
      },
      keys: {
        ...w.deps.keys,
        signDigest: async (userId: string, digest: string) => {
          signatures.push(digest);
          return w.deps.keys.signDigest(userId, digest);
        },
      },
    };
    // Act
    const outcome = await copySignal(openJob, deps);
    // Assess
    expect(outcome).toEqual({ status: 'DONE', reason: 'EMERGENCY_STOP' });
    expect(reads).toBe(2);
    expect(signatures).toHaveLength(0);
    expect(w.market.submissions).toHaveLength(0);
    expect(w.intents.items.size).toBe(0);
    expect(w.intents.mirrors.size).toBe(0);
  });

  it('claims an open with its signed bytes and its mirror; a redelivery signs and writes nothing again', async () => {
    // Prepare: the same job's intent was claimed (signed, mirrored) by an earlier delivery.
    const w = world();
    trackPositions(w);
    await copySignal(openJob, w.deps);
    const first = intentOf(w, open.id);
    const mirror = await w.intents.mirrorOf('42', TRADER, 1, 3);
    // Act: the job again, with the intent still there.
    const again = await copySignal(openJob, w.deps);
    // Assess
    expect(again).toEqual({ status: 'DONE', intent: 'DUPLICATE' });
    expect(first?.signed?.nonce).toMatch(/^\d+$/);
    expect(first?.attempts).toBe(1);
    expect(intentOf(w, open.id)?.signed?.nonce).toBe(first?.signed?.nonce);
    expect(await w.intents.mirrorOf('42', TRADER, 1, 3)).toEqual(mirror);
    expect(w.market.submissions).toHaveLength(1);
  });

  it('simulates in DRY: a SIMULATED intent and a simulated mirror, nothing signed', async () => {
    const w = world();
    w.mode = { mode: 'DRY', emergencyStop: false };
    expect(await copySignal(openJob, w.deps)).toMatchObject({ intent: 'SIMULATED' });
    expect(w.market.submissions).toHaveLength(0);
    expect(await w.intents.mirrorOf('42', TRADER, 1, 3)).toMatchObject({ simulated: true });
  });

  it('counts copies in flight against the capital ceiling', async () => {
    const w = world();
    w.market.fault = 'DROP'; // the first copy stays ACCEPTED: in flight
    await copySignal(openJob, w.deps);
    const profile = w.deps.users.profile;
    (w.deps as { users: World['deps']['users'] }).users = {
      profile: async (id) => {
        const p = await profile(id);
        return p && { ...p, risk: { ...p.risk, capitalCeilingUsdc: 150n * USDC } };
      },
    };
    const second = { ...openJob, signal: { ...open, id: '0xopen:2', tradeIndex: 4 } };
    await copySignal(second, w.deps);
    const signed = intentOf(w, '0xopen:2')?.signed;
    expect(signed?.collateralUsdc).toBe(String(50n * USDC)); // 150 ceiling - 100 in flight
  });

  it('records a cancellation as CANCELED and tells the user why and the fee kept', async () => {
    const w = world();
    w.market.fault = 'CANCEL';
    await copySignal(openJob, w.deps);
    expect(intentOf(w, open.id)).toMatchObject({ state: 'CANCELED', reason: 'MARKET_CANCELED' });
    expect(w.alerts[0]?.html).toMatch(/Copy cancelled.*opening fee \(about \$0\.45\)/s);
    expect(await w.intents.mirrorOf('42', TRADER, 1, 3)).toBeUndefined();
  });

  it('tells the fee Avantis really kept, read from the cancel transaction’s refund', async () => {
    // Prepare: $100 collateral, $99.31 sent back in the cancel transaction.
    const w = world();
    w.market.fault = 'CANCEL';
    const asked: [string, string][] = [];
    const deps = {
      ...w.deps,
      refundIn: async (tx: string, wallet: string) => {
        asked.push([tx, wallet]);
        return 99_310_000n;
      },
    };
    // Act
    await copySignal(openJob, deps);
    // Assess
    expect(asked).toHaveLength(1);
    expect(asked[0]?.[1]).toBe(WALLET);
    expect(w.alerts[0]?.html).toMatch(/opening fee \(about \$0\.69\)/);
  });

  it('fails a rejected intent once with the reason and what to do', async () => {
    const w = world();
    w.market.fault = { reject: 'NotDelegate' };
    await copySignal(openJob, w.deps);
    expect(intentOf(w, open.id)).toMatchObject({ state: 'FAILED', reason: 'REJECTED', code: 'NotDelegate' });
    expect(w.alerts.map((a) => a.html)).toEqual([expect.stringContaining('send /wallet')]);
  });
});

describe('Function: driveIntent / reconcile', () => {
  it('replays a stream that timed out by its trackingId, without posting again', async () => {
    const w = world();
    w.market.fault = 'TIMEOUT';
    await copySignal(openJob, w.deps);
    expect(intentOf(w, open.id)?.state).toBe('INITIATED');
    expect(w.alerts).toHaveLength(0);
    await reconcile(w.deps);
    expect(intentOf(w, open.id)).toMatchObject({ state: 'EXECUTED' });
    expect(w.market.submissions).toHaveLength(1);
    await reconcile(w.deps);
    expect(w.alerts).toHaveLength(1);
  });

  it('finds a crash after submission by the used nonce and the wallet position, and never resends it', async () => {
    const w = world();
    trackPositions(w);
    w.market.fault = 'CRASH_AFTER';
    await copySignal(openJob, w.deps);
    expect(intentOf(w, open.id)?.state).toBe('CREATED');
    w.clock.now += 20_000;
    await reconcile(w.deps);
    expect(w.market.submissions).toHaveLength(1);
    expect(intentOf(w, open.id)).toMatchObject({
      state: 'EXECUTED',
      reason: 'RECONCILED_FILLED',
      fill: { index: 0 },
    });
    expect(w.alerts).toHaveLength(1);
  });

  it('retries a service outage with the same signed bytes after a grace, then follows it', async () => {
    const w = world();
    w.market.fault = 'OUTAGE';
    await copySignal(openJob, w.deps);
    const first = w.market.submissions[0];
    await reconcile(w.deps); // within the grace: not yet
    expect(w.market.submissions).toHaveLength(1);
    w.clock.now += 11_000;
    await reconcile(w.deps);
    expect(w.market.submissions).toHaveLength(2);
    expect(w.market.submissions[1]).toMatchObject({
      userIntent: first?.userIntent,
      signature: first?.signature,
    });
    expect(intentOf(w, open.id)?.state).toBe('EXECUTED');
  });

  it('fails an intent that never reached the chain once its deadline has passed', async () => {
    const w = world();
    w.market.fault = 'OUTAGE';
    await copySignal(openJob, w.deps);
    w.clock.now += 130_000;
    const intent = intentOf(w, open.id);
    expect(intent && (await driveIntent(intent, w.deps)).state).toBe('FAILED');
    expect(intentOf(w, open.id)?.reason).toBe('EXPIRED');
    expect(w.alerts[0]?.html).toContain('Nothing was traded');
  });

  it('raises IntentsStuck for an intent in flight past the bound', async () => {
    const w = world();
    w.market.fault = 'DROP';
    await copySignal(openJob, w.deps);
    w.market.tracked.set('trk-1', []);
    w.clock.now += 200_000;
    expect((await reconcile(w.deps)).stuck).toBe(1);
    expect(w.metrics).toContainEqual(['IntentsStuck', 1]);
  });
});

describe('Function: copySignal (closes)', () => {
  it('closes the trader’s exact fractions of the follower’s own position, read fresh each time', async () => {
    const w = world();
    trackPositions(w);
    await copySignal(openJob, w.deps);
    // The trader closes half, then all of the rest.
    await copySignal(closeJob(closeOf('0xc:1', 500n * USDC, 1_000n * USDC)), w.deps);
    await copySignal(closeJob(closeOf('0xc:2', 500n * USDC, 500n * USDC)), w.deps);
    const amounts = w.market.submissions
      .slice(1)
      .map((s) => decodeIntent('CloseTradeReq', s.userIntent) as { _amount: bigint; _openTimestamp: bigint });
    expect(amounts.map((a) => a._amount)).toEqual([50n * USDC, 50n * USDC]);
    // Each bound to the open timestamp read right before signing (the partial close refreshed it).
    const opened = BigInt(Math.floor(w.clock.now / 1000));
    expect(amounts.map((a) => a._openTimestamp)).toEqual([opened, opened + 1n]);
    expect(await w.intents.mirrorOf('42', TRADER, 1, 3)).toBeUndefined();
    expect(w.alerts).toHaveLength(3);
  });

  it('tells of a close whose position was already gone, and counts it as no failure', async () => {
    // Prepare: the copy's own SL closes it on chain while the trader's SL close is being copied,
    // so the relayer's close reverts NoTrade; a second close finds no position before signing.
    const w = world();
    trackPositions(w);
    await copySignal(openJob, w.deps);
    w.market.fault = { streamError: 'NoTrade' };
    // Act
    const raced = await copySignal(closeJob(closeOf('0xc:1', 500n * USDC, 1_000n * USDC)), w.deps);
    w.positions = [];
    const gone = await copySignal(closeJob(closeOf('0xc:2', 500n * USDC, 500n * USDC)), w.deps);
    // Assess
    expect([raced, gone]).toMatchObject([{ intent: 'FAILED' }, { intent: 'FAILED', reason: 'NO_POSITION' }]);
    expect(intentOf(w, '0xc:1')).toMatchObject({ state: 'FAILED', reason: 'NO_POSITION', code: 'NoTrade' });
    expect(w.metrics.map(([n]) => n)).not.toContain('CopyFailed');
    expect(w.alerts.slice(1).map((a) => a.html)).toEqual([
      expect.stringContaining('your copied position was already closed'),
      expect.stringContaining('your copied position was already closed'),
    ]);
  });

  it('makes a close that arrives before the open filled wait, then closes once it has', async () => {
    const w = world();
    trackPositions(w);
    w.market.fault = 'DROP';
    await copySignal(openJob, w.deps);
    w.market.tracked.set('trk-1', []); // not filled yet
    const close = closeJob(closeOf('0xc:1', 1n, 1n));
    expect(await copySignal(close, w.deps)).toMatchObject({ status: 'WAIT' });
    expect(w.market.submissions).toHaveLength(1);
    // The fill happens; the next try replays the open, then closes.
    w.market.tracked.set('trk-1', [
      { seq: 1, event: { type: 'MarketOrderInitiated', orderId: '7', transactionHash: '0x01' } },
      {
        seq: 2,
        event: {
          type: 'MarketOrderExecuted',
          orderId: '7',
          price: String(30_000n * P),
          positionSizeUSDC: String(100n * USDC),
          usdcSentToTrader: '0',
          transactionHash: '0x02',
          t: {
            pairIndex: '1',
            index: '0',
            initialPosToken: String(100n * USDC),
            leverage: String(10n * P),
            openPrice: String(30_000n * P),
            timestamp: '1000',
          },
        },
      },
    ]);
    expect(await copySignal(close, w.deps)).toMatchObject({ status: 'DONE', intent: 'EXECUTED' });
    expect(w.market.submissions).toHaveLength(2);
  });

  it('still mirrors a close while the system is DRY or the follow is off: only new opens stop', async () => {
    const w = world();
    trackPositions(w);
    await copySignal(openJob, w.deps);
    w.mode = { mode: 'DRY', emergencyStop: false };
    w.followMode = undefined;
    await copySignal(closeJob(closeOf('0xc:1', 1n, 1n)), w.deps);
    expect(intentOf(w, '0xc:1')).toMatchObject({ state: 'EXECUTED', mode: 'LIVE' });
  });

  it('signs no close during an emergency stop', async () => {
    const w = world();
    trackPositions(w);
    await copySignal(openJob, w.deps);
    w.mode = { mode: 'LIVE', emergencyStop: true };
    await copySignal(closeJob(closeOf('0xc:1', 1n, 1n)), w.deps);
    expect(w.market.submissions).toHaveLength(1);
  });

  it('sends nothing for a close where the user has no copy', async () => {
    const w = world();
    expect(await copySignal(closeJob(closeOf('0xc:1', 1n, 1n)), w.deps)).toMatchObject({ reason: 'NO_COPY' });
    expect(w.market.submissions).toHaveLength(0);
  });
});

describe('Function: emergencyNotices', () => {
  it('tells each user with open copies, once per stop, which positions stay open', async () => {
    const w = world();
    trackPositions(w);
    await copySignal(openJob, w.deps);
    const deps = { ...w.deps, emergencySince: async () => '2026-12-01T12:00:05.000Z' };
    expect(await emergencyNotices(deps)).toBe(1);
    expect(await emergencyNotices(deps)).toBe(0);
    const notice = w.alerts.at(-1);
    expect(notice).toMatchObject({ userId: '42', id: 'emergency:2026-12-01T12:00:05.000Z:42' });
    expect(notice?.html).toMatch(/stay open[\s\S]*LONG BTC\/USD \(trade #0\)[\s\S]*Close/);
  });
});

describe('Function: copySignal (ways to copy)', () => {
  it('opens the other side on a reverse copy, without the trader’s TP/SL', async () => {
    // Prepare
    const w = world();
    trackPositions(w);
    const job: CopyJob = {
      ...openJob,
      follower: { ...follower, direction: 'REVERSE' },
      decision: {
        ...openDecision,
        order: { ...(openDecision.order as object), buy: false } as Decision['order'],
      },
    };
    // Act
    await copySignal(job, w.deps);
    // Assess
    const msg = decodeIntent('OpenTradeReq', w.market.submissions[0]?.userIntent ?? '0x') as {
      _t: { buy: boolean; tp: bigint; sl: bigint };
    };
    expect([msg._t.buy, msg._t.tp, msg._t.sl]).toEqual([false, 0n, 0n]);
  });

  it('places the follower’s own stop-loss when it is tighter than the trader’s', async () => {
    // Prepare: 50% of the $100 collateral at 10x is a 5% move: 30,000 -> 28,500 (trader's SL 27,000).
    const w = world();
    trackPositions(w);
    const job: CopyJob = { ...openJob, follower: { ...follower, stopLoss: { kind: 'PCT', bps: 5_000 } } };
    // Act
    await copySignal(job, w.deps);
    // Assess
    const msg = decodeIntent('OpenTradeReq', w.market.submissions[0]?.userIntent ?? '0x') as {
      _t: { tp: bigint; sl: bigint };
    };
    expect([msg._t.tp, msg._t.sl]).toEqual([33_000n * P, 28_500n * P]);
  });

  it('copies but tells nothing to a user whose notifications are SILENT', async () => {
    // Prepare
    const w = world();
    trackPositions(w);
    w.followNotifications = 'SILENT';
    // Act
    const outcome = await copySignal(openJob, w.deps);
    // Assess
    expect(outcome).toEqual({ status: 'DONE', intent: 'EXECUTED' });
    expect(w.alerts).toEqual([]);
  });
});
