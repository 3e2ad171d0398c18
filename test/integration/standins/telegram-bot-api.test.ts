// Checks the Telegram Bot API stand-in through a real Telegraf client and plain fetch, so bot code that
// works against it sees the same envelopes, errors and TelegramError fields as against Telegram.
import http from 'node:http';
import { Markup, Telegraf, TelegramError } from 'telegraf';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBotApi, type BotApiStandIn } from '../../../local/standins/telegram-bot-api.js';

const TOKEN = '123456789:TEST-token-for-standin';
const CHAT = 555001;

let api: BotApiStandIn;
let bot: Telegraf;

/** Runs a telegraf call that must fail and returns its TelegramError. */
async function telegramError(call: Promise<unknown>): Promise<TelegramError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TelegramError);
  return err as TelegramError;
}

async function control(path: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${api.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  api = await startBotApi({ token: TOKEN });
  bot = new Telegraf(TOKEN, { telegram: { apiRoot: api.url } });
});

afterAll(async () => {
  await api?.close();
});

beforeEach(() => {
  api.clear();
  api.clearFaults();
  api.setRateLimits({ enabled: false });
});

describe('answers through Telegraf', () => {
  it('sendMessage returns a Message, numbered per chat, and is recorded without the token', async () => {
    const keyboard = Markup.inlineKeyboard([Markup.button.callback('Copy', 'copy:1')]);
    const first = await bot.telegram.sendMessage(CHAT, 'hi', keyboard);
    expect(first).toMatchObject({
      message_id: 1,
      from: { id: 123456789, is_bot: true, username: api.botUser.username },
      chat: { id: CHAT, type: 'private' },
      text: 'hi',
      reply_markup: { inline_keyboard: [[{ text: 'Copy', callback_data: 'copy:1' }]] },
    });
    expect(typeof first.date).toBe('number');
    expect((await bot.telegram.sendMessage(CHAT, 'again')).message_id).toBe(2);
    expect((await bot.telegram.sendMessage(CHAT + 1, 'other chat')).message_id).toBe(1);

    const [call] = api.calls({ method: 'sendMessage', chatId: CHAT });
    expect(call).toMatchObject({ method: 'sendMessage', status: 200, params: { chat_id: CHAT, text: 'hi' } });
    expect(call?.response).toMatchObject({ ok: true, result: { message_id: 1 } });
    expect(new Date(call?.at ?? '').toISOString()).toBe(call?.at);
    expect(JSON.stringify(api.calls())).not.toContain(TOKEN.split(':')[1]);
  });

  it('works with an explicit http.Agent too (telegraf ignores agents for http:// roots)', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const withAgent = new Telegraf(TOKEN, { telegram: { apiRoot: api.url, agent } });
    expect(withAgent.telegram.options.agent).toBeUndefined();
    expect(await withAgent.telegram.getMe()).toEqual(expect.objectContaining(api.botUser));
    agent.destroy();
  });

  it('answers the other methods the bot uses', async () => {
    const sent = await bot.telegram.sendMessage(
      CHAT,
      'v1',
      Markup.inlineKeyboard([Markup.button.callback('A', 'a')]),
    );
    const edited = await bot.telegram.editMessageText(CHAT, sent.message_id, undefined, 'v2');
    expect(edited).toMatchObject({ message_id: sent.message_id, text: 'v2' });
    expect(edited).not.toHaveProperty('reply_markup');

    const again = bot.telegram.editMessageText(CHAT, sent.message_id, undefined, 'v2');
    expect((await telegramError(again)).description).toMatch(/^Bad Request: message is not modified/);

    const markup = Markup.inlineKeyboard([Markup.button.callback('B', 'b')]).reply_markup;
    const withMarkup = await bot.telegram.editMessageReplyMarkup(CHAT, sent.message_id, undefined, markup);
    expect(withMarkup).toMatchObject({ reply_markup: markup });

    expect(await bot.telegram.answerCbQuery('cbq-1', 'done')).toBe(true);
    expect(await bot.telegram.sendChatAction(CHAT, 'typing')).toBe(true);
    expect(await bot.telegram.deleteMessage(CHAT, sent.message_id)).toBe(true);
    const deletedTwice = bot.telegram.deleteMessage(CHAT, sent.message_id);
    expect((await telegramError(deletedTwice)).description).toBe('Bad Request: message to delete not found');

    expect(await bot.telegram.setWebhook('https://example.test/hook', { secret_token: 's' })).toBe(true);
    expect(await bot.telegram.getWebhookInfo()).toMatchObject({ url: 'https://example.test/hook' });
    expect(await bot.telegram.deleteWebhook()).toBe(true);
    expect((await bot.telegram.getWebhookInfo()).url).toBe('');

    const commands = [{ command: 'start', description: 'Start' }];
    expect(await bot.telegram.setMyCommands(commands)).toBe(true);
    expect(await bot.telegram.getMyCommands()).toEqual(commands);
    const bad = bot.telegram.setMyCommands([{ command: 'Bad Command', description: 'x' }]);
    expect((await telegramError(bad)).description).toBe('Bad Request: BOT_COMMAND_INVALID');
  });
});

describe('rejects like Telegram', () => {
  it('a wrong token is 401 Unauthorized, and still recorded', async () => {
    const wrong = new Telegraf('123456789:wrong', { telegram: { apiRoot: api.url } });
    const err = await telegramError(wrong.telegram.sendMessage(CHAT, 'hi'));
    expect(err.code).toBe(401);
    expect(err.description).toBe('Unauthorized');
    expect(api.calls({ method: 'sendMessage' })).toMatchObject([{ status: 401 }]);
  });

  it('validates sendMessage parameters', async () => {
    const empty = await telegramError(bot.telegram.sendMessage(CHAT, ''));
    expect([empty.code, empty.description]).toEqual([400, 'Bad Request: message text is empty']);

    const long = await telegramError(bot.telegram.sendMessage(CHAT, 'x'.repeat(4097)));
    expect(long.description).toBe('Bad Request: message is too long');
    await expect(bot.telegram.sendMessage(CHAT, 'x'.repeat(4096))).resolves.toBeTruthy();

    const noChat = await telegramError(bot.telegram.callApi('sendMessage', { text: 'hi' } as never));
    expect(noChat.description).toBe('Bad Request: chat_id is empty');
    const badChat = await telegramError(bot.telegram.sendMessage('not-a-chat', 'hi'));
    expect(badChat.description).toBe('Bad Request: chat not found');

    const bigData = Markup.inlineKeyboard([Markup.button.callback('x', 'd'.repeat(65))]);
    const buttonErr = await telegramError(bot.telegram.sendMessage(CHAT, 'hi', bigData));
    expect(buttonErr.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    const okData = Markup.inlineKeyboard([Markup.button.callback('x', 'd'.repeat(64))]);
    await expect(bot.telegram.sendMessage(CHAT, 'hi', okData)).resolves.toBeTruthy();
  });

  it('an unknown method is 404 Not Found', async () => {
    const res = await fetch(`${api.url}/bot${TOKEN}/sendTelepathy`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  it('reads urlencoded bodies and query strings, and method names in any case', async () => {
    const form = new URLSearchParams({
      chat_id: String(CHAT),
      text: 'form',
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] }),
    });
    const res = await fetch(`${api.url}/bot${TOKEN}/SENDMESSAGE`, { method: 'POST', body: form });
    expect(await res.json()).toMatchObject({
      ok: true,
      result: { text: 'form', reply_markup: { inline_keyboard: [[{ text: 'A' }]] } },
    });

    const get = await fetch(`${api.url}/bot${TOKEN}/test/sendMessage?chat_id=${CHAT}&text=query`);
    expect(await get.json()).toMatchObject({ ok: true, result: { text: 'query' } });
    expect(api.calls({ method: 'sendMessage' }).map((c) => c.params.text)).toEqual(['form', 'query']);
  });
});

describe('fault injection', () => {
  it('a queued 429 surfaces as TelegramError with parameters.retry_after, once', async () => {
    api.injectFault({ method: 'sendMessage', status: 429, retryAfter: 3 });
    const err = await telegramError(bot.telegram.sendMessage(CHAT, 'hi'));
    expect(err.code).toBe(429);
    expect(err.description).toBe('Too Many Requests: retry after 3');
    expect(err.parameters).toEqual({ retry_after: 3 });
    await expect(bot.telegram.sendMessage(CHAT, 'hi')).resolves.toBeTruthy();
  });

  it('a 403 injected over HTTP hits only the given chat, `times` times', async () => {
    const res = await control('/_alfa/faults', 'POST', { chatId: CHAT, status: 403, times: 2 });
    expect(res.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const err = await telegramError(bot.telegram.sendMessage(CHAT, 'hi'));
      expect([err.code, err.description]).toEqual([403, 'Forbidden: bot was blocked by the user']);
    }
    await expect(bot.telegram.sendMessage(CHAT + 1, 'other')).resolves.toBeTruthy();
    await expect(bot.telegram.sendMessage(CHAT, 'hi')).resolves.toBeTruthy();
  });

  it('a 500 surfaces with the HTTP status text (telegraf ignores 5xx bodies); DELETE clears faults', async () => {
    api.injectFault({ status: 500, times: 5 });
    const err = await telegramError(bot.telegram.getMe());
    expect([err.code, err.description]).toEqual([500, 'Internal Server Error']);
    await control('/_alfa/faults', 'DELETE');
    await expect(bot.telegram.getMe()).resolves.toBeTruthy();
  });

  it('rejects a fault with an unsupported status', async () => {
    const res = await control('/_alfa/faults', 'POST', { status: 418 });
    expect(res.status).toBe(400);
  });
});

describe('inspection', () => {
  it('GET /_alfa/calls filters by method, chat_id and since; DELETE clears', async () => {
    await bot.telegram.sendMessage(CHAT, 'one');
    await bot.telegram.sendMessage(CHAT + 1, 'two');
    await bot.telegram.sendChatAction(CHAT, 'typing');
    const [first] = api.calls();

    const all = (await (await control('/_alfa/calls', 'GET')).json()) as { calls: unknown[] };
    expect(all.calls).toHaveLength(3);
    const q = `method=sendMessage&chat_id=${CHAT}`;
    const filtered = (await (await control(`/_alfa/calls?${q}`, 'GET')).json()) as { calls: unknown[] };
    expect(filtered.calls).toMatchObject([{ method: 'sendMessage', params: { text: 'one' } }]);
    const since = (await (await control(`/_alfa/calls?since=${first?.seq}`, 'GET')).json()) as {
      calls: unknown[];
    };
    expect(since.calls).toHaveLength(2);

    await control('/_alfa/calls', 'DELETE');
    expect(api.calls()).toEqual([]);
  });

  it('waitForCall resolves for recorded and future calls, and times out clearly', async () => {
    await bot.telegram.sendMessage(CHAT, 'past');
    await expect(api.waitForCall({ method: 'sendMessage', chatId: CHAT })).resolves.toMatchObject({
      params: { text: 'past' },
    });

    const since = api.calls().at(-1)?.seq ?? 0;
    const future = api.waitForCall(
      { chatId: String(CHAT), since, match: (c) => c.params.text === 'future' },
      2000,
    );
    setTimeout(() => void bot.telegram.sendMessage(CHAT, 'future'), 20);
    await expect(future).resolves.toMatchObject({ method: 'sendMessage', params: { text: 'future' } });

    await expect(api.waitForCall({ method: 'editMessageText' }, 50)).rejects.toThrow(
      /waitForCall: no call matching \{"method":"editMessageText"\}.*within 50 ms/,
    );
  });
});

describe('rate limits', () => {
  it('are off by default', async () => {
    for (let i = 0; i < 3; i++) await bot.telegram.sendMessage(CHAT, `m${i}`);
  });

  it('allow one message per second per chat', async () => {
    api.setRateLimits({ enabled: true });
    await bot.telegram.sendMessage(CHAT, 'first');
    const err = await telegramError(bot.telegram.sendMessage(CHAT, 'second'));
    expect(err.code).toBe(429);
    expect(err.parameters).toEqual({ retry_after: 1 });
    // Other chats are not affected by this chat's window.
    await expect(bot.telegram.sendMessage(CHAT + 1, 'elsewhere')).resolves.toBeTruthy();
  });

  it('allow 30 messages per second overall, switched on over HTTP', async () => {
    await control('/_alfa/limits', 'POST', { enabled: true });
    const results = await Promise.allSettled(
      Array.from({ length: 31 }, (_, i) => bot.telegram.sendMessage(CHAT + 100 + i, 'bulk')),
    );
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: 429 });
  });
});
