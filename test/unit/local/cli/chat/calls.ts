// The chat CLI's test world: Ada, the bot, a fixed clock, and the Bot API calls as the stand-in
// records them (sent and edited messages with their keyboards), for the session and render tests.
import { renderEvent } from '../../../../../local/cli/chat/render.js';
import {
  ChatSession,
  type BotIdentity,
  type ChatEvent,
  type RecordedCall,
} from '../../../../../local/cli/chat/session.js';

export const USER = { id: 1001, firstName: 'Ada' };
export const BOT: BotIdentity = {
  id: 7000000001,
  is_bot: true,
  first_name: 'Alfa Test Bot',
  username: 'alfa_test_bot',
};
export const NOW = new Date('2026-01-02T03:04:05Z');
export const T = Math.floor(NOW.getTime() / 1000);

export const keyboard = (...rows: [string, string][][]) => ({
  inline_keyboard: rows.map((row) => row.map(([text, data]) => ({ text, callback_data: data }))),
});

let seq = 0;
export function call(
  method: string,
  params: Record<string, unknown>,
  result: unknown = true,
  status = 200,
): RecordedCall {
  seq += 1;
  return {
    seq,
    at: NOW.toISOString(),
    method,
    params,
    status,
    response: status === 200 ? { ok: true, result } : { ok: false, error_code: status, description: result },
  };
}

/** A sendMessage to Ada as the stand-in records it: the Message it answered with included. */
export function sent(messageId: number, text: string, markup?: object): RecordedCall {
  const params = { chat_id: USER.id, text, parse_mode: 'HTML', ...(markup ? { reply_markup: markup } : {}) };
  return call('sendMessage', params, {
    message_id: messageId,
    from: BOT,
    chat: { id: USER.id, type: 'private', first_name: `User ${USER.id}` },
    date: T - 60,
    text,
    ...(markup ? { reply_markup: markup } : {}),
  });
}

export function edited(messageId: number, text: string, markup?: object): RecordedCall {
  const params = {
    chat_id: USER.id,
    message_id: messageId,
    text,
    parse_mode: 'HTML',
    ...(markup ? { reply_markup: markup } : {}),
  };
  return call('editMessageText', params, {
    message_id: messageId,
    from: BOT,
    date: T - 60,
    edit_date: T,
    text,
  });
}

export const session = () =>
  new ChatSession({ user: USER, bot: BOT, firstUpdateId: 500, firstMessageId: 9000, now: () => NOW });
export const plain = (events: ChatEvent[]) => events.flatMap((e) => renderEvent(e, { style: 'plain' }));
