// One follower's copy of one signal, as a v2 intent signed by the user's own delegate key: decided
// again with fresh numbers (switches, delegation, positions, copies in flight, price), claimed once
// per `signalId:userId`, signed with a nonce that is stored with the signed bytes BEFORE the POST,
// submitted to the batched-market service and followed over its stream to a terminal state. What
// a stream does not finish (a timeout, a drop, an outage, a crash) the reconciler finishes with
// `driveIntent`, which this file also exports: both paths share one set of rules.
import type { ModeReading } from '../ports/operator.js';
import { encodeIntent, intentDigest, type TradingDomain } from '../domain/avantis/intents.js';
import {
  EIP712_OF,
  RESUBMIT_GRACE_MS,
  STUCK_AFTER_MS,
  UNTRACKED_FILL_WAIT_MS,
  isTerminal,
  outcomeNoticeDue,
  updateFor,
  type IntentReason,
  type IntentUpdate,
} from '../domain/copy/intent.js';
import {
  canceledText,
  emergencyText,
  failedText,
  filledText,
  type NoticeIntent,
} from '../domain/copy/notices.js';
import {
  INTENT_DEADLINE_MS,
  closeTradeReq,
  increasePositionSizeReq,
  openTradeReq,
  scaledAdd,
  stopLossPrice,
  type BuiltIntent,
  type OwnPosition,
} from '../domain/copy/orders.js';
import { decide, type CanaryCaps, type Decision, type PairLimits } from '../domain/decision.js';
import { notifyLevelOf } from '../domain/follows.js';
import type { AppLog } from '../ports/runtime.js';
import type { FollowStore, ProfileStore } from '../ports/stores.js';
import {
  IntentRejectedError,
  ServiceUnavailableError,
  type AlertQueue,
  type BatchedMarket,
  type CopyIntent,
  type CopyJob,
  type DelegateKeys,
  type DelegationRead,
  type IntentStore,
  type Mirror,
  type PositionsRead,
  type PriceRead,
  type SignedIntent,
} from '../ports/copy.js';
import { feeAtRate } from '../domain/copy/fees.js';

/** A pair as copies need it: the catalog's limits, whether it is an Upside (PnL) pair, its opening fee. */
export interface CopyPair extends PairLimits {
  readonly pnl: boolean;
  /** Opening fee, percent of the notional × 1e10 (0.045% = 450_000_000), as the catalog holds it. */
  readonly openFeeP: bigint;
}

export type MetricName =
  | 'CopyExecuted'
  | 'CopyCanceled'
  | 'CopyFailed'
  | 'IntentsStuck'
  | 'SignalToAcceptedMs'
  | 'SignalToExecutedMs';

export interface CopyDeps {
  readonly intents: IntentStore;
  readonly market: BatchedMarket;
  readonly positions: PositionsRead;
  readonly prices: PriceRead;
  readonly delegations: DelegationRead;
  readonly keys: DelegateKeys;
  readonly alerts: AlertQueue;
  readonly mode: { read(options?: { fresh?: boolean }): Promise<ModeReading> };
  readonly users: Pick<ProfileStore, 'profile'>;
  readonly follows: Pick<FollowStore, 'get'>;
  /** The wallet's realized loss today (positive = loss), USDC 1e6. */
  readonly realizedLossToday: (wallet: string) => Promise<bigint>;
  /** The wallet's USDC; undefined when it cannot be read. */
  readonly equityOf: (wallet: string) => Promise<bigint | undefined>;
  readonly pair: (pairIndex: number) => CopyPair | undefined;
  readonly canary: CanaryCaps;
  readonly domain: () => TradingDomain;
  readonly slippageP: bigint;
  readonly nonce: () => bigint;
  readonly now: () => Date;
  readonly metric: (name: MetricName, value: number) => void;
  readonly log: AppLog;
  /** When the emergency stop in force was set; undefined while none is (the reconciler reads it). */
  readonly emergencySince?: () => Promise<string | undefined>;
  /** USDC the wallet received in a transaction (a cancel's refund); undefined when unreadable. */
  readonly refundIn?: (txHash: string, wallet: string) => Promise<bigint | undefined>;
}

export type CopyOutcome =
  | { readonly status: 'DONE'; readonly intent?: CopyIntent['state'] | 'DUPLICATE'; readonly reason?: string }
  /** A close whose open has not filled yet: put the job back for this long, in order. */
  | { readonly status: 'WAIT'; readonly retryAfterMs: number };

const PRECISION = 10_000_000_000n;
const WAIT_FOR_OPEN_MS = 1_000;

const intentIdOf = (job: CopyJob) => `${job.signal.id}:${job.userId}`;

function activeDelegation(d: { isEnabled: boolean; expiry: number }, chainTime: number): boolean {
  return d.isEnabled && d.expiry > chainTime;
}

/** Unrealized loss of open positions at current prices (positive = loss), USDC 1e6. */
async function unrealizedLoss(positions: readonly OwnPosition[], prices: PriceRead): Promise<bigint> {
  let pnl = 0n;
  await Promise.all(
    positions.map(async (p) => {
      if (p.openPrice === 0n) return;
      const price = await prices.priceOf(p.pairIndex);
      const move = p.buy ? price - p.openPrice : p.openPrice - price;
      pnl += (p.collateral * p.leverage * move) / (p.openPrice * PRECISION);
    }),
  );
  return pnl < 0n ? -pnl : 0n;
}

export async function copySignal(job: CopyJob, deps: CopyDeps): Promise<CopyOutcome> {
  const order = job.decision.order;
  const opening = order ? order.kind === 'OPEN' : job.decision.reason === 'NEEDS_EQUITY';
  // An open's first reads go out together with the mode read (one round trip, not two); they are
  // reads only, and nothing is signed before the mode says so.
  const first = opening ? openReads(job, deps) : undefined;
  first?.catch(() => undefined);
  const reading = await deps.mode.read({ fresh: true });
  const base = { signalId: job.signal.id, userId: job.userId };
  // The emergency stop halts every signature, opens and closes alike.
  if (reading.emergencyStop) {
    deps.log.info('copy stopped before signing', { reason: 'EMERGENCY_STOP', ...base });
    return { status: 'DONE', reason: 'EMERGENCY_STOP' };
  }
  if (!order && job.decision.reason !== 'NEEDS_EQUITY')
    return { status: 'DONE', reason: job.decision.reason };
  if (!first) return copyOnPosition(job, deps, reading);
  return copyOpen(job, deps, reading, first);
}

/** What an open reads before it knows the wallet: the follow, the user, and the copy's context. */
function openReads(job: CopyJob, deps: CopyDeps) {
  return Promise.all([
    deps.follows.get(job.userId, job.signal.trader),
    deps.users.profile(job.userId),
    deps.intents.get(intentIdOf(job)),
    deps.keys.addressOf(job.userId),
    deps.delegations.chainTime(),
    deps.intents.inFlightOf(job.userId),
    deps.prices.priceOf(job.signal.pairIndex),
  ]);
}

function claimBase(
  job: CopyJob,
  decision: Decision,
  deps: CopyDeps,
): Omit<CopyIntent, 'state' | 'reason' | 'mode' | 'kind'> {
  return {
    intentId: intentIdOf(job),
    signalId: job.signal.id,
    userId: job.userId,
    chatId: job.chatId,
    trader: job.signal.trader,
    slot: { pairIndex: job.signal.pairIndex, tradeIndex: job.signal.tradeIndex },
    order: decision.order ??
      job.decision.order ?? {
        kind: 'CLOSE',
        pairIndex: job.signal.pairIndex,
        fraction: { closed: '1', of: '1' },
      },
    createdAt: deps.now().toISOString(),
    signalTs: job.signal.ts,
    signalBlock: job.signal.block,
  };
}

async function copyOpen(
  job: CopyJob,
  deps: CopyDeps,
  reading: ModeReading,
  first: ReturnType<typeof openReads>,
): Promise<CopyOutcome> {
  const { signal, userId } = job;
  // Round trips are the copy's latency: a failed read fails the copy, nothing is signed.
  const [follow, profile, existing, delegate, chainTime, inFlight, price] = await first;
  if (follow?.mode !== 'AUTO' || !job.follower) {
    deps.log.info('copy stopped before signing', { reason: 'AUTOCOPY_OFF', signalId: signal.id, userId });
    return { status: 'DONE', reason: 'AUTOCOPY_OFF' };
  }
  const wallet = profile?.wallet;
  if (!profile || !wallet) return { status: 'DONE', reason: 'NO_WALLET' };
  const pair = deps.pair(signal.pairIndex);

  if (reading.mode === 'DRY') {
    const decision = decide(signal, job.follower, {
      mode: 'DRY',
      emergencyStop: false,
      risk: profile.risk,
      lossTodayUsdc: 0n,
      openCopiedUsdc: 0n,
      wallet,
      equityUsdc: undefined,
      pair,
      canary: deps.canary,
    });
    if (decision.action !== 'COPY' || !decision.order) return { status: 'DONE', reason: decision.reason };
    const claimed = await deps.intents.claim(
      {
        ...claimBase(job, decision, deps),
        kind: 'OPEN',
        wallet,
        state: 'SIMULATED',
        reason: 'MODE_DRY',
        mode: 'DRY',
      },
      mirrorOfOpen(job, wallet, true),
    );
    return { status: 'DONE', intent: claimed ? 'SIMULATED' : 'DUPLICATE' };
  }

  if (existing) {
    deps.log.info('copy intent exists', {
      reason: 'DUPLICATE',
      intentId: existing.intentId,
      state: existing.state,
    });
    await driveIntent(existing, deps);
    return { status: 'DONE', intent: 'DUPLICATE' };
  }

  // Fresh numbers of the wallet, in parallel: delegation, positions, loss, equity.
  const [delegation, positions, realized, equity] = await Promise.all([
    deps.delegations.delegation(wallet, delegate),
    deps.positions.positionsOf(wallet),
    deps.realizedLossToday(wallet),
    deps.equityOf(wallet),
  ]);
  if (!activeDelegation(delegation, chainTime)) {
    deps.log.info('wallet not delegated to the user key', {
      reason: 'NOT_DELEGATED',
      signalId: signal.id,
      userId,
    });
    return { status: 'DONE', reason: 'NOT_DELEGATED' };
  }
  const inFlightUsdc = inFlight
    .filter((i) => i.kind === 'OPEN' || i.kind === 'INCREASE')
    .reduce(
      (sum, i) =>
        sum + BigInt(i.signed?.collateralUsdc ?? (i.order.kind === 'OPEN' ? i.order.collateralUsdc : '0')),
      0n,
    );
  const openUsdc = positions.reduce((sum, p) => sum + p.collateral, 0n);
  const lossToday = realized + (await unrealizedLoss(positions, deps.prices));
  const decision = decide(signal, job.follower, {
    mode: 'LIVE',
    emergencyStop: false,
    risk: profile.risk,
    lossTodayUsdc: lossToday,
    openCopiedUsdc: openUsdc + inFlightUsdc,
    wallet,
    equityUsdc: equity,
    pair,
    canary: deps.canary,
  });
  deps.log.info('decision before signing', {
    reason: decision.reason,
    action: decision.action,
    signalId: signal.id,
    userId,
  });
  if (decision.action !== 'COPY' || decision.order?.kind !== 'OPEN') {
    if (decision.notify && decision.reason !== job.decision.reason && notifyLevelOf(follow) !== 'SILENT')
      await deps.alerts.publish([
        {
          id: `${intentIdOf(job)}:skip`,
          userId,
          chatId: job.chatId,
          html: `Not copied: ${skipWhy(decision.reason)}.`,
          lane: 'notice',
        },
      ]);
    return { status: 'DONE', reason: decision.reason };
  }

  // A stop set while the copy was read and decided must still prevent its signature: read again,
  // while the intent is built.
  const recheck = deps.mode.read({ fresh: true });
  recheck.catch(() => undefined);
  const o = decision.order;
  // A reverse copy takes the other side: the trader's TP/SL mean nothing for it; its own SL stays.
  const reversed = o.buy !== (signal.side === 'LONG');
  const stop = job.follower.stopLoss;
  const built = openTradeReq({
    wallet,
    pairIndex: o.pairIndex,
    buy: o.buy,
    leverage: BigInt(o.leverage),
    collateralUsdc: BigInt(o.collateralUsdc),
    referencePrice: price,
    trader: reversed
      ? { openPrice: BigInt(signal.price), tp: 0n, sl: 0n }
      : { openPrice: BigInt(signal.price), tp: BigInt(signal.tp ?? '0'), sl: BigInt(signal.sl ?? '0') },
    ...(stop
      ? {
          ownStopLoss: stopLossPrice(stop, {
            buy: o.buy,
            entry: price,
            collateralUsdc: BigInt(o.collateralUsdc),
            leverage: BigInt(o.leverage),
          }),
        }
      : {}),
    slippageP: deps.slippageP,
    pnl: pair?.pnl ?? false,
    deadlineMs: BigInt(deps.now().getTime()) + INTENT_DEADLINE_MS,
    nonce: deps.nonce(),
  });
  if ((await recheck).emergencyStop) {
    deps.log.info('copy stopped before signing', { reason: 'EMERGENCY_STOP', signalId: signal.id, userId });
    return { status: 'DONE', reason: 'EMERGENCY_STOP' };
  }
  const signed = await sign(
    'OPEN',
    built,
    { userId, collateralUsdc: o.collateralUsdc, leverage: o.leverage, buy: o.buy, pairIndex: o.pairIndex },
    deps,
  );
  // Claimed with its signed bytes and its mirror in one write: from here on only this nonce can
  // ever be submitted, and a close arriving before the fill finds the mirror and waits.
  const intent: CopyIntent = {
    ...claimBase(job, decision, deps),
    kind: 'OPEN',
    wallet,
    delegate,
    state: 'CREATED',
    reason: 'COPY_OK',
    mode: 'LIVE',
    signed,
    submittedAt: deps.now().toISOString(),
    attempts: 1,
  };
  if (!(await deps.intents.claim(intent, mirrorOfOpen(job, wallet, false))))
    return { status: 'DONE', intent: 'DUPLICATE' };
  return { status: 'DONE', intent: (await submitAndFollow(intent, deps)).state };
}

/** The mirror an open's claim writes, so the trader's later closes and adds find the copy. */
function mirrorOfOpen(job: CopyJob, wallet: string, simulated: boolean): Mirror {
  const { signal } = job;
  return {
    userId: job.userId,
    chatId: job.chatId,
    trader: signal.trader,
    pairIndex: signal.pairIndex,
    tradeIndex: signal.tradeIndex,
    wallet,
    openIntentId: intentIdOf(job),
    simulated,
    buy: signal.side === 'LONG',
  };
}

const SKIP_WHY: Partial<Record<string, string>> = {
  CIRCUIT_BREAKER: 'your daily loss limit is reached (realized and unrealized)',
  CAPITAL_CEILING: 'your capital ceiling is used up by open copies and copies in flight',
  CAPITAL_FLOOR: 'your wallet is at its capital floor',
  BELOW_MIN: "the copy would be below Avantis' minimum position for this pair",
  PAIR_NOT_LISTED: 'the pair does not take new positions on Avantis',
  LEVERAGE_BELOW_MIN: "the capped leverage is below the pair's minimum",
};
const skipWhy = (reason: string) => SKIP_WHY[reason] ?? reason.toLowerCase().replace(/_/g, ' ');

async function copyOnPosition(job: CopyJob, deps: CopyDeps, reading: ModeReading): Promise<CopyOutcome> {
  const { signal, userId } = job;
  const order = job.decision.order;
  if (!order || order.kind === 'OPEN') return { status: 'DONE' };
  const mirror = await deps.intents.mirrorOf(userId, signal.trader, signal.pairIndex, signal.tradeIndex);
  if (!mirror) return { status: 'DONE', reason: 'NO_COPY' };
  const open = await deps.intents.get(mirror.openIntentId);
  if (!open) return { status: 'DONE', reason: 'NO_COPY' };
  const full = order.kind === 'CLOSE' && BigInt(order.fraction.closed) >= BigInt(order.fraction.of);

  if (mirror.simulated || open.state === 'SIMULATED') {
    const claimed = await deps.intents.claim({
      ...claimBase(job, job.decision, deps),
      kind: order.kind,
      wallet: mirror.wallet,
      state: 'SIMULATED',
      reason: 'MODE_DRY',
      mode: 'DRY',
    });
    if (claimed && full) await deps.intents.deleteMirror(mirror);
    return { status: 'DONE', intent: claimed ? 'SIMULATED' : 'DUPLICATE' };
  }
  // A close that arrives before the copy's open has filled waits for it (in order, per user).
  if (!isTerminal(open.state)) {
    const now = await driveIntent(open, deps);
    if (!isTerminal(now.state)) return { status: 'WAIT', retryAfterMs: WAIT_FOR_OPEN_MS };
    return copyOnPosition(job, deps, reading);
  }
  if (open.state !== 'EXECUTED') {
    await deps.intents.deleteMirror(mirror);
    return { status: 'DONE', reason: 'NO_COPY' };
  }
  const existing = await deps.intents.get(intentIdOf(job));
  if (existing) {
    await driveIntent(existing, deps);
    return { status: 'DONE', intent: 'DUPLICATE' };
  }
  const claimed = await deps.intents.claim({
    ...claimBase(job, job.decision, deps),
    kind: order.kind,
    wallet: mirror.wallet,
    delegate: await deps.keys.addressOf(userId),
    state: 'CREATED',
    reason: 'COPY_OK',
    mode: 'LIVE',
  });
  if (!claimed) return { status: 'DONE', intent: 'DUPLICATE' };
  const id = intentIdOf(job);
  // The follower's own position, read right before signing: its collateral now (a partial close
  // before this one changed it) and its open timestamp (a close must carry it exactly).
  const [positions, price] = await Promise.all([
    deps.positions.positionsOf(mirror.wallet),
    deps.prices.priceOf(signal.pairIndex),
  ]);
  const index = mirror.index ?? open.fill?.index;
  const position = positions.find((p) => p.pairIndex === mirror.pairIndex && p.index === index);
  const subject = { userId, pairIndex: mirror.pairIndex, buy: mirror.buy };
  if (!position) {
    await settle(
      id,
      { state: 'FAILED', reason: 'NO_POSITION', code: 'NoTrade', message: 'no open position' },
      deps,
    );
    await deps.intents.deleteMirror(mirror);
    return { status: 'DONE', intent: 'FAILED', reason: 'NO_POSITION' };
  }
  const pair = deps.pair(signal.pairIndex);
  const deadlineMs = BigInt(deps.now().getTime()) + INTENT_DEADLINE_MS;
  if (order.kind === 'CLOSE') {
    const built = closeTradeReq({
      wallet: mirror.wallet,
      position,
      fraction: { closed: BigInt(order.fraction.closed), of: BigInt(order.fraction.of) },
      wantedPrice: price,
      pnl: pair?.pnl ?? false,
      deadlineMs,
      nonce: deps.nonce(),
    });
    if (!built) return { status: 'DONE', reason: 'NOTHING_TO_CLOSE' };
    return signAndSubmit(
      id,
      'CLOSE',
      built,
      {
        ...subject,
        leverage: position.leverage.toString(),
        collateralUsdc: built.message._amount.toString(),
        index: position.index,
      },
      deps,
    );
  }
  const added = scaledAdd(BigInt(order.added.collateralUsdc), position, BigInt(order.added.traderBeforeUsdc));
  if (added <= 0n) return { status: 'DONE', reason: 'NOTHING_TO_ADD' };
  const built = increasePositionSizeReq({
    wallet: mirror.wallet,
    position,
    addedCollateralUsdc: added,
    leverage: BigInt(order.leverage),
    referencePrice: price,
    slippageP: deps.slippageP,
    deadlineMs,
    nonce: deps.nonce(),
  });
  return signAndSubmit(
    id,
    'INCREASE',
    built,
    {
      ...subject,
      leverage: order.leverage,
      collateralUsdc: added.toString(),
      index: position.index,
    },
    deps,
  );
}

/** A close's or an add's claimed intent: signed after its fresh position read, stored, then posted. */
async function signAndSubmit(
  intentId: string,
  kind: 'CLOSE' | 'INCREASE',
  built: BuiltIntent<object>,
  subject: SignSubject,
  deps: CopyDeps,
): Promise<CopyOutcome> {
  // A fresh read after the claim: a stop set since the job began signs nothing.
  if ((await deps.mode.read({ fresh: true })).emergencyStop) {
    deps.log.info('copy stopped before signing', { reason: 'EMERGENCY_STOP', intentId });
    await settle(
      intentId,
      { state: 'FAILED', reason: 'STOPPED', code: 'EmergencyStop', message: 'emergency stop before signing' },
      deps,
    );
    return { status: 'DONE', intent: 'FAILED', reason: 'EMERGENCY_STOP' };
  }
  const signed = await sign(kind, built, subject, deps);
  // Stored before it is sent: from here on only these bytes (this nonce) can ever be submitted.
  const intent = await deps.intents.saveSigned(intentId, signed, deps.now());
  if (!intent) return { status: 'DONE', intent: 'DUPLICATE' };
  const after = await submitAndFollow(intent, deps);
  return { status: 'DONE', intent: after.state };
}

/** What the user's delegate key signed, as stored with the intent and posted. */
interface SignSubject {
  readonly userId: string;
  readonly collateralUsdc: string;
  readonly leverage: string;
  readonly buy: boolean;
  readonly pairIndex: number;
  readonly index?: number;
}

async function sign(
  kind: 'OPEN' | 'CLOSE' | 'INCREASE',
  built: BuiltIntent<object>,
  subject: SignSubject,
  deps: CopyDeps,
): Promise<SignedIntent> {
  const type = EIP712_OF[kind];
  const digest = intentDigest(type, deps.domain(), built.message);
  const { signature } = await deps.keys.signDigest(subject.userId, digest);
  const msg = built.message as { _nonce?: bigint; _deadline?: bigint };
  return {
    orderType: built.orderType,
    userIntent: encodeIntent(type, built.message),
    signature,
    digest,
    nonce: String(msg._nonce ?? 0n),
    deadlineMs: String(msg._deadline ?? 0n),
    collateralUsdc: subject.collateralUsdc,
    leverage: subject.leverage,
    buy: subject.buy,
    pairIndex: subject.pairIndex,
    ...(subject.index === undefined ? {} : { index: subject.index }),
  };
}

/** Posts the stored signed intent and follows its stream; every outcome short of terminal is left to the reconciler. */
async function submitAndFollow(intent: CopyIntent, deps: CopyDeps): Promise<CopyIntent> {
  const signed = intent.signed;
  if (!signed) return intent;
  let current = intent;
  try {
    for await (const event of deps.market.submit(signed.orderType, signed.userIntent, signed.signature)) {
      const update = updateFor(event, signed.collateralUsdc);
      if (!update) {
        if (event.type === 'AttemptFailed' || event.type === 'Error')
          deps.log.info('service event', {
            reason: event.type === 'Error' ? event.code : 'ATTEMPT_FAILED',
            intentId: intent.intentId,
          });
        continue;
      }
      current = await record(current, update, deps);
      if (isTerminal(current.state)) break;
    }
  } catch (err) {
    if (err instanceof IntentRejectedError) {
      // A used nonce on our own stored intent means an earlier POST got through: follow that, do not fail.
      if (err.code === 'InvalidNonce') {
        deps.log.warn('nonce already used: an earlier submission went through', {
          reason: 'NONCE_USED',
          intentId: intent.intentId,
        });
        return current;
      }
      return record(
        current,
        { state: 'FAILED', reason: 'REJECTED', code: err.code, message: err.message },
        deps,
      );
    }
    if (err instanceof ServiceUnavailableError) {
      deps.log.warn('batched-market service unavailable; the reconciler retries', {
        reason: 'SERVICE_UNAVAILABLE',
        intentId: intent.intentId,
        error: err.message,
      });
      return current;
    }
    deps.log.warn('stream ended with an error; the reconciler replays it', {
      reason: 'STREAM_FAILED',
      intentId: intent.intentId,
      error: String(err),
    });
    return current;
  }
  if (!isTerminal(current.state))
    deps.log.info('stream ended before a terminal event; the reconciler replays it', {
      reason: 'STREAM_ENDED',
      intentId: intent.intentId,
      state: current.state,
    });
  return current;
}

/** Applies one update and, on a terminal one, settles it (mirror, metrics, the user's message once). */
async function record(intent: CopyIntent, update: IntentUpdate, deps: CopyDeps): Promise<CopyIntent> {
  const at = deps.now();
  const next = await deps.intents.apply(intent.intentId, update, at);
  if (!next) return (await deps.intents.get(intent.intentId)) ?? intent;
  if (update.state === 'ACCEPTED' && intent.signalTs)
    deps.metric('SignalToAcceptedMs', at.getTime() - intent.signalTs * 1000);
  deps.log.info('intent moved', {
    reason:
      update.state === 'EXECUTED' || update.state === 'CANCELED' || update.state === 'FAILED'
        ? update.reason
        : update.state,
    intentId: intent.intentId,
    state: update.state,
  });
  if (isTerminal(next.state)) await afterTerminal(next, deps);
  return next;
}

async function settle(intentId: string, update: IntentUpdate, deps: CopyDeps): Promise<void> {
  const intent = await deps.intents.get(intentId);
  if (intent) await record(intent, update, deps);
}

async function afterTerminal(intent: CopyIntent, deps: CopyDeps): Promise<void> {
  const mirror = {
    userId: intent.userId,
    trader: intent.trader,
    pairIndex: intent.slot.pairIndex,
    tradeIndex: intent.slot.tradeIndex,
  };
  if (intent.kind === 'OPEN') {
    if (intent.state !== 'EXECUTED') await deps.intents.settleMirror(mirror, intent.intentId, undefined);
    else if (intent.fill?.index !== undefined)
      await deps.intents.settleMirror(mirror, intent.intentId, intent.fill.index);
  }
  if (intent.kind === 'CLOSE' && intent.state === 'EXECUTED' && intent.order.kind === 'CLOSE') {
    if (BigInt(intent.order.fraction.closed) >= BigInt(intent.order.fraction.of))
      await deps.intents.deleteMirror(mirror);
  }
  if (intent.state === 'EXECUTED') {
    deps.metric('CopyExecuted', 1);
    if (intent.signalTs) deps.metric('SignalToExecutedMs', deps.now().getTime() - intent.signalTs * 1000);
  }
  if (intent.state === 'CANCELED') deps.metric('CopyCanceled', 1);
  // A copy whose position was already gone (its own TP/SL, a liquidation) did not fail: it is
  // told to the user but kept out of the failure rate the copy-failure-rate alarm watches.
  if (intent.state === 'FAILED' && intent.reason !== 'NO_POSITION') deps.metric('CopyFailed', 1);
  await notifyOnce(intent, deps);
}

function noticeSubject(intent: CopyIntent): NoticeIntent {
  const s = intent.signed;
  const o = intent.order;
  return {
    kind: intent.kind,
    pairIndex: s?.pairIndex ?? o.pairIndex,
    buy: s?.buy ?? (o.kind === 'OPEN' ? o.buy : true),
    leverage: s?.leverage ?? (o.kind === 'OPEN' ? o.leverage : '0'),
    collateralUsdc: s?.collateralUsdc ?? (o.kind === 'OPEN' ? o.collateralUsdc : '0'),
  };
}

/**
 * What a cancelled open cost: its collateral minus what the cancel transaction sent back to the
 * wallet, read from that transaction's USDC transfers (the opening fee Avantis keeps is skew-
 * adjusted, 0.5 to 1.5 times the base rate, so a formula would be wrong by up to half). The base
 * rate's estimate only when the receipt cannot be read.
 */
async function keptFee(
  intent: CopyIntent,
  subject: NoticeIntent,
  deps: CopyDeps,
): Promise<bigint | undefined> {
  if (intent.kind !== 'OPEN') return undefined;
  const collateral = BigInt(subject.collateralUsdc);
  const refund =
    intent.txHash && intent.wallet && deps.refundIn
      ? await deps.refundIn(intent.txHash, intent.wallet)
      : undefined;
  if (refund !== undefined) return collateral > refund ? collateral - refund : 0n;
  const pair = deps.pair(subject.pairIndex);
  return pair ? feeAtRate(collateral, BigInt(subject.leverage), pair.openFeeP) : undefined;
}

/**
 * The user hears about every terminal state exactly once. The notice's id is the intent's id and
 * state, and the alerter sends an id once, so it is published first and only then marked sent:
 * a publish that fails (SQS down) leaves the intent unmarked and the next drive (the reconciler,
 * a redelivery) publishes it again, where marking first had lost it.
 */
async function notifyOnce(intent: CopyIntent, deps: CopyDeps): Promise<void> {
  if (!outcomeNoticeDue(intent) || intent.notifiedAt) return;
  const html = await noticeHtml(intent, deps);
  if (html !== undefined)
    await deps.alerts.publish([
      {
        id: `${intent.intentId}:${intent.state}`,
        userId: intent.userId,
        chatId: intent.chatId,
        html,
        lane: 'notice',
      },
    ]);
  await deps.intents.markNotified(intent.intentId, deps.now());
}

/** The notice of a terminal intent; undefined when the user asked for silence. */
async function noticeHtml(intent: CopyIntent, deps: CopyDeps): Promise<string | undefined> {
  // SILENT means nothing at all, copy results included (unfollowed: still told, it is their money).
  const follow = await deps.follows.get(intent.userId, intent.trader).catch(() => undefined);
  if (follow && notifyLevelOf(follow) === 'SILENT') return undefined;
  const subject = noticeSubject(intent);
  if (intent.state === 'EXECUTED' && intent.fill) {
    const html = filledText(subject, intent.fill, intent.reason as IntentReason);
    // A copy in flight when the stop came fills after the stop's notice went out: say it stays open.
    if (intent.kind === 'OPEN' && (await deps.emergencySince?.().catch(() => undefined)))
      return `${html}\n${emergencyText([{ pairIndex: subject.pairIndex, buy: subject.buy, index: intent.fill.index ?? 0 }])}`;
    return html;
  }
  if (intent.state === 'CANCELED')
    return canceledText(subject, intent.reason as IntentReason, await keptFee(intent, subject, deps));
  return failedText(subject, intent.reason as IntentReason, intent.code);
}

const backoffMs = (attempts: number) => Math.min(30_000, 1_000 * 2 ** Math.min(attempts, 5));

/**
 * Drives one intent as far as it can go now (the reconciler's step, and the copier's on a
 * redelivery): replay by trackingId; for a signed intent without one, the used nonce says whether
 * an earlier POST went through (then the wallet's positions say how it ended), otherwise the same
 * signed intent is posted again after a grace, with backoff, until its deadline.
 */
export async function driveIntent(intent: CopyIntent, deps: CopyDeps): Promise<CopyIntent> {
  if (isTerminal(intent.state)) {
    if (!intent.notifiedAt) await notifyOnce(intent, deps);
    return intent;
  }
  const now = deps.now().getTime();
  if (intent.trackingId) {
    const events = await deps.market.status(intent.trackingId, intent.lastSeq ?? 0).catch((err: unknown) => {
      deps.log.warn('replay failed', {
        reason: 'REPLAY_FAILED',
        intentId: intent.intentId,
        error: String(err),
      });
      return [];
    });
    let current = intent;
    for (const { seq, event } of events ?? []) {
      const update = updateFor(event, intent.signed?.collateralUsdc);
      if (update) current = await record(current, update, deps);
      await deps.intents.setLastSeq(intent.intentId, seq);
      if (isTerminal(current.state)) break;
    }
    if (events !== undefined || isTerminal(current.state)) return current;
    // An unknown tracking id (the service lost it): fall back to the chain, as after a crash.
  }
  const signed = intent.signed;
  if (!signed || !intent.delegate) {
    // Claimed but never signed (a crash in between): nothing can be on chain. Too old to sign now.
    if (now - Date.parse(intent.createdAt) > RESUBMIT_GRACE_MS)
      return record(
        intent,
        { state: 'FAILED', reason: 'EXPIRED', code: 'NotSigned', message: 'never signed' },
        deps,
      );
    return intent;
  }
  const used = await deps.delegations.nonceUsed(intent.delegate, BigInt(signed.nonce));
  if (used) return followUntracked(intent, signed, deps);
  const deadline = Number(signed.deadlineMs);
  if (now > deadline + 5_000)
    return record(
      intent,
      { state: 'FAILED', reason: 'EXPIRED', code: 'InvalidDeadline', message: 'deadline passed unsent' },
      deps,
    );
  const last = intent.submittedAt ? Date.parse(intent.submittedAt) : 0;
  if (now - last < Math.max(RESUBMIT_GRACE_MS, backoffMs(intent.attempts ?? 0))) return intent;
  await deps.intents.markSubmitted(intent.intentId, deps.now());
  deps.log.info('resubmitting the same signed intent', {
    reason: 'RESUBMIT',
    intentId: intent.intentId,
    attempts: intent.attempts ?? 0,
  });
  return submitAndFollow(intent, deps);
}

/** The nonce is used but there is no stream to follow: the wallet's own positions tell how it ended. */
async function followUntracked(
  intent: CopyIntent,
  signed: SignedIntent,
  deps: CopyDeps,
): Promise<CopyIntent> {
  const at = deps.now();
  if (!intent.nonceUsedAt) await deps.intents.setNonceUsedAt(intent.intentId, at);
  const since = intent.nonceUsedAt ? Date.parse(intent.nonceUsedAt) : at.getTime();
  const positions = intent.wallet ? await deps.positions.positionsOf(intent.wallet) : [];
  const createdS = BigInt(Math.floor(Date.parse(intent.createdAt) / 1000) - 5);
  if (intent.kind === 'OPEN') {
    const found = positions
      .filter((p) => p.pairIndex === signed.pairIndex && p.buy === signed.buy && p.timestamp >= createdS)
      .sort((a, b) => Number(b.timestamp - a.timestamp))[0];
    if (found)
      return record(
        intent,
        {
          state: 'EXECUTED',
          reason: 'RECONCILED_FILLED',
          fill: {
            price: found.openPrice.toString(),
            collateralUsdc: found.collateral.toString(),
            usdcSentToTrader: '0',
            index: found.index,
            openTimestamp: found.timestamp.toString(),
            leverage: found.leverage.toString(),
          },
        },
        deps,
      );
  } else {
    const p = positions.find((x) => x.pairIndex === signed.pairIndex && x.index === signed.index);
    const price = await deps.prices.priceOf(signed.pairIndex);
    if (intent.kind === 'CLOSE' && (!p || p.timestamp > createdS))
      return record(
        intent,
        {
          state: 'EXECUTED',
          reason: 'RECONCILED_FILLED',
          fill: { price: price.toString(), collateralUsdc: signed.collateralUsdc, usdcSentToTrader: '0' },
        },
        deps,
      );
    if (intent.kind === 'INCREASE' && p && p.timestamp > createdS)
      return record(
        intent,
        {
          state: 'EXECUTED',
          reason: 'RECONCILED_FILLED',
          fill: {
            price: p.openPrice.toString(),
            collateralUsdc: signed.collateralUsdc,
            usdcSentToTrader: '0',
            index: p.index,
            openTimestamp: p.timestamp.toString(),
          },
        },
        deps,
      );
  }
  if (at.getTime() - since > UNTRACKED_FILL_WAIT_MS)
    return record(intent, { state: 'CANCELED', reason: 'NOT_FILLED' }, deps);
  return intent;
}

/**
 * `/emergency stop`: once per stop, each user with open copies is told which positions stay open
 * and how to close them on Avantis (nothing more is signed until the stop is lifted).
 */
export async function emergencyNotices(deps: CopyDeps): Promise<number> {
  const since = await deps.emergencySince?.();
  if (!since) return 0;
  if (!(await deps.intents.markOnce(`emergency#${since}`, deps.now()))) return 0;
  const byUser = new Map<string, Mirror[]>();
  for (const m of await deps.intents.allMirrors()) {
    if (m.simulated || m.index === undefined) continue;
    byUser.set(m.userId, [...(byUser.get(m.userId) ?? []), m]);
  }
  await deps.alerts.publish(
    [...byUser.entries()].map(([userId, mirrors]) => ({
      id: `emergency:${since}:${userId}`,
      userId,
      chatId: (mirrors[0] as Mirror).chatId,
      html: emergencyText(mirrors.map((m) => ({ pairIndex: m.pairIndex, buy: m.buy, index: m.index ?? 0 }))),
    })),
  );
  deps.log.info('emergency stop: users told what stays open', {
    reason: 'EMERGENCY_NOTICES',
    users: byUser.size,
  });
  return byUser.size;
}

/** The reconciler's pass: every non-terminal intent driven once; the ones in flight too long counted. */
export async function reconcile(deps: CopyDeps): Promise<{ seen: number; settled: number; stuck: number }> {
  await emergencyNotices(deps);
  const open = await deps.intents.unsettled();
  let settled = 0;
  let stuck = 0;
  const now = deps.now().getTime();
  const POOL = 16;
  for (let i = 0; i < open.length; i += POOL) {
    await Promise.all(
      open.slice(i, i + POOL).map(async (intent) => {
        try {
          const after = await driveIntent(intent, deps);
          if (isTerminal(after.state)) settled += 1;
          else if (now - Date.parse(intent.createdAt) > STUCK_AFTER_MS) {
            stuck += 1;
            deps.log.warn('intent stuck', {
              reason: 'INTENT_STUCK',
              intentId: intent.intentId,
              state: after.state,
            });
          }
        } catch (err) {
          deps.log.error('reconcile failed for one intent', {
            reason: 'RECONCILE_FAILED',
            intentId: intent.intentId,
            error: String(err),
          });
        }
      }),
    );
  }
  deps.metric('IntentsStuck', stuck);
  return { seen: open.length, settled, stuck };
}

export type { Mirror };
