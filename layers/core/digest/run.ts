// The daily run: each active user who has not turned it off gets their digest (once per day, even
// if the schedule fires twice), then every admin gets the operator report. Telegram's limits are
// the messenger's job; a user who blocked the bot is skipped, a 429 waits and retries once.
import type { Fill } from '../domain/fills.js';
import { executionOf } from '../domain/fills.js';
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
  /** True the first time for a key: the digest of a user and day is sent once. */
  readonly firstTime: (key: string) => Promise<boolean>;
  readonly send: (chatId: string, html: string) => Promise<'SENT' | 'BLOCKED'>;
  readonly log: (message: string, attributes: Record<string, unknown>) => void;
}

export interface DigestSummary {
  readonly day: string;
  readonly users: number;
  readonly sent: number;
  readonly skipped: Readonly<Record<string, number>>;
  readonly reports: number;
}

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
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  let users = 0;
  let active = 0;
  let sent = 0;
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
    const text = renderUserDigest({
      firstName: user.firstName,
      day,
      traders,
      copies: copies.filter((c) => c.userId === user.userId),
    });
    if (!text) {
      skip('NOTHING_TO_TELL');
      continue;
    }
    if (!(await deps.firstTime(`digest#${label}#${user.userId}`))) {
      skip('ALREADY_SENT');
      continue;
    }
    if ((await deps.send(user.chatId, text)) === 'BLOCKED') {
      skip('BLOCKED');
      continue;
    }
    sent += 1;
  }
  // Every trader anyone copied or follows is in `days`; the copied ones too.
  for (const c of copies) await dayOf(c.trader);
  const report = renderOperatorReport({
    day,
    stage: deps.stage,
    users: { total: users, active, digestsSent: sent },
    copies,
    traders: [...days.values()],
    errors,
    incidents,
  });
  let reports = 0;
  for (const admin of deps.admins) {
    if (!(await deps.firstTime(`report#${label}#${admin}`))) continue;
    if ((await deps.send(admin, report)) === 'SENT') reports += 1;
  }
  const summary = { day: label, users, sent, skipped, reports };
  deps.log('digest run', { reason: 'DIGEST_DONE', ...summary });
  return summary;
}
