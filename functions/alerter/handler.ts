// Alerter (alerts.fifo -> Telegram): every alert and copy message sent once (Powertools
// Idempotency on its id, one day), paced to Telegram's limits (one a second per chat, 29 a second
// overall; more with paid broadcasts when the operator enables ALLOW_PAID_BROADCAST). A 429 puts
// the message back for retry_after seconds; a 403 (blocked) marks the user inactive; any other
// failure comes back within seconds to a minute.
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentDb } from '../../layers/core/adapters/dynamo/client.js';
import { once } from '../../layers/core/adapters/dynamo/idempotency.js';
import { DynamoUserStore } from '../../layers/core/adapters/dynamo/user-store.js';
import { loadBotSecret } from '../../layers/core/adapters/secrets/bot-secret.js';
import { sqsClient } from '../../layers/core/adapters/sqs/client.js';
import {
  ChatBlockedError,
  RetryLaterError,
  TelegramMessenger,
} from '../../layers/core/adapters/telegram/messenger.js';
import { config } from '../../layers/core/config.js';
import { parseAlertJob, retrySeconds } from '../../layers/core/copy/jobs.js';
import type { AlertJob } from '../../layers/core/ports/copy.js';
import { lambdaHandler, logger, metrics, MetricUnit } from '../../layers/core/observability.js';

const cfg = config();
const users = new DynamoUserStore(documentDb(), cfg.tables.users);
const processor = new SqsFifoPartialProcessorAsync();

let messenger: { token: string; instance: TelegramMessenger } | undefined;
async function currentMessenger(): Promise<TelegramMessenger> {
  const { botToken } = await loadBotSecret(cfg.botSecretId);
  if (messenger?.token !== botToken)
    messenger = {
      token: botToken,
      instance: new TelegramMessenger(botToken, cfg.telegramApiRoot, cfg.allowPaidBroadcast),
    };
  return messenger.instance;
}

const sendOnce = once(
  async (job: AlertJob) => {
    await (await currentMessenger()).send(job.chatId, job.html);
    return { sentAt: Date.now() };
  },
  { tableName: cfg.tables.dedupe, keyPrefix: 'alert', keyPath: 'id', expiresAfterSeconds: 86_400 },
);

/** This invocation's records put back with a delay of their own, and each chat's (group's) delay. */
const retried = new Set<string>();
const groupDelay = new Map<string, number>();
function putBack(record: SQSRecord, seconds: number) {
  retried.add(record.messageId);
  groupDelay.set(record.attributes.MessageGroupId ?? '', seconds);
  return sqsClient().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: cfg.queues.alerts,
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}

async function deliver(record: SQSRecord): Promise<void> {
  const job = parseAlertJob(record.body);
  try {
    const before = Date.now();
    const { sentAt } = await sendOnce.run(job);
    if (sentAt >= before) {
      metrics.addMetric('AlertsSent', MetricUnit.Count, 1);
      if (job.signalTs)
        metrics.addMetric('ChainToAlertMs', MetricUnit.Milliseconds, sentAt - job.signalTs * 1000);
    }
  } catch (err) {
    if (err instanceof RetryLaterError) {
      await putBack(record, err.retryAfterSeconds);
      metrics.addMetric('TelegramRetryAfter', MetricUnit.Count, 1);
      throw err;
    }
    if (err instanceof ChatBlockedError) {
      await users.markInactive(job.userId, new Date());
      metrics.addMetric('TelegramForbidden', MetricUnit.Count, 1);
      logger.info('user blocked the bot', { reason: 'USER_BLOCKED_BOT', userId: job.userId });
      return;
    }
    logger.error('alert not sent; it will be retried', {
      reason: 'ALERT_FAILED',
      messageId: record.messageId,
      error: err as Error,
    });
    // A Telegram 5xx or a network fault: back in 1, 2, 4 … 60 s, not after the queue's visibility
    // timeout (the user's later alerts wait behind it, in order).
    const receives = Number(record.attributes.ApproximateReceiveCount ?? '1');
    await putBack(record, retrySeconds(receives)).catch(() => undefined);
    throw err;
  }
}

export const handler = lambdaHandler(async (event: SQSEvent, context: Context) => {
  sendOnce.registerContext(context);
  retried.clear();
  groupDelay.clear();
  const out = await processPartialResponse(event, deliver, processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });
  // The records skipped behind a failed one of their chat come back with it, not after the queue's
  // visibility timeout: FIFO keeps them in order, and a 5xx must not hold a chat for minutes.
  const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
  const skipped = event.Records.filter((r) => failed.has(r.messageId) && !retried.has(r.messageId));
  await Promise.all(
    skipped.map((r) =>
      sqsClient()
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: cfg.queues.alerts,
            ReceiptHandle: r.receiptHandle,
            VisibilityTimeout: groupDelay.get(r.attributes.MessageGroupId ?? '') ?? 1,
          }),
        )
        .catch(() => undefined),
    ),
  );
  return out;
});
