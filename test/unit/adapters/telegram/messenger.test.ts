// SendPacer (adapters/telegram/messenger.ts): one message a second per chat, 29 a second per bot,
// the bot's pace a schedule the containers share (send-schedule.ts), so a few chats go at once.
import { describe, expect, it } from 'vitest';
import { SendPacer } from '#core/adapters/telegram/messenger.js';
import { LocalSendSchedule } from '#core/adapters/telegram/send-schedule.js';

/** A clock that moves only when a pacer sleeps. */
function fakeClock() {
  const clock = { t: 0 };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
}

const perSecondMax = (sends: number[]) =>
  Math.max(...sends.map((at) => sends.filter((s) => s >= at && s < at + 1_000).length));

describe('Class: SendPacer', () => {
  it('keeps one chat to one message a second and the bot to 29 a second', async () => {
    const { clock, now, sleep } = fakeClock();
    const pacer = new SendPacer(now, sleep);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.slot('same-chat');
      times.push(clock.t);
    }
    expect(times).toEqual([0, 1_000, 2_000]);

    const start = clock.t;
    const sends: number[] = [];
    for (let i = 0; i < 60; i++) {
      await pacer.slot(`chat-${i}`);
      sends.push(clock.t - start);
    }
    expect(perSecondMax(sends)).toBeLessThanOrEqual(29);
    expect(sends.at(-1)).toBeGreaterThanOrEqual(2_000);
  });

  it('lets one container send ten chats in a third of a second when the others are idle', async () => {
    // Prepare: 29 containers' pacers on one shared schedule; only the first has messages.
    const { clock, now, sleep } = fakeClock();
    const shared = new LocalSendSchedule(29, now);
    const pacers = Array.from({ length: 29 }, () => new SendPacer(now, sleep, shared));

    // Act
    const sends: number[] = [];
    for (let i = 0; i < 10; i++) {
      await (pacers[0] as SendPacer).slot(`chat-${i}`);
      sends.push(clock.t);
    }

    // Assess: 1000/29 ms apart, not one a second (the fixed 1/29 share each container had).
    expect(sends.at(-1)).toBeLessThan(350);
  });

  it('keeps the bot to 29 a second when several containers send at once', async () => {
    // Prepare: real timers would make this slow; each pacer's sleeps move one shared fake clock,
    // and the sends are interleaved as containers would be.
    const { clock, now, sleep } = fakeClock();
    const shared = new LocalSendSchedule(29, now);
    const pacers = Array.from({ length: 3 }, () => new SendPacer(now, sleep, shared));

    // Act
    const sends: number[] = [];
    for (let round = 0; round < 30; round++)
      for (const [n, pacer] of pacers.entries()) {
        await pacer.slot(`chat-${n}-${round}`);
        sends.push(clock.t);
      }

    // Assess
    expect(perSecondMax(sends)).toBeLessThanOrEqual(29);
    expect(sends.at(-1)).toBeGreaterThanOrEqual((89 * 1000) / 29);
  });
});
