// The chat CLI's pure parts: HTML to terminal text, numbered keyboards, edits, and the updates that
// typing and pressing buttons become.
import { describe, expect, it } from 'vitest';
import { htmlToTerminal, parseHtml, stripAnsi } from '../../local/cli/chat/html.js';
import { renderEvent, renderKeyboard, wrapLine } from '../../local/cli/chat/render.js';
import {
  ChatSession,
  chatInstance,
  keyboardOf,
  parseInput,
  type BotIdentity,
  type ChatEvent,
  type RecordedCall,
} from '../../local/cli/chat/session.js';

const USER = { id: 1001, firstName: 'Ada' };
const BOT: BotIdentity = {
  id: 7000000001,
  is_bot: true,
  first_name: 'Alfa Test Bot',
  username: 'alfa_test_bot',
};
const NOW = new Date('2026-01-02T03:04:05Z');
const T = Math.floor(NOW.getTime() / 1000);

const keyboard = (...rows: [string, string][][]) => ({
  inline_keyboard: rows.map((row) => row.map(([text, data]) => ({ text, callback_data: data }))),
});

let seq = 0;
function call(
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
function sent(messageId: number, text: string, markup?: object): RecordedCall {
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

function edited(messageId: number, text: string, markup?: object): RecordedCall {
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

const session = () =>
  new ChatSession({ user: USER, bot: BOT, firstUpdateId: 500, firstMessageId: 9000, now: () => NOW });
const plain = (events: ChatEvent[]) => events.flatMap((e) => renderEvent(e, { style: 'plain' }));

describe('HTML as the terminal shows it', () => {
  it('drops <b>, <i>, <code> and decodes &lt; &gt; &amp;', () => {
    expect(
      htmlToTerminal('<b>Alfa</b> <i>commands</i>: <code>/follow &lt;address&gt;</code> &amp; more', 'plain'),
    ).toBe('Alfa commands: /follow <address> & more');
  });

  it('shows a link as its text followed by the address, once when they are the same', () => {
    expect(htmlToTerminal('see <a href="https://basescan.org/tx/0xab">the trade</a>', 'plain')).toBe(
      'see the trade (https://basescan.org/tx/0xab)',
    );
    expect(htmlToTerminal('<a href="https://x.io">https://x.io</a>', 'plain')).toBe('https://x.io');
  });

  it('styles with ANSI and resets, so styles never bleed into what follows', () => {
    const out = htmlToTerminal('<b>bold <i>both</i></b> none', 'ansi');
    expect(stripAnsi(out)).toBe('bold both none');
    expect(out).toContain('\u001b[1m');
    expect(out.endsWith('\u001b[0m')).toBe(true);
  });

  it('gives Telegram-shaped plain text and entities (UTF-16 offsets) for callback messages', () => {
    expect(parseHtml('<b>Hi</b> 🙂 <a href="https://a.b">x</a> &lt;3')).toEqual({
      text: 'Hi 🙂 x <3',
      entities: [
        { type: 'bold', offset: 0, length: 2 },
        { type: 'text_link', offset: 6, length: 1, url: 'https://a.b' },
      ],
    });
  });

  it('wraps long lines at word boundaries', () => {
    expect(wrapLine('alpha beta gamma delta', 11)).toEqual(['alpha beta', 'gamma delta']);
    expect(wrapLine('short', 11)).toEqual(['short']);
  });
});

describe('keyboards', () => {
  it('numbers buttons across rows', () => {
    const markup = keyboard(
      [['Follow 0x12…ab', 'f:0x12ab']],
      [
        ['‹ Prev', 'p:1'],
        ['Next ›', 'p:3'],
      ],
    );
    expect(renderKeyboard(keyboardOf(markup))).toEqual(['[1] Follow 0x12…ab', '[2] ‹ Prev  [3] Next ›']);
  });

  it('marks link buttons', () => {
    expect(renderKeyboard([[{ text: 'Docs', url: 'https://docs' }]])).toEqual(['[1] Docs ↗']);
  });
});

describe('what the bot sends, as the person sees it', () => {
  it('renders a new message with its id, text and numbered buttons', () => {
    const s = session();
    const lines = plain(
      s.absorb(
        sent(
          3,
          '<b>Top traders</b>\n1. 0x12…ab',
          keyboard([
            ['Follow 0x12…ab', 'f:1'],
            ['Next ›', 'n'],
          ]),
        ),
      ),
    );
    expect(lines).toEqual([
      'bot #3 Top traders',
      '       1. 0x12…ab',
      '       [1] Follow 0x12…ab  [2] Next ›',
    ]);
  });

  it('shows an edit as "(edited #id)" with the new text, and the new text replaces the old', () => {
    const s = session();
    s.absorb(sent(3, 'Page 1', keyboard([['Next ›', 'p:2']])));
    const lines = plain(s.absorb(edited(3, 'Page <b>2</b>', keyboard([['‹ Prev', 'p:1']]))));
    expect(lines).toEqual(['bot (edited #3) Page 2', '                [1] ‹ Prev']);
    expect(s.message(3)).toMatchObject({
      text: 'Page <b>2</b>',
      keyboard: [[{ text: '‹ Prev', callback_data: 'p:1' }]],
    });
  });

  it('shows a buttons-only edit, and a text edit without markup removes the buttons', () => {
    const s = session();
    s.absorb(sent(3, 'Menu', keyboard([['A', 'a']])));
    const markupEdit = call('editMessageReplyMarkup', {
      chat_id: USER.id,
      message_id: 3,
      reply_markup: keyboard([['B', 'b']]),
    });
    expect(plain(s.absorb(markupEdit))).toEqual(['bot (edited #3) buttons now:', '                [1] B']);
    s.absorb(edited(3, 'Done'));
    expect(s.message(3)?.keyboard).toEqual([]);
    expect(s.latestWithButtons()).toBeUndefined();
  });

  it('shows a refused call, a deletion, and ignores other chats and typing', () => {
    const s = session();
    expect(
      plain(
        s.absorb(
          call('sendMessage', { chat_id: USER.id, text: 'x' }, 'Forbidden: bot was blocked by the user', 403),
        ),
      ),
    ).toEqual(['bot ✗ sendMessage refused by Telegram: 403 Forbidden: bot was blocked by the user']);
    s.absorb(sent(4, 'bye'));
    expect(plain(s.absorb(call('deleteMessage', { chat_id: USER.id, message_id: 4 })))).toEqual([
      'bot (deleted #4)',
    ]);
    expect(s.message(4)).toBeUndefined();
    expect(s.absorb(call('sendMessage', { chat_id: 42, text: 'not Ada' }, { message_id: 1 }))).toEqual([]);
    expect(s.absorb(call('sendChatAction', { chat_id: USER.id, action: 'typing' }))).toEqual([]);
  });

  it('wraps long lines under the label to the terminal width', () => {
    const s = session();
    const [event] = s.absorb(sent(7, 'Alfa alerts you the moment a trader you follow opens'));
    expect(event && renderEvent(event, { style: 'plain', width: 30 })).toEqual([
      'bot #7 Alfa alerts you the',
      '       moment a trader you',
      '       follow opens',
    ]);
  });

  it('shows plain-text messages as they are (no HTML parsing without parse_mode)', () => {
    const s = session();
    const c = call(
      'sendMessage',
      { chat_id: USER.id, text: 'a <b> b' },
      { message_id: 1, from: BOT, date: T },
    );
    expect(plain(s.absorb(c))).toEqual(['bot #1 a <b> b']);
  });
});

describe('typing and pressing', () => {
  it('parses the prompt: text, N, /press N, N@id, and the session commands', () => {
    expect(parseInput('  /start ')).toEqual({ kind: 'text', text: '/start' });
    expect(parseInput('2')).toEqual({ kind: 'press', button: 2 });
    expect(parseInput('/press 3')).toEqual({ kind: 'press', button: 3 });
    expect(parseInput('1@7')).toEqual({ kind: 'press', button: 1, messageId: 7 });
    expect(parseInput('/quit')).toEqual({ kind: 'quit' });
    expect(parseInput('/raw')).toEqual({ kind: 'raw' });
    expect(parseInput('')).toEqual({ kind: 'empty' });
    expect(parseInput('1 BTC')).toEqual({ kind: 'text', text: '1 BTC' });
  });

  it('turns text into a message update with a bot_command entity, update_id and message_id incrementing', () => {
    const s = session();
    const first = s.textUpdate('/follow@alfa_test_bot 0xab');
    const second = s.textUpdate('hello');
    expect(first).toEqual({
      update_id: 500,
      message: {
        message_id: 9000,
        from: { id: 1001, is_bot: false, first_name: 'Ada', language_code: 'en' },
        chat: { id: 1001, type: 'private', first_name: 'Ada' },
        date: T,
        text: '/follow@alfa_test_bot 0xab',
        entities: [{ type: 'bot_command', offset: 0, length: 21 }],
      },
    });
    expect(second).toMatchObject({ update_id: 501, message: { message_id: 9001, text: 'hello' } });
    expect((second.message as Record<string, unknown>).entities).toBeUndefined();
  });

  it('pressing N builds the callback_query with the message the button belongs to, as edited', () => {
    const s = session();
    s.absorb(sent(3, '<b>Page 1</b>', keyboard([['Next ›', 'p:2']])));
    s.absorb(
      edited(
        3,
        '<b>Page 2</b>',
        keyboard([
          ['‹ Prev', 'p:1'],
          ['Next ›', 'p:3'],
        ]),
      ),
    );
    s.textUpdate('/start'); // update 500

    const pressed = s.press(2);

    expect(pressed.ok).toBe(true);
    if (!pressed.ok) return;
    expect(pressed.messageId).toBe(3);
    expect(pressed.update).toEqual({
      update_id: 501,
      callback_query: {
        id: expect.any(String),
        from: { id: 1001, is_bot: false, first_name: 'Ada', language_code: 'en' },
        chat_instance: chatInstance(1001),
        message: {
          message_id: 3,
          from: BOT,
          chat: { id: 1001, type: 'private', first_name: 'Ada' },
          date: T - 60,
          edit_date: T,
          text: 'Page 2',
          entities: [{ type: 'bold', offset: 0, length: 6 }],
          reply_markup: keyboard([
            ['‹ Prev', 'p:1'],
            ['Next ›', 'p:3'],
          ]),
        },
        data: 'p:3',
      },
    });
    const again = s.press(1);
    expect(again.ok && again.update.update_id).toBe(502);
    expect(again.ok && again.update.callback_query).toMatchObject({ data: 'p:1' });
  });

  it('N presses the latest message with buttons; N@id an older one', () => {
    const s = session();
    s.absorb(sent(1, 'Menu', keyboard([['Old', 'old']])));
    s.absorb(sent(2, 'Alert', keyboard([['Copy', 'copy']])));
    s.absorb(sent(3, 'No buttons'));

    const latest = s.press(1);
    const older = s.press(1, 1);

    expect(latest.ok && latest.update.callback_query).toMatchObject({
      data: 'copy',
      message: { message_id: 2 },
    });
    expect(older.ok && older.update.callback_query).toMatchObject({
      data: 'old',
      message: { message_id: 1 },
    });
  });

  it('explains presses that cannot happen', () => {
    const s = session();
    expect(s.press(1)).toEqual({ ok: false, error: 'No message with buttons yet.' });
    s.absorb(
      sent(
        1,
        'Menu',
        keyboard([
          ['A', 'a'],
          ['B', 'b'],
        ]),
      ),
    );
    s.absorb(sent(2, 'Plain'));
    expect(s.press(3)).toEqual({ ok: false, error: 'Message #1 has buttons 1-2; there is no button 3.' });
    expect(s.press(1, 2)).toEqual({ ok: false, error: 'Message #2 has no buttons.' });
    expect(s.press(1, 9)).toEqual({ ok: false, error: 'No message #9 from the bot in this chat.' });
    s.absorb(sent(3, 'Link', { inline_keyboard: [[{ text: 'Docs', url: 'https://docs' }]] }));
    expect(s.press(1)).toEqual({
      ok: false,
      error: 'Button 1 opens https://docs; nothing is sent to the bot.',
    });
  });

  it('shows the toast of an answer to its own callback query only', () => {
    const s = session();
    s.absorb(sent(1, 'Menu', keyboard([['A', 'a']])));
    const pressed = s.press(1);
    if (!pressed.ok) throw new Error(pressed.error);
    const query = pressed.update.callback_query as { id: string };

    expect(s.absorb(call('answerCallbackQuery', { callback_query_id: 'someone-else', text: 'x' }))).toEqual(
      [],
    );
    expect(
      plain(
        s.absorb(call('answerCallbackQuery', { callback_query_id: query.id, text: 'Following 0x12…ab' })),
      ),
    ).toEqual(['bot toast › Following 0x12…ab']);
  });
});
