// What the copy use cases (route, copy, reconcile, alert) need from the world: the intent and
// mirror records, the Avantis batched-market service, the follower's own positions and prices,
// the on-chain delegation and nonce reads, the user's delegate key, and the two queues.
import type { CopyOrder, Decision, FollowerView } from '../domain/decision.js';
import type { ExecutionMode } from '../domain/execution-mode.js';
import type {
  CopyKind,
  FillFacts,
  IntentReason,
  IntentState,
  IntentUpdate,
  ServiceEvent,
} from '../domain/copy/intent.js';
import type { OwnPosition } from '../domain/copy/orders.js';
import type { Signal } from '../domain/signals.js';
import type { SendLane } from './messenger.js';

/** The signed v2 intent, stored before it is sent: a retry resubmits exactly these bytes. */
export interface SignedIntent {
  readonly orderType: number;
  /** abi-encoded `userIntent`. */
  readonly userIntent: string;
  /** 65-byte r||s||v by the user's delegate key. */
  readonly signature: string;
  readonly digest: string;
  /** Decimal string of the 256-bit nonce (the signer's bitmap, docs/avantis.md v2 §3). */
  readonly nonce: string;
  /** Unix ms. */
  readonly deadlineMs: string;
  /** What was asked, for the messages and the reconciler: collateral (open/add) or amount (close). */
  readonly collateralUsdc: string;
  readonly leverage: string;
  readonly buy: boolean;
  readonly pairIndex: number;
  /** The follower's trade index a close or add is about. */
  readonly index?: number;
}

export interface CopyIntent {
  /** `signalId:userId`: one signal is copied at most once per user. */
  readonly intentId: string;
  readonly signalId: string;
  readonly userId: string;
  readonly chatId: string;
  readonly trader: string;
  /** The trader's position the signal is about. */
  readonly slot: { readonly pairIndex: number; readonly tradeIndex: number };
  readonly kind: CopyKind;
  readonly wallet?: string;
  /** The user's delegate address that signs. */
  readonly delegate?: string;
  readonly state: IntentState;
  readonly reason: IntentReason | string;
  readonly mode: ExecutionMode;
  readonly order: CopyOrder;
  readonly createdAt: string;
  /** The trader's fill time (unix seconds) and block, for latency metrics. */
  readonly signalTs?: number;
  readonly signalBlock?: number;
  readonly signed?: SignedIntent;
  /** When the signed intent was (last) posted, ISO. */
  readonly submittedAt?: string;
  readonly trackingId?: string;
  /** Last replayed event seq of the tracking id. */
  readonly lastSeq?: number;
  readonly orderId?: string;
  readonly txHash?: string;
  readonly fill?: FillFacts;
  readonly code?: string;
  readonly message?: string;
  readonly acceptedAt?: string;
  readonly settledAt?: string;
  readonly notifiedAt?: string;
  /** First time the reconciler saw the nonce used without a tracking id (a crash after submission). */
  readonly nonceUsedAt?: string;
  readonly attempts?: number;
}

/** A user's copy of one trader position: how closes and adds of that position find the follower. */
export interface Mirror {
  readonly userId: string;
  readonly chatId: string;
  readonly trader: string;
  readonly pairIndex: number;
  readonly tradeIndex: number;
  readonly wallet: string;
  /** The open intent; until it is EXECUTED a close of the position waits for it. */
  readonly openIntentId: string;
  readonly simulated: boolean;
  readonly buy: boolean;
  /** The follower's own trade index once the open filled. */
  readonly index?: number;
}

export interface IntentStore {
  /**
   * Creates the intent; false when it exists (a redelivery or the same fanout message again). With
   * a mirror (an open's), the mirror is written with it, in one transaction: both or neither.
   */
  claim(intent: CopyIntent, mirror?: Mirror): Promise<boolean>;
  get(intentId: string): Promise<CopyIntent | undefined>;
  /** Stores the signed intent and its nonce on a CREATED intent that has none yet: the intent as
   *  stored, or undefined when it was not CREATED or already signed. */
  saveSigned(intentId: string, signed: SignedIntent, at: Date): Promise<CopyIntent | undefined>;
  /** Records that the same signed intent was posted again (a retry). */
  markSubmitted(intentId: string, at: Date): Promise<void>;
  /** One state move, conditional on the allowed predecessors: the intent after it, or undefined
   *  when the move was not allowed (the stored intent was elsewhere already). */
  apply(intentId: string, update: IntentUpdate, at: Date): Promise<CopyIntent | undefined>;
  setLastSeq(intentId: string, seq: number): Promise<void>;
  setNonceUsedAt(intentId: string, at: Date): Promise<void>;
  /** True exactly once per intent: the caller that gets true tells the user. */
  markNotified(intentId: string, at: Date): Promise<boolean>;
  /** Intents of a user that are CREATED, ACCEPTED or INITIATED. */
  inFlightOf(userId: string): Promise<CopyIntent[]>;
  /** Every intent not yet terminal, and every LIVE one whose outcome notice is not queued yet (the reconciler's work list). */
  unsettled(): Promise<CopyIntent[]>;
  putMirror(mirror: Mirror): Promise<void>;
  mirrorOf(
    userId: string,
    trader: string,
    pairIndex: number,
    tradeIndex: number,
  ): Promise<Mirror | undefined>;
  /** Every user's copy of one trader position. */
  mirrorsOfSlot(trader: string, pairIndex: number, tradeIndex: number): Promise<Mirror[]>;
  /** Every copy of every position (emergency notices). */
  allMirrors(): Promise<Mirror[]>;
  deleteMirror(mirror: Pick<Mirror, 'userId' | 'trader' | 'pairIndex' | 'tradeIndex'>): Promise<void>;
  /**
   * The open `openIntentId` of a mirror ended: keep the mirror with the filled position's index, or
   * (index undefined: not filled) remove it. Nothing when the mirror belongs to another open now.
   * One conditional write, no read: it runs once per copy at the end of a burst.
   */
  settleMirror(
    mirror: Pick<Mirror, 'userId' | 'trader' | 'pairIndex' | 'tradeIndex'>,
    openIntentId: string,
    index: number | undefined,
  ): Promise<void>;
  /** True the first time a marker is set (e.g. one emergency episode's notices): exactly-once work. */
  markOnce(marker: string, at: Date): Promise<boolean>;
}

/**
 * A user's copies as the bot shows them (/copies, /portfolio), read from the `byUser` index. Kept
 * apart from IntentStore so the copy path's fakes need not grow; DynamoIntentStore implements both.
 * The index leaves out the service bookkeeping (trackingId, lastSeq, attempts, ...): the views
 * need the order, what was signed, the fill and the failure.
 */
export interface IntentHistory {
  /** The user's last `limit` copies, newest first. */
  recentOf(userId: string, limit: number): Promise<CopyIntent[]>;
  /** Every copy of the user created at or after `since`, oldest first. */
  allOf(userId: string, since: Date): Promise<CopyIntent[]>;
}

/** The service refused an intent before any stream (HTTP 400): nothing was submitted. */
export class IntentRejectedError extends Error {
  override readonly name = 'IntentRejectedError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The service could not be reached or answered 5xx/429: nothing is known; retry with backoff. */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}

export interface TrackedEvent {
  readonly seq: number;
  readonly event: ServiceEvent;
}

export interface BatchedMarket {
  /**
   * Posts a signed intent and yields its stream's events until the terminal one or the end of the
   * connection (a timeout or a drop: the order may go on; replay by trackingId).
   * Throws IntentRejectedError (400) or ServiceUnavailableError before any event.
   */
  submit(orderType: number, userIntent: string, signature: string): AsyncIterable<ServiceEvent>;
  /** Events after `afterSeq`; undefined for an unknown trackingId. */
  status(trackingId: string, afterSeq: number): Promise<TrackedEvent[] | undefined>;
}

export interface PositionsRead {
  /** The wallet's open positions, as Avantis' user-data read returns them right now. */
  positionsOf(wallet: string): Promise<OwnPosition[]>;
}

export interface PriceRead {
  /** The current price of a pair, 1e10. */
  priceOf(pairIndex: number): Promise<bigint>;
}

export interface Delegation {
  readonly isEnabled: boolean;
  /** Unix seconds. */
  readonly expiry: number;
}

export interface DelegationRead {
  /** The TradingRouter's `delegation(trader, delegate)` view. */
  delegation(trader: string, delegate: string): Promise<Delegation>;
  /** Whether `nonce` is marked used in the signer's bitmap (`nonceBitmap(signer, nonce >> 8)`). */
  nonceUsed(signer: string, nonce: bigint): Promise<boolean>;
  /** Latest block time, unix seconds: what the contract compares expiries against. */
  chainTime(): Promise<number>;
}

export interface DelegateKeys {
  /** The user's delegate address (the public half only). */
  addressOf(userId: string): Promise<string>;
  /** Signs an EIP-712 digest with the user's delegate key: a 65-byte r||s||v. */
  signDigest(userId: string, digest: string): Promise<{ address: string; signature: string }>;
}

/** One Telegram message to one user, sent once per id by the alerter. */
export interface AlertJob {
  readonly id: string;
  readonly userId: string;
  readonly chatId: string;
  readonly html: string;
  /** The trader's fill time (unix seconds), for the ChainToAlertMs metric. */
  readonly signalTs?: number;
  /** `notice` waits while trade alerts use the bot's rate (ports/messenger.ts); unset: `alert`. */
  readonly lane?: SendLane;
}

/** One (signal, user) copy to make, on copies.fifo (group = user). */
export interface CopyJob {
  readonly signal: Signal;
  readonly userId: string;
  readonly chatId: string;
  readonly decision: Decision;
  /** The follow as routed (opens), so the copier decides again with fresh numbers. */
  readonly follower?: FollowerView;
  /** When routing put it on the queue, unix ms (latency). */
  readonly routedAt: number;
}

export interface AlertQueue {
  publish(alerts: readonly AlertJob[]): Promise<void>;
}

export interface CopyQueue {
  publish(jobs: readonly CopyJob[]): Promise<void>;
}
