// The telegram drill: the Bot API turns hostile for the drill's own chats (faults on the Bot API
// stand-in, `POST {callsUrl minus /calls}/faults`, scoped by chat_id so other traffic on the stack
// is untouched) while local traders keep trading and their ALERTS followers are alerted:
//   1. a 429 storm with a long retry_after on every drill chat,
//   2. 403 (bot blocked) for some users: each must be marked inactive, and get nothing more,
//   3. 5xx for the rest,
// then the faults clear and one more signal per trader must reach every still-active follower.
// Every alert is delivered once (or its user marked inactive), none lost, none duplicated (the
// shared ledger). ALERTS followers need no wallet and nothing is signed, so this runs on a DRY
// stack as well as a LIVE one.
import { z } from 'zod';
import type { LocalStackInfo } from '../stack.js';
import { ledgerClients, settledLedger, type Ledger, type LedgerWindow } from './ledger.js';
import { checkAlarms } from './harness.js';
import type { DrillResult } from './result.js';
import { burst, seedTraffic, type Traffic, drillResult } from './traffic.js';
import { batchGetAll } from '#core/adapters/dynamo/batch.js';

export interface TelegramOptions {
  readonly minutes?: number;
  readonly log: (line: string) => void;
  /** Signals per phase (default 10). */
  readonly signals?: number;
  readonly traders?: number;
  readonly followersPerTrader?: number;
  /** retry_after of the 429 storm, seconds (default 30). */
  readonly retryAfterSeconds?: number;
  /** 429s each chat gets in the storm (default 3). */
  readonly storm?: number;
  /** Skip the 5xx phase (a failed send waits out the alerts queue's visibility timeout). */
  readonly skip5xx?: boolean;
  readonly baseId?: number;
}

async function fault(info: LocalStackInfo, spec: Record<string, unknown>): Promise<void> {
  const url = info.telegram.callsUrl.replace(/\/calls$/, '/faults');
  const res = await fetch(url, {
    method: spec.clear ? 'DELETE' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(spec.clear ? {} : { body: JSON.stringify(spec) }),
  });
  if (!res.ok) throw new Error(`the Bot API stand-in refused the fault (${res.status}): ${await res.text()}`);
}

const Active = z.object({ userId: z.string(), active: z.boolean().optional() });

async function inactiveUsers(info: LocalStackInfo, ids: readonly string[]): Promise<Set<string>> {
  const { doc, destroy } = ledgerClients(info);
  try {
    const items = await batchGetAll(
      doc,
      info.tables.users,
      ids.map((userId) => ({ userId })),
    );
    return new Set(
      items.flatMap((i) => {
        const u = Active.safeParse(i);
        return u.success && u.data.active !== true ? [u.data.userId] : [];
      }),
    );
  } finally {
    destroy();
  }
}

export async function runTelegram(info: LocalStackInfo, opts: TelegramOptions): Promise<DrillResult> {
  const startedAt = new Date();
  const log = opts.log;
  const perPhase = opts.signals ?? 10;
  const settleMs = (opts.minutes ?? 8) * 60_000;
  const failures: string[] = [];
  const details: Record<string, unknown> = {};
  let traffic: Traffic | undefined;
  let ledger: Ledger | undefined;
  let recovered = false;
  try {
    traffic = await seedTraffic(info, {
      traders: opts.traders ?? 2,
      followersPerTrader: opts.followersPerTrader ?? 4,
      baseId: opts.baseId ?? 600_000_000 + (Date.now() % 100_000_000),
      mode: 'ALERTS',
    });
    const users = [...traffic.users];
    const traders = new Set(traffic.traders.map((t) => t.address));
    const since = new Date();
    const window: LedgerWindow = { since, users: traffic.users, traders, expectSignals: 3 * perPhase };

    // 1. The storm: every drill chat answered 429 with a long retry_after a few times over.
    const retryAfter = opts.retryAfterSeconds ?? 30;
    for (const chatId of users)
      await fault(info, { method: 'sendMessage', chatId, status: 429, retryAfter, times: opts.storm ?? 3 });
    const opens = await burst(traffic, perPhase);
    log(`telegram: 429 storm armed (retry_after ${retryAfter} s), ${perPhase} signals`);

    // 2. Blocked: one follower of each trader blocks the bot (403 on their next send).
    const blocked = traffic.followers
      .filter((_, i) => i % (opts.followersPerTrader ?? 4) === 0)
      .map((f) => f.userId);
    for (const chatId of blocked) await fault(info, { method: 'sendMessage', chatId, status: 403, times: 1 });
    opens.push(...(await burst(traffic, perPhase, { offset: perPhase })));

    // 3. 5xx for the others.
    if (!opts.skip5xx)
      for (const chatId of users.filter((u) => !blocked.includes(u)))
        await fault(info, { method: 'sendMessage', chatId, status: 500, times: 1 });
    opens.push(...(await burst(traffic, perPhase, { offset: 2 * perPhase })));
    const failed = opens.filter((o) => !o.ok);
    if (failed.length) failures.push(`${failed.length} trader opens failed: ${failed[0]?.error}`);

    const faulted = await settledLedger(info, window, settleMs);
    const inactive = await inactiveUsers(info, users);
    details.blocked = blocked.length;
    details.markedInactive = [...inactive].filter((u) => blocked.includes(u)).length;
    details.wronglyInactive = [...inactive].filter((u) => !blocked.includes(u)).length;
    if (blocked.some((u) => !inactive.has(u)))
      failures.push('a user who blocked the bot was not marked inactive');
    if ((details.wronglyInactive as number) > 0)
      failures.push('a user who did not block the bot was marked inactive');
    details.faultPhase = {
      lost: faulted.lost,
      duplicated: faulted.duplicated,
      alertsSent: faulted.alertsSent,
    };
    log(`telegram: faults over; ${faulted.alertsSent} alerts delivered, ${faulted.lost} lost`);

    // Recovery: faults gone, one more signal per trader reaches every active follower.
    await fault(info, { clear: true });
    const recoverySince = new Date();
    await burst(traffic, traffic.traders.length, { offset: 3 * perPhase, perTrader: 1 });
    const rec = await settledLedger(
      info,
      { since: recoverySince, users: traffic.users, traders, expectSignals: traffic.traders.length },
      settleMs,
    );
    const activeFollowers = users.filter((u) => !inactive.has(u)).length;
    details.recovery = { concerned: rec.concerned, alertsSent: rec.alertsSent, activeFollowers };
    recovered =
      rec.lost === 0 && rec.signalsIn >= traffic.traders.length && rec.alertsSent >= activeFollowers;
    if (!recovered)
      failures.push(`after the faults cleared ${rec.alertsSent}/${activeFollowers} alerts arrived`);
    ledger = await settledLedger(
      info,
      { ...window, expectSignals: 3 * perPhase + traffic.traders.length },
      settleMs,
    );
    details.alertsByUser = ledger.alertsByUser;
    details.queues = ledger.queues;
  } catch (err) {
    failures.push(`drill aborted: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await fault(info, { clear: true }).catch(() => undefined);
    traffic?.close();
  }
  return checkAlarms(info, drillResult('telegram', startedAt, ledger, recovered, failures, details));
}
