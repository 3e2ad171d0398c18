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
