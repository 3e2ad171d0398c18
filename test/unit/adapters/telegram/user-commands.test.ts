// The user commands (adapters/telegram/user-commands.ts): /alfa's arguments, and through the real bot
// and the Bot API stand-in, money as people type it, the zero address refused, and the leaderboard's
// Follow button.
import { describe, expect, it } from 'vitest';
import type { LeaderboardRow } from '#core/domain/analytics/leaderboard.js';
import { buttons, texts } from '../../../support/bot-harness.js';
import { parseTop } from '#core/adapters/telegram/user-commands.js';
import { useBotHarness, T, someone } from './harness.js';

const row = (i: number): LeaderboardRow => ({
  rank: i + 1,
  trader: `0x${String(i + 1).padStart(40, '0')}`,
  score: 900 - i,
  realizedPnl30dUsdc: String(1_000_000n * BigInt(100 - i)),
  roi30d: 0.1,
  winRate30d: 0.6,
  trades30d: 20,
  volume30dUsdc: '1000000000',
  maxDrawdown30dUsdc: '5000000',
  medianLeverage30d: 17,
  lastActive: 0,
});

const h = useBotHarness();

describe('bot: money as people type it', () => {
  it('reads maxpos 1k, and 1.000 from a German user, as $1,000; refuses 1.000 from an English user', async () => {
    const ada = someone();
    const max = (id: number) =>
      [...h.world.follows.values()].find((f) => f.userId === String(id))?.maxPositionUsdc;
    await h.say(ada, `/follow ${T}`);

    await h.say(ada, `/set ${T} maxpos 1k`);
    expect(max(ada)).toBe(1_000_000_000n);
    await h.say(ada, `/set ${T} maxpos 500`);
    const refused = texts(await h.say(ada, `/set ${T} maxpos 1.000`, 'en'));
    expect(max(ada)).toBe(500_000_000n);
    expect(refused.join()).toContain('could be 1 or 1000');
    expect(refused.join()).toContain('1,000.50');

    const greta = someone();
    await h.say(greta, `/follow ${T}`, 'de');
    const shown = texts(await h.say(greta, `/set ${T} maxpos 1.000`, 'de'));
    expect(max(greta)).toBe(1_000_000_000n);
    expect(shown.join()).toContain('$1.000,00');
  });

  it('refuses the zero address as a wallet', async () => {
    const ada = someone();
    const reply = texts(await h.say(ada, `/wallet 0x${'0'.repeat(40)}`));

    expect(reply.join()).toContain('nobody can sign for it');
    expect(h.world.users.get(String(ada))?.wallet).toBeUndefined();
  });
});

describe('bot: the leaderboard', () => {
  it('Follow names the trader and ticks only its own row, without re-reading (so re-sorting) the list', async () => {
    const ada = someone();
    h.world.boards.score = { sort: 'score', generatedAt: 0, traders: 3, rows: [row(0), row(1), row(2)] };
    const board = (await h.say(ada, '/alfa')).find((c) => c.method === 'sendMessage');
    const keyboard = board?.params.reply_markup;
    // The leaderboard re-ranks between the two taps.
    h.world.boards.score = {
      sort: 'score',
      generatedAt: 1,
      traders: 3,
      rows: [row(2), row(1), row(0)].map((r, i) => ({ ...r, rank: i + 1 })),
    };

    const after = await h.press(ada, buttons([board as never]).get('Follow #2') as string, {
      messageId: Number((board?.response as { result: { message_id: number } }).result.message_id),
      keyboard,
    });

    const toast = after.find((c) => c.method === 'answerCallbackQuery');
    expect(String(toast?.params.text)).toContain('Following 0x0000...0002');
    expect(after.map((c) => c.method)).toContain('editMessageReplyMarkup');
    const rows = (
      after.find((c) => c.method === 'editMessageReplyMarkup')?.params.reply_markup as {
        inline_keyboard: { text: string }[][];
      }
    ).inline_keyboard.map((r) => r.map((b) => b.text));
    expect(rows.slice(0, 3)).toEqual([
      ['🔍 #1 0x0000...0001', 'Follow #1'],
      ['🔍 #2 0x0000...0002', '✓ Following #2'],
      ['🔍 #3 0x0000...0003', 'Follow #3'],
    ]);
  });
});

describe('small parsers', () => {
  it.each([
    [[], 50],
    [['top20'], 20],
    [['top', '7'], 7],
    [['200'], 200],
  ] as const)('/alfa %j -> top %i', (args, top) => {
    expect(parseTop(args)).toEqual({ ok: true, top });
  });

  it.each([[['top0']], [['top201']], [['best']]] as const)('/alfa %j -> an error', (args) => {
    expect(parseTop(args).ok).toBe(false);
  });
});
