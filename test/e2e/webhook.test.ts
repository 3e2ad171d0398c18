// The webhook slice end to end: HTTP to the local Function URL -> handler -> DynamoDB Local and the
// Bot API stand-in, exactly as Telegram would drive it.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../local/standins/telegram-bot-api.js';
import { clients, stackInfo, uniqueId } from '../support/stack-clients.js';
import {
  groupChat,
  myChatMemberUpdate,
  textMessageUpdate,
  type Person,
} from '../support/telegram-updates.js';

const info = stackInfo();
const { doc } = clients(info);

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(info.webhook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [info.webhook.header]: info.webhook.secret, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function callsTo(chatId: number, method = 'sendMessage'): Promise<RecordedCall[]> {
  const res = await fetch(`${info.telegram.callsUrl}?method=${method}&chat_id=${chatId}`);
  return ((await res.json()) as { calls: RecordedCall[] }).calls;
}

async function injectFault(fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${info.endpoints.telegramBotApi}/_alfa/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  expect(res.ok).toBe(true);
}

async function storedUser(userId: number) {
  const out = await doc.send(
    new GetCommand({ TableName: info.tables.users, Key: { userId: String(userId) } }),
  );
  return out.Item;
}

const person = (): Person => ({ id: uniqueId(), firstName: 'Ada', username: 'ada' });

describe('telegram-webhook', () => {
  beforeAll(() => {
    expect(info.webhook.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('answers /start with a welcome, and stores the user', async () => {
    const ada = person();
    const res = await post(textMessageUpdate(uniqueId(), ada, '/start'));

    expect(res.status).toBe(200);
    const [reply, ...more] = await callsTo(ada.id);
    expect(more).toHaveLength(0);
    expect(reply?.status).toBe(200);
    expect(reply?.params).toMatchObject({ chat_id: ada.id, parse_mode: 'HTML' });
    expect(String(reply?.params.text)).toContain('Welcome to Alfa, Ada!');
    expect(await storedUser(ada.id)).toMatchObject({
      userId: String(ada.id),
      chatId: String(ada.id),
      firstName: 'Ada',
      username: 'ada',
      active: true,
    });
  });

  it('welcomes a returning user back and keeps their first createdAt', async () => {
    const ada = person();
    await post(textMessageUpdate(uniqueId(), ada, '/start'));
    const first = await storedUser(ada.id);

    await post(textMessageUpdate(uniqueId(), ada, '/start'));

    const replies = await callsTo(ada.id);
    expect(replies.map((c) => String(c.params.text).split('\n')[0])).toEqual([
      '<b>Welcome to Alfa, Ada!</b>',
      '<b>Welcome back, Ada!</b>',
    ]);
    expect((await storedUser(ada.id))?.createdAt).toBe(first?.createdAt);
  });

  it('answers /help with every command and an example', async () => {
    const ada = person();
    await post(textMessageUpdate(uniqueId(), ada, '/help'));

    const [reply] = await callsTo(ada.id);
    expect(String(reply?.params.text)).toMatch(/\/start — .*\n\s+e\.g\. <code>\/start<\/code>/);
    expect(String(reply?.params.text)).toContain('/help');
  });

  it('refuses a request without the secret token with 401 and does nothing', async () => {
    const ada = person();
    const res = await fetch(info.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(textMessageUpdate(uniqueId(), ada, '/start')),
    });

    expect(res.status).toBe(401);
    expect(await callsTo(ada.id)).toHaveLength(0);
    expect(await storedUser(ada.id)).toBeUndefined();
  });

  it('refuses a wrong secret token with 401', async () => {
    const ada = person();
    const res = await post(textMessageUpdate(uniqueId(), ada, '/start'), {
      [info.webhook.header]: 'wrong-secret',
    });

    expect(res.status).toBe(401);
    expect(await callsTo(ada.id)).toHaveLength(0);
  });

  it('processes a redelivered update_id once', async () => {
    const ada = person();
    const update = textMessageUpdate(uniqueId(), ada, '/start');

    const statuses = [(await post(update)).status, (await post(update)).status, (await post(update)).status];

    expect(statuses).toEqual([200, 200, 200]);
    expect(await callsTo(ada.id)).toHaveLength(1);
  });

  it.each([
    ['garbage JSON', '{"update_id": 1, oops'],
    ['JSON that is not an update', { hello: 'world' }],
    ['a negative update_id', { update_id: -5 }],
    ['an unknown update kind', { update_id: uniqueId(), some_future_field: { x: 1 } }],
    [
      'an edited message',
      { update_id: uniqueId(), edited_message: { message_id: 1, date: 0, text: '/start' } },
    ],
    [
      'a channel post',
      { update_id: uniqueId(), channel_post: { message_id: 1, date: 0, chat: { id: -1, type: 'channel' } } },
    ],
  ])('acknowledges %s with 200 and sends nothing', async (_what, body) => {
    const before = (await (await fetch(info.telegram.callsUrl)).json()) as { calls: RecordedCall[] };
    const res = await post(body);

    expect(res.status).toBe(200);
    const after = (await (await fetch(info.telegram.callsUrl)).json()) as { calls: RecordedCall[] };
    const sent = after.calls.filter(
      (c) => c.method === 'sendMessage' && c.seq > Math.max(0, ...before.calls.map((b) => b.seq)),
    );
    // Other tests may run in parallel files; none of them writes to chats these bodies could name.
    expect(sent.filter((c) => [1, -1].includes(Number(c.params.chat_id)))).toHaveLength(0);
  });

  it('ignores commands in group chats', async () => {
    const ada = person();
    const group = groupChat(uniqueId());
    const res = await post(textMessageUpdate(uniqueId(), ada, '/start', group));

    expect(res.status).toBe(200);
    expect(await callsTo(group.id)).toHaveLength(0);
    expect(await storedUser(ada.id)).toBeUndefined();
  });

  it('accepts a base64-encoded body (non-text content type)', async () => {
    const ada = person();
    const res = await post(JSON.stringify(textMessageUpdate(uniqueId(), ada, '/help')), {
      'content-type': 'application/octet-stream',
    });

    expect(res.status).toBe(200);
    expect(await callsTo(ada.id)).toHaveLength(1);
  });

  it('marks a user inactive when they block the bot', async () => {
    const ada = person();
    await post(textMessageUpdate(uniqueId(), ada, '/start'));

    const res = await post(myChatMemberUpdate(uniqueId(), ada, 'kicked'));

    expect(res.status).toBe(200);
    expect(await storedUser(ada.id)).toMatchObject({ active: false });
  });

  it('marks a user inactive when Telegram answers 403 to a reply, and acknowledges the update', async () => {
    const ada = person();
    await post(textMessageUpdate(uniqueId(), ada, '/start'));
    await injectFault({ method: 'sendMessage', chatId: ada.id, status: 403 });

    const res = await post(textMessageUpdate(uniqueId(), ada, '/help'));

    expect(res.status).toBe(200);
    expect(await storedUser(ada.id)).toMatchObject({ active: false });
  });

  it('answers 500 on a transient Bot API failure so Telegram redelivers, then processes the retry once', async () => {
    const ada = person();
    const update = textMessageUpdate(uniqueId(), ada, '/help');
    await injectFault({ method: 'sendMessage', chatId: ada.id, status: 500 });

    const first = await post(update);
    const retry = await post(update);
    const again = await post(update);

    expect([first.status, retry.status, again.status]).toEqual([500, 200, 200]);
    const calls = await callsTo(ada.id);
    expect(calls.map((c) => c.status)).toEqual([500, 200]);
  });
});
