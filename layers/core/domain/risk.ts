// RiskPolicy: a user's own limits over every copy, with presets that fill them in one tap.
import type { Checked } from './follows.js';
import { parseUsd } from './follows.js';

export type RiskProfile = 'CONSERVATIVE' | 'MODERATE' | 'AGGRESSIVE' | 'CUSTOM';

export interface RiskPolicy {
  /** Pauses every copy and alert of this user. */
  readonly paused: boolean;
  readonly profile: RiskProfile;
  readonly maxLeverage: number;
  /** USDC 1e6. */
  readonly maxPositionUsdc: bigint;
  /** Realized loss of the wallet in a UTC day after which new copies stop until tomorrow (circuit breaker). */
  readonly dailyLossLimitUsdc: bigint;
  /** Stop copying when the wallet's USDC falls below this. */
  readonly capitalFloorUsdc: bigint;
  /** Never put more than this into copied positions at once. */
  readonly capitalCeilingUsdc: bigint;
}

const USDC = 1_000_000n;

export const PRESETS: Readonly<
  Record<Exclude<RiskProfile, 'CUSTOM'>, Omit<RiskPolicy, 'paused' | 'profile'>>
> = {
  CONSERVATIVE: {
    maxLeverage: 5,
    maxPositionUsdc: 100n * USDC,
    dailyLossLimitUsdc: 50n * USDC,
    capitalFloorUsdc: 200n * USDC,
    capitalCeilingUsdc: 500n * USDC,
  },
  MODERATE: {
    maxLeverage: 15,
    maxPositionUsdc: 500n * USDC,
    dailyLossLimitUsdc: 250n * USDC,
    capitalFloorUsdc: 100n * USDC,
    capitalCeilingUsdc: 2_500n * USDC,
  },
  AGGRESSIVE: {
    maxLeverage: 50,
    maxPositionUsdc: 2_000n * USDC,
    dailyLossLimitUsdc: 1_000n * USDC,
    capitalFloorUsdc: 50n * USDC,
    capitalCeilingUsdc: 10_000n * USDC,
  },
};

export function defaultRiskPolicy(): RiskPolicy {
  return { paused: false, profile: 'CONSERVATIVE', ...PRESETS.CONSERVATIVE };
}

export function withPreset(policy: RiskPolicy, profile: Exclude<RiskProfile, 'CUSTOM'>): RiskPolicy {
  return { ...policy, profile, ...PRESETS[profile] };
}

export const RISK_FIELDS: readonly (readonly [string, string])[] = [
  ['lev', '/settings lev 10'],
  ['maxpos', '/settings maxpos 500'],
  ['dailyloss', '/settings dailyloss 200'],
  ['floor', '/settings floor 100'],
  ['ceiling', '/settings ceiling 2000'],
];

/** `/settings <field> <value>`: a custom cap (the profile becomes CUSTOM). */
export function applyRiskText(policy: RiskPolicy, field: string, value: string): Checked<RiskPolicy> {
  const f = field.toLowerCase();
  if (f === 'lev' || f === 'leverage') {
    const n = /^(\d+)x?$/i.exec(value.trim());
    const lev = n ? Number(n[1]) : Number.NaN;
    if (!(lev >= 1 && lev <= 150))
      return { ok: false, error: 'lev is a whole number from 1 to 150, e.g. /settings lev 10' };
    return { ok: true, value: { ...policy, profile: 'CUSTOM', maxLeverage: lev } };
  }
  const keys: Record<string, keyof RiskPolicy> = {
    maxpos: 'maxPositionUsdc',
    dailyloss: 'dailyLossLimitUsdc',
    floor: 'capitalFloorUsdc',
    ceiling: 'capitalCeilingUsdc',
  };
  const key = keys[f];
  if (!key)
    return { ok: false, error: `unknown setting "${field}"; use ${RISK_FIELDS.map(([n]) => n).join(', ')}` };
  const usd = parseUsd(value);
  if (usd === undefined || usd > 10_000_000n * USDC)
    return { ok: false, error: `${f} is dollars, e.g. ${RISK_FIELDS.find(([n]) => n === f)?.[1]}` };
  const next = { ...policy, profile: 'CUSTOM' as const, [key]: usd };
  if (next.capitalFloorUsdc > next.capitalCeilingUsdc)
    return { ok: false, error: 'the capital floor must not be above the ceiling' };
  return { ok: true, value: next };
}
