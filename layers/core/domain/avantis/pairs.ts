// pairIndex -> pair name and group, so events and messages can say "BTC/USD" instead of 1.
// Snapshot of Avantis' own pair list (SDK trading_snapshot @fc8ae8a, 112 pairs, FACTS section 4). The list is
// append-only by index; new pairs show as PAIR#i until added here (or resolved with PairStorage.getPairData).

export type PairGroup = 'CRYPTO1' | 'CRYPTO2' | 'FOREX' | 'COMMODITIES' | 'CRYPTO3' | 'CRYPTO4' | 'EQUITIES';

/** Group index -> name, as PairStorage numbers them. */
const GROUPS: readonly PairGroup[] = [
  'CRYPTO1',
  'CRYPTO2',
  'FOREX',
  'COMMODITIES',
  'CRYPTO3',
  'CRYPTO4',
  'EQUITIES',
];

export interface PairInfo {
  readonly pairIndex: number;
  readonly name: string;
  readonly group: PairGroup;
}

// [pairIndex, name, groupIndex]. Avantis' data says 0 = ETH, 1 = BTC; some third-party bots claim BTC = 0 (they are wrong).
const TABLE: readonly (readonly [number, string, number])[] = [
  [0, 'ETH/USD', 0],
  [1, 'BTC/USD', 0],
  [2, 'SOL/USD', 1],
  [3, 'BNB/USD', 1],
  [4, 'ARB/USD', 1],
  [5, 'DOGE/USD', 1],
  [6, 'AVAX/USD', 1],
  [7, 'OP/USD', 1],
  [8, 'POL/USD', 1],
  [9, 'TIA/USD', 1],
  [10, 'SEI/USD', 1],
  [11, 'EUR/USD', 2],
  [12, 'USD/JPY', 2],
  [13, 'GBP/USD', 2],
  [14, 'USD/CAD', 2],
  [15, 'USD/CHF', 2],
  [16, 'USD/SEK', 2],
  [17, 'AUD/USD', 2],
  [18, 'NZD/USD', 2],
  [19, 'USD/SGD', 2],
  [20, 'XAG/USD', 3],
  [21, 'XAU/USD', 3],
  [22, 'SHIB/USD', 4],
  [23, 'PEPE/USD', 4],
  [24, 'BONK/USD', 4],
  [25, 'WIF/USD', 4],
  [26, 'RENDER/USD', 5],
  [27, 'WLD/USD', 5],
  [28, 'FET/USD', 0],
  [29, 'ARKM/USD', 5],
  [30, 'PENDLE/USD', 5],
  [31, 'ONDO/USD', 5],
  // 32: delisted
  [33, 'DYM/USD', 5],
  [34, 'ORDI/USD', 0],
  [35, 'STX/USD', 0],
  [36, 'ENA/USD', 1],
  [37, 'AERO/USD', 5],
  [38, 'ETHFI/USD', 5],
  [39, 'JUP/USD', 5],
  [40, 'REZ/USD', 5],
  [41, 'LINK/USD', 1],
  [42, 'LDO/USD', 1],
  [43, 'NEAR/USD', 1],
  [44, 'INJ/USD', 1],
  [45, 'ZK/USD', 1],
  [46, 'ZRO/USD', 1],
  // 47: delisted
  [48, 'AAVE/USD', 1],
  [49, 'SUI/USD', 1],
  [50, 'TAO/USD', 5],
  [51, 'EIGEN/USD', 1],
  [52, 'USD/TRY', 2],
  [53, 'BRETT/USD', 4],
  [54, 'POPCAT/USD', 4],
  [55, 'GOAT/USD', 4],
  [56, 'APE/USD', 4],
  [57, 'APT/USD', 1],
  [58, 'CHILLGUY/USD', 4],
  [59, 'XRP/USD', 1],
  [60, 'TRUMP/USD', 4],
  [61, 'FARTCOIN/USD', 4],
  [62, 'HYPE/USD', 5],
  [63, 'BERA/USD', 5],
  [64, 'KAITO/USD', 5],
  [65, 'USOILSPOT/USD', 3],
  [66, 'USD/CNH', 2],
  [67, 'USD/INR', 2],
  [68, 'USD/KRW', 2],
  [69, 'USD/MXN', 2],
  [70, 'USD/ZAR', 2],
  [71, 'PENGU/USD', 4],
  [72, 'VIRTUAL/USD', 5],
  [73, 'USD/BRL', 2],
  [74, 'USD/IDR', 2],
  [75, 'PUMP/USD', 4],
  [76, 'ZORA/USD', 5],
  [77, 'USD/TWD', 2],
  [78, 'US500/USD', 6],
  [79, 'US100/USD', 6],
  [80, 'COIN/USD', 6],
  [81, 'NVDA/USD', 6],
  [82, 'AAPL/USD', 6],
  [83, 'AMZN/USD', 6],
  [84, 'MSFT/USD', 6],
  [85, 'META/USD', 6],
  [86, 'TSLA/USD', 6],
  [87, 'GOOG/USD', 6],
  [88, 'AVNT/USD', 5],
  [89, 'ASTER/USD', 5],
  [90, 'XPL/USD', 5],
  [91, 'HOOD/USD', 6],
  [92, 'ZEC/USD', 1],
  [93, 'XMR/USD', 1],
  [94, 'MON/USD', 5],
  [95, 'LIT/USD', 5],
  [96, 'WTI/USD', 3],
  [97, 'BRENT/USD', 3],
  [98, 'AMD/USD', 6],
  [99, 'INTC/USD', 6],
  [100, 'MU/USD', 6],
  [101, 'SNDK/USD', 6],
  [102, 'CBRS/USD', 6],
  [103, 'EWY/USD', 6],
  [104, 'BABA/USD', 6],
  [105, 'SPCX/USD', 6],
  [106, 'ETH_DEGEN/USD', 0],
  [107, 'BTC_DEGEN/USD', 0],
  [108, 'SOL_DEGEN/USD', 1],
  [109, 'USD/JPY_DEGEN', 2],
  [110, 'XAG_DEGEN/USD', 3],
  [111, 'XAU_DEGEN/USD', 3],
];

export const PAIRS: ReadonlyMap<number, PairInfo> = new Map(
  TABLE.map(([pairIndex, name, g]): [number, PairInfo] => [
    pairIndex,
    { pairIndex, name, group: GROUPS[g] ?? 'CRYPTO1' },
  ]),
);

/** Pairs 32 and 47 were delisted; the list is append-only, so their slots stay empty. */
export const DELISTED_PAIRS: ReadonlySet<number> = new Set([32, 47]);

/** The pair's name, or `PAIR#i` for an index this snapshot does not know (or a delisted one). */
export function pairName(pairIndex: number): string {
  return PAIRS.get(pairIndex)?.name ?? `PAIR#${pairIndex}`;
}

/** The pair's group, if known. */
export function pairGroup(pairIndex: number): PairGroup | undefined {
  return PAIRS.get(pairIndex)?.group;
}

const BY_NAME = new Map<string, number>();
for (const [index, info] of PAIRS) {
  BY_NAME.set(info.name.toUpperCase(), index);
  // "ETH" for "ETH/USD": users type the base asset; the first pair with that base wins (the main one).
  const base = info.name.split('/')[0]?.toUpperCase();
  if (base && info.name.endsWith('/USD') && !BY_NAME.has(base)) BY_NAME.set(base, index);
}

/** A pair as a user types it ("ETH", "eth/usd", "EUR/USD", "12") -> its index; undefined if unknown. */
export function pairIndexOf(text: string): number | undefined {
  const t = text.trim().toUpperCase();
  if (/^\d+$/.test(t)) return PAIRS.has(Number(t)) && !DELISTED_PAIRS.has(Number(t)) ? Number(t) : undefined;
  return BY_NAME.get(t);
}

/**
 * Conservative per-group limits for copies (FACTS 7.5, v1.5 snapshot): the smallest max leverage
 * of the group and its minimum position (collateral x leverage), USDC 1e6. The chain has the last
 * word; these keep copies inside what Avantis accepts for almost every pair.
 */
const GROUP_LIMITS: Readonly<Record<PairGroup, { maxLeverage: number; minPositionUsdc: bigint }>> = {
  CRYPTO1: { maxLeverage: 75, minPositionUsdc: 100_000_000n },
  CRYPTO2: { maxLeverage: 25, minPositionUsdc: 100_000_000n },
  CRYPTO3: { maxLeverage: 10, minPositionUsdc: 100_000_000n },
  CRYPTO4: { maxLeverage: 5, minPositionUsdc: 100_000_000n },
  FOREX: { maxLeverage: 20, minPositionUsdc: 300_000_000n },
  COMMODITIES: { maxLeverage: 25, minPositionUsdc: 100_000_000n },
  EQUITIES: { maxLeverage: 25, minPositionUsdc: 100_000_000n },
};

export function pairLimits(pairIndex: number): { maxLeverage: number; minPositionUsdc: bigint } | undefined {
  const group = pairGroup(pairIndex);
  return group ? GROUP_LIMITS[group] : undefined;
}
