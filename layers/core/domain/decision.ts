// The Decision for one (signal, follower): ALERT, COPY or SKIP, with the reason code that explains
// it. Pure: every guard on the money path is here, in one order, and tested at and over each limit.
import type { ExecutionMode } from './execution-mode.js';
import type { Follow, FollowMode, Sizing } from './follows.js';
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
  | 'COPY_FAILED';

/** What a copy would send: an open of a size, or closing a fraction of the mirrored position. */
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
}

export interface PairLimits {
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
  /** Realized + unrealized copy losses today, USDC 1e6 (positive = loss). */
  readonly lossTodayUsdc: bigint;
  /** Collateral in open copied positions, USDC 1e6. */
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

  if (signal.kind === 'CLOSE') {
    // Closing follows the trader whatever the caps: reducing risk is never blocked.
    const fraction = signal.closeFraction ?? { closed: '1', of: '1' };
    return copied({ kind: 'CLOSE', pairIndex: signal.pairIndex, fraction }, []);
  }

  // Opening: every guard that limits new risk.
  if (ctx.canary.allowedPairs !== 'ALL' && !ctx.canary.allowedPairs.includes(signal.pairIndex))
    return alertOr('CANARY_PAIR');
  if (ctx.lossTodayUsdc > ctx.risk.dailyLossLimitUsdc) return alertOr('CIRCUIT_BREAKER');
  if (ctx.equityUsdc !== undefined && ctx.equityUsdc < ctx.risk.capitalFloorUsdc)
    return alertOr('CAPITAL_FLOOR');

  const adjustments: ReasonCode[] = [];
  const traderLeverage = BigInt(signal.leverage);
  const capX = Math.min(
    f.maxLeverage,
    ctx.risk.maxLeverage,
    ctx.canary.maxLeverage,
    ctx.pair?.maxLeverage ?? Number.POSITIVE_INFINITY,
  );
  const cap = BigInt(capX) * PRECISION;
  const leverage = traderLeverage > cap ? cap : traderLeverage;
  if (leverage < traderLeverage) adjustments.push('LEVERAGE_CAPPED');

  const base = baseCollateral(f.sizing, BigInt(signal.collateralUsdc), ctx.equityUsdc);
  if (base === undefined) {
    // PCT_EQUITY needs the wallet's balance, read right before execution.
    return { action: 'COPY', reason: 'NEEDS_EQUITY', adjustments, notify: true };
  }
  let collateral = base;
  const caps = [
    f.maxPositionUsdc,
    ctx.risk.maxPositionUsdc,
    ctx.risk.capitalCeilingUsdc - ctx.openCopiedUsdc,
  ];
  if (ctx.canary.maxNotionalUsdc > 0n) caps.push((ctx.canary.maxNotionalUsdc * PRECISION) / leverage);
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
      buy: signal.side === 'LONG',
      leverage: leverage.toString(),
      collateralUsdc: collateral.toString(),
    },
    adjustments,
  );
}

/** Blocks a copy may stay unmined before it is sent again, same nonce, higher fee. */
export const STUCK_AFTER_BLOCKS = 3;

/** What to do about a sent copy now: wait, replace it (stuck), or settle it as failed (reverted). */
export function stuckAction(input: {
  readonly sentBlock: number;
  readonly head: number;
  readonly receipt: 'MINED' | 'REVERTED' | 'PENDING';
}): 'WAIT' | 'REPLACE' | 'FAIL' {
  if (input.receipt === 'REVERTED') return 'FAIL';
  if (input.receipt === 'MINED') return 'WAIT'; // the indexer settles it when it sees the fill
  return input.head - input.sentBlock >= STUCK_AFTER_BLOCKS ? 'REPLACE' : 'WAIT';
}
