// A fee at one of the pair catalog's rates (openFeeP, closeFeeP: percent × 1e10) on a position's
// notional. The opening fee Avantis really charges is skew-adjusted around the catalog's rate
// (docs/avantis.md v2 §8), so this is the base-rate estimate: what a cancelled open's notice and
// the copy results say Avantis kept when no receipt gives the real amount. Pure, bigint money.

const PRECISION = 10_000_000_000n; // leverage and fee percentages are × 1e10
const HUNDRED = 100n * PRECISION;

/**
 * The fee at `feeP` on `collateralUsdc` (1e6) × `leverage` (1e10), USDC 1e6, rounded down: the
 * notional is floored to whole micro-USDC first, as the copier always computed it.
 */
export function feeAtRate(collateralUsdc: bigint, leverage: bigint, feeP: bigint): bigint {
  return (((collateralUsdc * leverage) / PRECISION) * feeP) / HUNDRED;
}
