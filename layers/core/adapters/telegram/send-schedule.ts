// The bot-wide pace of sends (about thirty a second for one bot, Telegram's limit), as a schedule
// of send times every sender reserves from: one slot every 1000/perSecond ms, handed out in order,
// and the first slot after an idle spell is "now". Each of the alerter's containers used to keep
// a fixed 1/29 share of the rate, so a batch of ten chats in one container took ten seconds while
// the other 28 shares went unused; a shared schedule lets any container use the whole rate.
// Times are kept in integer microseconds so that 1000/29 ms does not drift.
//
// Trade alerts come first: a copy's outcome notice, a skip notice or a digest (lane `notice`)
// takes a slot only while no alert has taken one for NOTICE_QUIET_MS and the schedule is at most
// NOTICE_LEAD_MS ahead of now. With 1,000 AUTO followers each alert is followed by a notice, and
// sharing the rate in turn had doubled the alerts' time (p95 67 s against 33 s alerts-only).

import type { SendLane } from '../../ports/messenger.js';

/** Notices wait while an alert took a slot this recently (alerts are flowing). */
export const NOTICE_QUIET_MS = 1_000;
/** Notices never fill the schedule further ahead than this, so an alert waits at most as long. */
export const NOTICE_LEAD_MS = 1_000;

export interface SendSchedule {
  /**
   * The unix time (ms) at which this send may go; every caller gets a slot of its own. An alert's
   * slot holds the notices back for NOTICE_QUIET_MS; a notice's (one that waited long enough) not.
   */
  reserve(lane: SendLane): Promise<number>;
  /** A notice's slot if alerts leave room now (see NOTICE_QUIET_MS, NOTICE_LEAD_MS), else undefined. */
  reserveIfQuiet(): Promise<number | undefined>;
}

/** Microseconds between two sends at `perSecond`, rounded up so the rate is never exceeded. */
export const slotMicros = (perSecond: number): number => Math.ceil(1_000_000 / perSecond);

/** The schedule of one process (tests, one container, the paid-broadcast share). */
export class LocalSendSchedule implements SendSchedule {
  private nextAt = Number.NEGATIVE_INFINITY;
  private alertAt = Number.NEGATIVE_INFINITY;
  private readonly gap: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.gap = slotMicros(perSecond);
  }

  async reserve(lane: SendLane): Promise<number> {
    const now = Math.round(this.now() * 1000);
    if (lane === 'alert') this.alertAt = now;
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.gap;
    return at / 1000;
  }

  async reserveIfQuiet(): Promise<number | undefined> {
    const now = Math.round(this.now() * 1000);
    if (this.alertAt >= now - NOTICE_QUIET_MS * 1000 || this.nextAt > now + NOTICE_LEAD_MS * 1000)
      return undefined;
    return this.reserve('notice');
  }
}
