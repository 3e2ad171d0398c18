// One OPEN signal for queue-body tests (jobs, the FIFO groups processor, the router's parser), with
// the fields a test cares about given as overrides, and an AUTO follower's copy job of it.
import type { Signal } from '#core/domain/signals.js';
import type { CopyJob } from '#core/ports/copy.js';

export const openSignal = (over: Partial<Signal> = {}): Signal => ({
  id: '0xo:1',
  kind: 'OPEN',
  trader: '0x00000000000000000000000000000000000000bb',
  pairIndex: 1,
  pair: 'BTC/USD',
  tradeIndex: 3,
  side: 'LONG',
  leverage: '100000000000',
  collateralUsdc: '1000000000',
  notionalUsdc: '10000000000',
  price: '300000000000000',
  block: 1,
  blockHash: '0xb',
  txHash: '0xo',
  ts: 1,
  ...over,
});

/** user 7 copying `signal` with $25 a trade, its position limit given (a bigint past 2^53 tests the codec). */
export const autoCopyJob = (signal: Signal, maxPositionUsdc: bigint): CopyJob => ({
  signal,
  userId: '7',
  chatId: '7',
  decision: { action: 'COPY', reason: 'COPY_OK', adjustments: [], notify: true },
  follower: {
    userId: '7',
    chatId: '7',
    mode: 'AUTO',
    sizing: { kind: 'FIXED_USD', usdc: 25_000_000n },
    maxLeverage: 20,
    maxPositionUsdc,
    pairs: 'ALL',
    notify: true,
    paused: false,
  },
  routedAt: 5,
});
