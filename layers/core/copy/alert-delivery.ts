// Delivering one alerts.fifo message, its job parsed already (the alerter's batch parser): the
// alert or copy message sent once to the user's chat.
// Telegram's 429 puts the message back for its retry_after; a 403 (the user blocked the bot) marks
// the user inactive and drops the message; any other failure brings it back in 1, 2, 4 … 60 s
// rather than after the queue's visibility timeout, since the chat's later alerts wait behind it.
import type { AlertJob } from '../ports/copy.js';
import type { UserStore } from '../ports/stores.js';
import type { AppLog, Clock } from '../ports/runtime.js';
import { retrySeconds } from './jobs.js';
import type { QueuedMessage } from './queued-message.js';

/** A send made now (and when, unix ms), or a replay of the send an earlier delivery made. */
export type AlertSent = { readonly replayed: false; readonly sentAt: number } | { readonly replayed: true };

export interface AlertDeliveryDeps {
  /** Sends the job's message once per job id; a replay answers from the first delivery's record. */
  send(job: AlertJob): Promise<AlertSent>;
  /** Telegram's retry_after in seconds when the failure was a 429, else undefined. */
  retryAfterOf(error: unknown): number | undefined;
  /** Whether the failure says the user blocked the bot. */
  isBlocked(error: unknown): boolean;
  readonly users: Pick<UserStore, 'markInactive'>;
  readonly clock: Clock;
  readonly metric: (
    name: 'AlertsSent' | 'ChainToAlertMs' | 'TelegramRetryAfter' | 'TelegramForbidden',
    value: number,
  ) => void;
  readonly log: AppLog;
}

/** Resolves when the message is done with (sent, replayed or dropped); throws to have it retried. */
export async function deliverAlert(message: QueuedMessage<AlertJob>, deps: AlertDeliveryDeps): Promise<void> {
  const { job } = message;
  let sent: AlertSent;
  try {
    sent = await deps.send(job);
  } catch (err) {
    const retryAfter = deps.retryAfterOf(err);
    if (retryAfter !== undefined) {
      await message.putBack(retryAfter);
      deps.metric('TelegramRetryAfter', 1);
      throw err;
    }
    if (deps.isBlocked(err)) {
      await deps.users.markInactive(job.userId, deps.clock.now());
      deps.metric('TelegramForbidden', 1);
      deps.log.info('user blocked the bot', { reason: 'USER_BLOCKED_BOT', userId: job.userId });
      return;
    }
    deps.log.error('alert not sent; it will be retried', {
      reason: 'ALERT_FAILED',
      messageId: message.messageId,
      error: err as Error,
    });
    // A Telegram 5xx or a network fault; if even the put-back fails, the visibility timeout brings it.
    await message.putBack(retrySeconds(message.receiveCount)).catch(() => undefined);
    throw err;
  }
  // Only a send made now counts: a redelivered message whose alert went out already is not an alert.
  if (sent.replayed) return;
  deps.metric('AlertsSent', 1);
  if (job.signalTs) deps.metric('ChainToAlertMs', sent.sentAt - job.signalTs * 1000);
}
