// The CopyIntent: one per (signal, user), key `signalId:userId`, followed from its creation to
// exactly one terminal state. States CREATED → ACCEPTED (trackingId) → INITIATED (orderId, tx) →
// EXECUTED | CANCELED | FAILED, each with a reason code; SIMULATED is the DRY copy that is never
// signed. Pure: which transitions are allowed, and what one batched-market event means for an
// intent (docs/avantis.md v2 §4, docs/local-avantis.md "The batched-market service").
import type { IntentKind as Eip712Kind } from '../avantis/intents.js';
import type { ExecutionMode } from '../execution-mode.js';

export type IntentState =
  'CREATED' | 'ACCEPTED' | 'INITIATED' | 'EXECUTED' | 'CANCELED' | 'FAILED' | 'SIMULATED';

/** States an intent can still leave: the reconciler drives every one of them to a terminal state. */
export const IN_FLIGHT: readonly IntentState[] = ['CREATED', 'ACCEPTED', 'INITIATED'];
export const TERMINAL: readonly IntentState[] = ['EXECUTED', 'CANCELED', 'FAILED', 'SIMULATED'];

export const isTerminal = (s: IntentState): boolean => TERMINAL.includes(s);

/**
 * Whether the user is owed a message about this intent's outcome: a LIVE copy that ended (a DRY
 * one was simulated, and told with its alert). Until that message is queued the intent stays on
 * the reconciler's work list, so an SQS outage right at the fill cannot lose it.
 */
export const outcomeNoticeDue = (i: { readonly mode: ExecutionMode; readonly state: IntentState }): boolean =>
  i.mode === 'LIVE' && isTerminal(i.state) && i.state !== 'SIMULATED';

/** In flight, or ended with its outcome notice not yet queued: what the reconciler still drives. */
export const onReconcilerWorkList = (i: {
  readonly mode: ExecutionMode;
  readonly state: IntentState;
  readonly notifiedAt?: string;
}): boolean => !isTerminal(i.state) || (outcomeNoticeDue(i) && i.notifiedAt === undefined);

/** Why an intent reached its state; logged, stored and behind the user's message. */
export type IntentReason =
  | 'COPY_OK'
  | 'MODE_DRY'
  | 'ACCEPTED'
  | 'INITIATED'
  | 'FILLED'
  /** The keeper cancelled the order (price outside the slippage, an OI or wallet cap). */
  | 'MARKET_CANCELED'
  /** Found by the reconciler without a stream: the nonce is used but no position appeared. */
  | 'NOT_FILLED'
  /** The service refused the intent before submitting it (400: signature, nonce, deadline, ...). */
  | 'REJECTED'
  /** The service's stream ended in an error that is not a timeout. */
  | 'SERVICE_ERROR'
  /** Never reached the chain and can no longer: its deadline passed. Nothing was traded. */
  | 'EXPIRED'
  /** A close with no position left to close (closed on Avantis by the user, liquidated). */
  | 'NO_POSITION'
  /** The wallet has not (or no longer) delegated to the user's key. */
  | 'NOT_DELEGATED'
  /** Found filled by the reconciler from the wallet's positions. */
  | 'RECONCILED_FILLED'
  /** The emergency stop came between the copy's claim and its signature: never signed. */
  | 'STOPPED';

export type CopyKind = 'OPEN' | 'CLOSE' | 'INCREASE';

/** The EIP-712 type each copy kind signs. */
export const EIP712_OF: Readonly<Record<CopyKind, Eip712Kind>> = {
  OPEN: 'OpenTradeReq',
  CLOSE: 'CloseTradeReq',
  INCREASE: 'IncreasePositionSizeReq',
};

const NEXT: Readonly<Record<IntentState, readonly IntentState[]>> = {
  // A crash after submission can be found straight at INITIATED or EXECUTED by the reconciler.
  CREATED: ['ACCEPTED', 'INITIATED', 'EXECUTED', 'CANCELED', 'FAILED'],
  ACCEPTED: ['INITIATED', 'EXECUTED', 'CANCELED', 'FAILED'],
  INITIATED: ['EXECUTED', 'CANCELED', 'FAILED'],
  EXECUTED: [],
  CANCELED: [],
  FAILED: [],
  SIMULATED: [],
};

export function canMove(from: IntentState, to: IntentState): boolean {
  return NEXT[from].includes(to);
}

/** The states an intent may be in for a move to `to` to be allowed (the store's write condition). */
export function predecessorsOf(to: IntentState): IntentState[] {
  return (Object.keys(NEXT) as IntentState[]).filter((s) => NEXT[s].includes(to));
}

/** One event of the batched-market stream or of its replay; numbers as decimal strings in raw units. */
export type ServiceEvent =
  | { readonly type: 'MarketOrderAccepted'; readonly trackingId: string }
  | {
      readonly type: 'AttemptFailed';
      readonly attempt: number;
      readonly code: string;
      readonly message: string;
      readonly willRetry: boolean;
    }
  | {
      readonly type: 'MarketOrderInitiated' | 'IncreasePositionRequested';
      readonly orderId: string;
      readonly transactionHash: string;
    }
  | {
      readonly type: 'MarketOrderExecuted' | 'PositionSizeIncreased';
      readonly orderId: string;
      readonly price: string;
      /**
       * The collateral filled (opens) or closed (closes), USDC 1e6 (docs/avantis.md v2 §7: treat as
       * collateral [I]). Absent on an increase whose event does not say what it added: V2.md's
       * PositionSizeIncreased carries the blended trade `t` and coinExposureAdded only.
       */
      readonly positionSizeUSDC?: string;
      readonly usdcSentToTrader: string;
      readonly transactionHash: string;
      /** The follower's trade after the fill: its index and open timestamp bind later closes. */
      readonly t?: {
        readonly pairIndex: string;
        readonly index: string;
        readonly initialPosToken: string;
        readonly leverage: string;
        readonly openPrice: string;
        readonly timestamp: string;
      };
    }
  | { readonly type: 'MarketOrderCanceled'; readonly orderId: string; readonly transactionHash: string }
  | {
      readonly type: 'Error';
      /** 'timeout', 'failed', or an HTTP status. */
      readonly status?: string;
      readonly code: string;
      readonly message: string;
      readonly trackingId?: string;
    };

/** What the fill did, stored on an EXECUTED intent and told to the user. */
export interface FillFacts {
  readonly orderId?: string;
  readonly price: string;
  readonly collateralUsdc: string;
  readonly usdcSentToTrader: string;
  readonly txHash?: string;
  /** The follower's trade index and open timestamp after an open or increase fill. */
  readonly index?: number;
  readonly openTimestamp?: string;
  readonly leverage?: string;
}

export type IntentUpdate =
  | { readonly state: 'ACCEPTED'; readonly trackingId: string }
  | { readonly state: 'INITIATED'; readonly orderId: string; readonly txHash: string }
  | { readonly state: 'EXECUTED'; readonly reason: IntentReason; readonly fill: FillFacts }
  | {
      readonly state: 'CANCELED';
      readonly reason: IntentReason;
      readonly orderId?: string;
      readonly txHash?: string;
    }
  | {
      readonly state: 'FAILED';
      readonly reason: IntentReason;
      readonly code: string;
      readonly message: string;
    };

/**
 * What one service event means. `undefined`: nothing to record (an attempt that will be retried,
 * or the STREAM_TIMEOUT that ends a connection while the order goes on; the replay follows it).
 */
/**
 * `signedCollateralUsdc`, the collateral the signed intent asked for, stands in for an increase's
 * added collateral when its event does not carry it (the opening fee is then not known).
 */
export function updateFor(event: ServiceEvent, signedCollateralUsdc?: string): IntentUpdate | undefined {
  switch (event.type) {
    case 'MarketOrderAccepted':
      return { state: 'ACCEPTED', trackingId: event.trackingId };
    case 'AttemptFailed':
      return undefined;
    case 'MarketOrderInitiated':
    case 'IncreasePositionRequested':
      return { state: 'INITIATED', orderId: event.orderId, txHash: event.transactionHash };
    case 'MarketOrderExecuted':
    case 'PositionSizeIncreased':
      return {
        state: 'EXECUTED',
        reason: 'FILLED',
        fill: {
          orderId: event.orderId,
          price: event.price,
          collateralUsdc: event.positionSizeUSDC ?? signedCollateralUsdc ?? '0',
          usdcSentToTrader: event.usdcSentToTrader,
          txHash: event.transactionHash,
          ...(event.t
            ? { index: Number(event.t.index), openTimestamp: event.t.timestamp, leverage: event.t.leverage }
            : {}),
        },
      };
    case 'MarketOrderCanceled':
      return {
        state: 'CANCELED',
        reason: 'MARKET_CANCELED',
        orderId: event.orderId,
        txHash: event.transactionHash,
      };
    case 'Error':
      if (event.code === 'STREAM_TIMEOUT') return undefined;
      // The position was gone when the order reached the chain: the copy's own TP/SL or a
      // liquidation closed it (a trader's SL fill and the copy's mirrored SL fire together), or
      // the user did. Not a failure of the copy path.
      if (NO_TRADE_CODES.has(event.code))
        return { state: 'FAILED', reason: 'NO_POSITION', code: event.code, message: event.message };
      return { state: 'FAILED', reason: 'SERVICE_ERROR', code: event.code, message: event.message };
  }
}

/** The revert of an order on a trade that does not exist: v2 `NoTrade()` [local], v1 `NO_TRADE`. */
const NO_TRADE_CODES: ReadonlySet<string> = new Set(['NoTrade', 'NO_TRADE']);

/** Applies a sequence of updates to a state, keeping only the allowed moves (a replay repeats events). */
export function fold(
  state: IntentState,
  updates: readonly IntentUpdate[],
): { state: IntentState; applied: IntentUpdate[] } {
  const applied: IntentUpdate[] = [];
  let current = state;
  for (const u of updates) {
    if (!canMove(current, u.state)) continue;
    applied.push(u);
    current = u.state;
  }
  return { state: current, applied };
}

/** Blocks an intent may stay in flight before the reconciler raises IntentsStuck (Base: ~2 s blocks). */
export const STUCK_AFTER_MS = 120_000;

/**
 * A CREATED intent whose POST may or may not have reached the service (a crash in between) is
 * resubmitted (the same signed intent) only after this grace, so a submission still on its way to
 * the chain is seen first by its used nonce.
 */
export const RESUBMIT_GRACE_MS = 10_000;

/** An order that used its nonce without a stream: how long to look for its fill before CANCELED. */
export const UNTRACKED_FILL_WAIT_MS = 30_000;
