// Wires the bot's ports to AWS and the chain from config (the webhook handler's composition root).
import type { Config } from '../../config.js';
import { renderPng } from '../charts/png.js';
import { connectChain } from '../chain/connect.js';
import { RpcPool } from '../chain/rpc-pool.js';
import { WalletInspector } from '../chain/wallet-inspector.js';
import { DelegateAddressClient } from '../lambda/delegate-address.js';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { documentDb } from '../dynamo/client.js';
import { DynamoFillStore } from '../dynamo/fill-store.js';
import { DynamoFollowStore } from '../dynamo/follow-store.js';
import { DynamoIndexerState } from '../dynamo/indexer-state.js';
import { DynamoIntentStore } from '../dynamo/intent-store.js';
import { DynamoErrorJournal, DynamoOperatorFlags } from '../dynamo/operator-state.js';
import { DynamoPositionStore } from '../dynamo/position-store.js';
import { DynamoStatsStore } from '../dynamo/stats-store.js';
import { DynamoUserStore } from '../dynamo/user-store.js';
import { ModeSource } from '../mode-source.js';
import { sqsClient } from '../sqs/client.js';
import { QueueMonitor } from '../sqs/queue-monitor.js';
import { SsmExecutionSwitch } from '../ssm/execution-switch.js';
import { adminResponseSchema } from '../../admin/requests.js';
import { invokeFunction } from '../lambda/invoke.js';
import { DynamoDigestPreference } from '../dynamo/digest-preference.js';
import { lazy } from '../../runtime/lazy.js';
import type { BotDeps, WalletLinking } from './deps.js';

/** How long the bot trusts a read of the mode; admins' /status always reads fresh. */
const MODE_MAX_AGE_MS = 5_000;
const RPC_TIMEOUT_MS = 1_500;
const WALLET_TIMEOUT_MS = 4_000;

export function botDeps(cfg: Config): BotDeps {
  const db = documentDb();
  const users = new DynamoUserStore(db, cfg.tables.users);
  const flags = new DynamoOperatorFlags(db, cfg.tables.state);
  const executionSwitch = new SsmExecutionSwitch(cfg.executionModeParameter);
  const state = new DynamoIndexerState(db, cfg.tables.state);

  // The chain is optional for the bot: wallets and the head show as unavailable without it.
  const connected = lazy(() => connectChain(cfg));
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
    copies: new DynamoIntentStore(db, cfg.tables.intents),
    mode: new ModeSource({
      switch: executionSwitch,
      flags,
      ceiling: cfg.copyExecutionModeCeiling,
      envEmergencyStop: cfg.emergencyStop,
      maxAgeMs: MODE_MAX_AGE_MS,
    }),
    executionSwitch,
    flags,
    errors: new DynamoErrorJournal(db, cfg.tables.state, 'telegram-webhook'),
    queues: new QueueMonitor(sqsClient(), cfg.queues),
    indexer: {
      checkpoint: async () => {
        const cp = await state.load();
        return cp && { block: cp.block, ...(cp.savedAt ? { savedAt: cp.savedAt } : {}) };
      },
      head: async () =>
        cfg.indexer.rpcUrls.length ? withTimeout(connected().then((c) => c.reader.headNumber())) : undefined,
    },
    wallets: walletLinking(cfg, users),
    admins: cfg.adminUserIds,
    // The webhook's own role cannot set the switch or the flags: the admin function's can.
    admin: cfg.functionNames.admin
      ? {
          call: (request) => invokeFunction(cfg.functionNames.admin as string, request, adminResponseSchema),
        }
      : undefined,
    digestPreference: new DynamoDigestPreference(db, cfg.tables.users),
    rules: cfg.leader,
    ceiling: cfg.copyExecutionModeCeiling,
    clock: { now: () => new Date() },
    charts: { png: async (spec) => (await renderPng(spec)).png },
  };
}

/**
 * /wallet's links: the user's delegate address from the delegate-address function (this function
 * cannot derive keys), the wallet's delegation on the TradingRouter, and the claim records.
 */
function walletLinking(cfg: Config, users: DynamoUserStore): WalletLinking | undefined {
  const contracts = cfg.indexer.contracts;
  const fn = cfg.functionNames.delegateAddress;
  if (!cfg.indexer.rpcUrls.length || !contracts?.tradingRouter || !fn) return undefined;
  // /wallet is one command a user waits for: a slow node gets a few seconds (the webhook has 10).
  const pool = new RpcPool({
    urls: cfg.indexer.rpcUrls,
    timeoutMs: WALLET_TIMEOUT_MS,
    maxWaitMs: WALLET_TIMEOUT_MS,
  });
  const withTimeout = <T>(p: Promise<T>) =>
    Promise.race([
      p,
      new Promise<never>((_r, reject) =>
        setTimeout(() => reject(new Error('wallet read timeout')), WALLET_TIMEOUT_MS),
      ),
    ]);
  const inspector = new WalletInspector(pool, contracts);
  const delegates = new DelegateAddressClient(new LambdaClient({}), fn);
  return {
    delegateOf: (userId) => withTimeout(delegates.addressOf(userId)),
    status: (wallet, delegate) => withTimeout(inspector.status(wallet, delegate)),
    claim: (userId, wallet, previous) => users.claimWallet(userId, wallet, previous),
    owner: (wallet) => users.walletOwner(wallet),
    setPending: (userId, wallet) => users.setPendingWallet(userId, wallet),
    unlink: (userId, wallet) => users.unlinkWallet(userId, wallet),
  };
}
