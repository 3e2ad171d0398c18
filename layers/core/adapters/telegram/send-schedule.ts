// The bot-wide pace of sends (about thirty a second for one bot, Telegram's limit), as a schedule
// of send times every sender reserves from: one slot every 1000/perSecond ms, handed out in order,
// and the first slot after an idle spell is "now". Each of the alerter's containers used to keep
// a fixed 1/29 share of the rate, so a batch of ten chats in one container took ten seconds while
// the other 28 shares went unused; a shared schedule lets any container use the whole rate.
// Times are kept in integer microseconds so that 1000/29 ms does not drift.
//
// Trade alerts come first: a copy's outcome notice, a skip notice or a digest (lane `notice`)
// takes a slot only while the schedule is at most NOTICE_LEAD_MS ahead of now, that is while the
// alerts have no backlog; under a burst the alerts' reservations keep it seconds ahead. With 1,000
// AUTO followers each alert is followed by a notice, and sharing the rate in turn had doubled the
// alerts' time (p95 67 s against 33 s alerts-only). A first version also held notices back for a
// second after any alert slot: under a steady trickle of alerts that starved them (a 10-minute
// soak raised notices-behind) while the rate was mostly unused.

/** Notices never fill the schedule further ahead than this, so an alert waits at most as long. */
export const NOTICE_LEAD_MS = 1_000;

export interface SendSchedule {
  /** The unix time (ms) at which this send may go; every caller gets a slot of its own. */
  reserve(): Promise<number>;
  /** A notice's slot while the alerts leave room (the schedule within NOTICE_LEAD_MS), else undefined. */
  reserveIfRoom(): Promise<number | undefined>;
}

/** Microseconds between two sends at `perSecond`, rounded up so the rate is never exceeded. */
export const slotMicros = (perSecond: number): number => Math.ceil(1_000_000 / perSecond);

/** The schedule of one process (tests, one container, the paid-broadcast share). */
export class LocalSendSchedule implements SendSchedule {
  private nextAt = Number.NEGATIVE_INFINITY;
  private readonly gap: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.gap = slotMicros(perSecond);
  }

  async reserve(): Promise<number> {
    const at = Math.max(Math.round(this.now() * 1000), this.nextAt);
    this.nextAt = at + this.gap;
    return at / 1000;
  }

  async reserveIfRoom(): Promise<number | undefined> {
    if (this.nextAt > Math.round(this.now() * 1000) + NOTICE_LEAD_MS * 1000) return undefined;
    return this.reserve();
  }
}
