// The Telegram bot: maps updates to Alfa's commands and buttons. Replies go out as Bot API calls
// (webhookReply off), because one update may need several calls.
import { Composer, Telegraf, TelegramError, type Context } from 'telegraf';
import { decodeCallback } from '../../domain/callbacks.js';
import { helpMessage, welcomeMessage } from '../../domain/messages.js';
import { userFromTelegram } from '../../domain/users.js';
import { logger } from '../../observability.js';
import { handleAdminButton, registerAdminCommands } from './admin-commands.js';
import type { BotDeps } from './deps.js';
import { say } from './screens.js';
import { handleUserButton, registerUserCommands, setProfile } from './user-commands.js';

export type { BotDeps };

export interface BotOptions {
  readonly token: string;
  /** https://api.telegram.org in AWS, the Bot API stand-in locally. */
  readonly apiRoot: string;
}

const EXPIRED = 'This button has expired. Send /alfa or /following for fresh ones.';

export function createBot(options: BotOptions, deps: BotDeps): Telegraf {
  const bot = new Telegraf(options.token, {
    // telegraf keeps its keep-alive https agent for Telegram and drops it for an http:// stand-in.
    telegram: { apiRoot: options.apiRoot, webhookReply: false },
  });

  const privateChat = new Composer<Context>();

  // Every private update runs with the sender's profile; a first-time or returning (unblocked) user is (re)registered.
  privateChat.use(async (ctx, next) => {
    if (!ctx.from || !ctx.chat) return;
    const userId = String(ctx.from.id);
    let profile = await deps.users.profile(userId);
    if (!profile || !profile.user.active) {
      const { isNew } = await deps.users.upsertFromStart(
        userFromTelegram(ctx.from, ctx.chat.id),
        deps.clock.now(),
      );
      ctx.state.isNewUser = isNew;
      profile = await deps.users.profile(userId);
    }
    if (!profile) return;
    setProfile(ctx, profile);
    return next();
  });

  privateChat.start(async (ctx) => {
    // The middleware registers a newcomer; /start also refreshes a known user's name and chat.
    const isNew =
      ctx.state.isNewUser === true ||
      (await deps.users.upsertFromStart(userFromTelegram(ctx.from, ctx.chat.id), deps.clock.now())).isNew;
    logger.info('user started', {
      reason: isNew ? 'USER_CREATED' : 'USER_REFRESHED',
      userId: String(ctx.from.id),
    });
    await ctx.reply(welcomeMessage(ctx.from.first_name, isNew), { parse_mode: 'HTML' });
  });

  privateChat.help(async (ctx) => {
    await ctx.reply(helpMessage(deps.admins.has(String(ctx.from.id))), { parse_mode: 'HTML' });
  });

  const helpers = registerUserCommands(privateChat, deps);
  registerAdminCommands(privateChat, deps);

  privateChat.on('callback_query', async (ctx) => {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
    const cb = decodeCallback(data);
    const handled =
      cb && ((await handleUserButton(ctx, cb, deps, helpers)) || (await handleAdminButton(ctx, cb, deps)));
    if (!handled) {
      logger.info('stale button', { reason: 'STALE_BUTTON', data: data?.slice(0, 64) });
      await ctx.answerCbQuery(EXPIRED);
    }
  });

  // Whatever no command took: a clear pointer to /help, never silence on a typed command.
  privateChat.on('message', async (ctx) => {
    const text = 'text' in ctx.message ? ctx.message.text : undefined;
    if (text === undefined) return say(ctx, 'I only understand text commands. Send /help to see them.');
    const command = /^\/(\w+)/.exec(text)?.[1];
    await say(
      ctx,
      command
        ? `I don't know /${command}. Send /help for every command with an example.`
        : 'Send /help to see what I can do.',
    );
  });

  // Alfa talks to people one to one; groups and channels are ignored, not half-served.
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
