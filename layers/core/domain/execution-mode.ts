// The DRY/LIVE switch, resolved so that any doubt means DRY.

export type ExecutionMode = 'DRY' | 'LIVE';

/**
 * LIVE only when the deploy-time ceiling allows it, the operator's switch says exactly `LIVE`,
 * and no emergency stop is set; every other combination, including an unreadable switch, is DRY.
 */
export function resolveExecutionMode(input: {
  readonly ceiling: ExecutionMode;
  readonly switchValue: string | undefined;
  readonly emergencyStop: boolean;
}): ExecutionMode {
  if (input.emergencyStop || input.ceiling !== 'LIVE') return 'DRY';
  return input.switchValue?.trim() === 'LIVE' ? 'LIVE' : 'DRY';
}

/** After a failed read of the switch, LIVE is allowed again only after this many healthy reads in a row. */
export const HEALTHY_READS_AFTER_ERROR = 3;

export interface SwitchHealth {
  /** Healthy reads in a row since the last error; Infinity when no error was ever seen. */
  readonly healthyStreak: number;
}

export const INITIAL_SWITCH_HEALTH: SwitchHealth = { healthyStreak: Number.POSITIVE_INFINITY };

/**
 * One read of the switch -> the mode to use now. A failed read is DRY and resets the streak; a LIVE
 * read counts only once the streak is long enough, so a flapping SSM cannot flip money on and off.
 */
export function observeSwitch(
  health: SwitchHealth,
  read: { readonly ok: true; readonly value: string | undefined } | { readonly ok: false },
  ceiling: ExecutionMode,
  emergencyStop: boolean,
): { readonly health: SwitchHealth; readonly mode: ExecutionMode } {
  if (!read.ok) return { health: { healthyStreak: 0 }, mode: 'DRY' };
  const healthyStreak = health.healthyStreak + 1;
  const wanted = resolveExecutionMode({ ceiling, switchValue: read.value, emergencyStop });
  return {
    health: { healthyStreak },
    mode: wanted === 'LIVE' && healthyStreak < HEALTHY_READS_AFTER_ERROR ? 'DRY' : wanted,
  };
}
