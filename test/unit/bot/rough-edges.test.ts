// The rough edges a new user hit (issue 13), through the real bot and the Bot API stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../../layers/core/domain/callbacks.js';
import { newFollow } from '../../../layers/core/domain/follows.js';
import type { LeaderboardRow } from '../../../layers/core/domain/analytics/leaderboard.js';
import { buttons, startHarness, texts, type Harness } from '../../support/bot-harness.js';

const ADMIN = 7_000_001;
const T = `0x${'5a'.repeat(20)}`;
let h: Harness;
let nextUser = 8_000_000;
const someone = () => (nextUser += 1);

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

beforeAll(async () => {
  h = await startHarness({ admins: [String(ADMIN)] });
});
// Charts load a WebAssembly module and a font on first use: seconds on a busy machine.
const CHART_TIMEOUT_MS = 30_000;
afterAll(async () => h.close());

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

  it('the stand-in refuses a message over 4096 characters after HTML parsing, as Telegram does', async () => {
    const res = await fetch(`${h.api.url}/bot${'424242:test-token'}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 5, text: 'a'.repeat(4_097), parse_mode: 'HTML' }),
    });
    const tagged = await fetch(`${h.api.url}/bot${'424242:test-token'}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 5, text: `<b>${'a'.repeat(4_090)}</b>`, parse_mode: 'HTML' }),
    });

    expect(res.status).toBe(400);
    expect(((await res.json()) as { description: string }).description).toBe(
      'Bad Request: message is too long',
    );
    expect(tagged.status).toBe(200);
  });
});

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

describe('bot: risky changes ask first, and a stale yes does nothing', () => {
  it('Aggressive asks; yes applies it', async () => {
    const ada = someone();
    await h.say(ada, '/settings');
    const ask = await h.press(ada, encodeCallback({ a: 'risk', action: 'aggressive' }));
    expect(h.world.users.get(String(ada))?.risk.profile).toBe('CONSERVATIVE');

    await h.press(ada, buttons(ask).get('Yes, Aggressive') as string);

    expect(h.world.users.get(String(ada))?.risk.profile).toBe('AGGRESSIVE');
  });

  it('a yes pressed after the state changed, or after two minutes, changes nothing', async () => {
    const ada = someone();
    await h.say(ada, `/follow ${T}`);
    const ask = await h.say(ada, `/set ${T} mode auto`);
    const yes = buttons(ask).get('Yes, Auto copy') as string;
    await h.say(ada, `/set ${T} size 50`); // the follow changed since the question

    const stale = await h.press(ada, yes);

    expect([...h.world.follows.values()].find((f) => f.userId === String(ada))?.mode).toBe('ALERTS');
    expect(texts(stale).join()).toContain('nothing was changed');

    const again = buttons(await h.say(ada, `/set ${T} size 100%`)).get('Yes, 100%') as string;
    h.world.now = new Date(h.world.now.getTime() + 121_000);
    const late = await h.press(ada, again);
    expect(texts(late).join()).toContain('expired');
    expect([...h.world.follows.values()].find((f) => f.userId === String(ada))?.sizing.kind).toBe(
      'FIXED_USD',
    );
  });

  it('unfollowing an Auto copy follow while the wallet has open positions asks first', async () => {
    const ada = someone();
    const wallet = `0x${'77'.repeat(20)}`;
    await h.say(ada, '/start');
    const u = h.world.users.get(String(ada));
    if (u) h.world.users.set(String(ada), { ...u, wallet });
    h.world.follows.set(`${ada}|${T}`, {
      ...newFollow(String(ada), String(ada), T, h.world.now),
      mode: 'AUTO',
    });
    h.world.positions.set(wallet, [
      {
        trader: wallet,
        pairIndex: 0,
        index: 0,
        buy: true,
        collateral: 100_000_000n,
        leverage: 50_000_000_000n,
        openPrice: 30_000_000_000_000n,
      } as never,
    ]);

    const ask = await h.say(ada, `/unfollow ${T}`);
    expect(texts(ask).join()).toContain('1 open position');
    expect(h.world.follows.has(`${ada}|${T}`)).toBe(true);

    await h.press(ada, buttons(ask).get('Yes, unfollow') as string);
    expect(h.world.follows.has(`${ada}|${T}`)).toBe(false);
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

    const errors = texts(await h.say(ADMIN, '/recent_errors')).join();

    expect(errors).toContain('REPLY_REJECTED');
    expect(errors).toContain('Telegram 400 on sendMessage');
  });
});

describe('bot: /backtest', () => {
  it(
    'replays the stored fills with the user settings and typed overrides, and explains skips',
    async () => {
      const { backtestHistory } = await import('../../support/backtest-history.js');
      const start = Math.floor(h.world.now.getTime() / 1000) - 20 * 86_400;
      const history = backtestHistory(21, 300, start);
      h.world.fills.set(history.trader, [...history.fills]);
      const ada = someone();

      const calls = await h.say(ada, `/backtest ${history.trader} size 1k lev 5 days 30`);
      const reply = texts(calls).join();
      expect(calls.filter((c) => c.method === 'sendPhoto').map((c) => c.status)).toEqual([200]);

      expect(reply).toContain('Backtest</b> of');
      expect(reply).toContain('Trader opened 300 trades');
      expect(reply).toContain('pair not listed on Avantis');
      expect(reply).toMatch(/Realized PnL: <b>[+-]?\$[\d,]+\.\d\d<\/b>/);
      expect(reply).toContain('$1,000.00 collateral per trade · max 5x');
      expect(texts(await h.say(ada, `/backtest ${history.trader} days 9`)).join()).toContain(
        'days is 7 or 30',
      );
    },
    CHART_TIMEOUT_MS,
  );
});

describe('bot: pictures', () => {
  it(
    '/trader sends the card and then a PNG chart (sendPhoto, multipart) the stand-in keeps for getFile',
    async () => {
      const { backtestHistory } = await import('../../support/backtest-history.js');
      const history = backtestHistory(31, 40, Math.floor(h.world.now.getTime() / 1000) - 5 * 86_400);
      h.world.fills.set(history.trader, [...history.fills]);

      const calls = await h.say(someone(), `/trader ${history.trader}`);

      expect(calls.map((c) => c.method).filter((m) => m.startsWith('send'))).toEqual([
        'sendMessage',
        'sendPhoto',
      ]);
      // Units on the card: collateral and notional, UTC times, drawdown explained.
      const card = texts(calls).join();
      expect(card).toMatch(
        /\d\d-\d\d \d\d:\d\d UTC (open|close|TP|SL|LIQ) (long|short) \S+ \$[\d,.]+ collateral × \d+x = \$[\d,.]+ notional @/,
      );
      expect(card).toContain('Max drawdown: the deepest fall of cumulative realized PnL');
      const photo = calls.find((c) => c.method === 'sendPhoto');
      expect(photo?.status).toBe(200);
      expect(photo?.params.photo).toMatchObject({ filename: expect.stringMatching(/\.png$/) });
      expect(String(photo?.params.caption)).toContain('closes, times in UTC');
      const fileId = (photo?.response as { result: { photo: { file_id: string; width: number }[] } }).result
        .photo[0];
      expect(fileId?.width).toBeGreaterThan(800);
      const file = (await (
        await fetch(`${h.api.url}/bot424242:test-token/getFile?file_id=${fileId?.file_id}`)
      ).json()) as { result: { file_path: string } };
      const bytes = Buffer.from(
        await (await fetch(`${h.api.url}/file/bot424242:test-token/${file.result.file_path}`)).arrayBuffer(),
      );
      expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    },
    CHART_TIMEOUT_MS,
  );

  it('the stand-in refuses a photo that is not an image, as Telegram does', async () => {
    const form = new FormData();
    form.set('chat_id', '5');
    form.set('photo', new Blob([Buffer.from('not an image')], { type: 'image/png' }), 'x.png');

    const res = await fetch(`${h.api.url}/bot424242:test-token/sendPhoto`, { method: 'POST', body: form });

    expect(res.status).toBe(400);
    expect(((await res.json()) as { description: string }).description).toBe(
      'Bad Request: IMAGE_PROCESS_FAILED',
    );
  });
});

describe('the Bot API stand-in, as strict as Telegram', () => {
  it('refuses HTML Telegram cannot parse (unknown or unbalanced tags)', async () => {
    const send = (text: string) =>
      fetch(`${h.api.url}/bot424242:test-token/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 5, text, parse_mode: 'HTML' }),
      });

    expect((await send('<b>bold</b> and <code>x</code> &lt;ok&gt;')).status).toBe(200);
    expect((await send('<address>')).status).toBe(400);
    expect((await send('<b>open')).status).toBe(400);
    expect((await send('<b><i>x</b></i>')).status).toBe(400);
  });
});
