// Follower (fanout.fifo): one follower's alert and copy for one signal. A Telegram 429 returns the
// message to the queue for retry_after seconds; a 403 (blocked) marks the user inactive.
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentDb } from '../../layers/core/adapters/dynamo/client.js';
import { fromJson } from '../../layers/core/adapters/dynamo/codec.js';
import { once } from '../../layers/core/adapters/dynamo/idempotency.js';
import { DynamoFollowStore } from '../../layers/core/adapters/dynamo/follow-store.js';
import { DynamoIntentStore } from '../../layers/core/adapters/dynamo/intent-store.js';
import { DynamoPositionStore } from '../../layers/core/adapters/dynamo/position-store.js';
import { DynamoStatsStore } from '../../layers/core/adapters/dynamo/stats-store.js';
import { dayOf } from '../../layers/core/domain/analytics/stats.js';
import type { CopyExecutor } from '../../layers/core/adapters/chain/executor.js';
import { executorFromConfig } from '../../layers/core/adapters/chain/executor-from-config.js';
import { DynamoUserStore } from '../../layers/core/adapters/dynamo/user-store.js';
import { modeSourceFromConfig } from '../../layers/core/adapters/mode-source.js';
import { loadBotSecret } from '../../layers/core/adapters/secrets/bot-secret.js';
import { sqsClient } from '../../layers/core/adapters/sqs/client.js';
import {
  ChatBlockedError,
  RetryLaterError,
  TelegramMessenger,
} from '../../layers/core/adapters/telegram/messenger.js';
import { config } from '../../layers/core/config.js';
import { followSignal, type FollowDeps } from '../../layers/core/copy/follow-signal.js';
import { connectChain } from '../../layers/core/indexer/compose.js';
import { WalletInspector } from '../../layers/core/adapters/chain/wallet-inspector.js';
import type { FanoutMessage, NoticeMessage } from '../../layers/core/ports.js';
import { appLog, lambdaHandler, logger, metrics, MetricUnit } from '../../layers/core/observability.js';

const cfg = config();
const db = documentDb();
const users = new DynamoUserStore(db, cfg.tables.users);
const processor = new SqsFifoPartialProcessorAsync();
const positionStore = new DynamoPositionStore(db, cfg.tables.positions);
const statsStore = new DynamoStatsStore(db, cfg.tables.stats);
let chain: ReturnType<typeof connectChain> | undefined;

let messenger: { token: string; instance: TelegramMessenger } | undefined;
async function currentMessenger(): Promise<TelegramMessenger> {
  const { botToken } = await loadBotSecret(cfg.botSecretId);
  if (messenger?.token !== botToken)
    messenger = { token: botToken, instance: new TelegramMessenger(botToken, cfg.telegramApiRoot) };
  return messenger.instance;
}

// An alert is sent at most once per (signal, user) within five minutes, even across redeliveries.
const alerts = once(
  async (alert: { signalId: string; userId: string; chatId: string; html: string }) => {
    await (await currentMessenger()).send(alert.chatId, alert.html);
    return { sentAt: Date.now() };
  },
  {
    tableName: cfg.tables.dedupe,
    keyPrefix: 'alert',
    keyPath: '[signalId, userId]',
    expiresAfterSeconds: 300,
  },
);

/** The LIVE executor, when the secret holds an executor key and a chain is configured; else copies are simulated. */
let executor: Promise<CopyExecutor | undefined> | undefined;
async function currentExecutor(): Promise<CopyExecutor | undefined> {
  executor ??= executorFromConfig(cfg).catch((err: unknown) => {
    executor = undefined;
    logger.error('executor unavailable', { reason: 'EXECUTOR_UNAVAILABLE', error: err as Error });
    return undefined;
  });
  return executor;
}

const deps: Omit<FollowDeps, 'executor'> = {
  intents: new DynamoIntentStore(db, cfg.tables.intents),
  alertOnce: async (alert) => {
    const before = Date.now();
    const { sentAt } = await alerts.run(alert);
    // A replay returns the stored result of the first send: its time tells the two apart.
    return sentAt >= before ? 'SENT' : 'DUPLICATE';
  },
  mode: modeSourceFromConfig(cfg, db),
  users,
  positions: positionStore,
  follows: new DynamoFollowStore(db, { follows: cfg.tables.follows, users: cfg.tables.users }),
  equityOf: async (wallet) => {
    if (cfg.indexer.rpcUrls.length === 0) return undefined;
    chain ??= connectChain(cfg).catch((err: unknown) => {
      chain = undefined;
      throw err;
    });
    const c = await chain;
    return (await new WalletInspector(c.pool, c.deployment, cfg.executorAddress ?? wallet).status(wallet))
      .balanceUsdc;
  },
  exposureOf: async (wallet) => {
    const [stats, positions] = await Promise.all([
      statsStore.getMany([wallet]),
      positionStore.positionsOf(wallet),
    ]);
    const today = stats.get(wallet)?.days.get(dayOf(Math.floor(Date.now() / 1000)));
    const realized = today?.realizedPnl ?? 0n;
    return {
      lossTodayUsdc: realized < 0n ? -realized : 0n,
      openCollateralUsdc: positions.reduce((sum, p) => sum + p.collateral, 0n),
    };
  },
  canary: cfg.canary,
  now: () => new Date(),
  log: appLog,
};

// A notice ("your copy filled") is sent once per notice id.
const notices = once(
  async (n: { noticeId: string; chatId: string; html: string }) => {
    await (await currentMessenger()).send(n.chatId, n.html);
    return { sentAt: Date.now() };
  },
  { tableName: cfg.tables.dedupe, keyPrefix: 'notice', keyPath: 'noticeId', expiresAfterSeconds: 86_400 },
);

async function follow(record: SQSRecord): Promise<void> {
  const parsed = fromJson<FanoutMessage | NoticeMessage>(record.body);
  try {
    if ('notice' in parsed) {
      await notices.run({ noticeId: parsed.noticeId, chatId: parsed.chatId, html: parsed.notice });
      return;
    }
    const message = parsed;
    const live = await currentExecutor();
    const outcome = await followSignal(message, { ...deps, ...(live ? { executor: live } : {}) });
    if (outcome.alerted) metrics.addMetric('AlertsSent', MetricUnit.Count, 1);
  } catch (err) {
    if (err instanceof RetryLaterError) {
      // Back on the queue exactly when Telegram allows it; the batch reports it as failed.
      await sqsClient().send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: cfg.queues.fanout,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: err.retryAfterSeconds,
        }),
      );
      metrics.addMetric('TelegramRetryAfter', MetricUnit.Count, 1);
      throw err;
    }
    if (err instanceof ChatBlockedError) {
      await users.markInactive(parsed.userId, new Date());
      logger.info('user blocked the bot', { reason: 'USER_BLOCKED_BOT', userId: parsed.userId });
      return;
    }
    logger.error('follower message failed; it will be retried', {
      reason: 'FOLLOW_FAILED',
      error: err as Error,
    });
    throw err;
  }
}

export const handler = lambdaHandler(async (event: SQSEvent, context: Context) => {
  alerts.registerContext(context);
  notices.registerContext(context);
  return processPartialResponse(event, follow, processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });
});
