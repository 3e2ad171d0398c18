// Screens on Telegram: send a new message, or edit the one whose button was pressed (menus are
// edited in place, never re-sent).
import type { Context } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { Screen } from '../../domain/bot-views.js';

export function markup(screen: Screen): { reply_markup?: InlineKeyboardMarkup } {
  if (screen.keyboard.length === 0) return {};
  return {
    reply_markup: {
      inline_keyboard: screen.keyboard.map((row) =>
        row.map((b) => ({ text: b.text, callback_data: b.data })),
      ),
    },
  };
}

export async function send(ctx: Context, screen: Screen): Promise<void> {
  await ctx.reply(screen.text, {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    ...markup(screen),
  });
}

/** Edits the pressed message in place; an edit to the same content is not an error. */
export async function edit(ctx: Context, screen: Screen): Promise<void> {
  try {
    await ctx.editMessageText(screen.text, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      ...markup(screen),
    });
  } catch (err) {
    if (err instanceof TelegramError && /message is not modified/i.test(err.description)) return;
    throw err;
  }
}

/** Plain text reply (errors, confirmations). */
export async function say(ctx: Context, html: string): Promise<void> {
  await ctx.reply(html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
}
