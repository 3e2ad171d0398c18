// The Decision for one (signal, follower): ALERT, COPY or SKIP, with the reason code that explains
// it. Pure: every guard on the money path is here, in one order, and tested at and over each limit.
import type { ExecutionMode } from './execution-mode.js';
import type { CopyDirection, CopyStopLoss, Follow, FollowMode, Sizing } from './follows.js';
import type { RiskPolicy } from './risk.js';
import type { Signal } from './signals.js';

export type Action = 'ALERT' | 'COPY' | 'SKIP';

export type ReasonCode =
  | 'COPY_OK'
  | 'ALERT_ONLY'
  | 'MODE_DRY'
  | 'EMERGENCY_STOP'
  | 'AUTOCOPY_OFF'
  | 'PAUSED'
  | 'NOTIFY_OFF'
  | 'PAIR_NOT_ALLOWED'
  | 'LEVERAGE_CAPPED'
  | 'SIZE_CAPPED'
  | 'BELOW_MIN'
  | 'CIRCUIT_BREAKER'
  | 'CAPITAL_FLOOR'
  | 'CAPITAL_CEILING'
  | 'CANARY_PAIR'
  | 'CANARY_NOTIONAL'
  | 'NO_WALLET'
  | 'NEEDS_EQUITY'
  | 'RETRACTED'
  | 'COPY_FAILED'
  | 'PAIR_NOT_LISTED'
  | 'LEVERAGE_BELOW_MIN'
  | 'NOT_DELEGATED'
  /** A trader's close or add where this user has no copy: told as an alert, nothing signed. */
  | 'NO_COPY'
  /** A copy that a user's earlier open of the same trade position still waits for. */
  | 'DUPLICATE'
  /** The trader opened below the follower's "skip trades below" leverage. */
  | 'TRADER_LEVERAGE_LOW';

/**
 * What a copy would send: an open of a size, closing a fraction of the follower's own copied
 * position (read fresh before signing), or adding to it.
 */
export type CopyOrder =
  | {
      readonly kind: 'OPEN';
      readonly pairIndex: number;
      readonly buy: boolean;
      /** 1e10. */
      readonly leverage: string;
      /** USDC 1e6. */
      readonly collateralUsdc: string;
    }
  | {
      readonly kind: 'CLOSE';
      readonly pairIndex: number;
      readonly fraction: { readonly closed: string; readonly of: string };
    }
  | {
      readonly kind: 'INCREASE';
      readonly pairIndex: number;
      /** The trader's added collateral and their collateral before it: the copy adds the same share. */
      readonly added: { readonly collateralUsdc: string; readonly traderBeforeUsdc: string };
      /** 1e10, leverage of the added part. */
      readonly leverage: string;
    };

export interface Decision {
  readonly action: Action;
  /** The deciding reason; for a COPY in DRY mode it is MODE_DRY (the copy is simulated). */
  readonly reason: ReasonCode;
  /** Caps that shaped the order without stopping it (LEVERAGE_CAPPED, SIZE_CAPPED). */
  readonly adjustments: readonly ReasonCode[];
  readonly order?: CopyOrder;
  /** Whether the user gets a Telegram message for this signal. */
  readonly notify: boolean;
  /** Why a LIVE copy could not be sent (a revert reason), for the user's message. */
  readonly failure?: string;
}

/** The follower as the reverse index (byTrader GSI) projects it, plus what routing knows about them. */
export interface FollowerView {
  readonly userId: string;
  readonly chatId: string;
  readonly mode: FollowMode;
  readonly sizing: Sizing;
  readonly maxLeverage: number;
  readonly maxPositionUsdc: bigint;
  readonly pairs: Follow['pairs'];
  readonly notify: boolean;
  readonly paused: boolean;
  /** Absent = SAME; REVERSE opens the opposite side (closes follow the copy's own position). */
  readonly direction?: CopyDirection;
  /** The copy's own stop-loss, placed as its SL (the tighter of it and the trader's). */
  readonly stopLoss?: CopyStopLoss;
  /** Whole x: trades the trader opened below it are not copied. */
  readonly minTraderLeverage?: number;
}

/** One pair's limits from Avantis' pair catalog (docs/avantis.md "Data files"). */
export interface PairLimits {
  /** Whether the pair takes new positions at all (isPairListed). */
  readonly listed: boolean;
  /** Whole x. */
  readonly minLeverage: number;
  /** Whole x. */
  readonly maxLeverage: number;
  /** Minimum collateral x leverage, USDC 1e6 (Avantis refuses smaller positions). */
  readonly minPositionUsdc: bigint;
}

/** System-wide canary caps while copying is new: a small blast radius for a bug. */
export interface CanaryCaps {
  readonly maxNotionalUsdc: bigint;
  readonly maxLeverage: number;
  readonly allowedPairs: readonly number[] | 'ALL';
}

export interface DecisionContext {
  readonly mode: ExecutionMode;
  readonly emergencyStop: boolean;
  readonly risk: RiskPolicy;
  /** Realized + unrealized losses of the wallet today, USDC 1e6 (positive = loss). */
  readonly lossTodayUsdc: bigint;
  /**
   * Collateral committed to copies, USDC 1e6: open copied positions plus every copy still in
   * flight (CREATED, ACCEPTED, INITIATED), so back-to-back opens cannot overshoot the ceiling.
   */
  readonly openCopiedUsdc: bigint;
  readonly wallet: string | undefined;
  /** The wallet's USDC on chain; undefined when not read (routing defers PCT_EQUITY sizing). */
  readonly equityUsdc: bigint | undefined;
  readonly pair: PairLimits | undefined;
  readonly canary: CanaryCaps;
}

const PRECISION = 10_000_000_000n;
const BPS = 10_000n;
const MILLI = 1_000n;

const skip = (reason: ReasonCode, notify: boolean): Decision => ({
  action: 'SKIP',
  reason,
  adjustments: [],
  notify,
});
const alert = (reason: ReasonCode): Decision => ({ action: 'ALERT', reason, adjustments: [], notify: true });

/** Collateral to copy before caps, USDC 1e6; undefined when it needs the wallet's equity and that is not known. */
export function baseCollateral(
  sizing: Sizing,
  traderCollateral: bigint,
  equity: bigint | undefined,
): bigint | undefined {
  switch (sizing.kind) {
    case 'FIXED_USD':
      return sizing.usdc;
    case 'PCT_EQUITY':
      return equity === undefined ? undefined : (equity * BigInt(sizing.bps)) / BPS;
    case 'MULTIPLIER':
      return (traderCollateral * BigInt(sizing.milli)) / MILLI;
  }
}

export function decide(signal: Signal, f: FollowerView, ctx: DecisionContext): Decision {
  if (f.paused) return skip('PAUSED', false);
  if (signal.kind === 'RETRACT') return f.notify ? alert('RETRACTED') : skip('NOTIFY_OFF', false);
  const notify = f.notify;
  const alertOr = (reason: ReasonCode): Decision => (notify ? alert(reason) : skip(reason, false));

  if (f.pairs !== 'ALL' && !f.pairs.includes(signal.pairIndex)) return skip('PAIR_NOT_ALLOWED', false);
  if (f.mode !== 'AUTO') return alertOr('ALERT_ONLY');
  if (ctx.emergencyStop) return alertOr('EMERGENCY_STOP');
  if (ctx.risk.paused) return skip('PAUSED', false);
  if (!ctx.wallet) return alertOr('NO_WALLET');
  const dry = ctx.mode === 'DRY';
  const copied = (order: CopyOrder, adjustments: ReasonCode[]): Decision => ({
    action: 'COPY',
    reason: dry ? 'MODE_DRY' : 'COPY_OK',
    adjustments,
    order,
    notify: true, // a copy is always reported: it concerns the user's money
  });

  if (signal.kind !== 'OPEN') {
    // Closes and adds are copied for the users who hold a copy of that position (decideOnCopy),
    // found by the position, not by the follow; for a follower this is an alert only.
    return alertOr('NO_COPY');
  }

  // Opening: every guard that limits new risk.
  if (ctx.pair && !ctx.pair.listed) return alertOr('PAIR_NOT_LISTED');
  if (ctx.canary.allowedPairs !== 'ALL' && !ctx.canary.allowedPairs.includes(signal.pairIndex))
    return alertOr('CANARY_PAIR');
  if (ctx.lossTodayUsdc > ctx.risk.dailyLossLimitUsdc) return alertOr('CIRCUIT_BREAKER');
  if (ctx.equityUsdc !== undefined && ctx.equityUsdc < ctx.risk.capitalFloorUsdc)
    return alertOr('CAPITAL_FLOOR');

  const adjustments: ReasonCode[] = [];
  const traderLeverage = BigInt(signal.leverage);
  if (f.minTraderLeverage !== undefined && traderLeverage < BigInt(f.minTraderLeverage) * PRECISION)
    return alertOr('TRADER_LEVERAGE_LOW');
  const capX = Math.min(
    f.maxLeverage,
    ctx.risk.maxLeverage,
    ctx.canary.maxLeverage,
    ctx.pair?.maxLeverage ?? Number.POSITIVE_INFINITY,
  );
  const cap = BigInt(capX) * PRECISION;
  const leverage = traderLeverage > cap ? cap : traderLeverage;
  if (leverage < traderLeverage) adjustments.push('LEVERAGE_CAPPED');
  if (ctx.pair && leverage < BigInt(ctx.pair.minLeverage) * PRECISION) return alertOr('LEVERAGE_BELOW_MIN');

  const base = baseCollateral(f.sizing, BigInt(signal.collateralUsdc), ctx.equityUsdc);
  if (base === undefined) {
    // PCT_EQUITY needs the wallet's balance, read right before execution.
    return { action: 'COPY', reason: 'NEEDS_EQUITY', adjustments, notify: true };
  }
  let collateral = base;
  // Max position caps are on notional (collateral x leverage), as the settings screens show them.
  const notionalCap = (n: bigint) => (n * PRECISION) / leverage;
  const caps = [
    notionalCap(f.maxPositionUsdc),
    notionalCap(ctx.risk.maxPositionUsdc),
    ctx.risk.capitalCeilingUsdc - ctx.openCopiedUsdc,
  ];
  if (ctx.canary.maxNotionalUsdc > 0n) caps.push(notionalCap(ctx.canary.maxNotionalUsdc));
  for (const c of caps) {
    if (collateral > c) {
      collateral = c;
      if (!adjustments.includes('SIZE_CAPPED')) adjustments.push('SIZE_CAPPED');
    }
  }
  if (collateral <= 0n) return alertOr('CAPITAL_CEILING');
  const notional = (collateral * leverage) / PRECISION;
  if (ctx.pair && notional < ctx.pair.minPositionUsdc) return alertOr('BELOW_MIN');
  if (ctx.equityUsdc !== undefined && collateral > ctx.equityUsdc - ctx.risk.capitalFloorUsdc)
    return alertOr('CAPITAL_FLOOR');

  return copied(
    {
      kind: 'OPEN',
      pairIndex: signal.pairIndex,
      buy: f.direction === 'REVERSE' ? signal.side !== 'LONG' : signal.side === 'LONG',
      leverage: leverage.toString(),
      collateralUsdc: collateral.toString(),
    },
    adjustments,
  );
}

/** What routing knows about one user's copy of the position a CLOSE or UPDATE signal is about. */
export interface CopyView {
  readonly userId: string;
  readonly chatId: string;
  /** The copy was simulated (opened while DRY): its close is simulated too. */
  readonly simulated: boolean;
  readonly notify: boolean;
}

/**
 * A trader's close (any fraction, TP, SL, liquidation) or add, for a user who holds a copy of that
 * position. Reducing risk is never blocked: pause, ALERTS mode, unfollow, autocopy-off and DRY stop
 * new opens only; the emergency stop halts every signature (the user is told what stays open).
 */
export function decideOnCopy(
  signal: Signal,
  copy: CopyView,
  ctx: { readonly mode: ExecutionMode; readonly emergencyStop: boolean },
): Decision {
  if (ctx.emergencyStop) return { action: 'ALERT', reason: 'EMERGENCY_STOP', adjustments: [], notify: true };
  const simulated = copy.simulated;
  if (signal.kind === 'CLOSE') {
    const fraction = signal.closeFraction ?? { closed: '1', of: '1' };
    return {
      action: 'COPY',
      reason: simulated ? 'MODE_DRY' : 'COPY_OK',
      adjustments: [],
      order: { kind: 'CLOSE', pairIndex: signal.pairIndex, fraction },
      notify: true,
    };
  }
  // An add is new risk: only LIVE adds to a LIVE copy.
  const added = signal.addedCollateralUsdc;
  const before = signal.collateralBeforeUsdc;
  if (signal.kind !== 'UPDATE' || !added || !before || simulated || ctx.mode === 'DRY')
    return {
      action: 'ALERT',
      reason: ctx.mode === 'DRY' ? 'MODE_DRY' : 'NO_COPY',
      adjustments: [],
      notify: copy.notify,
    };
  return {
    action: 'COPY',
    reason: 'COPY_OK',
    adjustments: [],
    order: {
      kind: 'INCREASE',
      pairIndex: signal.pairIndex,
      added: { collateralUsdc: added, traderBeforeUsdc: before },
      leverage: signal.addedLeverage ?? signal.leverage,
    },
    notify: true,
  };
}
