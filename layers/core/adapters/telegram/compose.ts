// Wires the bot's ports to AWS and the chain from config (the webhook handler's composition root).
import type { Config } from '../../config.js';
import { connectChain, type ChainAccess } from '../../indexer/compose.js';
import { WalletInspector } from '../chain/wallet-inspector.js';
import { documentDb } from '../dynamo/client.js';
import { DynamoFillStore } from '../dynamo/fill-store.js';
import { DynamoFollowStore } from '../dynamo/follow-store.js';
import { DynamoIndexerState } from '../dynamo/indexer-state.js';
import { DynamoErrorJournal, DynamoOperatorFlags } from '../dynamo/operator-state.js';
import { DynamoPositionStore } from '../dynamo/position-store.js';
import { DynamoStatsStore } from '../dynamo/stats-store.js';
import { DynamoUserStore } from '../dynamo/user-store.js';
import { ModeSource } from '../mode-source.js';
import { sqsClient } from '../sqs/client.js';
import { QueueMonitor } from '../sqs/queue-monitor.js';
import { SsmExecutionSwitch } from '../ssm/execution-switch.js';
import type { BotDeps } from './deps.js';

/** How long the bot trusts a read of the mode; admins' /status always reads fresh. */
const MODE_MAX_AGE_MS = 5_000;
const RPC_TIMEOUT_MS = 1_500;

export function botDeps(cfg: Config): BotDeps {
  const db = documentDb();
  const users = new DynamoUserStore(db, cfg.tables.users);
  const flags = new DynamoOperatorFlags(db, cfg.tables.state);
  const executionSwitch = new SsmExecutionSwitch(cfg.executionModeParameter);
  const state = new DynamoIndexerState(db, cfg.tables.state);

  // The chain is optional for the bot: wallets and the head show as unavailable without it.
  let chain: Promise<ChainAccess> | undefined;
  const connected = () => {
    chain ??= connectChain(cfg).catch((err: unknown) => {
      chain = undefined;
      throw err;
    });
    return chain;
  };
  const withTimeout = <T>(p: Promise<T>) =>
    Promise.race([
      p,
      new Promise<never>((_r, reject) => setTimeout(() => reject(new Error('RPC timeout')), RPC_TIMEOUT_MS)),
    ]);

  return {
    users,
    follows: new DynamoFollowStore(db, { follows: cfg.tables.follows, users: cfg.tables.users }),
    stats: new DynamoStatsStore(db, cfg.tables.stats),
    fills: new DynamoFillStore(db, cfg.tables.fills),
    positions: new DynamoPositionStore(db, cfg.tables.positions),
    mode: new ModeSource({
      switch: executionSwitch,
      flags,
      ceiling: cfg.copyExecutionModeCeiling,
      envEmergencyStop: cfg.emergencyStop,
      maxAgeMs: MODE_MAX_AGE_MS,
    }),
    executionSwitch,
    flags,
    errors: new DynamoErrorJournal(db, cfg.tables.state),
    queues: new QueueMonitor(sqsClient(), cfg.queues),
    indexer: {
      checkpoint: async () => {
        const cp = await state.load();
        return cp && { block: cp.block };
      },
      head: async () =>
        cfg.indexer.rpcUrls.length ? withTimeout(connected().then((c) => c.reader.headNumber())) : undefined,
    },
    wallets:
      cfg.indexer.rpcUrls.length && cfg.executorAddress
        ? {
            status: async (wallet) => {
              const c = await withTimeout(connected());
              return withTimeout(
                new WalletInspector(c.pool, c.deployment, cfg.executorAddress as string).status(wallet),
              );
            },
          }
        : undefined,
    admins: cfg.adminUserIds,
    rules: cfg.leader,
    ceiling: cfg.copyExecutionModeCeiling,
    clock: { now: () => new Date() },
  };
}
