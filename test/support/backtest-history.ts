// A seeded trader history for the backtest: planned trades (opens, partial and full closes, TP/SL,
// liquidations, on listed and unlisted pairs) and the stored fills they become. Tests compare the
// backtest with a plain model computed from the plan; the bench replays the fills.
import type { Fill } from '#core/domain/fills.js';
import {
  address,
  blockOf,
  closeTx,
  lev,
  openTx,
  prng,
  px,
  slot,
  triggerTx,
  txHashOf,
  usdc,
  type Slot,
} from './analytics-fills.js';

export interface PlannedClose {
  readonly at: number;
  /** Trader collateral closed; the last close takes the rest. */
  readonly amount: bigint;
  readonly price: bigint;
  readonly kind: 'MARKET' | 'TP' | 'SL' | 'LIQ';
}

export interface PlannedTrade {
  readonly slot: Slot;
  readonly openedAt: number;
  readonly collateral: bigint;
  readonly closes: readonly PlannedClose[];
}

export interface BacktestHistory {
  readonly trader: string;
  readonly trades: readonly PlannedTrade[];
  readonly fills: readonly Fill[];
}

const PAIRS = [0, 1, 2, 12, 32]; // ETH, BTC, SOL, USD/JPY (forex minimum $300), 32 unlisted
const PRICES: Record<number, number> = { 0: 3_000, 1: 95_000, 2: 180, 12: 150, 32: 10 };

/** `trades` round trips from `start`, an hour apart, each on its own slot, some overlapping. */
export function backtestHistory(seed: number, trades: number, start: number): BacktestHistory {
  const rnd = prng(seed);
  const trader = address(`bt-${seed}`);
  const planned: PlannedTrade[] = [];
  const used = new Map<number, number>();
  for (let i = 0; i < trades; i++) {
    const pairIndex = PAIRS[Math.floor(rnd() * PAIRS.length)] as number;
    const index = used.get(pairIndex) ?? 0;
    used.set(pairIndex, index + 1);
    const leverage = [2, 5, 10, 25, 60, 120][Math.floor(rnd() * 6)] as number;
    const openPrice = px((PRICES[pairIndex] as number) * (0.9 + rnd() * 0.2));
    const s = slot(trader, { pairIndex, index, buy: rnd() < 0.6, leverage: lev(leverage), openPrice });
    const openedAt = start + i * 3_600 + Math.floor(rnd() * 600);
    const collateral = usdc(20 + Math.floor(rnd() * 2_000));
    const move = (r: number) => (openPrice * BigInt(Math.round((0.97 + r * 0.06) * 1e6))) / 1_000_000n;
    const closes: PlannedClose[] = [];
    const kind = rnd();
    if (kind < 0.1) {
      closes.push({ at: openedAt + 1_800, amount: collateral, price: move(0), kind: 'LIQ' });
    } else if (kind < 0.3) {
      closes.push({
        at: openedAt + 2_000,
        amount: collateral,
        price: move(rnd()),
        kind: rnd() < 0.5 ? 'TP' : 'SL',
      });
    } else if (kind < 0.6) {
      const part = (collateral * BigInt(1 + Math.floor(rnd() * 8))) / 10n;
      closes.push({ at: openedAt + 900, amount: part, price: move(rnd()), kind: 'MARKET' });
      closes.push({ at: openedAt + 5_400, amount: collateral - part, price: move(rnd()), kind: 'MARKET' });
    } else if (i < trades - 2) {
      closes.push({
        at: openedAt + 3_000 + Math.floor(rnd() * 4_000),
        amount: collateral,
        price: move(rnd()),
        kind: 'MARKET',
      });
    }
    // else: still open at the end
    planned.push({ slot: s, openedAt, collateral, closes });
  }

  const fills: Fill[] = [];
  let n = 0;
  const at = (timestamp: number) => ({
    blockNumber: blockOf(timestamp),
    timestamp,
    txHash: txHashOf(`${seed}-${(n += 1)}`),
    // Distinct and increasing, so transactions sharing a block keep their planned order.
    logIndex: n * 4,
  });
  type Tx = { at: number; make: () => readonly unknown[] };
  const txs: Tx[] = [];
  for (const t of planned) {
    txs.push({ at: t.openedAt, make: () => openTx(at(t.openedAt), t.slot, t.collateral) });
    let left = t.collateral;
    for (const c of t.closes) {
      const before = left;
      left -= c.amount;
      const pct = percentOf(t.slot, c.price);
      const sent = c.kind === 'LIQ' ? 0n : c.amount + (c.amount * pct) / (100n * 10_000_000_000n);
      txs.push({
        at: c.at,
        make: () =>
          c.kind === 'MARKET'
            ? closeTx(at(c.at), t.slot, {
                collateralBefore: before,
                amount: c.amount,
                usdcSent: sent,
                price: c.price,
                openedAt: t.openedAt,
              })
            : triggerTx(at(c.at), t.slot, c.kind as 'TP', {
                collateral: before,
                usdcSent: sent,
                price: c.price,
                openedAt: t.openedAt,
              }),
      });
    }
  }
  txs.sort((a, b) => a.at - b.at);
  for (const tx of txs) fills.push(...(tx.make() as Fill[]));
  return { trader, trades: planned, fills };
}

function percentOf(s: Slot, price: bigint): bigint {
  const diff = s.buy ? price - s.openPrice : s.openPrice - price;
  const p = (diff * 100n * 10_000_000_000n * s.leverage) / 10_000_000_000n / s.openPrice;
  return p < -100n * 10_000_000_000n ? -100n * 10_000_000_000n : p;
}
