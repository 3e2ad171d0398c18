// The v2 pair catalog of the local chain: the local pairs (same indices as v1.5) plus one delisted
// pair to test refusals, with the values Avantis' data API gives in pair-limits.json (docs/avantis.md "Data files")
// (min/max leverage, minimum position, open/close fee, spread, max gain, funding, listed), copied
// here as a table so the deployment does not depend on a file outside the repository; a unit test
// checks the table against the JSON. The upgrade transaction writes it into PairStorageV2.
// Rollover and the OI / wallet caps are not in the catalog: they are [local] choices.
import { parseUnits } from 'ethers';
import { PRECISION, USDC_UNIT } from './abi.js';

export interface V2Pair {
  readonly index: number;
  readonly from: string;
  readonly to: string;
  readonly groupIndex: number;
  readonly listed: boolean;
  /** 1e10 */
  readonly minLeverage: bigint;
  readonly maxLeverage: bigint;
  /** Minimum notional (collateral x leverage), USDC 1e6. */
  readonly minLevPosUSDC: bigint;
  /** Percent 1e10 of the notional. */
  readonly openFeeP: bigint;
  readonly closeFeeP: bigint;
  /** Percent 1e10 of the price, against the trader on open and on close. */
  readonly spreadP: bigint;
  /** Percent 1e10: the profit cap. */
  readonly maxGainP: bigint;
  /** Percent 1e10 of the notional per hour; longs pay, shorts receive [local]. */
  readonly fundingFeePerHourP: bigint;
  /** [local] Percent 1e10 of the collateral per hour (the data API's marginFee is not in the snapshot). */
  readonly rolloverFeePerHourP: bigint;
  /** [local] Open interest cap per side, notional USDC 1e6. */
  readonly maxOI: bigint;
  /** [local] Cap per trader and pair, notional USDC 1e6. */
  readonly maxWalletOI: bigint;
}

const pct = (p: string): bigint => parseUnits(p, 10);
const usdc = (n: number): bigint => BigInt(n) * USDC_UNIT;
const ROLLOVER = pct('0.001');
const MAX_OI = usdc(50_000_000);
const MAX_WALLET_OI = usdc(5_000_000);

function pair(
  index: number,
  from: string,
  to: string,
  groupIndex: number,
  listed: boolean,
  [minLev, maxLev]: readonly [number, number],
  minPos: number,
  [openFee, closeFee]: readonly [string, string],
  spread: string,
  maxGain: number,
  funding: string,
): V2Pair {
  return {
    index,
    from,
    to,
    groupIndex,
    listed,
    minLeverage: BigInt(minLev) * PRECISION,
    maxLeverage: BigInt(maxLev) * PRECISION,
    minLevPosUSDC: usdc(minPos),
    openFeeP: pct(openFee),
    closeFeeP: pct(closeFee),
    spreadP: pct(spread),
    maxGainP: BigInt(maxGain) * PRECISION,
    fundingFeePerHourP: pct(funding),
    rolloverFeePerHourP: ROLLOVER,
    maxOI: MAX_OI,
    maxWalletOI: MAX_WALLET_OI,
  };
}

/** pair-limits.json, dataVersion 3 (SDK fc8ae8a); 28 FET/USD is delisted there, kept to test refusals. */
export const V2_PAIRS: readonly V2Pair[] = [
  pair(0, 'ETH', 'USD', 0, true, [1, 75], 100, ['0.045', '0.045'], '0.01', 2500, '0.0022842'),
  pair(1, 'BTC', 'USD', 0, true, [1, 75], 100, ['0.045', '0.045'], '0', 2500, '0.0022842'),
  pair(2, 'SOL', 'USD', 1, true, [1, 75], 100, ['0.045', '0.045'], '0.02', 2500, '0.0022842'),
  pair(5, 'DOGE', 'USD', 1, true, [1, 20], 100, ['0.045', '0.045'], '0.05', 2500, '0.0022842'),
  pair(11, 'EUR', 'USD', 2, true, [1, 100], 300, ['0.03', '0'], '0', 500, '0.0022842'),
  pair(12, 'USD', 'JPY', 2, true, [1, 100], 300, ['0.03', '0'], '0', 2500, '0.0022842'),
  pair(21, 'XAU', 'USD', 3, true, [1, 75], 100, ['0.08', '0'], '0', 1500, '0.0022842'),
  pair(28, 'FET', 'USD', 0, false, [2, 100], 10, ['0.08', '0.06'], '0.01', 500, '0'),
  pair(62, 'HYPE', 'USD', 5, true, [1, 20], 100, ['0.045', '0.045'], '0.2', 2500, '0.0022842'),
];

/** A catalog entry by pair index. */
export function v2Pair(index: number): V2Pair | undefined {
  return V2_PAIRS.find((p) => p.index === index);
}
