// Wires the indexer to AWS and the chain from config: used by the Lambda handler and the CLI.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { connectChain, upgradeScanChain, type ChainConnection } from '../adapters/chain/connect.js';
import type { RpcPool, RpcPoolEvent } from '../adapters/chain/rpc-pool.js';
import { DynamoFillStore } from '../adapters/dynamo/fill-store.js';
import { DynamoIndexerState } from '../adapters/dynamo/indexer-state.js';
import { DynamoErrorJournal } from '../adapters/dynamo/operator-state.js';
import { DynamoPositionStore } from '../adapters/dynamo/position-store.js';
import { DynamoStatsStore } from '../adapters/dynamo/stats-store.js';
import { SqsSignalQueue } from '../adapters/sqs/signal-queue.js';
import type { Config } from '../config.js';
import type { AvantisDeployment } from '../domain/avantis/addresses.js';
import type { ChainReader } from '../ports/chain.js';
import type { AppLog } from '../ports/runtime.js';
import type { IndexerDeps } from './run.js';
import { fixedUpgrade, scanningUpgrade, type UpgradeTracker } from './upgrade.js';

export interface ChainAccess extends ChainConnection {
  /** Where the v2 upgrade is: AVANTIS_UPGRADE_BLOCK, else discovered now and tracked from pages. */
  readonly upgrade: UpgradeTracker;
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

/** The chain as the indexer reads it: the connection plus where the v2 upgrade is. */
export async function connectIndexerChain(
  cfg: Config,
  onEvent?: (e: RpcPoolEvent) => void,
): Promise<ChainAccess> {
  const chain = await connectChain(cfg, onEvent);
  return { ...chain, upgrade: lazyUpgradeTracker(chain.pool, chain.deployment, cfg.indexer.upgradeBlock) };
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
