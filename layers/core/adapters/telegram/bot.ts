// The Telegram bot: maps updates to Alfa's commands. Replies go out as Bot API calls
// (webhookReply off), because one update may need several calls.
import { Composer, Telegraf, TelegramError, type Context } from 'telegraf';
import { helpMessage, welcomeMessage } from '../../domain/messages.js';
import { userFromTelegram } from '../../domain/users.js';
import type { Clock, UserStore } from '../../ports.js';
import { logger } from '../../observability.js';

export interface BotDeps {
  readonly users: UserStore;
  readonly clock: Clock;
}

export interface BotOptions {
  readonly token: string;
  /** https://api.telegram.org in AWS, the Bot API stand-in locally. */
  readonly apiRoot: string;
}

export function createBot(options: BotOptions, deps: BotDeps): Telegraf {
  const bot = new Telegraf(options.token, {
    // telegraf keeps its keep-alive https agent for Telegram and drops it for an http:// stand-in.
    telegram: { apiRoot: options.apiRoot, webhookReply: false },
  });

  const privateChat = new Composer<Context>();

  privateChat.start(async (ctx) => {
    const { isNew } = await deps.users.upsertFromStart(
      userFromTelegram(ctx.from, ctx.chat.id),
      deps.clock.now(),
    );
    logger.info('user started', {
      reason: isNew ? 'USER_CREATED' : 'USER_REFRESHED',
      userId: String(ctx.from.id),
    });
    await ctx.reply(welcomeMessage(ctx.from.first_name, isNew), { parse_mode: 'HTML' });
  });

  privateChat.help(async (ctx) => {
    await ctx.reply(helpMessage(), { parse_mode: 'HTML' });
  });

  // Alfa talks to people one to one; commands from groups and channels are ignored, not half-served.
  bot.use(Composer.optional((ctx) => ctx.chat?.type === 'private', privateChat));

  // The user blocked the bot: remember it so nothing more is sent to them.
  bot.on('my_chat_member', async (ctx) => {
    const change = ctx.myChatMember;
    if (change.chat.type !== 'private' || change.new_chat_member.status !== 'kicked') return;
    await deps.users.markInactive(String(change.from.id), deps.clock.now());
    logger.info('user blocked the bot', { reason: 'USER_BLOCKED_BOT', userId: String(change.from.id) });
  });

  bot.catch(async (err, ctx) => {
    if (!(err instanceof TelegramError) || err.code === 429 || err.code >= 500) throw err; // transient: retry
    // Telegram refused the reply for good (blocked, chat gone, bad request): retrying cannot help.
    const userId = ctx.from?.id;
    if (err.code === 403 && userId !== undefined)
      await deps.users.markInactive(String(userId), deps.clock.now());
    logger.warn('reply refused by Telegram', {
      reason: err.code === 403 ? 'USER_BLOCKED_BOT' : 'REPLY_REJECTED',
      code: err.code,
      description: err.description,
    });
  });

  return bot;
}
