// Connects to Base from config: the RPC pool over RPC_URLS, the Avantis deployment it serves, a
// chain reader of every watched address, and the upgrade scan's reads over the same pool. Every
// composition root that reads the chain (indexer, bot, admin, CLIs) starts here.
import type { Config } from '../../config.js';
import { BASE_MAINNET, watchedAddresses, type AvantisDeployment } from '../../domain/avantis/addresses.js';
import type { ChainReader, UpgradeScanChain } from '../../ports/chain.js';
import { createChainReader } from './chain-reader.js';
import { fetchLogsAdaptive } from './log-pager.js';
import { RpcPool, type LogSource, type RpcPoolEvent } from './rpc-pool.js';

export class IndexerConfigError extends Error {
  override readonly name = 'IndexerConfigError';
}

const KNOWN_DEPLOYMENTS: Readonly<Record<number, AvantisDeployment>> = {
  [BASE_MAINNET.chainId]: BASE_MAINNET,
};

/** The contracts to watch: AVANTIS_CONTRACTS when set, else the known deployment of the RPC's chain. */
export function resolveDeployment(
  configured: AvantisDeployment | undefined,
  chainId: number,
): AvantisDeployment {
  if (configured) {
    if (configured.chainId !== chainId) {
      throw new IndexerConfigError(
        `AVANTIS_CONTRACTS is for chain ${configured.chainId} but RPC_URLS serve chain ${chainId}`,
      );
    }
    return configured;
  }
  const known = KNOWN_DEPLOYMENTS[chainId];
  if (!known) {
    throw new IndexerConfigError(
      `No known Avantis deployment on chain ${chainId}; set AVANTIS_CONTRACTS to the contract addresses`,
    );
  }
  return known;
}

export interface ChainConnection {
  readonly pool: RpcPool;
  readonly reader: ChainReader;
  readonly deployment: AvantisDeployment;
}

export async function connectChain(
  cfg: Config,
  onEvent?: (e: RpcPoolEvent) => void,
): Promise<ChainConnection> {
  if (cfg.indexer.rpcUrls.length === 0) {
    throw new IndexerConfigError('RPC_URLS is empty: the indexer needs at least one Base JSON-RPC URL');
  }
  const pool = new RpcPool({ urls: cfg.indexer.rpcUrls, ...(onEvent ? { onEvent } : {}) });
  const deployment = resolveDeployment(cfg.indexer.contracts, await pool.chainId());
  // No topic0 filter: every log of the watched addresses, so new layouts are seen (and counted).
  const reader = createChainReader(pool, { addresses: watchedAddresses(deployment) });
  return { pool, reader, deployment };
}

/** The upgrade scan's reads over any log source (the pool, or a fake chain in tests). */
export function pagedScanChain(
  source: LogSource & Pick<UpgradeScanChain, 'blockNumber' | 'codeAt'>,
): UpgradeScanChain {
  return {
    blockNumber: () => source.blockNumber(),
    codeAt: (address, block) => source.codeAt(address, block),
    logPages: (query) => fetchLogsAdaptive(source, query),
  };
}

/** The pool as the upgrade scan reads it. */
export function upgradeScanChain(pool: RpcPool): UpgradeScanChain {
  return pagedScanChain({
    getLogs: (q) => pool.getLogs(q),
    blockNumber: () => pool.blockNumber(),
    codeAt: async (address, block) =>
      String(await pool.send('eth_getCode', [address, `0x${block.toString(16)}`])),
  });
}
