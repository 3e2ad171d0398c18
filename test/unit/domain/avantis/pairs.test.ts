// The pair catalog (domain/avantis/pairs.ts) against the data API snapshot it was generated from,
// ../shared/avantis/pair-limits.json (read on purpose: the test checks the copy against its
// source): every pair, every field, in chain units; names as Avantis gives them (pairs.json); and
// the copy rules that read it (unlisted pairs are refused, limits are the catalog's).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PAIRS,
  pairName,
  DELISTED_PAIRS,
  MAX_TRADES_PER_PAIR,
  isListed,
  pairCatalog,
  pairIndexOf,
  pairLimits,
} from '#core/domain/avantis/pairs.js';
import path from 'node:path';

// CI has shared/ beside the clone (../shared from the repo root); this machine has /work/shared.
const ROOT = path.resolve(import.meta.dirname, '../../../..');
const SHARED = [path.join(ROOT, '../shared/avantis'), '/work/shared/avantis'].find((p) => {
  try {
    readFileSync(path.join(p, 'pair-limits.json'));
    return true;
  } catch {
    return false;
  }
});
if (!SHARED) throw new Error('shared/avantis/pair-limits.json not found beside the repository');

interface JsonPair {
  pairIndex: number;
  from: string;
  to: string;
  groupIndex: number;
  group: string;
  isPairListed: boolean;
  minLeverage: number;
  maxLeverage: number;
  pnlMinLeverage: number;
  pnlMaxLeverage: number;
  pnlTypeAllowed: number;
  minPositionUsdc: number;
  openFeeP: number;
  closeFeeP: number;
  limitOrderFeeP: number;
  spreadP: number;
  maxGainP: number;
  maxSlP: number;
  fundingFeePerHourP: number;
  marketHours: string;
}
const JSON_DATA = JSON.parse(readFileSync(path.join(SHARED, 'pair-limits.json'), 'utf8')) as {
  maxTradesPerPair: number;
  pairs: JsonPair[];
};
const PAIRS_JSON = (
  JSON.parse(readFileSync(path.join(SHARED, 'pairs.json'), 'utf8')) as {
    pairs: { pairIndex: number; name: string | null }[];
  }
).pairs;

/** A percentage as the API writes it (0.045) -> percent x 1e10, exactly (decimal text, no float math). */
function percent1e10(x: number): bigint {
  const [whole = '0', frac = ''] = String(x).split('.');
  if (frac.length > 10) throw new Error(`more than 10 decimals: ${x}`);
  return BigInt(whole) * 10n ** 10n + BigInt(frac.padEnd(10, '0') || '0');
}

describe('pairs', () => {
  it('names the key pairs as Avantis does (0 ETH, 1 BTC)', () => {
    expect(pairName(0)).toBe('ETH/USD');
    expect(pairName(1)).toBe('BTC/USD');
    expect(pairName(21)).toBe('XAU/USD');
    expect(pairName(62)).toBe('HYPE/USD');
    expect(pairName(78)).toBe('US500/USD');
    expect(pairName(79)).toBe('US100/USD');
  });
  it('unknown and delisted indices read PAIR#i', () => {
    expect(pairName(32)).toBe('PAIR#32');
    expect(pairName(47)).toBe('PAIR#47');
    expect(pairName(4242)).toBe('PAIR#4242');
  });
  it('agrees with shared pairs.json on every index it knows, and knows at least 0..30', () => {
    for (const p of PAIRS_JSON) {
      if (p.name === null) expect(PAIRS.has(p.pairIndex)).toBe(false);
      else expect(pairName(p.pairIndex)).toBe(p.name);
    }
    for (let i = 0; i <= 30; i++) expect(PAIRS.has(i)).toBe(true);
  });
});

describe('the pair catalog', () => {
  it('has every pair of the snapshot and nothing else', () => {
    expect([...pairCatalog.keys()].sort((a, b) => a - b)).toEqual(JSON_DATA.pairs.map((p) => p.pairIndex));
    expect(MAX_TRADES_PER_PAIR).toBe(JSON_DATA.maxTradesPerPair);
  });

  it.each(JSON_DATA.pairs.map((p) => [p.pairIndex, p] as const))(
    'pair %i equals the snapshot field by field',
    (i, p) => {
      const c = pairCatalog.get(i);
      expect(c).toEqual({
        pairIndex: i,
        name: p.from ? `${p.from}/${p.to}` : `PAIR#${i}`,
        group: p.group,
        listed: p.isPairListed,
        minLeverage: p.minLeverage,
        maxLeverage: p.maxLeverage,
        pnlMinLeverage: p.pnlMinLeverage,
        pnlMaxLeverage: p.pnlMaxLeverage,
        pnlPair: p.pnlTypeAllowed === 1,
        minPositionUsdc: BigInt(p.minPositionUsdc) * 1_000_000n,
        openFeeP: percent1e10(p.openFeeP),
        closeFeeP: percent1e10(p.closeFeeP),
        limitOrderFeeP: percent1e10(p.limitOrderFeeP),
        spreadP: percent1e10(p.spreadP),
        maxGainP: p.maxGainP,
        maxSlP: p.maxSlP,
        fundingFeePerHourP: percent1e10(p.fundingFeePerHourP),
        marketHours: p.marketHours,
      });
    },
  );

  it('names agree with pairs.json; the nameless slots (32, 47) read PAIR#i and cannot be typed', () => {
    for (const p of PAIRS_JSON) expect(pairName(p.pairIndex)).toBe(p.name ?? `PAIR#${p.pairIndex}`);
    expect([...DELISTED_PAIRS]).toEqual([32, 47]);
    expect(pairIndexOf('32')).toBeUndefined();
    expect(pairIndexOf('eth')).toBe(0);
    expect(pairIndexOf('BTC/USD')).toBe(1);
  });
});

describe('copies and the catalog', () => {
  it('refuses unlisted and unknown pairs (FET 28, USD/KRW 68, the delisted 32 and 47, and 4242)', () => {
    const unlisted = JSON_DATA.pairs.filter((p) => !p.isPairListed).map((p) => p.pairIndex);
    expect(unlisted).toEqual([28, 32, 47, 68]);
    for (const i of [...unlisted, 4242]) expect(isListed(i)).toBe(false);
    expect(isListed(0)).toBe(true);
    expect(pairLimits(28)?.listed).toBe(false);
    expect(pairLimits(4242)).toBeUndefined();
  });

  it("gives copies the pair's own limits: ETH 1-75x, min position 100 USDC; a PnL pair says so", () => {
    expect(pairLimits(0)).toEqual({
      listed: true,
      minLeverage: 1,
      maxLeverage: 75,
      minPositionUsdc: 100_000_000n,
      pnlPair: false,
      pnlMinLeverage: 75,
      pnlMaxLeverage: 500,
    });
    const pnl = JSON_DATA.pairs.find((p) => p.pnlTypeAllowed === 1);
    expect(pnl && pairLimits(pnl.pairIndex)?.pnlPair).toBe(true);
  });
});
