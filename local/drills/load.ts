// The load drill: the simulator at ten times its normal trade rate (the stack's simulator restarted
// with 10 x 32 fresh traders through the control endpoint: each trader makes at most one
// transaction per tick, so the rate scales with their number; it goes back to 32 fresh ones after) and 1,000 followers, 200 of them AUTO, for `minutes`,
// with the switch LIVE. Then the simulator goes back to its normal size and the ledger waits until
// every (signal, follower) pair is accounted for: signals, alerts, copies, lost, duplicated and the
// worst latency, which under this load is mostly the alerter's pacing to Telegram's limits.
import type { LocalStackInfo } from '../stack.js';
import { NORMAL_TRADERS, idRange, ledgerResult, setSimulatorTraders, sleep, whileLive } from './harness.js';
import { roundRobin, seedFollowers, userIds } from '../seed-followers.js';
import { settledLedger } from './ledger.js';
import type { DrillResult } from './result.js';

export interface LoadOptions {
  readonly minutes?: number;
  /** Times the normal trade rate (default 10). */
  readonly factor?: number;
  readonly followers?: number;
  readonly auto?: number;
  /** How long the stack may take to work off the backlog after the traffic (default 15 min). */
  readonly settleMs?: number;
  readonly log: (line: string) => void;
}

export async function runLoad(info: LocalStackInfo, opts: LoadOptions): Promise<DrillResult> {
  const startedAt = new Date();
  const minutes = opts.minutes ?? 1;
  const traderCount = NORMAL_TRADERS * (opts.factor ?? 10);
  const followers = opts.followers ?? 1_000;
  const auto = opts.auto ?? 200;
  return whileLive(info, async () => {
    const t0 = performance.now();
    // The followers follow the new traders, so the simulator goes first (they trade meanwhile).
    const traders = await setSimulatorTraders(info, traderCount);
    const setupMs = Math.round(performance.now() - t0);
    opts.log(`load: simulator runs ${traderCount} traders (set up in ${setupMs} ms)`);
    let users: Set<string>;
    try {
      users = userIds(
        await seedFollowers(info, { follows: roundRobin(traders, followers), auto, log: opts.log }),
      );
    } catch (err) {
      await setSimulatorTraders(info, NORMAL_TRADERS);
      throw err;
    }
    opts.log(`load: ${followers} followers seeded; measuring for ${minutes} min`);
    const since = new Date();
    try {
      await sleep(minutes * 60_000);
    } finally {
      await setSimulatorTraders(info, NORMAL_TRADERS);
    }
    const until = new Date();
    opts.log('load: simulator back to normal; waiting for the stack to account for every signal');
    const s0 = performance.now();
    const ledger = await settledLedger(
      info,
      { since, until, users, traders: new Set(traders) },
      opts.settleMs ?? 15 * 60_000,
    );
    const settleMs = Math.round(performance.now() - s0);
    return ledgerResult('load', startedAt, ledger, ledger.lost === 0, [], {
      minutes,
      traders: traderCount,
      followers: users.size,
      followerIds: idRange(users),
      auto,
      simulatorSetupMs: setupMs,
      settleMs,
      signalsPerMinute: Math.round(ledger.signalsIn / minutes),
      alertsPerMinute: Math.round(
        ledger.alertsSent / ((until.getTime() - since.getTime() + settleMs) / 60_000),
      ),
      window: { since: since.toISOString(), until: until.toISOString() },
    });
  });
}
