// Sends alerts within Telegram's limits: at most one message a second to a chat and about thirty a
// second overall (or, with paid broadcasts enabled by the operator, up to 1,000 a second). The
// overall pace is a schedule of send slots (send-schedule.ts): the alerter's containers share one
// in DynamoDB, so whichever container holds the messages may use the bot's whole rate, trade
// alerts first.
import { Telegram, TelegramError } from 'telegraf';
import type { Messenger, SendLane } from '../../ports/messenger.js';
import { LocalSendSchedule, type SendSchedule } from './send-schedule.js';

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
/** Telegram's free broadcast limit is about 30 a second per bot: one less, for the jitter. */
export const GLOBAL_PER_SECOND = 29;
/**
 * With paid broadcasts (allow_paid_broadcast, Bot API 7.11) Telegram lets a bot send up to 1,000
 * messages a second, charged in Stars beyond the free 30; per chat stays one a second.
 */
export const PAID_GLOBAL_PER_SECOND = 1_000;

/** A notice waits for the alerts at most this long, then takes a slot anyway: never starved. */
export const NOTICE_MAX_WAIT_MS = 30_000;
/** How often one container's waiting notices ask the schedule again (one ask for all of them). */
export const NOTICE_POLL_MS = 1_000;
/** Kept free before the invocation's end for the sends after a notice that waited. */
export const NOTICE_END_MARGIN_MS = 20_000;

/**
 * Spaces sends: per chat by PER_CHAT_MS (kept by this container: a chat's messages are one FIFO
 * group, handled in order), overall by the schedule's slots, evenly (one every 1000/29 ms), since a
 * burst of 29 released at once reaches Telegram with jitter and can land 30+ in one of its windows.
 * A notice waits while the alerts have a backlog (send-schedule.ts), within this invocation's time.
 */
export class SendPacer {
  private readonly lastByChat = new Map<string, number>();
  /** Until when the schedule's last answer holds this container's notices back (unix ms). */
  private noticesHeldUntil = Number.NEGATIVE_INFINITY;
  private noticesWaitUntil = Number.POSITIVE_INFINITY;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly schedule: SendSchedule = new LocalSendSchedule(GLOBAL_PER_SECOND, now),
    private readonly random: () => number = Math.random,
  ) {}

  /** The invocation ends at `endsAt` (unix ms): notices stop waiting NOTICE_END_MARGIN_MS before. */
  invocationEndsAt(endsAt: number): void {
    this.noticesWaitUntil = endsAt - NOTICE_END_MARGIN_MS;
  }

  async slot(chatId: string, lane: SendLane = 'alert'): Promise<void> {
    // The chat's turn is taken before any wait, so a second send to it waits for the first's.
    const chatAt = Math.max(
      this.now(),
      (this.lastByChat.get(chatId) ?? Number.NEGATIVE_INFINITY) + PER_CHAT_MS,
    );
    if (this.lastByChat.size >= 10_000) this.lastByChat.clear();
    this.lastByChat.set(chatId, chatAt);
    if (chatAt > this.now()) await this.sleep(chatAt - this.now());
    const at = lane === 'alert' ? await this.schedule.reserve() : await this.noticeSlot();
    if (at > this.now()) await this.sleep(at - this.now());
    this.lastByChat.set(chatId, Math.max(at, chatAt));
  }

  private async noticeSlot(): Promise<number> {
    const giveUpAt = Math.min(this.now() + NOTICE_MAX_WAIT_MS, this.noticesWaitUntil);
    for (;;) {
      if (this.now() >= giveUpAt) return this.schedule.reserve();
      if (this.now() >= this.noticesHeldUntil) {
        const at = await this.schedule.reserveIfRoom();
        if (at !== undefined) return at;
        this.noticesHeldUntil = this.now() + NOTICE_POLL_MS;
      }
      // Spread over half a poll, so the waiting notices do not all ask at once when it ends.
      const wakeAt = Math.min(giveUpAt, this.noticesHeldUntil + (this.random() * NOTICE_POLL_MS) / 2);
      await this.sleep(Math.max(1, wakeAt - this.now()));
    }
  }
}

/** The overall pace of one bot: the shared schedule, or with paid broadcasts this container's share. */
export function botPacer(paidBroadcast: boolean, shared: () => SendSchedule, senders: number): SendPacer {
  // At 1,000 a second one shared item would take a write a millisecond; each container's share
  // of the paid rate is plenty (a chat still takes one a second).
  const schedule = paidBroadcast ? new LocalSendSchedule(PAID_GLOBAL_PER_SECOND / senders) : shared();
  return new SendPacer(Date.now, undefined, schedule);
}

export class TelegramMessenger implements Messenger {
  private readonly telegram: Telegram;

  constructor(
    token: string,
    apiRoot: string,
    /** Off by default: paid broadcasts cost the operator Telegram Stars. */
    private readonly paidBroadcast = false,
    /** This process's pace at 29 a second unless the sender shares one (botPacer). */
    private readonly pacer = new SendPacer(),
  ) {
    this.telegram = new Telegram(token, { apiRoot });
  }

  async send(chatId: string, html: string, lane: SendLane = 'alert'): Promise<void> {
    await this.pacer.slot(chatId, lane);
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
