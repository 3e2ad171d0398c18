// Sending Telegram messages from outside the webhook (alerts, digests).

/**
 * Which messages go first when the bot's rate is short: trade alerts (and what a user must hear at
 * once, such as an emergency stop's positions) on `alert`; copy outcomes, skip notices and digests
 * on `notice`, sent in the time the alerts leave.
 */
export type SendLane = 'alert' | 'notice';

/** Telegram sends from the alerter function; errors carry Telegram's code and retry_after. */
export interface Messenger {
  send(chatId: string, html: string, lane?: SendLane): Promise<void>;
}
