// Alerter (alerts.fifo -> Telegram): trade alerts first, in ALERT_SENDERS containers sharing the
// bot's rate (adapters/telegram/queue-sender.ts).
import { queueSenderHandler } from '#core/adapters/telegram/queue-sender.js';

export const handler = queueSenderHandler('alerts');
