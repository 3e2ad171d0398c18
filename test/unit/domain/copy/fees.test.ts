// The fee at a catalog rate, the base-rate estimate of what Avantis keeps on a cancelled open:
// hand-worked amounts at ETH/USD's 0.045%, rounding down to the micro-USDC, and the same result as
// the notional-first form the copier's cancel notice used (a property over random amounts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairCatalog } from '#core/domain/avantis/pairs.js';
import { feeAtRate } from '#core/domain/copy/fees.js';

const E10 = 10_000_000_000n;
const USDC = 1_000_000n;

describe('Function: feeAtRate', () => {
  it("is the pair's opening fee on the notional: 100 USDC at 10x on ETH/USD (0.045%) keeps 0.45 USDC", () => {
    // Prepare: ETH/USD's rate as the catalog holds it, percent x 1e10.
    const openFeeP = pairCatalog.get(0)?.openFeeP ?? 0n;
    expect(openFeeP).toBe(450_000_000n);

    // Act
    const fee = feeAtRate(100n * USDC, 10n * E10, openFeeP);

    // Assess: 1,000 USDC notional x 0.045% = 0.45 USDC.
    expect(fee).toBe(450_000n);
  });

  it('rounds down to the micro-USDC, the notional first', () => {
    // Prepare: 33.333333 USDC at 3x is 99.999999 USDC of notional.
    const collateral = 33_333_333n;

    // Act
    const fee = feeAtRate(collateral, 3n * E10, 450_000_000n);

    // Assess: 99.999999 x 0.045% = 0.04499999955 USDC, floored to 0.044999.
    expect(fee).toBe(44_999n);
  });

  it('is zero without leverage, collateral or rate', () => {
    // Act / Assess
    expect(feeAtRate(100n * USDC, 0n, 450_000_000n)).toBe(0n);
    expect(feeAtRate(0n, 10n * E10, 450_000_000n)).toBe(0n);
    expect(feeAtRate(100n * USDC, 10n * E10, 0n)).toBe(0n);
  });

  it('equals the notional-first form the copier computed, for any amount, leverage and rate', () => {
    fc.assert(
      fc.property(
        // Prepare: up to 10M USDC, 1x to 500x, rates up to 1%.
        fc.bigInt(0n, 10_000_000n * USDC),
        fc.bigInt(E10, 500n * E10),
        fc.bigInt(0n, 10_000_000_000n),
        (collateral, leverage, feeP) => {
          // Act
          const fee = feeAtRate(collateral, leverage, feeP);

          // Assess: (notional x feeP) / 1e10 / 100, as copy.ts's keptFee fallback wrote it.
          const notional = (collateral * leverage) / E10;
          expect(fee).toBe((notional * feeP) / E10 / 100n);
        },
      ),
      { numRuns: 500 },
    );
  });
});
