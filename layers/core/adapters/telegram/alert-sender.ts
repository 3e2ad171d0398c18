// The alerter's Telegram side: each alert sent once per job id (Powertools Idempotency, one day),
// with the messenger of the current bot token (rebuilt only when the token is rotated) and one
// pacer for the container (each chat's turn kept here, the bot's overall pace shared in DynamoDB),
// and Telegram's failures read for the delivery use case (copy/alert-delivery.ts, whose
// AlertDeliveryDeps this fills).
import type { Context } from 'aws-lambda';
import type { Config } from '../../config.js';
import type { AlertJob } from '../../ports/copy.js';
import type { SendLane } from '../../ports/messenger.js';
import { ALERT_SENDERS, NOTICE_SENDERS } from '../../resources.js';
import { rebuildOnChange } from '../../runtime/lazy.js';
import { onceOrReplay } from '../dynamo/once-replay.js';
import { loadBotSecret } from '../secrets/bot-secret.js';
import { documentDb } from '../dynamo/client.js';
import { DynamoSendSchedule } from '../dynamo/send-schedule.js';
import {
  ChatBlockedError,
  GLOBAL_PER_SECOND,
  RetryLaterError,
  TelegramMessenger,
  botPacer,
} from './messenger.js';

export function alertSender(
  cfg: Pick<Config, 'botSecretId' | 'telegramApiRoot' | 'allowPaidBroadcast' | 'tables'>,
  /**
   * Containers sending at once (the alerter's and the notifier's triggers' maximum concurrency):
   * each takes 1/senders of the paid-broadcast rate.
   */
  senders = ALERT_SENDERS + NOTICE_SENDERS,
  /** The lane of every message (the notifier's: notice), else each job's own. */
  lane?: SendLane,
) {
  // One pacer for the container's life: a rotated token keeps the chats' turns and the schedule.
  const pacer = botPacer(
    cfg.allowPaidBroadcast,
    () => new DynamoSendSchedule(documentDb(), cfg.tables.dedupe, GLOBAL_PER_SECOND),
    senders,
  );
  const messengerFor = rebuildOnChange(
    (token: string) => new TelegramMessenger(token, cfg.telegramApiRoot, cfg.allowPaidBroadcast, pacer),
  );
  const sendOnce = onceOrReplay(
    async (job: AlertJob) => {
      const { botToken } = await loadBotSecret(cfg.botSecretId);
      await messengerFor(botToken).send(job.chatId, job.html, lane ?? job.lane);
      return { sentAt: Date.now() };
    },
    {
      tableName: cfg.tables.dedupe,
      keyPrefix: 'alert',
      keyPath: 'id',
      expiresAfterSeconds: 86_400,
      // A sent alert whose record cannot be stored is not sent again (the alerter runs 55 s).
      recordForMs: 30_000,
    },
  );
  return {
    /** Sends the job's message unless an earlier delivery of the same id did (`replayed`). */
    send: async (job: AlertJob) => {
      const { value, replayed } = await sendOnce.run(job);
      // A replay's stored result is not read: only a send made now has a time worth measuring.
      return replayed ? { replayed: true as const } : { replayed: false as const, sentAt: value.sentAt };
    },
    /** Telegram's retry_after (seconds) when the failure was a 429, else undefined. */
    retryAfterOf: (error: unknown) =>
      error instanceof RetryLaterError ? error.retryAfterSeconds : undefined,
    /** Whether the failure says the user blocked the bot (403). */
    isBlocked: (error: unknown) => error instanceof ChatBlockedError,
    registerContext: (context: Context) => {
      sendOnce.registerContext(context);
      pacer.invocationEndsAt(Date.now() + context.getRemainingTimeInMillis());
    },
  };
}
