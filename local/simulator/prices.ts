// The simulated market: a seeded random walk per pair (log-normal steps, trend regimes that come
// and go, rare jumps, a weak pull back to the start so long runs stay plausible). Floats live only
// in here; prices leave as 1e10 integers.
import type { LocalPair } from '../chain/deploy.js';
import type { Rng } from './prng.js';

/** Per-tick volatility by pair index, chosen so a few hundred ticks show TP, SL and liquidations. */
const VOLATILITY: Readonly<Record<number, number>> = {
  0: 0.003,
  1: 0.0025,
  2: 0.0045,
  5: 0.006,
  11: 0.0006,
  12: 0.0007,
  21: 0.0015,
  62: 0.007,
};
const DEFAULT_VOLATILITY = 0.004;
const REGIME_CHANGE_P = 0.03;
const JUMP_P = 0.006;
const MEAN_REVERSION = 0.002;

interface PairWalk {
  readonly index: number;
  readonly start: number;
  readonly volatility: number;
  price: number;
  /** Drift per tick in log terms; its sign is what trend followers follow. */
  trend: number;
}

const toE10 = (x: number): bigint => BigInt(Math.round(x * 1e10));

export class PriceWalk {
  private readonly walks: PairWalk[];

  constructor(
    pairs: readonly LocalPair[],
    private readonly rng: Rng,
  ) {
    this.walks = pairs.map((p) => {
      const start = Number(p.initialPrice) / 1e10;
      return {
        index: p.index,
        start,
        volatility: VOLATILITY[p.index] ?? DEFAULT_VOLATILITY,
        price: start,
        trend: 0,
      };
    });
  }

  /** Advances every pair one tick. */
  step(): void {
    for (const w of this.walks) {
      if (this.rng.chance(REGIME_CHANGE_P)) w.trend = this.rng.pick([-1, 0, 1]) * w.volatility * 0.25;
      let r = w.trend + w.volatility * this.rng.normal() - MEAN_REVERSION * Math.log(w.price / w.start);
      if (this.rng.chance(JUMP_P)) r += this.rng.pick([-1, 1]) * w.volatility * this.rng.range(4, 8);
      w.price *= Math.exp(r);
    }
  }

  /** Current prices, 1e10, in pair order. */
  prices(): Map<number, bigint> {
    return new Map(this.walks.map((w) => [w.index, toE10(w.price)]));
  }

  /** -1, 0 or 1: the current regime of a pair. */
  trend(index: number): -1 | 0 | 1 {
    const t = this.walks.find((w) => w.index === index)?.trend ?? 0;
    return t > 0 ? 1 : t < 0 ? -1 : 0;
  }
}
