// Simulated traders: a style per trader (scalper, swing, degen, steady loser, whale, mixed) and the
// decision each makes per tick from its own seeded stream, the market and its open trades. Pure:
// no chain access, so the same seed and the same fills give the same decisions. After the v2
// upgrade traders also increase positions and move margin; before it the decisions are exactly
// the v1.5 ones.
import { PRECISION, USDC_UNIT } from '../chain/abi.js';
import type { LocalPair } from '../chain/deploy.js';
import { maxSlDistance } from './math.js';
import type { Rng } from './prng.js';

export type Style = 'scalper' | 'swing' | 'degen' | 'loser' | 'whale' | 'mixed';

interface StyleParams {
  /** Chance per tick to open a trade while below maxOpen. */
  readonly openP: number;
  readonly maxOpen: number;
  /** USDC */
  readonly collateral: readonly [number, number];
  readonly leverage: readonly [number, number];
  readonly holdTicks: readonly [number, number];
  /** Chance a trade is taken off in two steps (a partial close first). */
  readonly partialP: number;
  /** Chance to open with a TP (and maybe an SL). */
  readonly tpSlP: number;
  /** Chance per tick to move TP/SL on an open trade. */
  readonly updateP: number;
  /** Fractions of the price. SL 0 = none. */
  readonly tpDist: readonly [number, number];
  readonly slDist: readonly [number, number];
  /** trend: with the regime; contrarian: against it (a steady loser); random. */
  readonly direction: 'trend' | 'contrarian' | 'random';
  readonly pairs: readonly number[];
  /** USDC minted at setup and at each top-up. */
  readonly funding: number;
  /** v2: slippage of market opens, percent 1e10 (a tight one gets cancelled when the price runs). */
  readonly slippageP?: bigint;
}

const STYLES: Readonly<Record<Exclude<Style, 'mixed'>, StyleParams>> = {
  scalper: {
    openP: 0.45,
    maxOpen: 2,
    collateral: [20, 150],
    leverage: [10, 25],
    holdTicks: [2, 8],
    partialP: 0.3,
    tpSlP: 0.5,
    updateP: 0.02,
    tpDist: [0.004, 0.01],
    slDist: [0.003, 0.008],
    direction: 'random',
    pairs: [0, 1, 2],
    funding: 200_000,
    slippageP: PRECISION / 5n, // 0.2%: scalpers chase, and get cancelled when the price runs
  },
  swing: {
    openP: 0.08,
    maxOpen: 3,
    collateral: [200, 2000],
    leverage: [3, 10],
    holdTicks: [40, 150],
    partialP: 0.5,
    tpSlP: 0.7,
    updateP: 0.03,
    tpDist: [0.03, 0.08],
    slDist: [0.02, 0.05],
    direction: 'trend',
    pairs: [0, 1, 2, 21, 62],
    funding: 1_000_000,
  },
  degen: {
    openP: 0.2,
    maxOpen: 2,
    collateral: [10, 60],
    leverage: [40, 100],
    holdTicks: [30, 120],
    partialP: 0.1,
    tpSlP: 0.3,
    updateP: 0,
    tpDist: [0.01, 0.03],
    slDist: [0, 0],
    direction: 'random',
    pairs: [0, 1, 2, 11, 12],
    funding: 100_000,
  },
  loser: {
    openP: 0.15,
    maxOpen: 2,
    collateral: [100, 500],
    leverage: [5, 15],
    holdTicks: [15, 50],
    partialP: 0.3,
    tpSlP: 0.3,
    updateP: 0.01,
    tpDist: [0.003, 0.006],
    slDist: [0.02, 0.04],
    direction: 'contrarian',
    pairs: [0, 2, 5, 62],
    funding: 500_000,
  },
  whale: {
    openP: 0.05,
    maxOpen: 2,
    collateral: [5000, 50_000],
    leverage: [2, 8],
    holdTicks: [30, 120],
    partialP: 0.7,
    tpSlP: 0.6,
    updateP: 0.02,
    tpDist: [0.02, 0.06],
    slDist: [0.015, 0.04],
    direction: 'trend',
    pairs: [0, 1, 21],
    funding: 20_000_000,
  },
};

/**
 * 32 traders: 8 scalpers, 6 swing, 6 degens, 4 steady losers, 3 whales, 5 mixed, dealt round-robin
 * so that any first few traders (a smaller simulation) already cover every style.
 */
export const STYLE_MIX: readonly Style[] = roundRobin({
  scalper: 8,
  swing: 6,
  degen: 6,
  loser: 4,
  whale: 3,
  mixed: 5,
});

function roundRobin(counts: Record<Style, number>): Style[] {
  const left = { ...counts };
  const out: Style[] = [];
  while (out.length < Object.values(counts).reduce((a, b) => a + b, 0)) {
    for (const style of Object.keys(left) as Style[]) {
      if (left[style] > 0) {
        out.push(style);
        left[style] -= 1;
      }
    }
  }
  return out;
}

export const styleFor = (i: number): Style => STYLE_MIX[i % STYLE_MIX.length] ?? 'mixed';

/** A mixed trader borrows each trait from a random pure style, once, from its own stream. */
export function paramsFor(style: Style, rng: Rng): StyleParams {
  if (style !== 'mixed') return STYLES[style];
  const pure = Object.values(STYLES);
  const from = () => rng.pick(pure);
  return {
    openP: from().openP,
    maxOpen: from().maxOpen,
    collateral: from().collateral,
    leverage: from().leverage,
    holdTicks: from().holdTicks,
    partialP: from().partialP,
    tpSlP: from().tpSlP,
    updateP: from().updateP,
    tpDist: from().tpDist,
    slDist: from().slDist,
    direction: from().direction,
    pairs: from().pairs,
    funding: 2_000_000,
  };
}

/** What the simulator knows of one open trade (from the fills it saw). */
export interface OpenTrade {
  readonly pairIndex: number;
  readonly index: bigint;
  readonly buy: boolean;
  /** v2 increases blend it; margin updates move the leverage. */
  openPrice: bigint;
  leverage: bigint;
  /** Trade.timestamp, which a v2 close must bind (0 until read, for trades seen in v1.5). */
  timestamp: bigint;
  collateral: bigint;
  tp: bigint;
  sl: bigint;
  readonly openedTick: number;
  readonly holdTicks: number;
  readonly twoStep: boolean;
  partialDone: boolean;
}

export interface TraderState {
  readonly id: number;
  readonly style: Style;
  readonly params: StyleParams;
  readonly rng: Rng;
  readonly trades: OpenTrade[];
  /** The simulator's running estimate of the wallet's USDC (1e6), to know when to top up. */
  usdc: bigint;
}

export type Action =
  | {
      readonly kind: 'open';
      readonly pairIndex: number;
      readonly buy: boolean;
      readonly collateral: bigint;
      readonly leverage: bigint;
      readonly price: bigint;
      readonly tp: bigint;
      readonly sl: bigint;
      readonly holdTicks: number;
      readonly twoStep: boolean;
    }
  | { readonly kind: 'close'; readonly trade: OpenTrade; readonly amount: bigint }
  | { readonly kind: 'tpsl'; readonly trade: OpenTrade; readonly tp: bigint; readonly sl: bigint }
  | { readonly kind: 'topup'; readonly amount: bigint }
  /** v2 only: add collateral at a leverage to an open trade. */
  | {
      readonly kind: 'increase';
      readonly trade: OpenTrade;
      readonly collateral: bigint;
      readonly leverage: bigint;
      readonly price: bigint;
    }
  /** v2 only: deposit (0) or withdraw (1) collateral. */
  | { readonly kind: 'margin'; readonly trade: OpenTrade; readonly type: 0 | 1; readonly amount: bigint };

export interface Market {
  readonly tick: number;
  readonly prices: ReadonlyMap<number, bigint>;
  trend(pairIndex: number): -1 | 0 | 1;
  readonly pairs: ReadonlyMap<number, LocalPair>;
  /** Which contracts trade: v1.5 until the upgrade, v2 after it. */
  readonly era?: 'v1' | 'v2';
}

/** price * (1 + f), f a float fraction, computed in integers (f kept to 1e-6). */
const shift = (price: bigint, f: number): bigint =>
  price + (price * BigInt(Math.round(f * 1e6))) / 1_000_000n;
const usdc = (x: number): bigint => BigInt(Math.round(x)) * USDC_UNIT;

/**
 * At most one action per trader per tick (one transaction per wallet per tick keeps nonces simple).
 * The simulator does not ask a trader whose trade the keeper is closing this tick.
 */
export function decide(s: TraderState, m: Market): Action | undefined {
  const { params: p, rng } = s;
  const fundingUnit = usdc(p.funding);
  if (s.usdc < usdc(p.collateral[1]) * 2n) return { kind: 'topup', amount: fundingUnit };

  for (const t of s.trades) {
    const age = m.tick - t.openedTick;
    if (t.twoStep && !t.partialDone && age >= Math.ceil(t.holdTicks / 2)) {
      const amount = (t.collateral * BigInt(rng.int(25, 60))) / 100n;
      if (amount > 0n && amount < t.collateral) return { kind: 'close', trade: t, amount };
    }
    if (age >= t.holdTicks) return { kind: 'close', trade: t, amount: t.collateral };
  }

  if (m.era === 'v2') {
    // v2: TP/SL moves as signed UpdateTpSlReq intents, and positions also grow and margins move.
    if (s.trades.length > 0 && rng.chance(p.updateP + 0.04)) {
      const t = rng.pick(s.trades);
      const change = rng.chance(0.25) ? newTpSl(t, m, p, rng) : resize(t, m, rng);
      if (change) return change;
    }
  } else if (s.trades.length > 0 && rng.chance(p.updateP)) {
    const update = newTpSl(rng.pick(s.trades), m, p, rng);
    if (update) return update;
  }

  if (s.trades.length < p.maxOpen && rng.chance(p.openP)) return openAction(s, m, rng);
  return undefined;
}

function openAction(s: TraderState, m: Market, rng: Rng): Action | undefined {
  const p = s.params;
  const pairIndex = rng.pick(p.pairs);
  const pair = m.pairs.get(pairIndex);
  const price = m.prices.get(pairIndex);
  if (!pair || price === undefined) return undefined;
  const trend = m.trend(pairIndex);
  const coin = rng.chance(0.5);
  const buy =
    p.direction === 'random' || trend === 0 ? coin : p.direction === 'trend' ? trend > 0 : trend < 0;

  let leverage = BigInt(rng.int(p.leverage[0], p.leverage[1])) * PRECISION;
  if (leverage > pair.maxLeverage) leverage = pair.maxLeverage;
  if (leverage < pair.minLeverage) leverage = pair.minLeverage;
  let collateral = usdc(rng.range(p.collateral[0], p.collateral[1]));
  // Respect the pair's minimum position (300 USDC on forex) with a dollar to spare.
  const minCollateral = (pair.minLevPosUSDC * PRECISION) / leverage + USDC_UNIT;
  if (collateral < minCollateral) collateral = minCollateral;

  let tp = 0n;
  let sl = 0n;
  if (rng.chance(p.tpSlP)) {
    const d = rng.range(p.tpDist[0], p.tpDist[1]);
    tp = shift(price, buy ? d : -d);
    const sd = p.slDist[1] > 0 ? rng.range(p.slDist[0], p.slDist[1]) : 0;
    if (sd > 0) sl = shift(price, buy ? -sd : sd);
  }
  return {
    kind: 'open',
    pairIndex,
    buy,
    collateral,
    leverage,
    price,
    tp,
    sl,
    holdTicks: rng.int(p.holdTicks[0], p.holdTicks[1]),
    twoStep: rng.chance(p.partialP),
  };
}

/** v2: an increase at the trade's leverage, or a margin deposit/withdrawal that keeps the leverage in range. */
function resize(t: OpenTrade, m: Market, rng: Rng): Action | undefined {
  const pair = m.pairs.get(t.pairIndex);
  const price = m.prices.get(t.pairIndex);
  if (!pair || price === undefined || t.collateral === 0n) return undefined;
  if (rng.chance(0.5)) {
    // Headroom: blending keeps the leverage about the same, fees nudge it up.
    if ((t.leverage * 105n) / 100n >= pair.maxLeverage) return undefined;
    const collateral = (t.collateral * BigInt(rng.int(30, 60))) / 100n;
    if (collateral < USDC_UNIT) return undefined;
    return { kind: 'increase', trade: t, collateral, leverage: t.leverage, price };
  }
  const share = BigInt(rng.int(10, 30));
  const amount = (t.collateral * share) / 100n;
  if (amount < USDC_UNIT) return undefined;
  // A deposit lowers the leverage to lev·c/(c+a); a withdrawal raises it to lev·c/(c−a).
  const afterDeposit = (t.leverage * 100n) / (100n + share);
  if (afterDeposit > pair.minLeverage + PRECISION / 10n) return { kind: 'margin', trade: t, type: 0, amount };
  const withdraw = (t.collateral * 10n) / 100n;
  if ((t.leverage * 100n) / 90n + PRECISION / 10n < pair.maxLeverage)
    return { kind: 'margin', trade: t, type: 1, amount: withdraw };
  return undefined;
}

/** A fresh TP beyond the better of open and market price, and an SL behind the market within MAX_SL_P. */
function newTpSl(t: OpenTrade, m: Market, p: StyleParams, rng: Rng): Action | undefined {
  const price = m.prices.get(t.pairIndex);
  if (price === undefined) return undefined;
  const d = rng.range(p.tpDist[0], p.tpDist[1]);
  const ref = t.buy ? (price > t.openPrice ? price : t.openPrice) : price < t.openPrice ? price : t.openPrice;
  const tp = shift(ref, t.buy ? d : -d);
  let sl = 0n;
  const sd = p.slDist[1] > 0 ? rng.range(p.slDist[0], p.slDist[1]) : 0;
  if (sd > 0) {
    const bound = maxSlDistance(t.openPrice, t.leverage);
    sl = shift(price, t.buy ? -sd : sd);
    if (t.buy && sl < t.openPrice - bound) sl = t.openPrice - bound + 1n;
    if (!t.buy && sl > t.openPrice + bound) sl = t.openPrice + bound - 1n;
    // Already past the market: the trade is too deep in loss for a sane SL; set TP only.
    if (t.buy ? sl >= price : sl <= price) sl = 0n;
  }
  return { kind: 'tpsl', trade: t, tp, sl };
}
