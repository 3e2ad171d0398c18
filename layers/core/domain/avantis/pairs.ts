// The Avantis pair catalog: pairIndex -> name, group, listing, leverage bounds (plain and for
// zero-fee PnL orders), minimum position, fees, spread, max gain and SL, funding, market hours. Generated
// from the data API snapshot of docs/avantis.md "Data files" (../shared/avantis/pair-limits.json: the v2 data API `GET /v2/trading` snapshot in the SDK tests,
// Avantis-Labs/avantis_trader_sdk tests/vectors/trading_snapshot.json @ fc8ae8aa3754d0bad47e90ae1a4c2b47c9fec6cc) and tested against it; regenerate rather than edit a row.
// Indexes are Avantis' own (0 = ETH, 1 = BTC; docs/avantis.md v2 §3: never hard-code them elsewhere). Unlisted
// pairs are refused for copies (`isListed`). Percentages are kept as percent x 1e10 (0.045% -> 450_000_000n),
// USD amounts as USDC 1e6.

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

/** The data API's cap on open trades per (trader, pair). */
export const MAX_TRADES_PER_PAIR = 40;

export interface PairInfo {
  readonly pairIndex: number;
  readonly name: string;
  readonly group: PairGroup;
}

/** One catalog row, every number in chain units. */
export interface PairCatalogEntry extends PairInfo {
  /** isPairListed: the pair takes new positions. */
  readonly listed: boolean;
  /** Whole x. */
  readonly minLeverage: number;
  readonly maxLeverage: number;
  /** Leverage bounds of zero-fee PnL (Upside) orders, whole x. */
  readonly pnlMinLeverage: number;
  readonly pnlMaxLeverage: number;
  /** pnlTypeAllowed = 1: a PnL (Upside) pair; opens use `_type` 3 / orderType 6 (docs/avantis.md v2 §3). */
  readonly pnlPair: boolean;
  /** Minimum position (collateral x leverage), USDC 1e6. */
  readonly minPositionUsdc: bigint;
  /** Percent x 1e10 of the notional. */
  readonly openFeeP: bigint;
  readonly closeFeeP: bigint;
  readonly limitOrderFeeP: bigint;
  readonly spreadP: bigint;
  /** Max gain (the profit cap) and max SL, whole percent of collateral. */
  readonly maxGainP: number;
  readonly maxSlP: number;
  /** Funding, percent x 1e10 of the notional per hour. */
  readonly fundingFeePerHourP: bigint;
  /** The data API's market-hours string, as given. */
  readonly marketHours: string;
}

type Row = readonly [
  pairIndex: number,
  from: string,
  to: string,
  groupIndex: number,
  listed: boolean,
  minLeverage: number,
  maxLeverage: number,
  pnlMinLeverage: number,
  pnlMaxLeverage: number,
  pnlTypeAllowed: number,
  minPositionUsd: number,
  openFeeP: bigint,
  closeFeeP: bigint,
  limitOrderFeeP: bigint,
  spreadP: bigint,
  maxGainP: number,
  maxSlP: number,
  fundingFeePerHourP: bigint,
  marketHours: string,
];

// prettier-ignore
const TABLE: readonly Row[] = [
  [0, "ETH", "USD", 0, true, 1, 75, 75, 500, 0, 100, 450000000n, 450000000n, 100000000n, 100000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [1, "BTC", "USD", 0, true, 1, 75, 75, 500, 0, 100, 450000000n, 450000000n, 100000000n, 0n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [2, "SOL", "USD", 1, true, 1, 75, 75, 500, 0, 100, 450000000n, 450000000n, 100000000n, 200000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [3, "BNB", "USD", 1, true, 1, 40, 1, 50, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [4, "ARB", "USD", 1, true, 1, 20, 1, 50, 0, 100, 450000000n, 450000000n, 100000000n, 2500000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [5, "DOGE", "USD", 1, true, 1, 20, 75, 100, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [6, "AVAX", "USD", 1, true, 1, 20, 1, 50, 0, 100, 450000000n, 450000000n, 100000000n, 2500000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [7, "OP", "USD", 1, true, 1, 5, 1, 50, 0, 100, 450000000n, 450000000n, 100000000n, 10000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [8, "POL", "USD", 1, true, 1, 20, 1, 50, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [9, "TIA", "USD", 1, true, 1, 20, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [10, "SEI", "USD", 1, true, 1, 20, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [11, "EUR", "USD", 2, true, 1, 100, 1, 500, 0, 300, 300000000n, 0n, 100000000n, 0n, 500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [12, "USD", "JPY", 2, true, 1, 100, 200, 1000, 0, 300, 300000000n, 0n, 100000000n, 0n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [13, "GBP", "USD", 2, true, 1, 100, 1, 500, 0, 300, 300000000n, 0n, 100000000n, 0n, 500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [14, "USD", "CAD", 2, true, 1, 50, 1, 75, 0, 300, 300000000n, 0n, 100000000n, 100000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [15, "USD", "CHF", 2, true, 1, 50, 1, 75, 0, 300, 300000000n, 0n, 100000000n, 100000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [16, "USD", "SEK", 2, true, 1, 20, 1, 75, 0, 300, 300000000n, 0n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [17, "AUD", "USD", 2, true, 1, 50, 1, 75, 0, 300, 900000000n, 0n, 100000000n, 100000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [18, "NZD", "USD", 2, true, 1, 50, 1, 75, 0, 300, 900000000n, 0n, 100000000n, 100000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [19, "USD", "SGD", 2, true, 1, 50, 1, 75, 0, 300, 300000000n, 0n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [20, "XAG", "USD", 3, true, 1, 75, 75, 250, 0, 100, 800000000n, 0n, 100000000n, 1000000000n, 1500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;0119/0000-1430&1800-2400,0216/0000-1430&1800-2400,0402/0000-1700,0403/C,0525/0000-1430&1800-2400"],
  [21, "XAU", "USD", 3, true, 1, 75, 75, 250, 0, 100, 800000000n, 0n, 100000000n, 0n, 1500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;0119/0000-1430&1800-2400,0216/0000-1430&1800-2400,0402/0000-1700,0403/C,0525/0000-1430&1800-2400"],
  [22, "SHIB", "USD", 4, true, 1, 20, 75, 100, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [23, "PEPE", "USD", 4, true, 1, 20, 75, 100, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [24, "BONK", "USD", 4, true, 1, 20, 75, 100, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [25, "WIF", "USD", 4, true, 1, 20, 75, 100, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [26, "RENDER", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 4000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [27, "WLD", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [28, "FET", "USD", 0, false, 2, 100, 2, 100, 0, 10, 800000000n, 600000000n, 100000000n, 100000000n, 500, 80, 0n, "America/New_York;C,C,C,C,C,C,C;"],
  [29, "ARKM", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [30, "PENDLE", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [31, "ONDO", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [32, "", "", 0, false, 2, 100, 2, 100, 0, 200, 800000000n, 800000000n, 100000000n, 100000000n, 500, 80, 0n, "America/New_York;C,C,C,C,C,C,C;"],
  [33, "DYM", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 4000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [34, "ORDI", "USD", 0, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [35, "STX", "USD", 0, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [36, "ENA", "USD", 1, true, 1, 20, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [37, "AERO", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 4000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [38, "ETHFI", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [39, "JUP", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 4000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [40, "REZ", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 4000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [41, "LINK", "USD", 1, true, 1, 20, 1, 50, 0, 100, 450000000n, 450000000n, 100000000n, 1000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [42, "LDO", "USD", 1, true, 1, 20, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [43, "NEAR", "USD", 1, true, 1, 20, 1, 40, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [44, "INJ", "USD", 1, true, 1, 20, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [45, "ZK", "USD", 1, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [46, "ZRO", "USD", 1, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [47, "", "", 0, false, 2, 40, 2, 40, 0, 10, 800000000n, 600000000n, 100000000n, 100000000n, 500, 80, 0n, "America/New_York;C,C,C,C,C,C,C;"],
  [48, "AAVE", "USD", 1, true, 1, 20, 1, 40, 0, 100, 450000000n, 450000000n, 100000000n, 1000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [49, "SUI", "USD", 1, true, 1, 20, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 1000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [50, "TAO", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [51, "EIGEN", "USD", 1, true, 1, 20, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [52, "USD", "TRY", 2, true, 2, 20, 1, 20, 0, 300, 300000000n, 0n, 100000000n, 5000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;1224/0000-1700,1231/0000-1700"],
  [53, "BRETT", "USD", 4, true, 1, 5, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [54, "POPCAT", "USD", 4, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 4000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [55, "GOAT", "USD", 4, true, 1, 5, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [56, "APE", "USD", 4, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [57, "APT", "USD", 1, true, 1, 15, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [58, "CHILLGUY", "USD", 4, true, 1, 5, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [59, "XRP", "USD", 1, true, 1, 75, 75, 500, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [60, "TRUMP", "USD", 4, true, 1, 20, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 1000000000n, 1000, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [61, "FARTCOIN", "USD", 4, true, 1, 20, 75, 100, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [62, "HYPE", "USD", 5, true, 1, 20, 75, 250, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [63, "BERA", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 4000000000n, 1000, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [64, "KAITO", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 4000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [65, "USOILSPOT", "USD", 3, true, 1, 50, 1, 50, 0, 100, 800000000n, 0n, 100000000n, 300000000n, 500, 80, 0n, "America/New_York;O,O,O,O,O,O,O;"],
  [66, "USD", "CNH", 2, true, 2, 20, 2, 50, 0, 300, 300000000n, 0n, 100000000n, 5000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;1224/0000-1700,1231/0000-1700"],
  [67, "USD", "INR", 2, true, 2, 20, 2, 50, 0, 300, 300000000n, 0n, 100000000n, 5000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;1224/0000-1700,1231/0000-1700"],
  [68, "USD", "KRW", 2, false, 2, 50, 2, 500, 0, 300, 300000000n, 0n, 100000000n, 100000000n, 500, 80, 0n, "America/New_York;C,C,C,C,C,C,C;"],
  [69, "USD", "MXN", 2, true, 2, 20, 2, 50, 0, 300, 300000000n, 0n, 100000000n, 5000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;1224/0000-1700,1231/0000-1700"],
  [70, "USD", "ZAR", 2, true, 2, 20, 2, 50, 0, 300, 300000000n, 0n, 100000000n, 5000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;1224/0000-1700,1231/0000-1700"],
  [71, "PENGU", "USD", 4, true, 1, 20, 1, 20, 0, 100, 450000000n, 450000000n, 100000000n, 1000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [72, "VIRTUAL", "USD", 5, true, 1, 10, 1, 10, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [73, "USD", "BRL", 2, true, 2, 20, 2, 50, 0, 300, 300000000n, 0n, 100000000n, 5000000000n, 500, 80, 22842000n, "America/New_York;0800-1700,0800-1700,0800-1700,0800-1700,0800-1700,C,C;1225/C,0101/C"],
  [74, "USD", "IDR", 2, true, 2, 20, 2, 50, 0, 300, 300000000n, 0n, 100000000n, 5000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;1224/0000-1700,1231/0000-1700"],
  [75, "PUMP", "USD", 4, true, 1, 5, 1, 50, 0, 100, 450000000n, 450000000n, 100000000n, 1000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [76, "ZORA", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [77, "USD", "TWD", 2, true, 2, 20, 2, 50, 0, 300, 450000000n, 450000000n, 100000000n, 10000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;1224/0000-1700,1231/0000-1700"],
  [78, "US500", "USD", 6, true, 1, 100, 1, 100, 0, 100, 450000000n, 450000000n, 100000000n, 0n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [79, "US100", "USD", 6, true, 1, 100, 1, 100, 0, 100, 450000000n, 450000000n, 100000000n, 0n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [80, "COIN", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [81, "NVDA", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [82, "AAPL", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [83, "AMZN", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [84, "MSFT", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [85, "META", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [86, "TSLA", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [87, "GOOG", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [88, "AVNT", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [89, "ASTER", "USD", 5, true, 1, 10, 1, 25, 0, 100, 600000000n, 600000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [90, "XPL", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [91, "HOOD", "USD", 6, true, 1, 25, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [92, "ZEC", "USD", 1, true, 1, 10, 1, 10, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [93, "XMR", "USD", 1, true, 1, 10, 1, 10, 0, 100, 450000000n, 450000000n, 100000000n, 2000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [94, "MON", "USD", 5, true, 1, 10, 1, 25, 0, 100, 450000000n, 450000000n, 100000000n, 3000000000n, 500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [95, "LIT", "USD", 5, true, 1, 10, 75, 25, 0, 100, 450000000n, 450000000n, 100000000n, 1000000000n, 1000, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [96, "WTI", "USD", 3, true, 1, 25, 1, 25, 0, 10, 1000000000n, 0n, 100000000n, 1000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;0402/0000-1700,0403/C,0525/0000-1430&1800-2400"],
  [97, "BRENT", "USD", 3, true, 1, 25, 1, 25, 0, 10, 1000000000n, 0n, 100000000n, 1000000000n, 500, 80, 22842000n, "America/New_York;0000-1700&2000-2400,0000-1700&2000-2400,0000-1700&2000-2400,0000-1700&2000-2400,0000-1700,C,1800-2400;0101/C,0403/C,0525/0000-1330,0619/0000-1330"],
  [98, "AMD", "USD", 6, true, 1, 15, 1, 25, 0, 10, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [99, "INTC", "USD", 6, true, 1, 15, 1, 25, 0, 10, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [100, "MU", "USD", 6, true, 1, 15, 1, 25, 0, 10, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [101, "SNDK", "USD", 6, true, 1, 15, 1, 25, 0, 10, 450000000n, 450000000n, 100000000n, 500000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [102, "CBRS", "USD", 6, true, 1, 10, 1, 25, 0, 10, 450000000n, 450000000n, 100000000n, 800000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [103, "EWY", "USD", 6, true, 1, 10, 1, 25, 0, 10, 450000000n, 450000000n, 100000000n, 800000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [104, "BABA", "USD", 6, true, 1, 10, 1, 25, 0, 10, 450000000n, 450000000n, 100000000n, 1000000000n, 1000, 80, 22842000n, "America/New_York;0930-1600,0930-1600,0930-1600,0930-1600,0930-1600,C,C;0101/C,0119/C,0216/C,0403/C,0525/C,0619/C"],
  [105, "SPCX", "USD", 6, true, 1, 10, 1, 25, 0, 10, 450000000n, 450000000n, 100000000n, 800000000n, 1000, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [106, "ETH_DEGEN", "USD", 0, true, 1, 75, 75, 500, 1, 100, 450000000n, 450000000n, 100000000n, 100000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [107, "BTC_DEGEN", "USD", 0, true, 1, 75, 75, 500, 1, 100, 450000000n, 450000000n, 100000000n, 0n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [108, "SOL_DEGEN", "USD", 1, true, 1, 75, 75, 500, 1, 100, 450000000n, 450000000n, 100000000n, 200000000n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,O,O,O;"],
  [109, "USD", "JPY_DEGEN", 2, true, 1, 100, 200, 1000, 1, 300, 300000000n, 0n, 100000000n, 0n, 2500, 80, 22842000n, "America/New_York;O,O,O,O,0000-1700,C,1700-2400;1224/0000-1700,1231/0000-1700"],
  [110, "XAG_DEGEN", "USD", 3, true, 1, 75, 75, 250, 1, 100, 800000000n, 0n, 100000000n, 1000000000n, 1500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;0119/0000-1430&1800-2400,0216/0000-1430&1800-2400,0402/0000-1700,0403/C,0525/0000-1430&1800-2400"],
  [111, "XAU_DEGEN", "USD", 3, true, 1, 75, 75, 250, 1, 100, 800000000n, 0n, 100000000n, 0n, 1500, 80, 22842000n, "America/New_York;0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700&1800-2400,0000-1700,C,1800-2400;0119/0000-1430&1800-2400,0216/0000-1430&1800-2400,0402/0000-1700,0403/C,0525/0000-1430&1800-2400"],
];

const USDC = 1_000_000n;

/** Every catalog row by pairIndex, delisted slots (32, 47: no name) included. */
export const pairCatalog: ReadonlyMap<number, PairCatalogEntry> = new Map(
  TABLE.map((r): [number, PairCatalogEntry] => {
    const [
      pairIndex,
      from,
      to,
      g,
      listed,
      minLeverage,
      maxLeverage,
      pnlMinLeverage,
      pnlMaxLeverage,
      pnlType,
    ] = r;
    return [
      pairIndex,
      {
        pairIndex,
        name: from ? `${from}/${to}` : `PAIR#${pairIndex}`,
        group: GROUPS[g] ?? 'CRYPTO1',
        listed,
        minLeverage,
        maxLeverage,
        pnlMinLeverage,
        pnlMaxLeverage,
        pnlPair: pnlType === 1,
        minPositionUsdc: BigInt(r[10]) * USDC,
        openFeeP: r[11],
        closeFeeP: r[12],
        limitOrderFeeP: r[13],
        spreadP: r[14],
        maxGainP: r[15],
        maxSlP: r[16],
        fundingFeePerHourP: r[17],
        marketHours: r[18],
      },
    ];
  }),
);

/** Pairs with a name (the delisted slots 32 and 47 have none). */
export const PAIRS: ReadonlyMap<number, PairInfo> = new Map(
  [...pairCatalog].filter(([, p]) => !p.name.startsWith('PAIR#')),
);

/** Pairs 32 and 47 were delisted and their names dropped; the list is append-only, so their slots stay. */
export const DELISTED_PAIRS: ReadonlySet<number> = new Set(
  [...pairCatalog.keys()].filter((i) => !PAIRS.has(i)),
);

/** True when the pair takes new positions; unknown and unlisted pairs are refused for copies. */
export function isListed(pairIndex: number): boolean {
  return pairCatalog.get(pairIndex)?.listed === true;
}

/** The pair's name, or `PAIR#i` for an index this snapshot does not know (or a delisted one). */
export function pairName(pairIndex: number): string {
  return PAIRS.get(pairIndex)?.name ?? `PAIR#${pairIndex}`;
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
  if (/^\d+$/.test(t)) return PAIRS.has(Number(t)) ? Number(t) : undefined;
  return BY_NAME.get(t);
}

/** What copies must respect on a pair (the shape the copy decision reads). */
export interface CopyPairLimits {
  readonly listed: boolean;
  /** Whole x. */
  readonly minLeverage: number;
  readonly maxLeverage: number;
  /** Minimum collateral x leverage, USDC 1e6. */
  readonly minPositionUsdc: bigint;
  readonly pnlPair: boolean;
  readonly pnlMinLeverage: number;
  readonly pnlMaxLeverage: number;
}

/** The pair's limits for copies, from the catalog; undefined for a pair the catalog does not know. */
export function pairLimits(pairIndex: number): CopyPairLimits | undefined {
  const p = pairCatalog.get(pairIndex);
  return (
    p && {
      listed: p.listed,
      minLeverage: p.minLeverage,
      maxLeverage: p.maxLeverage,
      minPositionUsdc: p.minPositionUsdc,
      pnlPair: p.pnlPair,
      pnlMinLeverage: p.pnlMinLeverage,
      pnlMaxLeverage: p.pnlMaxLeverage,
    }
  );
}
