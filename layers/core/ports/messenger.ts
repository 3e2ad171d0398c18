// Sending Telegram messages from outside the webhook (alerts, digests).
/** Telegram sends from the alerter function; errors carry Telegram's code and retry_after. */
export interface Messenger {
  send(chatId: string, html: string): Promise<void>;
}
