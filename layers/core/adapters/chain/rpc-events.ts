// What an RPC endpoint's troubles leave in the log: a failure, a failover or no endpoint left
// is a warning with its reason code (RPC_FAILURE, RPC_FAILOVER, RPC_UNAVAILABLE); a recovery is not.
import type { AppLog } from '../../ports/runtime.js';
import type { RpcPoolEvent } from './rpc-pool.js';

export function logRpcEvents(log: AppLog): (event: RpcPoolEvent) => void {
  return (e) => {
    if (e.type !== 'recovered')
      log.warn('rpc endpoint event', { reason: `RPC_${e.type.toUpperCase()}`, ...e });
  };
}
