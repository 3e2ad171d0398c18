// /digest off and /digest on: a user turns their own daily digest off and back on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '#core/adapters/telegram/bot.js';
import { startBotApi, type BotApiStandIn } from '../../../../local/standins/telegram-bot-api.js';
import { BOT_TOKEN, MemoryWorld, texts } from '../../../support/bot-harness.js';

let api: BotApiStandIn;
beforeAll(async () => {
  api = await startBotApi({ token: BOT_TOKEN });
});
afterAll(() => api.close());

describe('/digest', () => {
  it('off stores the preference for that user, on brings it back, anything else shows the usage', async () => {
    const prefs = new Map<string, boolean>();
    const bot = createBot(
      { token: BOT_TOKEN, apiRoot: api.url },
      { ...new MemoryWorld().deps(), digestPreference: { set: async (u, on) => (prefs.set(u, on), true) } },
    );
    let id = 1;
    const say = async (text: string) => {
      const since = api.calls().at(-1)?.seq ?? 0;
      await bot.handleUpdate({
        update_id: id++,
        message: {
          message_id: id,
          date: 0,
          text,
          chat: { id: 77, type: 'private', first_name: 'Ada' },
          from: { id: 77, is_bot: false, first_name: 'Ada' },
          entities: [{ type: 'bot_command', offset: 0, length: 7 }],
        },
      } as never);
      return texts(api.calls({ since })).join('\n');
    };

    expect(await say('/digest off')).toContain('Daily digest <b>off</b>');
    expect(prefs.get('77')).toBe(false);
    expect(await say('/digest on')).toContain('Daily digest <b>on</b>');
    expect(prefs.get('77')).toBe(true);
    expect(await say('/digest maybe')).toContain('Usage');
  });
});
