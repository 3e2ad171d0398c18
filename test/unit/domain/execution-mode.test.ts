// The execution mode (domain/execution-mode.ts): LIVE only when the ceiling and the switch both say
// LIVE and no emergency stop is set.
import { describe, expect, it } from 'vitest';
import { resolveExecutionMode } from '#core/domain/execution-mode.js';

describe('Function: resolveExecutionMode', () => {
  it('is LIVE only when the ceiling and the switch both say LIVE and there is no emergency stop', () => {
    expect(resolveExecutionMode({ ceiling: 'LIVE', switchValue: 'LIVE', emergencyStop: false })).toBe('LIVE');
  });

  it.each([
    ['the ceiling is DRY', { ceiling: 'DRY', switchValue: 'LIVE', emergencyStop: false }],
    ['the switch is DRY', { ceiling: 'LIVE', switchValue: 'DRY', emergencyStop: false }],
    ['the switch is unreadable', { ceiling: 'LIVE', switchValue: undefined, emergencyStop: false }],
    ['the switch is lower case', { ceiling: 'LIVE', switchValue: 'live', emergencyStop: false }],
    ['the switch is garbage', { ceiling: 'LIVE', switchValue: 'LIVE!', emergencyStop: false }],
    ['the emergency stop is set', { ceiling: 'LIVE', switchValue: 'LIVE', emergencyStop: true }],
  ] as const)('is DRY when %s', (_why, input) => {
    expect(resolveExecutionMode(input)).toBe('DRY');
  });
});
