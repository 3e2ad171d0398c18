// Risk profiles (domain/risk.ts): custom caps make a CUSTOM profile; a floor above the ceiling is refused.
import { describe, expect, it } from 'vitest';
import { applyRiskText, defaultRiskPolicy } from '#core/domain/risk.js';

describe('small parsers', () => {
  it('risk: custom caps mark the profile CUSTOM; floor above ceiling is refused', () => {
    const custom = applyRiskText(defaultRiskPolicy(), 'dailyloss', '$75');
    expect(custom.ok && custom.value).toMatchObject({ profile: 'CUSTOM', dailyLossLimitUsdc: 75_000_000n });
    expect(applyRiskText(defaultRiskPolicy(), 'floor', '600').ok).toBe(false);
  });
});
