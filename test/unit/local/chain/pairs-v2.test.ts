// The local v2 pair catalog (local/chain/pairs-v2.ts) against Avantis' data-API snapshot in
// /work/shared/avantis/pair-limits.json: every copied field equals the JSON, the v1.5 pair indices
// are all there, and at least one delisted pair is kept to test refusals.
import { readFileSync } from 'node:fs';
import { parseUnits } from 'ethers';
import { describe, expect, it } from 'vitest';
import { PRECISION, USDC_UNIT } from '../../../../local/chain/abi.js';
import { LOCAL_PAIRS } from '../../../../local/chain/deploy.js';
import { V2_PAIRS } from '../../../../local/chain/pairs-v2.js';

interface JsonPair {
  pairIndex: number;
  from: string;
  to: string;
  groupIndex: number;
  isPairListed: boolean;
  minLeverage: number;
  maxLeverage: number;
  minPositionUsdc: number;
  openFeeP: number;
  closeFeeP: number;
  spreadP: number;
  maxGainP: number;
  fundingFeePerHourP: number;
  pnlTypeAllowed: number;
}
const LIMITS = JSON.parse(readFileSync('/work/shared/avantis/pair-limits.json', 'utf8')) as {
  pairs: JsonPair[];
};
const pct = (x: number): bigint => parseUnits(String(x), 10);

describe('the v2 pair catalog', () => {
  it('copies every field from pair-limits.json exactly', () => {
    for (const p of V2_PAIRS) {
      const j = LIMITS.pairs.find((x) => x.pairIndex === p.index);
      expect(j, `pair ${p.index}`).toBeDefined();
      if (!j) continue;
      expect({
        from: p.from,
        to: p.to,
        groupIndex: p.groupIndex,
        listed: p.listed,
        minLeverage: p.minLeverage,
        maxLeverage: p.maxLeverage,
        minLevPosUSDC: p.minLevPosUSDC,
        openFeeP: p.openFeeP,
        closeFeeP: p.closeFeeP,
        spreadP: p.spreadP,
        maxGainP: p.maxGainP,
        fundingFeePerHourP: p.fundingFeePerHourP,
      }).toEqual({
        from: j.from,
        to: j.to,
        groupIndex: j.groupIndex,
        listed: j.isPairListed,
        minLeverage: BigInt(j.minLeverage) * PRECISION,
        maxLeverage: BigInt(j.maxLeverage) * PRECISION,
        minLevPosUSDC: BigInt(j.minPositionUsdc) * USDC_UNIT,
        openFeeP: pct(j.openFeeP),
        closeFeeP: pct(j.closeFeeP),
        spreadP: pct(j.spreadP),
        maxGainP: pct(j.maxGainP),
        fundingFeePerHourP: pct(j.fundingFeePerHourP),
      });
      expect(j.pnlTypeAllowed, `pair ${p.index} is an Upside pair, which the contracts refuse`).toBe(0);
    }
  });

  it('keeps every v1.5 pair index and at least one delisted pair', () => {
    const indices = V2_PAIRS.map((p) => p.index);
    for (const p of LOCAL_PAIRS) expect(indices).toContain(p.index);
    expect(V2_PAIRS.some((p) => !p.listed)).toBe(true);
  });
});
