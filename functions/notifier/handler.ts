// Notifier (notices.fifo -> Telegram): copy outcomes, skip notices and digests, in the time the
// trade alerts leave (adapters/telegram/queue-sender.ts, send-schedule.ts).
import { queueSenderHandler } from '#core/adapters/telegram/queue-sender.js';

export const handler = queueSenderHandler('notices');
