// The Avantis v1 close arithmetic in bigint, mirroring local/chain/contracts/AvantisTypes.sol
// (AvantisMath), so the simulator's keeper triggers exactly what the contracts would accept.
import { PRECISION } from '../chain/abi.js';

const MAX_GAIN = 900n * PRECISION;
const MAX_LOSS = -100n * PRECISION;
export const LIQ_THRESHOLD_P = 85n;
/** Trading.MAX_SL_P: an SL may not lose more than 80% of the collateral. */
export const MAX_SL_P = 80n;

/** Percent scaled by 1e10, clamped to [-100%, +900%]; bigint division truncates like Solidity's. */
export function percentProfit(openPrice: bigint, price: bigint, buy: boolean, leverage: bigint): bigint {
  const diff = buy ? price - openPrice : openPrice - price;
  const p = (diff * 100n * PRECISION * leverage) / PRECISION / openPrice;
  return p > MAX_GAIN ? MAX_GAIN : p < MAX_LOSS ? MAX_LOSS : p;
}

/** A fee of `feeP` (percent 1e10) on the leveraged size of `collateral` (USDC 1e6). */
export function levFee(collateral: bigint, leverage: bigint, feeP: bigint): bigint {
  return (((collateral * leverage) / PRECISION) * feeP) / 100n / PRECISION;
}

/** collateral + pnl - fees, or 0 once 85% of the collateral is lost. */
export function tradeValue(collateral: bigint, p: bigint, fees: bigint): bigint {
  const value = collateral + (collateral * p) / PRECISION / 100n - fees;
  return value <= (collateral * (100n - LIQ_THRESHOLD_P)) / 100n ? 0n : value;
}

export interface PricedTrade {
  readonly buy: boolean;
  readonly openPrice: bigint;
  readonly leverage: bigint;
  /** initialPosToken, USDC 1e6 */
  readonly collateral: bigint;
  readonly tp: bigint;
  readonly sl: bigint;
}

export const tpHit = (t: PricedTrade, price: bigint): boolean =>
  t.tp > 0n && (t.buy ? price >= t.tp : price <= t.tp);
export const slHit = (t: PricedTrade, price: bigint): boolean =>
  t.sl > 0n && (t.buy ? price <= t.sl : price >= t.sl);
export function liquidatable(t: PricedTrade, price: bigint, closeFeeP: bigint): boolean {
  const p = percentProfit(t.openPrice, price, t.buy, t.leverage);
  return tradeValue(t.collateral, p, levFee(t.collateral, t.leverage, closeFeeP)) === 0n;
}

/** How far from the open price an SL may sit (Trading.updateTpAndSl's SL_TOO_BIG check). */
export const maxSlDistance = (openPrice: bigint, leverage: bigint): bigint =>
  (openPrice * MAX_SL_P * PRECISION) / leverage / 100n;
