// The copyability score: how well a follower would have done copying a trader lately. It rewards
// risk-adjusted, consistent, recent profit and penalises drawdown, extreme leverage and small
// samples. The formula is documented in the README; every factor is in [0, 1] except the edge.
import type { WindowStats } from './stats.js';

export interface LeaderRules {
  readonly minTrades30d: number;
  readonly minVolume30dUsd: number;
  readonly activeHours: number;
}

export type Exclusion = 'TOO_FEW_TRADES' | 'TOO_LITTLE_VOLUME' | 'INACTIVE';

export interface Copyability {
  readonly eligible: boolean;
  readonly exclusions: readonly Exclusion[];
  /** 0..1000, whole; 0 for excluded or unprofitable traders. */
  readonly score: number;
  readonly factors: {
    readonly edge: number;
    readonly consistency: number;
    readonly recency: number;
    readonly leverage: number;
    readonly sample: number;
  };
}

const USDC = 1_000_000n;
/** Leverage at or below this costs nothing; above it the score falls in proportion. */
const COMFORTABLE_LEVERAGE = 10;
/** Closes at which the sample factor reaches one half. */
const HALF_CONFIDENCE_CLOSES = 10;

export function copyability(s30: WindowStats, s7: WindowStats, now: number, rules: LeaderRules): Copyability {
  const exclusions: Exclusion[] = [];
  if (s30.trades < rules.minTrades30d) exclusions.push('TOO_FEW_TRADES');
  if (s30.volumeUsdc < BigInt(rules.minVolume30dUsd) * USDC) exclusions.push('TOO_LITTLE_VOLUME');
  if (s30.lastActive === 0 || now - s30.lastActive > rules.activeHours * 3600) exclusions.push('INACTIVE');

  // Edge: profit per unit of the worst fall, against a floor of one average close's collateral so
  // a trader who never drew down is not infinitely good. Squashed into (-1, 1).
  const avgCollateral = s30.closes === 0 ? 0n : s30.collateralClosedUsdc / BigInt(s30.closes);
  const risk = s30.maxDrawdownUsdc > avgCollateral ? s30.maxDrawdownUsdc : avgCollateral;
  const rawEdge = risk === 0n ? 0 : Number(s30.realizedPnlUsdc) / Number(risk);
  const edge = rawEdge / (1 + Math.abs(rawEdge));
  const consistency =
    0.5 * s30.winRate + 0.5 * (s30.activeDays === 0 ? 0 : s30.profitableDays / s30.activeDays);
  const recency = s7.realizedPnlUsdc > 0n ? 1 : s7.realizedPnlUsdc === 0n ? 0.75 : 0.5;
  const leverage = s30.medianLeverage <= COMFORTABLE_LEVERAGE ? 1 : COMFORTABLE_LEVERAGE / s30.medianLeverage;
  const sample = s30.closes / (s30.closes + HALF_CONFIDENCE_CLOSES);

  const eligible = exclusions.length === 0;
  const score =
    eligible && edge > 0 ? Math.round(1000 * edge * consistency * recency * leverage * sample) : 0;
  return { eligible, exclusions, score, factors: { edge, consistency, recency, leverage, sample } };
}
