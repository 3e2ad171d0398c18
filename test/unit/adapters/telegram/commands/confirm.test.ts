// Risky changes ask first (adapters/telegram/commands/confirm.ts), through the real bot and the Bot
// API stand-in: a yes applies it; a stale yes or one after two minutes does nothing; unfollowing an
// Auto copy follow with open positions asks.
import { describe, expect, it } from 'vitest';
import { encodeCallback } from '#core/domain/callbacks.js';
import { newFollow } from '#core/domain/follows.js';
import { buttons, texts } from '../../../../support/bot-harness.js';
import { useBotHarness, T, someone } from '../harness.js';

const h = useBotHarness();

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
