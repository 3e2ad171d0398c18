// The simulator's keeper: which open trades may be closed by TP (0), SL (1) or liquidation (2) at
// the prices just pushed, using the contracts' own arithmetic (math.ts), so its executeLimit calls
// do not revert. When several hold at once, TP wins over SL over LIQ (best outcome for the trader).
import { LIMIT_ORDER } from '../chain/abi.js';
import type { LocalPair } from '../chain/deploy.js';
import { liquidatable, slHit, tpHit } from './math.js';
import type { OpenTrade, TraderState } from './traders.js';

export interface Trigger {
  readonly trader: TraderState;
  readonly trade: OpenTrade;
  readonly orderType: number;
}

export function findTriggers(
  traders: readonly TraderState[],
  prices: ReadonlyMap<number, bigint>,
  pairs: ReadonlyMap<number, LocalPair>,
): Trigger[] {
  const out: Trigger[] = [];
  for (const trader of traders) {
    for (const trade of trader.trades) {
      const price = prices.get(trade.pairIndex);
      const pair = pairs.get(trade.pairIndex);
      if (price === undefined || !pair) continue;
      const orderType = tpHit(trade, price)
        ? LIMIT_ORDER.TP
        : slHit(trade, price)
          ? LIMIT_ORDER.SL
          : liquidatable(trade, price, pair.closeFeeP)
            ? LIMIT_ORDER.LIQ
            : undefined;
      if (orderType !== undefined) out.push({ trader, trade, orderType });
    }
  }
  return out;
}
