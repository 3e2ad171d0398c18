// The bot's admin commands (adapters/telegram/admin-commands.ts) change nothing with the webhook's
// own role: /copy mode, /emergency and /autocopy_off_all (and the LIVE confirmation button) are
// admin-function actions, with who asked; the real bot against the Bot API stand-in, the admin
// function a recording fake. And /recent_errors shows an operator the replies Telegram refused.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AdminRequestInput, AdminResponse } from '#core/admin/requests.js';
import { createBot } from '#core/adapters/telegram/bot.js';
import { encodeCallback } from '#core/domain/callbacks.js';
import type { BotDeps } from '#core/adapters/telegram/deps.js';
import { startBotApi, type BotApiStandIn } from '../../../../local/standins/telegram-bot-api.js';
import { BOT_TOKEN, MemoryWorld, buttons, texts } from '../../../support/bot-harness.js';
import { ADMIN as OPERATOR, someone, useBotHarness } from './harness.js';

const ADMIN = 4242;
let api: BotApiStandIn;
let world: MemoryWorld;
let asked: AdminRequestInput[];
let answer: (r: AdminRequestInput) => AdminResponse;
let bot: ReturnType<typeof createBot>;
let updateId = 1;

beforeAll(async () => {
  api = await startBotApi({ token: BOT_TOKEN });
});
afterAll(() => api.close());
beforeEach(() => {
  world = new MemoryWorld();
  asked = [];
  answer = (r) => ({
    ok: true,
    action: r.action,
    result: r.action === 'autocopy-off-all' ? { followsChanged: 3 } : {},
  });
  const deps: BotDeps = {
    ...world.deps([String(ADMIN)]),
    admin: {
      call: async (r) => {
        asked.push(r);
        return answer(r);
      },
    },
  };
  bot = createBot({ token: BOT_TOKEN, apiRoot: api.url }, deps);
});

const from = { id: ADMIN, is_bot: false, first_name: 'Op' };
const chat = { id: ADMIN, type: 'private', first_name: 'Op' };
async function run(update: Record<string, unknown>) {
  const since = api.calls().at(-1)?.seq ?? 0;
  await bot.handleUpdate({ update_id: updateId++, ...update } as never);
  return api.calls({ since });
}
const say = (text: string) =>
  run({
    message: {
      message_id: updateId,
      from,
      chat,
      date: 0,
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
    },
  });
const press = (data: string) =>
  run({
    callback_query: {
      id: String(updateId),
      from,
      chat_instance: '1',
      message: { message_id: 1, from: api.botUser, chat, date: 0, text: 'x' },
      data,
    },
  });

/** The fake admin function applies what it is asked, as the real one does. */
function applying(r: AdminRequestInput): AdminResponse {
  if (r.action === 'mode') world.switchValue = r.mode;
  if (r.action === 'emergency') world.emergency = r.stop;
  return { ok: true, action: r.action, result: {} };
}
const yes = (calls: Awaited<ReturnType<typeof say>>, label: RegExp): string => {
  const data = [...buttons(calls).entries()].find(([text]) => label.test(text))?.[1];
  if (!data) throw new Error(`no button ${String(label)}`);
  return data;
};
const later = (seconds: number) => {
  world.now = new Date(world.now.getTime() + seconds * 1000);
};

describe('bot admin commands go through the admin function', () => {
  it('/emergency stop asks the admin function, as telegram:<id>, and does not set the flag itself', async () => {
    const calls = await say('/emergency stop');
    expect(asked).toEqual([{ action: 'emergency', by: `telegram:${ADMIN}`, stop: true }]);
    expect(world.emergency).toBe(false);
    expect(texts(calls).join()).toMatch(/Emergency stop/);
  });

  it('/copy mode DRY asks for DRY; the switch is never written by the webhook', async () => {
    world.switchValue = 'LIVE';
    await say('/copy mode DRY');
    expect(asked).toEqual([{ action: 'mode', by: `telegram:${ADMIN}`, mode: 'DRY' }]);
    expect(world.switchValue).toBe('LIVE');
  });

  it('/copy mode LIVE asks nothing until the confirm button, which is the --yes', async () => {
    const screen = await say('/copy mode LIVE');
    expect(asked).toEqual([]);
    const confirm = [...buttons(screen).entries()].find(([text]) => /confirm|yes|live/i.test(text))?.[1];
    expect(confirm).toBeDefined();
    await press(confirm as string);
    expect(asked).toEqual([
      {
        action: 'mode',
        by: `telegram:${ADMIN}`,
        mode: 'LIVE',
        confirm: true,
        // When it was asked: the admin function refuses if the switch was written since.
        unchangedSince: Math.floor(world.now.getTime() / 1000),
      },
    ]);
  });

  it('/autocopy_off_all reports the count the admin function returns', async () => {
    const calls = await say('/autocopy_off_all');
    expect(asked).toEqual([{ action: 'autocopy-off-all', by: `telegram:${ADMIN}` }]);
    expect(texts(calls).join()).toContain('3 follows');
  });

  it('says why when the admin function refuses', async () => {
    answer = (r) => ({ ok: false, action: r.action, code: 'FAILED', message: 'DynamoDB down' });
    const calls = await say('/autocopy_off_all');
    expect(texts(calls).join()).toMatch(/Refused: .*FAILED.*DynamoDB down/);
    expect(texts(calls).join()).not.toMatch(/turned off/);
  });
});

describe('confirmations expire and are checked against the state now', () => {
  beforeEach(() => {
    answer = applying;
  });

  it('a "Yes, go LIVE" asked while LIVE, pressed after /copy mode DRY, does nothing and says why', async () => {
    // Prepare
    world.switchValue = 'LIVE';
    const button = yes(await say('/copy mode LIVE'), /go LIVE/);
    await say('/copy mode DRY');
    asked = [];
    // Act
    const calls = await press(button);
    // Assess
    expect(asked).toEqual([]);
    expect(world.switchValue).toBe('DRY');
    expect(texts(calls).join()).toMatch(/Things changed since this was asked; nothing was changed/);
    expect(JSON.stringify(calls.find((c) => c.method === 'answerCallbackQuery')?.params)).toContain(
      '"show_alert":true',
    );
  });

  it('a "Yes, go LIVE" pressed after two minutes does nothing and says it expired', async () => {
    const button = yes(await say('/copy mode LIVE'), /go LIVE/);
    later(121);
    const calls = await press(button);
    expect(asked).toEqual([]);
    expect(world.switchValue).toBe('DRY');
    expect(texts(calls).join()).toMatch(/expired; nothing was changed/);
  });

  it('a fresh "Yes, go LIVE" on an unchanged switch asks the admin function to go LIVE', async () => {
    const button = yes(await say('/copy mode LIVE'), /go LIVE/);
    later(30);
    await press(button);
    expect(asked.map((r) => r.action)).toEqual(['mode']);
    expect(world.switchValue).toBe('LIVE');
  });

  it('says why when the admin function finds the switch was written since it was asked', async () => {
    answer = (r) => ({
      ok: false,
      action: r.action,
      code: 'SWITCH_CHANGED',
      message: 'The switch was changed after this was asked; nothing was changed. Ask again.',
    });
    const calls = await press(yes(await say('/copy mode LIVE'), /go LIVE/));
    expect(texts(calls).join()).toMatch(/Refused: .*SWITCH_CHANGED/);
    expect(world.switchValue).toBe('DRY');
  });

  it('an old unbound "Yes, go LIVE" button (no time, no state) is refused', async () => {
    const calls = await press(encodeCallback({ a: 'live', confirm: true }));
    expect(asked).toEqual([]);
    expect(texts(calls).join()).toMatch(/expired; nothing was changed/);
  });

  it('/emergency start asks first; the restart is sent only on the tap', async () => {
    world.emergency = true;
    const question = await say('/emergency start');
    expect(asked).toEqual([]);
    expect(texts(question).join()).toContain('Restart copy execution?');
    const calls = await press(yes(question, /restart/i));
    expect(asked).toEqual([{ action: 'emergency', by: `telegram:${ADMIN}`, stop: false }]);
    expect(world.emergency).toBe(false);
    expect(texts(calls).join()).toMatch(/cleared/);
  });

  it('a restart button pressed after someone else cleared the stop does nothing', async () => {
    world.emergency = true;
    const button = yes(await say('/emergency start'), /restart/i);
    world.emergency = false; // cleared from the CLI meanwhile
    const calls = await press(button);
    expect(asked).toEqual([]);
    expect(texts(calls).join()).toMatch(/Things changed since this was asked/);
  });

  it('/emergency start with no stop set says so and asks nothing', async () => {
    const calls = await say('/emergency start');
    expect(asked).toEqual([]);
    expect(texts(calls).join()).toContain('No emergency stop is set');
  });

  it('a non-admin pressing a forged confirm button changes nothing', async () => {
    const button = yes(await say('/copy mode LIVE'), /go LIVE/);
    const since = api.calls().at(-1)?.seq ?? 0;
    await bot.handleUpdate({
      update_id: updateId++,
      callback_query: {
        id: 'x',
        from: { id: 7, is_bot: false, first_name: 'Eve' },
        chat_instance: '1',
        message: { message_id: 1, from: api.botUser, chat: { id: 7, type: 'private' }, date: 0, text: 'x' },
        data: button,
      },
    } as never);
    expect(asked).toEqual([]);
    expect(JSON.stringify(api.calls({ since }))).toContain('operators only');
  });
});

// /recent_errors reads what the Bot API refused, so it runs on the full harness (its own stand-in).
const h = useBotHarness();

describe('bot: operators', () => {
  it('/recent_errors shows replies Telegram refused (400)', async () => {
    const ada = someone();
    h.api.injectFault({
      method: 'sendMessage',
      chatId: ada,
      status: 400,
      description: 'Bad Request: chat not found',
    });
    await h.say(ada, '/help');

    const errors = texts(await h.say(OPERATOR, '/recent_errors')).join();

    expect(errors).toContain('REPLY_REJECTED');
    expect(errors).toContain('Telegram 400 on sendMessage');
  });
});
