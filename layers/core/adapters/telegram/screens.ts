// Screens on Telegram: send a new message, or edit the one whose button was pressed (menus are
// edited in place, never re-sent).
import type { Context } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { Screen } from '../../domain/bot-views.js';
import { escapeHtml } from '../../domain/messages.js';
import { logger } from '../../observability.js';

/** Telegram refuses a message whose text, after its HTML is parsed, is longer than this (400). */
export const TELEGRAM_TEXT_LIMIT = 4096;

const decodeEntities = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/gi, (m: string, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()] as string;
    const code = e[1]?.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) ? String.fromCodePoint(code) : m;
  });

/** The text Telegram counts: tags dropped, entities decoded (UTF-16 units, as JavaScript counts). */
export const visibleText = (html: string): string => decodeEntities(html.replace(/<[^>]*>/g, ''));

/**
 * The last line of defence for the 4096 limit (echoed input is cut where it is echoed): a reply that
 * would be refused goes out as plain text, cut, rather than not at all.
 */
export function fitTelegram(html: string): string {
  const visible = visibleText(html);
  if (visible.length <= TELEGRAM_TEXT_LIMIT) return html;
  logger.warn('reply cut to fit Telegram', { reason: 'REPLY_TOO_LONG', length: visible.length });
  const note = '… (cut: too long for one Telegram message)';
  return escapeHtml(visible.slice(0, TELEGRAM_TEXT_LIMIT - note.length - 10)) + note;
}

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
  await ctx.reply(fitTelegram(screen.text), {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    ...markup(screen),
  });
}

/** Edits the pressed message in place; an edit to the same content is not an error. */
export async function edit(ctx: Context, screen: Screen): Promise<void> {
  try {
    await ctx.editMessageText(fitTelegram(screen.text), {
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
  await ctx.reply(fitTelegram(html), { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
}
