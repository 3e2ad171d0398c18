// In-memory stand-ins for the copy ports, with the same conditional semantics as the DynamoDB
// store (claim once, moves only from allowed states, notified once) and a scripted batched-market
// service whose faults (timeouts, drops, outages, rejections, cancels) tests arm one at a time.
import { SigningKey, computeAddress, keccak256, toUtf8Bytes } from 'ethers';
import {
  IN_FLIGHT,
  isTerminal,
  onReconcilerWorkList,
  predecessorsOf,
  type IntentUpdate,
  type ServiceEvent,
} from '#core/domain/copy/intent.js';
import type { OwnPosition } from '#core/domain/copy/orders.js';
import { decodeIntent, intentDigest } from '#core/domain/avantis/intents.js';
import type { CopyDeps, MetricName } from '#core/copy/copy.js';
import {
  IntentRejectedError,
  ServiceUnavailableError,
  type AlertJob,
  type BatchedMarket,
  type CopyIntent,
  type DelegateKeys,
  type IntentStore,
  type Mirror,
  type SignedIntent,
  type TrackedEvent,
} from '#core/ports/copy.js';
import { defaultRiskPolicy } from '#core/domain/risk.js';

export class MemoryIntents implements IntentStore {
  readonly items = new Map<string, CopyIntent>();
  readonly mirrors = new Map<string, Mirror>();
  /** What was stored when each submit happened (proves "signed before sent"). */
  private readonly key = (userId: string, trader: string, p: number, t: number) =>
    `${userId}#${trader}#${p}#${t}`;

  async claim(intent: CopyIntent, mirror?: Mirror) {
    if (this.items.has(intent.intentId)) return false;
    this.items.set(intent.intentId, intent);
    if (mirror) await this.putMirror(mirror);
    return true;
  }
  async get(id: string) {
    return this.items.get(id);
  }
  async saveSigned(id: string, signed: SignedIntent, at: Date) {
    const i = this.items.get(id);
    if (!i || i.state !== 'CREATED' || i.signed) return undefined;
    const next = { ...i, signed, submittedAt: at.toISOString(), attempts: 1 };
    this.items.set(id, next);
    return next;
  }
  async markSubmitted(id: string, at: Date) {
    const i = this.items.get(id) as CopyIntent;
    this.items.set(id, { ...i, submittedAt: at.toISOString(), attempts: (i.attempts ?? 0) + 1 });
  }
  async apply(id: string, u: IntentUpdate, at: Date) {
    const i = this.items.get(id);
    if (!i || !predecessorsOf(u.state).includes(i.state)) return undefined;
    const next: Record<string, unknown> = { ...i, state: u.state };
    if (u.state === 'ACCEPTED')
      Object.assign(next, { trackingId: u.trackingId, reason: 'ACCEPTED', acceptedAt: at.toISOString() });
    if (u.state === 'INITIATED')
      Object.assign(next, { orderId: u.orderId, txHash: u.txHash, reason: 'INITIATED' });
    if (u.state === 'EXECUTED') Object.assign(next, { fill: u.fill, reason: u.reason });
    if (u.state === 'CANCELED') Object.assign(next, { reason: u.reason });
    if (u.state === 'FAILED') Object.assign(next, { reason: u.reason, code: u.code, message: u.message });
    if (isTerminal(u.state)) next.settledAt = at.toISOString();
    this.items.set(id, next as unknown as CopyIntent);
    return next as unknown as CopyIntent;
  }
  async setLastSeq(id: string, seq: number) {
    const i = this.items.get(id) as CopyIntent;
    if ((i.lastSeq ?? 0) < seq) this.items.set(id, { ...i, lastSeq: seq });
  }
  async setNonceUsedAt(id: string, at: Date) {
    const i = this.items.get(id) as CopyIntent;
    if (!i.nonceUsedAt) this.items.set(id, { ...i, nonceUsedAt: at.toISOString() });
  }
  async markNotified(id: string, at: Date) {
    const i = this.items.get(id);
    if (!i || i.notifiedAt) return false;
    this.items.set(id, { ...i, notifiedAt: at.toISOString() });
    return true;
  }
  async inFlightOf(userId: string) {
    return [...this.items.values()].filter((i) => i.userId === userId && IN_FLIGHT.includes(i.state));
  }
  async unsettled() {
    // As the store's sparse index: in flight, or ended with its outcome notice not queued yet.
    return [...this.items.values()].filter(onReconcilerWorkList);
  }
  async putMirror(m: Mirror) {
    this.mirrors.set(this.key(m.userId, m.trader, m.pairIndex, m.tradeIndex), m);
  }
  async mirrorOf(userId: string, trader: string, p: number, t: number) {
    return this.mirrors.get(this.key(userId, trader, p, t));
  }
  async mirrorsOfSlot(trader: string, p: number, t: number) {
    return [...this.mirrors.values()].filter(
      (m) => m.trader === trader && m.pairIndex === p && m.tradeIndex === t,
    );
  }
  async allMirrors() {
    return [...this.mirrors.values()];
  }
  readonly markers = new Set<string>();
  async markOnce(marker: string) {
    if (this.markers.has(marker)) return false;
    this.markers.add(marker);
    return true;
  }
  async deleteMirror(m: Pick<Mirror, 'userId' | 'trader' | 'pairIndex' | 'tradeIndex'>) {
    this.mirrors.delete(this.key(m.userId, m.trader, m.pairIndex, m.tradeIndex));
  }
  async settleMirror(
    m: Pick<Mirror, 'userId' | 'trader' | 'pairIndex' | 'tradeIndex'>,
    openIntentId: string,
    index: number | undefined,
  ) {
    const key = this.key(m.userId, m.trader, m.pairIndex, m.tradeIndex);
    const mirror = this.mirrors.get(key);
    if (mirror?.openIntentId !== openIntentId) return;
    if (index === undefined) this.mirrors.delete(key);
    else this.mirrors.set(key, { ...mirror, index });
  }
}

/** Deterministic per-user keys (the tests' "KMS"). */
export const testKeys: DelegateKeys = {
  addressOf: async (userId) =>
    computeAddress(new SigningKey(keccak256(toUtf8Bytes(`k${userId}`))).publicKey).toLowerCase(),
  signDigest: async (userId, digest) => {
    const key = new SigningKey(keccak256(toUtf8Bytes(`k${userId}`)));
    return { address: computeAddress(key.publicKey).toLowerCase(), signature: key.sign(digest).serialized };
  },
};

export interface Submission {
  readonly orderType: number;
  readonly userIntent: string;
  readonly signature: string;
  /** The intent record as stored at the moment of the POST. */
  readonly storedBefore: CopyIntent | undefined;
}

/**
 * A scripted batched-market service over a fake chain: each accepted submission marks its nonce
 * used, then plays `script(n)` (default: accepted → initiated → executed). Faults apply to the
 * next submission.
 */
export class FakeMarket implements BatchedMarket {
  readonly submissions: Submission[] = [];
  readonly tracked = new Map<string, TrackedEvent[]>();
  readonly usedNonces = new Set<string>();
  fault:
    | 'NONE'
    | 'TIMEOUT'
    | 'DROP'
    | 'OUTAGE'
    | 'CRASH_AFTER'
    | { reject: string }
    | { streamError: string }
    | 'CANCEL' = 'NONE';
  /** Called with each accepted submission, e.g. to open the position in the fake user data. */
  onFill: (kind: 'OPEN' | 'CLOSE', message: Record<string, unknown>) => void = () => undefined;

  constructor(
    private readonly intents: MemoryIntents,
    private readonly kindOf: (
      orderType: number,
    ) => 'OpenTradeReq' | 'CloseTradeReq' | 'IncreasePositionSizeReq',
  ) {}

  async *submit(orderType: number, userIntent: string, signature: string): AsyncIterable<ServiceEvent> {
    const storedBefore = [...this.intents.items.values()].find((i) => i.signed?.userIntent === userIntent);
    this.submissions.push({ orderType, userIntent, signature, storedBefore });
    const fault = this.fault;
    this.fault = 'NONE';
    if (fault === 'OUTAGE') throw new ServiceUnavailableError('503');
    if (typeof fault === 'object' && 'reject' in fault)
      throw new IntentRejectedError(400, fault.reject, fault.reject);
    const kind = this.kindOf(orderType);
    const message = decodeIntent(kind, userIntent);
    const nonce = String(message._nonce);
    if (this.usedNonces.has(nonce)) throw new IntentRejectedError(400, 'InvalidNonce', 'used');
    this.usedNonces.add(nonce);
    const trackingId = `trk-${this.submissions.length}`;
    const fillKind = kind === 'CloseTradeReq' ? 'CLOSE' : 'OPEN';
    const events = this.play(fault, message, fillKind);
    this.tracked.set(
      trackingId,
      events.map((event, seq) => ({ seq: seq + 1, event })),
    );
    if (fault !== 'CANCEL' && !(typeof fault === 'object')) this.onFill(fillKind, message);
    if (fault === 'CRASH_AFTER') throw new Error('socket hang up');
    yield { type: 'MarketOrderAccepted', trackingId };
    if (fault === 'DROP') return;
    if (typeof fault === 'object') {
      // The relayer's transaction reverted on chain (e.g. NoTrade: the position went meanwhile).
      yield { type: 'Error', code: fault.streamError, message: `${fault.streamError}()` };
      return;
    }
    for (const e of events) {
      if (fault === 'TIMEOUT' && e.type !== 'MarketOrderInitiated') {
        yield { type: 'Error', code: 'STREAM_TIMEOUT', message: 'stream lifetime reached' };
        return;
      }
      yield e;
    }
  }

  private play(
    fault: FakeMarket['fault'],
    m: Record<string, unknown>,
    kind: 'OPEN' | 'CLOSE',
  ): ServiceEvent[] {
    const initiated: ServiceEvent = { type: 'MarketOrderInitiated', orderId: '7', transactionHash: '0x01' };
    if (fault === 'CANCEL')
      return [initiated, { type: 'MarketOrderCanceled', orderId: '7', transactionHash: '0x02' }];
    const t = m._t as { positionSizeUSDC: bigint; leverage: bigint; pairIndex: bigint } | undefined;
    return [
      initiated,
      {
        type: 'MarketOrderExecuted',
        orderId: '7',
        price: '30000000000000',
        positionSizeUSDC: kind === 'OPEN' ? String(t?.positionSizeUSDC) : String(m._amount),
        usdcSentToTrader: kind === 'OPEN' ? '0' : String(m._amount),
        transactionHash: '0x02',
        t: {
          pairIndex: String(t?.pairIndex ?? m._pairIndex),
          index: kind === 'OPEN' ? '0' : String(m._index),
          initialPosToken: String(t?.positionSizeUSDC ?? 0n),
          leverage: String(t?.leverage ?? 0n),
          openPrice: '30000000000000',
          timestamp: '1000',
        },
      },
    ];
  }

  async status(trackingId: string, afterSeq: number) {
    return this.tracked.get(trackingId)?.filter((e) => e.seq > afterSeq);
  }
}

export interface World {
  readonly deps: CopyDeps;
  readonly intents: MemoryIntents;
  readonly market: FakeMarket;
  readonly alerts: AlertJob[];
  readonly metrics: [MetricName, number][];
  /** The wallet's positions as user-data returns them. */
  positions: OwnPosition[];
  mode: { mode: 'DRY' | 'LIVE'; emergencyStop: boolean };
  delegated: boolean;
  followMode: 'AUTO' | 'ALERTS' | undefined;
  /** The follow's notification level (absent: ALL). */
  followNotifications?: 'ALL' | 'COPIES' | 'SILENT';
  clock: { now: number };
}

export const WALLET = '0x00000000000000000000000000000000000000aa';
export const TRADER = '0x00000000000000000000000000000000000000bb';
const ROUTER = '0x00000000000000000000000000000000000000cc';

export function world(): World {
  const intents = new MemoryIntents();
  const kindOf = (t: number) =>
    (t === 1 || t === 7 ? 'CloseTradeReq' : t === 9 ? 'IncreasePositionSizeReq' : 'OpenTradeReq') as never;
  const market = new FakeMarket(intents, kindOf);
  const alerts: AlertJob[] = [];
  const metrics: [MetricName, number][] = [];
  let nonce = 1000n;
  const w: World = {
    intents,
    market,
    alerts,
    metrics,
    positions: [],
    mode: { mode: 'LIVE', emergencyStop: false },
    delegated: true,
    followMode: 'AUTO',
    clock: { now: Date.parse('2026-12-01T12:00:00Z') },
    deps: undefined as unknown as CopyDeps,
  };
  (w as { deps: CopyDeps }).deps = {
    intents,
    market,
    positions: { positionsOf: async () => w.positions },
    prices: { priceOf: async () => 30_000n * 10_000_000_000n },
    delegations: {
      delegation: async () => ({ isEnabled: w.delegated, expiry: 2_000_000_000 }),
      nonceUsed: async (_signer, n) => market.usedNonces.has(String(n)),
      chainTime: async () => Math.floor(w.clock.now / 1000),
    },
    keys: testKeys,
    alerts: { publish: async (a) => void alerts.push(...a) },
    mode: { read: async () => ({ ...w.mode, switchValue: w.mode.mode }) },
    users: {
      profile: async (userId) => ({
        user: { userId, chatId: userId, firstName: 'A', active: true },
        risk: {
          ...defaultRiskPolicy(),
          maxPositionUsdc: 100_000_000_000n,
          capitalCeilingUsdc: 100_000_000_000n,
          maxLeverage: 50,
        },
        wallet: WALLET,
      }),
    },
    follows: {
      get: async (userId, trader) =>
        w.followMode && {
          userId,
          trader,
          chatId: userId,
          mode: w.followMode,
          sizing: { kind: 'FIXED_USD', usdc: 100_000_000n },
          maxLeverage: 50,
          maxPositionUsdc: 100_000_000_000n,
          pairs: 'ALL',
          notify: true,
          ...(w.followNotifications ? { notifications: w.followNotifications } : {}),
          createdAt: '',
        },
    },
    realizedLossToday: async () => 0n,
    equityOf: async () => 10_000_000_000n,
    pair: () => ({
      listed: true,
      minLeverage: 1,
      maxLeverage: 75,
      minPositionUsdc: 100_000_000n,
      pnl: false,
      openFeeP: 450_000_000n,
    }),
    canary: { maxNotionalUsdc: 0n, maxLeverage: 100, allowedPairs: 'ALL' },
    domain: () => ({
      name: 'AvantisTrading',
      version: '1',
      chainId: 31337,
      verifyingContract: '0x00000000000000000000000000000000000000cc',
    }),
    slippageP: 10_000_000_000n,
    nonce: () => (nonce += 1n),
    now: () => new Date(w.clock.now),
    metric: (name, value) => void metrics.push([name, value]),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  void ROUTER;
  void intentDigest;
  return w;
}
