// One OPEN signal for queue-body tests (jobs, the FIFO groups processor, the router's parser), with
// the fields a test cares about given as overrides.
import type { Signal } from '#core/domain/signals.js';

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
