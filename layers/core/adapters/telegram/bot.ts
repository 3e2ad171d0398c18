// The Telegram bot: maps updates to Alfa's commands and buttons. Replies go out as Bot API calls
// (webhookReply off), because one update may need several calls.
import { Composer, Telegraf, TelegramError, type Context } from 'telegraf';
import { decodeCallback } from '../../domain/callbacks.js';
import { cut } from '../../domain/format.js';
import { ADMIN_COMMANDS, COMMANDS, escapeHtml, helpMessage, welcomeMessage } from '../../domain/messages.js';
import { userFromTelegram } from '../../domain/users.js';
import { logger } from '../../observability.js';
import { lazy } from '../../runtime/lazy.js';
import { handleAdminButton, registerAdminCommands } from './admin-commands.js';
import { registerDigestCommand } from './digest-command.js';
import { registerBacktest } from './commands/backtest.js';
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

/**
 * Registers the "/" menu with Telegram (setMyCommands): the user commands for everyone and, in
 * each admin's private chat, the admin commands too. Telegram keeps the menu, so once per
 * container (cold start) is enough; a failure is logged and retried by the next container.
 */
export async function registerCommandMenu(
  telegram: Telegraf['telegram'],
  admins: ReadonlySet<string>,
): Promise<void> {
  const menu = (list: typeof COMMANDS) =>
    list.map((c) => ({ command: c.command, description: c.description.slice(0, 256) }));
  await telegram.setMyCommands(menu(COMMANDS), { scope: { type: 'all_private_chats' } });
  for (const admin of admins) {
    await telegram.setMyCommands(menu([...COMMANDS, ...ADMIN_COMMANDS]), {
      scope: { type: 'chat', chat_id: Number(admin) },
    });
  }
}

/**
 * Commands are case-insensitive (`/ALFA` is /alfa) and a command addressed to another bot
 * (`/alfa@otherbot`, from a shared keyboard or a forwarded message) is not ours to answer.
 * Returns false when the update must be ignored; rewrites the command to lower case otherwise.
 */
export function normalizeCommand(ctx: Context): boolean {
  const message = ctx.message;
  if (!message || !('text' in message)) return true;
  const entity = message.entities?.[0];
  const head = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?/.exec(message.text);
  if (!head || (entity && (entity.type !== 'bot_command' || entity.offset !== 0))) return true;
  const to = head[2];
  if (to && to.toLowerCase() !== ctx.me.toLowerCase()) return false;
  const command = (head[1] as string).toLowerCase();
  // telegraf matches commands case-sensitively on the text; the update is ours to adjust.
  (message as { text: string }).text =
    `/${command}${to ? `@${to}` : ''}${message.text.slice(head[0].length)}`;
  if (!entity) {
    (message as { entities?: unknown[] }).entities = [
      { type: 'bot_command', offset: 0, length: head[0].length },
    ];
  }
  return true;
}

export function createBot(options: BotOptions, deps: BotDeps): Telegraf {
  const bot = new Telegraf(options.token, {
    // telegraf keeps its keep-alive https agent for Telegram and drops it for an http:// stand-in.
    telegram: { apiRoot: options.apiRoot, webhookReply: false },
  });

  const privateChat = new Composer<Context>();

  // Once per bot instance (a container): the "/" menu. Never fails an update; a failure is logged
  // once per attempt and the next update tries again.
  const menu = lazy(() =>
    registerCommandMenu(bot.telegram, deps.admins).catch((err: unknown) => {
      logger.warn('command menu not registered', { reason: 'SET_MY_COMMANDS_FAILED', error: err as Error });
      throw err;
    }),
  );
  const ensureMenu = () => menu().catch(() => undefined);

  privateChat.use(async (_ctx, next) => {
    if (!normalizeCommand(_ctx)) {
      logger.info('command for another bot ignored', { reason: 'OTHER_BOT_COMMAND' });
      return;
    }
    return next();
  });

  // Every private update runs with the sender's profile; a first-time or returning (unblocked) user is (re)registered.
  privateChat.use(async (ctx, next) => {
    if (!ctx.from || !ctx.chat) return;
    const userId = String(ctx.from.id);
    let [profile] = await Promise.all([deps.users.profile(userId), ensureMenu()]);
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
  registerBacktest(privateChat, deps);
  registerAdminCommands(privateChat, deps);
  registerDigestCommand(privateChat, deps);

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
        ? `I don't know /${escapeHtml(cut(command))}. Send /help for every command with an example.`
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
    const reason = err.code === 403 ? 'USER_BLOCKED_BOT' : 'REPLY_REJECTED';
    logger.warn('reply refused by Telegram', { reason, code: err.code, description: err.description });
    // A refused reply means a user got nothing: operators see it in /recent_errors (blocks are not errors).
    if (err.code !== 403)
      await deps.errors
        .record(
          reason,
          `Telegram ${err.code} on ${(err.on as { method?: string } | undefined)?.method ?? 'a call'}: ${err.description}`,
          deps.clock.now(),
        )
        .catch(() => undefined);
  });

  return bot;
}
