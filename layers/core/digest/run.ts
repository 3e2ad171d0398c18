// The daily run: each active user who has not turned it off gets their digest, then every admin
// gets the operator report, all queued on alerts.fifo as alert jobs. Sending is the alerter's: it
// is the one sender pacing the bot's Telegram rate (two pacers at 08:00 would exceed it), and it
// already handles a 429 (put back), a 403 (user marked inactive), a 5xx (retried) and per-chat order.
// "Once a day even if the schedule fires twice" rests on the job ids, which name the day and the
// user: SQS FIFO drops a repeat within 5 minutes, the alerter's idempotency per id within a day.
import type { Fill } from '../domain/fills.js';
import { executionOf } from '../domain/fills.js';
import type { AlertJob, AlertQueue } from '../ports/copy.js';
import {
  dayLabel,
  renderOperatorReport,
  renderUserDigest,
  yesterdayUtc,
  type CopyRecord,
  type DayWindow,
  type TraderDay,
} from './report.js';

export interface DigestUser {
  readonly userId: string;
  readonly chatId: string;
  readonly firstName: string;
  readonly active: boolean;
  /** False when the user sent /digest off. */
  readonly digest: boolean;
}

export interface DigestDeps {
  readonly stage: string;
  readonly enabled: boolean;
  readonly admins: ReadonlySet<string>;
  readonly now: () => Date;
  readonly users: () => AsyncIterable<DigestUser>;
  readonly tradersFollowedBy: (userId: string) => Promise<readonly string[]>;
  /** The trader's fills, newest first (enough to cover a day). */
  readonly fillsOf: (trader: string) => Promise<readonly Fill[]>;
  readonly copies: (day: DayWindow) => Promise<readonly CopyRecord[]>;
  readonly errors: (day: DayWindow) => Promise<readonly { at: string; reason: string; source?: string }[]>;
  readonly incidents: (day: DayWindow) => Promise<readonly string[]>;
  /** alerts.fifo; a publish that fails throws, and the run with it. */
  readonly queue: AlertQueue;
  readonly log: (message: string, attributes: Record<string, unknown>) => void;
}

export interface DigestSummary {
  readonly day: string;
  readonly users: number;
  /** Digests queued for the alerter (sending and its outcome are the alerter's). */
  readonly queued: number;
  readonly skipped: Readonly<Record<string, number>>;
  /** Operator reports queued, one per admin. */
  readonly reports: number;
}

/** Jobs published at a time: 100,000 users are never held in memory, and what is queued stays queued. */
export const QUEUE_CHUNK = 100;

/**
 * The alert ids: `digest:<day>:<userId>`, `report:<day>:<userId>`. The user id is the last
 * `:`-separated part, and the day makes a second run of the same day a repeat of the same ids.
 */
export const digestJobId = (day: string, userId: string): string => `digest:${day}:${userId}`;
export const reportJobId = (day: string, userId: string): string => `report:${day}:${userId}`;

/** A trader's opens, closes and realized PnL within the day, from their fills. */
export function traderDay(trader: string, fills: readonly Fill[], day: DayWindow): TraderDay {
  const from = day.from.getTime() / 1000;
  const to = day.to.getTime() / 1000;
  let opens = 0;
  let closes = 0;
  let pnl = 0n;
  for (const f of fills) {
    if (f.timestamp < from || f.timestamp >= to) continue;
    const x = executionOf(f.event);
    if (x.action === 'OPEN') opens += 1;
    else if (x.action === 'CLOSE') {
      closes += 1;
      pnl += x.usdcSentToTrader - x.closed;
    }
  }
  return { trader, opens, closes, realizedPnlUsdc: pnl };
}

export async function runDigest(deps: DigestDeps): Promise<DigestSummary> {
  const day = yesterdayUtc(deps.now());
  const label = dayLabel(day);
  const [copies, errors, incidents] = await Promise.all([
    deps.copies(day),
    deps.errors(day),
    deps.incidents(day),
  ]);
  const days = new Map<string, TraderDay>();
  const dayOf = async (trader: string) => {
    let d = days.get(trader);
    if (!d) {
      d = traderDay(trader, await deps.fillsOf(trader), day);
      days.set(trader, d);
    }
    return d;
  };
  // Published as the users are scanned. A failure throws: the scheduled invocation is retried by
  // Lambda (asynchronous invocation) and the rerun queues every job again under the same ids,
  // which SQS FIFO deduplication (5 minutes) and the alerter's idempotency per id (one day) make
  // harmless: no user gets a digest twice, and none already queued is lost.
  const pending: AlertJob[] = [];
  const flush = async () => {
    if (pending.length > 0) await deps.queue.publish(pending.splice(0));
  };
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  let users = 0;
  let active = 0;
  let queued = 0;
  for await (const user of deps.users()) {
    users += 1;
    if (!user.active) {
      skip('INACTIVE');
      continue;
    }
    active += 1;
    if (!deps.enabled) {
      skip('DIGEST_DISABLED');
      continue;
    }
    if (!user.digest) {
      skip('DIGEST_OFF');
      continue;
    }
    const traders = await Promise.all((await deps.tradersFollowedBy(user.userId)).map(dayOf));
    const html = renderUserDigest({
      firstName: user.firstName,
      day,
      traders,
      copies: copies.filter((c) => c.userId === user.userId),
    });
    if (!html) {
      skip('NOTHING_TO_TELL');
      continue;
    }
    pending.push({
      id: digestJobId(label, user.userId),
      userId: user.userId,
      chatId: user.chatId,
      html,
      lane: 'notice',
    });
    queued += 1;
    if (pending.length >= QUEUE_CHUNK) await flush();
  }
  // Every digest is queued before the reports, so an admin's own digest comes before the report.
  await flush();
  // Every trader anyone copied or follows is in `days`; the copied ones too.
  for (const c of copies) await dayOf(c.trader);
  const report = renderOperatorReport({
    day,
    stage: deps.stage,
    users: { total: users, active, digestsQueued: queued },
    copies,
    traders: [...days.values()],
    errors,
    incidents,
  });
  // An admin's private chat id is their user id.
  for (const admin of deps.admins)
    pending.push({ id: reportJobId(label, admin), userId: admin, chatId: admin, html: report });
  const reports = pending.length;
  await flush();
  const summary = { day: label, users, queued, skipped, reports };
  deps.log('digest run', { reason: 'DIGEST_DONE', ...summary });
  return summary;
}
