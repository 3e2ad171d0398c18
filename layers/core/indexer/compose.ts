// Wires the indexer to AWS and the chain from config: used by the Lambda handler and the CLI.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createChainReader } from '../adapters/chain/chain-reader.js';
import { RpcPool, type RpcPoolEvent } from '../adapters/chain/rpc-pool.js';
import { DynamoFillStore } from '../adapters/dynamo/fill-store.js';
import { DynamoIndexerState } from '../adapters/dynamo/indexer-state.js';
import { DynamoErrorJournal } from '../adapters/dynamo/operator-state.js';
import { DynamoPositionStore } from '../adapters/dynamo/position-store.js';
import { DynamoStatsStore } from '../adapters/dynamo/stats-store.js';
import { SqsSignalQueue } from '../adapters/sqs/signal-queue.js';
import type { Config } from '../config.js';
import { BASE_MAINNET, watchedAddresses, type AvantisDeployment } from '../domain/avantis/addresses.js';
import type { AppLog, ChainReader } from '../ports.js';
import type { IndexerDeps } from './run.js';
import { fixedUpgrade, scanningUpgrade, type UpgradeScanChain, type UpgradeTracker } from './upgrade.js';

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

export interface ChainAccess {
  readonly pool: RpcPool;
  readonly reader: ChainReader;
  readonly deployment: AvantisDeployment;
  /** Where the v2 upgrade is: AVANTIS_UPGRADE_BLOCK, else discovered now and tracked from pages. */
  readonly upgrade: UpgradeTracker;
}

/** The pool as the upgrade scan reads it. */
export function upgradeScanChain(pool: RpcPool): UpgradeScanChain {
  return {
    getLogs: (q) => pool.getLogs(q),
    blockNumber: () => pool.blockNumber(),
    codeAt: async (address, block) =>
      String(await pool.send('eth_getCode', [address, `0x${block.toString(16)}`])),
  };
}

/**
 * The upgrade tracker: the configured block, or a scan of the Upgraded logs of Trading and
 * TradingCallbacks that the indexer brings up to date under its lease, persisted (runIndexer calls
 * `ready` with the state store); pages keep it current afterwards.
 */
export function lazyUpgradeTracker(
  pool: RpcPool,
  deployment: AvantisDeployment,
  configured: number | undefined,
): UpgradeTracker {
  if (configured !== undefined) return fixedUpgrade(configured);
  return scanningUpgrade(deployment, upgradeScanChain(pool));
}

/** The same, scanned to the head now without persisting (CLIs and tests). */
export async function upgradeTracker(
  pool: RpcPool,
  deployment: AvantisDeployment,
  configured: number | undefined,
): Promise<UpgradeTracker> {
  const t = lazyUpgradeTracker(pool, deployment, configured);
  await t.ready?.({ deadline: Number.POSITIVE_INFINITY, now: () => Date.now() });
  return t;
}

export async function connectChain(cfg: Config, onEvent?: (e: RpcPoolEvent) => void): Promise<ChainAccess> {
  if (cfg.indexer.rpcUrls.length === 0) {
    throw new IndexerConfigError('RPC_URLS is empty: the indexer needs at least one Base JSON-RPC URL');
  }
  const pool = new RpcPool({ urls: cfg.indexer.rpcUrls, ...(onEvent ? { onEvent } : {}) });
  const deployment = resolveDeployment(cfg.indexer.contracts, await pool.chainId());
  // No topic0 filter: every log of the watched addresses, so new layouts are seen (and counted).
  const reader = createChainReader(pool, { addresses: watchedAddresses(deployment) });
  const upgrade = lazyUpgradeTracker(pool, deployment, cfg.indexer.upgradeBlock);
  return { pool, reader, deployment, upgrade };
}

export function indexerDeps(
  cfg: Config,
  clients: { db: DynamoDBDocumentClient; sqs: SQSClient },
  chain: ChainReader,
  log: AppLog,
  metric: IndexerDeps['metric'],
  upgrade?: UpgradeTracker,
): IndexerDeps {
  const errors = new DynamoErrorJournal(clients.db, cfg.tables.state, 'indexer');
  const state = new DynamoIndexerState(clients.db, cfg.tables.state);
  return {
    chain,
    fills: new DynamoFillStore(clients.db, cfg.tables.fills),
    positions: new DynamoPositionStore(clients.db, cfg.tables.positions),
    stats: new DynamoStatsStore(clients.db, cfg.tables.stats),
    signals: new SqsSignalQueue(clients.sqs, cfg.queues.signals),
    state,
    ...(upgrade ? { upgrade, upgradeScans: state } : {}),
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log,
    metric,
    recordError: (reason, message) => errors.record(reason, message, new Date()),
  };
}
