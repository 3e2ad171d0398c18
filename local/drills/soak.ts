// The soak drill: normal load (the simulator as it runs, 32 traders unless changed, 100 followers of them, 20 AUTO, the
// switch LIVE) for `minutes` (default 30), sampling the resident memory (RSS, /proc) of each stack
// process every 30 s: the `npm start` node process (handlers, stand-ins, simulator), DynamoDB
// Local's JVM and anvil, whose pids the control endpoint gives. It reports memory at start, end and
// peak per process and, from the ledger, that nothing was lost or duplicated over the whole run.
// Memory growth is reported, not judged: a short soak cannot tell a leak from a warming cache.
import type { LocalStackInfo, StackProcesses } from '../stack.js';
import {
  idRange,
  SETTLE_MS,
  ledgerResult,
  rssKiB,
  simulatorTraders,
  sleep,
  stackProcesses,
  whileLive,
} from './harness.js';
import { roundRobin, seedFollowers, unseedFollowers, userIds } from '../seed-followers.js';
import { settledLedger } from './ledger.js';
import type { DrillResult } from './result.js';

export interface SoakOptions {
  readonly minutes?: number;
  readonly followers?: number;
  readonly auto?: number;
  readonly sampleSeconds?: number;
  readonly settleMs?: number;
  readonly log: (line: string) => void;
}

type Memory = Record<string, { pid: number; startKiB?: number; endKiB?: number; peakKiB?: number }>;

async function sample(procs: StackProcesses, memory: Memory, at: 'start' | 'end' | 'peak'): Promise<void> {
  for (const [name, pid] of Object.entries(procs) as [string, number | undefined][]) {
    if (pid === undefined) continue;
    const kib = await rssKiB(pid);
    const m = (memory[name] ??= { pid });
    if (kib === undefined) continue;
    if (at === 'start') m.startKiB = kib;
    if (at === 'end') m.endKiB = kib;
    m.peakKiB = Math.max(m.peakKiB ?? 0, kib);
  }
}

export async function runSoak(info: LocalStackInfo, opts: SoakOptions): Promise<DrillResult> {
  const startedAt = new Date();
  const minutes = opts.minutes ?? 30;
  const traders = await simulatorTraders(info);
  const seeded = await seedFollowers(info, {
    follows: roundRobin(traders, opts.followers ?? 100),
    auto: opts.auto ?? 20,
    log: opts.log,
  });
  const users = userIds(seeded);
  return whileLive(info, async () => {
    const memory: Memory = {};
    const first = await stackProcesses(info);
    await sample(first, memory, 'start');
    const since = new Date();
    const end = Date.now() + minutes * 60_000;
    while (Date.now() < end) {
      await sleep(Math.min((opts.sampleSeconds ?? 30) * 1000, Math.max(0, end - Date.now())));
      await sample(await stackProcesses(info), memory, 'peak');
    }
    const until = new Date();
    const last = await stackProcesses(info);
    await sample(last, memory, 'end');
    const failures: string[] = [];
    const lastPids = new Map<string, number>(Object.entries(last));
    for (const [name, pid] of Object.entries(first) as [string, number][]) {
      const now = lastPids.get(name);
      if (now !== pid) failures.push(`${name} changed pid during the soak (${pid} → ${now ?? 'gone'})`);
      if (memory[name]?.endKiB === undefined) failures.push(`${name} (pid ${pid}) is gone`);
    }
    opts.log(
      `soak: ${Object.entries(memory)
        .map(([n, m]) => `${n} ${m.startKiB ?? '?'} → ${m.endKiB ?? '?'} KiB (peak ${m.peakKiB ?? '?'})`)
        .join(', ')}`,
    );
    const ledger = await settledLedger(
      info,
      { since, until, users, traders: new Set(traders) },
      opts.settleMs ?? SETTLE_MS,
    );
    // The simulator's traders go on trading: the soak's followers must not load the next drill.
    await unseedFollowers(info, seeded);
    return ledgerResult('soak', startedAt, ledger, ledger.lost === 0 && failures.length === 0, failures, {
      minutes,
      followers: users.size,
      followerIds: idRange(users),
      memoryKiB: memory,
      window: { since: since.toISOString(), until: until.toISOString() },
    });
  });
}
