// What an RPC endpoint's troubles leave in the log: a failure, a failover and no endpoint left are
// warnings with their reason code and the event's fields; a recovery leaves nothing.
import { describe, expect, it } from 'vitest';
import { logRpcEvents } from '#core/adapters/chain/rpc-events.js';

describe('Function: logRpcEvents', () => {
  it('warns with RPC_<TYPE> for every event but a recovery', () => {
    // Prepare
    const warnings: [string, Record<string, unknown>][] = [];
    const onEvent = logRpcEvents({
      info: () => undefined,
      warn: (m, a = {}) => void warnings.push([m, a]),
      error: () => undefined,
    });

    // Act
    onEvent({ type: 'failover', from: 'a', to: 'b', method: 'eth_getLogs' });
    onEvent({ type: 'recovered', endpoint: 'a', afterFailures: 2 });
    onEvent({ type: 'unavailable', method: 'eth_blockNumber', message: 'all endpoints cooling down' });

    // Assess
    expect(warnings).toEqual([
      [
        'rpc endpoint event',
        { reason: 'RPC_FAILOVER', type: 'failover', from: 'a', to: 'b', method: 'eth_getLogs' },
      ],
      [
        'rpc endpoint event',
        {
          reason: 'RPC_UNAVAILABLE',
          type: 'unavailable',
          method: 'eth_blockNumber',
          message: 'all endpoints cooling down',
        },
      ],
    ]);
  });
});
