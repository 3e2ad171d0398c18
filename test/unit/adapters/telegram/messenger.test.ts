// SendPacer (adapters/telegram/messenger.ts): one message a second per chat, 29 a second per bot,
// the bot's pace a schedule the containers share (send-schedule.ts), so a few chats go at once;
// trade alerts first, notices in the time the alerts leave.
import { describe, expect, it } from 'vitest';
import { NOTICE_END_MARGIN_MS, NOTICE_MAX_WAIT_MS, SendPacer } from '#core/adapters/telegram/messenger.js';
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

/**
 * A clock for containers sending at once: a sleep is a timer, and time jumps to the next timer
 * only when every task is waiting on one, so concurrent pacers interleave as in real time.
 */
function virtualTime() {
  let t = 0;
  const timers: { at: number; resolve: () => void }[] = [];
  const idle = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: t + ms, resolve })),
    async run<T>(work: Promise<T>): Promise<T> {
      let done = false;
      const out = work.finally(() => (done = true));
      for (;;) {
        await idle();
        if (done) return out;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) throw new Error('every task waits and no timer is set');
        t = next.at;
        next.resolve();
      }
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

  it('sends trade alerts first: notices wait while alerts flow, then use the whole rate', async () => {
    // Prepare: two containers on one schedule, one with 60 alerts, one with 30 copy notices.
    const time = virtualTime();
    const shared = new LocalSendSchedule(29, time.now);
    const [alerter, noticer] = [0, 1].map(() => new SendPacer(time.now, time.sleep, shared));
    const sent = (lane: 'alert' | 'notice') => async (pacer: SendPacer, chat: string) => {
      await pacer.slot(chat, lane);
      return time.now();
    };

    // Act: the chats of both containers in parallel, as a batch's message groups are.
    const [alerts, notices] = await time.run(
      Promise.all([
        Promise.all(Array.from({ length: 60 }, (_, i) => sent('alert')(alerter as SendPacer, `a${i}`))),
        Promise.all(Array.from({ length: 30 }, (_, i) => sent('notice')(noticer as SendPacer, `n${i}`))),
      ]),
    );

    // Assess: every alert before every notice, 29 a second overall, the notices right after.
    expect(Math.max(...alerts)).toBeLessThan(Math.min(...notices));
    expect(perSecondMax([...alerts, ...notices])).toBeLessThanOrEqual(29);
    expect(Math.max(...notices)).toBeLessThan((91 * 1000) / 29);
  });

  it('lets a notice go at once while alerts only trickle and leave the rate unused', async () => {
    // Prepare: an alert every half second, the schedule never more than a slot ahead.
    const time = virtualTime();
    const shared = new LocalSendSchedule(29, time.now);
    const [alerter, noticer] = [0, 1].map(() => new SendPacer(time.now, time.sleep, shared));
    const alerts = async () => {
      for (let i = 0; i < 20; i++) {
        await (alerter as SendPacer).slot(`a${i}`);
        await time.sleep(500);
      }
    };

    // Act: a notice two seconds in.
    const notice = async () => {
      await time.sleep(2_000);
      await (noticer as SendPacer).slot('n', 'notice');
      return time.now();
    };
    const [, noticeAt] = await time.run(Promise.all([alerts(), notice()]));

    // Assess: no wait while the alerts leave most of the rate unused.
    expect(noticeAt).toBeLessThan(2_100);
  });

  it('holds a notice back at most NOTICE_MAX_WAIT_MS while the alerts keep a backlog', async () => {
    // Prepare: alert containers reserving twice the bot's rate for a minute.
    const time = virtualTime();
    const { shared, noticeSchedule, forcedAt } = watched(time.now);
    const noticer = new SendPacer(time.now, time.sleep, noticeSchedule);

    // Act
    await time.run(Promise.all([backlog(time, shared, 60), noticer.slot('n', 'notice')]));

    // Assess: it took a slot anyway when its wait ran out.
    expect(forcedAt).toHaveLength(1);
    expect(forcedAt[0]).toBeGreaterThanOrEqual(NOTICE_MAX_WAIT_MS);
    expect(forcedAt[0]).toBeLessThan(NOTICE_MAX_WAIT_MS + 1_000);
  });

  it("stops a notice's wait NOTICE_END_MARGIN_MS before the invocation ends", async () => {
    // Prepare: an invocation that ends in 25 s, a backlog of alerts throughout.
    const time = virtualTime();
    const { shared, noticeSchedule, forcedAt } = watched(time.now);
    const noticer = new SendPacer(time.now, time.sleep, noticeSchedule);
    noticer.invocationEndsAt(25_000);

    // Act
    await time.run(Promise.all([backlog(time, shared, 30), noticer.slot('n', 'notice')]));

    // Assess
    expect(forcedAt[0]).toBeGreaterThanOrEqual(25_000 - NOTICE_END_MARGIN_MS);
    expect(forcedAt[0]).toBeLessThan(25_000 - NOTICE_END_MARGIN_MS + 1_000);
  });

  it("asks the schedule about once a second for all of a container's waiting notices", async () => {
    // Prepare: a backlog of alerts for 10 s.
    const time = virtualTime();
    const { shared, noticeSchedule, asks } = watched(time.now);
    const noticer = new SendPacer(time.now, time.sleep, noticeSchedule);

    // Act: ten notices to ten chats wait at once.
    await time.run(
      Promise.all([
        backlog(time, shared, 10),
        ...Array.from({ length: 10 }, (_, i) => noticer.slot(`n${i}`, 'notice')),
      ]),
    );

    // Assess: one ask each at first, about one a second while the backlog lasts (it drains ~10 s
    // after the last reservation), and one each when there is room.
    expect(asks()).toBeGreaterThanOrEqual(10);
    expect(asks()).toBeLessThanOrEqual(10 + 22 + 10);
  });
});

/** Alert containers reserving 30 slots every half second (twice the bot's rate) for `seconds`. */
async function backlog(time: ReturnType<typeof virtualTime>, shared: LocalSendSchedule, seconds: number) {
  for (let t = 0; t < seconds * 2; t++) {
    await Promise.all(Array.from({ length: 30 }, () => shared.reserve()));
    await time.sleep(500);
  }
}

/** The shared schedule, and the notice container's view of it: its asks, and when it took a slot anyway. */
function watched(now: () => number) {
  const shared = new LocalSendSchedule(29, now);
  let asks = 0;
  const forcedAt: number[] = [];
  const noticeSchedule = {
    reserve: () => {
      forcedAt.push(now());
      return shared.reserve();
    },
    reserveIfRoom: () => {
      asks += 1;
      return shared.reserveIfRoom();
    },
  };
  return { shared, noticeSchedule, forcedAt, asks: () => asks };
}
