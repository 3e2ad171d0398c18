// Sends alerts within Telegram's limits: at most one message a second to a chat and about thirty a
// second overall (or, with paid broadcasts enabled by the operator, up to 1,000 a second). The
// limits are kept per container: with `senders` containers sending for one bot (the alerter's
// maximum concurrency), each keeps 1/senders of the overall rate, so together they keep the bot's.
import { Telegram, TelegramError } from 'telegraf';
import type { Messenger } from '../../ports/messenger.js';

export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(readonly retryAfterSeconds: number) {
    super(`Telegram asked to retry after ${retryAfterSeconds} s`);
  }
}

export class ChatBlockedError extends Error {
  override readonly name = 'ChatBlockedError';
}

const PER_CHAT_MS = 1_000;
const GLOBAL_PER_SECOND = 29;
/**
 * With paid broadcasts (allow_paid_broadcast, Bot API 7.11) Telegram lets a bot send up to 1,000
 * messages a second, charged in Stars beyond the free 30; per chat stays one a second.
 */
export const PAID_GLOBAL_PER_SECOND = 1_000;

/**
 * Spaces sends: per chat by PER_CHAT_MS, overall evenly (one every 1000/29 ms) and never more than
 * 29 in a sliding second. Even spacing matters: a burst of 29 released at once reaches Telegram
 * with jitter and can land 30+ in one of its windows.
 */
export class SendPacer {
  private readonly lastByChat = new Map<string, number>();
  private readonly recent: number[] = [];
  private lastSend = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly perSecond: number = GLOBAL_PER_SECOND,
  ) {}

  async slot(chatId: string): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.recent.length > 0 && t - (this.recent[0] as number) >= 1_000) this.recent.shift();
      const chatWait = (this.lastByChat.get(chatId) ?? Number.NEGATIVE_INFINITY) + PER_CHAT_MS - t;
      const globalWait = this.recent.length >= this.perSecond ? (this.recent[0] as number) + 1_000 - t : 0;
      const spacingWait = this.lastSend + 1_000 / this.perSecond - t;
      const wait = Math.max(chatWait, globalWait, spacingWait, 0);
      if (wait === 0) {
        this.lastByChat.set(chatId, t);
        this.lastSend = t;
        this.recent.push(t);
        if (this.lastByChat.size > 10_000) this.lastByChat.clear();
        return;
      }
      await this.sleep(wait);
    }
  }
}

export class TelegramMessenger implements Messenger {
  private readonly telegram: Telegram;

  constructor(
    token: string,
    apiRoot: string,
    /** Off by default: paid broadcasts cost the operator Telegram Stars. */
    private readonly paidBroadcast = false,
    /** Containers sending for this bot at once; each keeps its share of the overall rate. */
    senders = 1,
    private readonly pacer = new SendPacer(
      Date.now,
      (ms) => new Promise((r) => setTimeout(r, ms)),
      (paidBroadcast ? PAID_GLOBAL_PER_SECOND : GLOBAL_PER_SECOND) / senders,
    ),
  ) {
    this.telegram = new Telegram(token, { apiRoot });
  }

  async send(chatId: string, html: string): Promise<void> {
    await this.pacer.slot(chatId);
    try {
      await this.telegram.sendMessage(chatId, html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        // Not in telegraf 4.16's types (Bot API 7.11 added it); sent only when the operator enables it.
        ...(this.paidBroadcast ? ({ allow_paid_broadcast: true } as object) : {}),
      });
    } catch (err) {
      if (err instanceof TelegramError && err.code === 429) {
        throw new RetryLaterError(Number(err.parameters?.retry_after ?? 1));
      }
      if (err instanceof TelegramError && err.code === 403) throw new ChatBlockedError(err.description);
      throw err;
    }
  }
}
