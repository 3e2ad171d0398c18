// The follower's side of a signal: one alert (deduplicated for five minutes), and for a COPY one
// intent claimed exactly once. The kill switches are read fresh right before anything would be
// signed; in DRY, or with no executor, the copy is SIMULATED and the user is told so, tagged (DRY).
import type { CopyExecutor } from '../adapters/chain/executor.js';
import type { ModeReading } from '../adapters/mode-source.js';
import { alertText } from '../domain/alerts.js';
import { pairLimits } from '../domain/avantis/pairs.js';
import { decide, type CanaryCaps, type CopyOrder, type Decision } from '../domain/decision.js';
import { positionKey } from '../domain/positions.js';
import type {
  AppLog,
  CopyIntent,
  FanoutMessage,
  FollowStore,
  IntentStore,
  PositionStore,
  ProfileStore,
  UserStore,
} from '../ports.js';

export interface FollowDeps {
  readonly intents: IntentStore;
  /** Sends an alert at most once per (signal, user) within the dedupe window. */
  readonly alertOnce: (alert: Alert) => Promise<'SENT' | 'DUPLICATE'>;
  readonly mode: { read(options?: { fresh?: boolean }): Promise<ModeReading> };
  readonly users: Pick<UserStore, 'markInactive'> & Pick<ProfileStore, 'profile'>;
  readonly follows: Pick<FollowStore, 'get'>;
  /** The wallet's USDC, for sizing by equity; undefined when it cannot be read. */
  readonly equityOf: (wallet: string) => Promise<bigint | undefined>;
  /** Today's realized loss (positive = loss) and the collateral in open positions of the wallet, USDC 1e6. */
  readonly exposureOf: (wallet: string) => Promise<{ lossTodayUsdc: bigint; openCollateralUsdc: bigint }>;
  readonly canary: CanaryCaps;
  /** Undefined until LIVE execution is configured: every copy is then simulated. */
  readonly executor?: Pick<CopyExecutor, 'openCalldata' | 'closeCalldata' | 'simulate' | 'send'>;
  readonly positions: Pick<PositionStore, 'getMany'>;
  readonly now: () => Date;
  readonly log: AppLog;
}

export interface Alert {
  readonly signalId: string;
  readonly userId: string;
  readonly chatId: string;
  readonly html: string;
}

export interface FollowOutcome {
  readonly alerted: boolean;
  readonly intent?: CopyIntent['state'] | 'DUPLICATE';
}

/**
 * An open is decided again here, right before execution, with the numbers routing did not read
 * for every follower: the wallet's USDC (equity sizing, capital floor), today's realized loss of the
 * wallet (the daily circuit breaker) and the collateral already in its open positions (the ceiling).
 */
async function finalDecision(
  message: FanoutMessage,
  deps: FollowDeps,
  reading: ModeReading,
): Promise<Decision> {
  if (message.decision.order?.kind !== 'OPEN' && message.decision.reason !== 'NEEDS_EQUITY')
    return message.decision;
  const profile = await deps.users.profile(message.userId);
  const wallet = profile?.wallet;
  const [equity, exposure] = wallet
    ? await Promise.all([deps.equityOf(wallet), deps.exposureOf(wallet)])
    : [undefined, undefined];
  if (!profile || !wallet || !exposure) {
    return { action: 'ALERT', reason: 'NO_WALLET', adjustments: [], notify: message.follower.notify };
  }
  if (equity === undefined && message.decision.reason === 'NEEDS_EQUITY') {
    return { action: 'ALERT', reason: 'NO_WALLET', adjustments: [], notify: message.follower.notify };
  }
  return decide(message.signal, message.follower, {
    mode: reading.mode,
    emergencyStop: reading.emergencyStop,
    risk: profile.risk,
    lossTodayUsdc: exposure.lossTodayUsdc,
    openCopiedUsdc: exposure.openCollateralUsdc,
    wallet,
    equityUsdc: equity,
    pair: pairLimits(message.signal.pairIndex),
    canary: deps.canary,
  });
}

export async function followSignal(message: FanoutMessage, deps: FollowDeps): Promise<FollowOutcome> {
  const { signal, userId, chatId } = message;
  let decision = message.decision;
  let intent: FollowOutcome['intent'];
  // One fresh read of the switches for a copy: used to decide again and, right after, to sign or not.
  const fresh = decision.action === 'COPY' ? await deps.mode.read({ fresh: true }) : undefined;
  let mode = (fresh ?? (await deps.mode.read())).mode;
  if (fresh) {
    decision = await finalDecision(message, deps, fresh);
    deps.log.info('decision before execution', {
      reason: decision.reason,
      action: decision.action,
      signalId: signal.id,
      userId,
    });
  }

  if (decision.action === 'COPY' && decision.order) {
    // Right before anything could be signed: the kill switches, read fresh. An emergency stop or
    // /autocopy_off_all issued after routing still stops this copy.
    const reading = fresh as ModeReading;
    const follow = await deps.follows.get(userId, signal.trader);
    if (reading.emergencyStop || follow?.mode !== 'AUTO') {
      const reason = reading.emergencyStop ? 'EMERGENCY_STOP' : 'AUTOCOPY_OFF';
      deps.log.info('copy stopped before signing', { reason, signalId: signal.id, userId });
      decision = { action: 'ALERT', reason, adjustments: [], notify: message.follower.notify };
    } else {
      const live = reading.mode === 'LIVE' && deps.executor !== undefined;
      const profile = live ? await deps.users.profile(userId) : undefined;
      const claimed = await deps.intents.claim({
        intentId: `${signal.id}:${userId}`,
        signalId: signal.id,
        userId,
        chatId,
        trader: signal.trader,
        traderSlot: { pairIndex: signal.pairIndex, tradeIndex: signal.tradeIndex },
        ...(profile?.wallet ? { wallet: profile.wallet } : {}),
        state: live ? 'CREATED' : 'SIMULATED',
        mode: live ? 'LIVE' : 'DRY',
        order: decision.order,
        reason: live ? decision.reason : reading.mode === 'DRY' ? 'MODE_DRY' : 'NO_EXECUTOR',
        createdAt: deps.now().toISOString(),
      });
      intent = claimed ? (live ? 'CREATED' : 'SIMULATED') : 'DUPLICATE';
      // Without an executor even a LIVE switch only simulates: the user is told (DRY).
      if (!live) mode = 'DRY';
      deps.log.info('copy intent', {
        reason: claimed ? `INTENT_${intent}` : 'DUPLICATE',
        signalId: signal.id,
        userId,
        live,
      });
      if (claimed && live && deps.executor && profile?.wallet) {
        const result = await execute(
          `${signal.id}:${userId}`,
          decision.order,
          profile.wallet,
          message,
          deps,
          deps.executor,
        );
        intent = result.state;
        if (result.failure)
          decision = { ...decision, action: 'ALERT', reason: 'COPY_FAILED', failure: result.failure };
      }
    }
  }

  if (!decision.notify) return { alerted: false, ...(intent ? { intent } : {}) };
  const sent = await deps.alertOnce({
    signalId: signal.id,
    userId,
    chatId,
    html: alertText(signal, decision, mode),
  });
  const alerted = sent === 'SENT';
  deps.log.info('alert', { reason: alerted ? 'ALERT_SENT' : 'DUPLICATE', signalId: signal.id, userId });
  return { alerted, ...(intent ? { intent } : {}) };
}

/**
 * Sends one claimed LIVE copy: sizes a close from the mirrored position, simulates the call (a
 * revert costs nothing there), then signs and broadcasts; the indexer marks it MINED when it sees
 * the follower's fill. A failure is recorded on the intent and told to the user.
 */
async function execute(
  intentId: string,
  order: CopyOrder,
  wallet: string,
  message: FanoutMessage,
  deps: FollowDeps,
  executor: NonNullable<FollowDeps['executor']>,
): Promise<{ state: 'SENT' | 'FAILED'; failure?: string }> {
  const { signal, userId } = message;
  let data: string;
  if (order.kind === 'OPEN') {
    data = executor.openCalldata({
      user: wallet,
      pairIndex: order.pairIndex,
      buy: order.buy,
      leverage: BigInt(order.leverage),
      collateralUsdc: BigInt(order.collateralUsdc),
      wantedPrice: BigInt(signal.price),
    });
  } else {
    const mirror = await deps.intents.mirrorOf({
      userId,
      trader: signal.trader,
      pairIndex: signal.pairIndex,
      tradeIndex: signal.tradeIndex,
    });
    const key = mirror && `${mirror.wallet}|${positionKey(mirror.pairIndex, mirror.index)}`;
    const position = key
      ? (
          await deps.positions.getMany([
            {
              trader: (mirror as { wallet: string }).wallet,
              positionKey: positionKey(
                (mirror as { pairIndex: number }).pairIndex,
                (mirror as { index: number }).index,
              ),
            },
          ])
        ).get(key)
      : undefined;
    if (!mirror || !position) {
      await deps.intents.markFailed(intentId, 'NO_MIRRORED_POSITION');
      return { state: 'FAILED', failure: 'no copied position to close' };
    }
    const closed = BigInt(order.fraction.closed);
    const of = BigInt(order.fraction.of);
    const amount = closed >= of ? position.collateral : (position.collateral * closed) / of;
    data = executor.closeCalldata({
      user: mirror.wallet,
      pairIndex: mirror.pairIndex,
      index: mirror.index,
      amountUsdc: amount,
    });
  }
  const revert = await executor.simulate(data);
  if (revert) {
    await deps.intents.markFailed(intentId, revert);
    deps.log.warn('copy would revert', { reason: 'COPY_REVERTED', intentId, revert });
    return { state: 'FAILED', failure: revert };
  }
  const sent = await executor.send(data);
  await deps.intents.markSent(intentId, sent);
  deps.log.info('copy sent', { reason: 'INTENT_SENT', intentId, txHash: sent.txHash, nonce: sent.nonce });
  return { state: 'SENT' };
}
