// SendPacer (adapters/telegram/messenger.ts): one message a second per chat, 29 a second per bot.
import { describe, expect, it } from 'vitest';
import { SendPacer } from '#core/adapters/telegram/messenger.js';

describe('Class: SendPacer', () => {
  it('keeps one chat to one message a second and the bot to 29 a second', async () => {
    let t = 0;
    const pacer = new SendPacer(
      () => t,
      async (ms) => {
        t += ms;
      },
    );
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.slot('same-chat');
      times.push(t);
    }
    expect(times).toEqual([0, 1_000, 2_000]);

    const start = t;
    const sends: number[] = [];
    for (let i = 0; i < 60; i++) {
      await pacer.slot(`chat-${i}`);
      sends.push(t - start);
    }
    // No one-second window ever holds more than 29 sends.
    for (const at of sends)
      expect(sends.filter((s) => s >= at && s < at + 1_000).length).toBeLessThanOrEqual(29);
    expect(sends.at(-1)).toBeGreaterThanOrEqual(2_000);
  });
});
