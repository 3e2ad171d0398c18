// The bot as a whole (adapters/telegram/bot.ts), through the real bot and the Bot API stand-in: the
// "/" menu, command names in any case and for this bot only, replies cut under 4096 characters.
import { describe, expect, it } from 'vitest';
import { texts } from '../../../support/bot-harness.js';
import { useBotHarness, ADMIN, T, someone } from './harness.js';

const h = useBotHarness();

describe('bot: commands', () => {
  it('registers the "/" menu with Telegram (setMyCommands), admin commands only in admin chats', async () => {
    await h.say(someone(), '/help');

    const everyone = await h.api
      .calls({ method: 'setMyCommands' })
      .find((c) => (c.params.scope as { type?: string }).type === 'all_private_chats');
    const admin = h.api
      .calls({ method: 'setMyCommands' })
      .find((c) => (c.params.scope as { chat_id?: number }).chat_id === ADMIN);
    const names = (c: typeof everyone) => (c?.params.commands as { command: string }[]).map((x) => x.command);
    expect(everyone?.status).toBe(200);
    expect(names(everyone)).toEqual(expect.arrayContaining(['alfa', 'trader', 'follow', 'settings']));
    expect(names(everyone)).not.toContain('emergency');
    expect(names(admin)).toContain('emergency');
  });

  it('answers /ALFA like /alfa, and ignores /alfa@otherbot', async () => {
    const ada = someone();
    const upper = texts(await h.say(ada, '/ALFA'));
    const other = await h.say(ada, '/alfa@otherbot');
    const ours = texts(await h.say(ada, `/Help@${h.api.botUser.username}`));

    expect(upper.join()).toContain('leaderboard');
    expect(upper.join()).not.toContain("I don't know");
    expect(other.filter((c) => c.params.chat_id !== undefined)).toHaveLength(0);
    expect(ours.join()).toContain('Alfa commands');
  });

  it('never sends a reply over 4096 characters: echoed input is cut', async () => {
    const ada = someone();
    await h.say(ada, `/follow ${T}`);
    const calls = [
      ...(await h.say(ada, `/set ${T} ${'x'.repeat(5_000)} 5`)),
      ...(await h.say(ada, `/${'a'.repeat(5_000)}`)),
      ...(await h.say(ada, `/set ${T} pairs ${'FOO,'.repeat(1_500)}`)),
    ];

    expect(calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([200, 200, 200]);
    for (const t of texts(calls)) expect(t.length).toBeLessThan(400);
  });
});
