// The chat CLI's session (local/cli/chat/session.ts): what the bot's calls become as events (new
// messages, edits, refusals, deletions, toasts), and the updates that typing and pressing make.
import { describe, expect, it } from 'vitest';
import { chatInstance, parseInput } from '../../../../../local/cli/chat/session.js';
import { USER, BOT, T, keyboard, call, sent, edited, session, plain } from './calls.js';

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
