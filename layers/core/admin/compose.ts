// Wires the admin actions to AWS, the chain and Telegram from config: the admin function's only
// composition root (the use case in run.ts sees ports, never these adapters).
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Telegram } from 'telegraf';
import { z } from 'zod';
import type { Config } from '../config.js';
import { documentDb } from '../adapters/dynamo/client.js';
import { DynamoFillStore } from '../adapters/dynamo/fill-store.js';
import { DynamoFollowStore } from '../adapters/dynamo/follow-store.js';
import { DynamoIndexerState } from '../adapters/dynamo/indexer-state.js';
import { DynamoIntentCensus } from '../adapters/dynamo/intent-census.js';
import { DynamoErrorJournal, DynamoOperatorFlags } from '../adapters/dynamo/operator-state.js';
import { invokeFunction } from '../adapters/lambda/invoke.js';
import { modeSourceFromConfig } from '../adapters/mode-source.js';
import { loadBotSecret } from '../adapters/secrets/bot-secret.js';
import { sqsClient } from '../adapters/sqs/client.js';
import { SqsDlqRedrive } from '../adapters/sqs/dlq-redrive.js';
import { QueueMonitor } from '../adapters/sqs/queue-monitor.js';
import { SsmExecutionSwitch } from '../adapters/ssm/execution-switch.js';
import { connectChain } from '../adapters/chain/connect.js';
import { indexRange } from '../indexer/range.js';
import type { AppLog } from '../ports/runtime.js';
import { lazy } from '../runtime/lazy.js';
import { FUNCTIONS } from '../resources.js';
import type { AdminDeps } from './run.js';

/** What one 300 s invocation indexes comfortably at the default page size. */
const MAX_BACKFILL_BLOCKS = 200_000;
/** Telegram's updates Alfa handles; setWebhook asks for exactly these. */
const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

export function adminDeps(
  cfg: Config,
  log: AppLog,
  metric: (name: string, value: number) => void,
): AdminDeps {
  const db = documentDb();
  const sqs = sqsClient();
  const flags = new DynamoOperatorFlags(db, cfg.tables.state);
  const executionSwitch = new SsmExecutionSwitch(cfg.executionModeParameter);
  // Every admin read is fresh: an operator acting on a cached mode is acting on the past.
  const mode = modeSourceFromConfig(cfg, db, 0);
  const state = new DynamoIndexerState(db, cfg.tables.state);
  const monitor = new QueueMonitor(sqs, cfg.queues);
  const connected = lazy(() => connectChain(cfg));
  const telegram = async () => {
    const secret = await loadBotSecret(cfg.botSecretId);
    return { api: new Telegram(secret.botToken, { apiRoot: cfg.telegramApiRoot }), secret };
  };
  const reconciler = cfg.functionNames.reconciler;

  return {
    stage: cfg.stage,
    functionNames: Object.keys(FUNCTIONS),
    queueNames: Object.keys(cfg.queues),
    ceiling: cfg.copyExecutionModeCeiling,
    now: () => new Date(),
    mode: {
      read: () => mode.read({ fresh: true }),
      write: (m) => executionSwitch.write(m),
      changedAt: async () =>
        (
          await new SSMClient({ maxAttempts: 2 }).send(
            new GetParameterCommand({ Name: cfg.executionModeParameter }),
          )
        ).Parameter?.LastModifiedDate,
    },
    flags,
    indexer: {
      cursor: async () => (await state.load())?.block,
      head: async () => (cfg.indexer.rpcUrls.length ? (await connected()).reader.headNumber() : undefined),
    },
    queues: {
      depths: () => monitor.depths(),
      redrive: (queue, dryRun) => new SqsDlqRedrive(sqs, cfg.queues).redrive(queue, dryRun),
    },
    intents: new DynamoIntentCensus(db, cfg.tables.intents),
    errors: new DynamoErrorJournal(db, cfg.tables.state, 'admin'),
    follows: new DynamoFollowStore(db, { follows: cfg.tables.follows, users: cfg.tables.users }),
    backfill: async (range) =>
      indexRange(
        { ...range, pageSize: cfg.indexer.page },
        { chain: (await connected()).reader, fills: new DynamoFillStore(db, cfg.tables.fills), log },
      ),
    reconciler: reconciler
      ? {
          run: (by) =>
            // One pass (the reconciler's scheduled run loops for most of a minute).
            invokeFunction(
              reconciler,
              { once: true, source: 'alfa.admin', by },
              z.record(z.string(), z.unknown()),
            ),
        }
      : undefined,
    telegram: {
      webhookInfo: async () => {
        const info = await (await telegram()).api.getWebhookInfo();
        return {
          url: info.url ?? '',
          pendingUpdateCount: info.pending_update_count,
          ...(info.last_error_date === undefined ? {} : { lastErrorDate: info.last_error_date }),
          ...(info.last_error_message === undefined ? {} : { lastErrorMessage: info.last_error_message }),
          ...(info.allowed_updates === undefined ? {} : { allowedUpdates: info.allowed_updates }),
        };
      },
      setWebhook: async (url) => {
        const { api, secret } = await telegram();
        await api.setWebhook(url, {
          secret_token: secret.webhookSecret,
          allowed_updates: [...ALLOWED_UPDATES],
        });
      },
    },
    webhookUrl: cfg.webhookUrl,
    maxBackfillBlocks: MAX_BACKFILL_BLOCKS,
    metric,
  };
}
