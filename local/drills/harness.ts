// What the process-level drills (dynamodb, sqs, load, soak) share: the client of the stack's control
// endpoint (.local/stack.json → control.url: restarts, pids, the simulator's size), the DRY/LIVE switch
// held LIVE for a drill, a process's resident memory, the DrillResult built from a ledger, and the
// alarms the drill raised (the local CloudWatch's history, GET /_alfa/alarms, judged per drill).
import { readFile } from 'node:fs/promises';
import { SsmExecutionSwitch } from '#core/adapters/ssm/execution-switch.js';
import { QUEUES } from '#core/resources.js';
import { devWallet } from '../chain/deploy.js';
import { roundRobin, seedFollowers, unseedFollowers, userIds } from '../seed-followers.js';
import {
  AlarmsReportSchema,
  RestartReportSchema,
  SimulatorAccountsSchema,
  StackProcessesSchema,
  type LocalStackInfo,
  type RestartReport,
  type RestartableService,
  type StackProcesses,
} from '../stack.js';
import {
  ledgerClients,
  queueDepths,
  readLedger,
  settledLedger,
  type Ledger,
  type SettledLedger,
} from './ledger.js';
import type { DrillResult } from './result.js';
import {
  DRILL_ALARMS,
  judgeAlarms,
  type AlarmExpectation,
  type DrillWithAlarms,
} from './alarm-expectations.js';

/**
 * How long a drill waits for the stack to account for its window by default: a message whose
 * handler failed during a fault comes back only after its queue's visibility timeout (up to 9 min),
 * as in AWS, so recovery cannot be judged sooner than the longest one, plus two minutes of work.
 */
export const SETTLE_MS =
  Math.max(...Object.values(QUEUES).map((q) => q.visibilityTimeoutSeconds)) * 1000 + 120_000;

/** What `npm start` runs: the simulator's default number of traders. */
export const NORMAL_TRADERS = 32;

function controlUrl(info: LocalStackInfo): string {
  if (!info.control) throw new Error('the stack has no control endpoint (.local/stack.json → control.url)');
  return info.control.url;
}

async function post(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer: unknown = await res.json();
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Takes a stand-in down for `downSeconds`; resolves once it serves again. */
export async function restartService(
  info: LocalStackInfo,
  service: RestartableService,
  downSeconds: number,
): Promise<RestartReport> {
  return RestartReportSchema.parse(await post(`${controlUrl(info)}/_alfa/restart`, { service, downSeconds }));
}

export async function stackProcesses(info: LocalStackInfo): Promise<StackProcesses> {
  const res = await fetch(`${controlUrl(info)}/_alfa/processes`);
  if (!res.ok) throw new Error(`the control endpoint answered ${res.status} for the processes`);
  return StackProcessesSchema.parse(await res.json());
}

const addresses = (a: { traders: number; firstTraderAccount: number }): string[] =>
  // Lower case, as the indexer stores traders.
  Array.from({ length: a.traders }, (_, i) => devWallet(a.firstTraderAccount + i).address.toLowerCase());

/**
 * Restarts the stack's simulator with `traders` traders on fresh accounts (the trade rate scales
 * with their number) and returns their addresses.
 */
export async function setSimulatorTraders(info: LocalStackInfo, traders: number): Promise<string[]> {
  return addresses(
    SimulatorAccountsSchema.parse(await post(`${controlUrl(info)}/_alfa/simulator`, { traders })),
  );
}

/** The addresses the stack's simulator trades from now. */
export async function simulatorTraders(info: LocalStackInfo): Promise<string[]> {
  const res = await fetch(`${controlUrl(info)}/_alfa/simulator`);
  if (!res.ok) throw new Error(`the control endpoint answered ${res.status} for the simulator`);
  return addresses(SimulatorAccountsSchema.parse(await res.json()));
}

/** Resident memory of a process in KiB (Linux /proc), undefined when it is gone. */
export async function rssKiB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = status ? /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] : undefined;
  return kb === undefined ? undefined : Number(kb);
}

/** Runs `work` with the switch LIVE (copies really sign when the stack's ceiling allows), then restores it. */
export async function whileLive<T>(info: LocalStackInfo, work: () => Promise<T>): Promise<T> {
  Object.assign(process.env, info.env);
  const sw = new SsmExecutionSwitch(info.executionModeParameter);
  const before = await sw.read().catch(() => undefined);
  await sw.write('LIVE');
  try {
    return await work();
  } finally {
    // A stack that died in the drill cannot be written to; the drill's own error says why.
    await sw.write(before === 'LIVE' ? 'LIVE' : 'DRY').catch(() => undefined);
  }
}

/** The seeded followers' ids as `first..last` (consecutive), to read their ledger again later. */
export function idRange(users: ReadonlySet<string>): string {
  const ids = [...users].map(Number).sort((a, b) => a - b);
  return `${ids[0] ?? ''}..${ids.at(-1) ?? ''}`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The local CloudWatch evaluates each minute: how long a drill waits for one after its window. */
const ALARM_EVALUATION_WAIT_MS = 75_000;

/**
 * The result with `details.alarms`: which alarms the drill raised in its window (startedAt to now,
 * once the local CloudWatch has evaluated after it), judged against DRILL_ALARMS; a missing
 * expected alarm or an unexpected one is a failure. A stack without the local CloudWatch (no
 * control.alarmsUrl) is said so in the details, and fails nothing.
 */
export async function checkAlarms(
  info: LocalStackInfo,
  result: DrillResult,
  expectation: AlarmExpectation | undefined = DRILL_ALARMS[result.drill as DrillWithAlarms],
): Promise<DrillResult> {
  const url = info.control?.alarmsUrl;
  if (!url || !expectation)
    return {
      ...result,
      details: {
        ...result.details,
        alarms: {
          checked: false,
          why: url
            ? 'no expectation for this drill'
            : 'the stack runs no local CloudWatch (control.alarmsUrl)',
        },
      },
    };
  const to = new Date();
  const failures = [...result.failures];
  let alarms: Record<string, unknown>;
  try {
    const deadline = Date.now() + ALARM_EVALUATION_WAIT_MS;
    let report = AlarmsReportSchema.parse(await (await fetch(url)).json());
    while (
      (report.evaluatedAt === null || Date.parse(report.evaluatedAt) < to.getTime()) &&
      Date.now() < deadline
    ) {
      await sleep(1_000);
      report = AlarmsReportSchema.parse(await (await fetch(url)).json());
    }
    if (report.error) throw new Error(report.error);
    if (report.evaluatedAt === null || Date.parse(report.evaluatedAt) < to.getTime())
      throw new Error(`no alarm evaluation within ${ALARM_EVALUATION_WAIT_MS / 1000} s after the drill`);
    const verdict = judgeAlarms(
      report,
      expectation,
      { from: new Date(result.startedAt), to: new Date(report.evaluatedAt) },
      info.stage,
    );
    if (verdict.missing.length > 0)
      failures.push(`expected alarm(s) did not fire: ${verdict.missing.join(', ')}`);
    if (verdict.unexpected.length > 0)
      failures.push(`unexpected alarm(s) fired: ${verdict.unexpected.join(', ')}`);
    alarms = { ...verdict };
  } catch (err) {
    failures.push(`alarms not checked: ${err instanceof Error ? err.message : String(err)}`);
    alarms = { checked: false, why: String(err) };
  }
  return {
    ...result,
    passed: result.passed && failures.length === result.failures.length,
    failures,
    details: { ...result.details, alarms },
  };
}

const isSettled = (l: Ledger): l is SettledLedger => 'settled' in l && 'settleMs' in l;

/** The DrillResult of a drill whose counts come from the ledger; lost/duplicated/no recovery fail it. */
export function ledgerResult(
  drill: string,
  startedAt: Date,
  ledger: Ledger,
  recovered: boolean,
  failures: readonly string[],
  details: Record<string, unknown>,
): DrillResult {
  const all = [...failures];
  if (ledger.lost > 0) all.push(`${ledger.lost} lost: ${ledger.lostSamples.join('; ')}`);
  if (ledger.duplicated > 0)
    all.push(`${ledger.duplicated} duplicated: ${ledger.duplicatedSamples.join('; ')}`);
  if (!recovered) all.push('the stack did not recover by itself');
  const finishedAt = new Date();
  return {
    drill,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    passed: all.length === 0,
    signalsIn: ledger.signalsIn,
    alertsSent: ledger.alertsSent,
    copiesSubmitted: ledger.copiesSubmitted,
    copiesTerminal: ledger.copiesTerminal,
    lost: ledger.lost,
    duplicated: ledger.duplicated,
    worstLatencyMs: ledger.worstLatencyMs,
    recovered,
    failures: all,
    details: {
      ...(isSettled(ledger) ? { settled: ledger.settled, settleMs: ledger.settleMs } : {}),
      concerned: ledger.concerned,
      intentsByState: ledger.intentsByState,
      unfilledReasons: ledger.unfilledReasons,
      queues: ledger.queues,
      ...details,
    },
  };
}

export interface RestartDrillOptions {
  /** Traffic before the fault and after the service is back, each (default 20 s and 30 s). */
  readonly leadSeconds?: number;
  readonly tailSeconds?: number;
  /** How long the service stays down (default 20 s). */
  readonly downSeconds?: number;
  readonly followers?: number;
  readonly auto?: number;
  /** How long the stack may take to account for every signal after the traffic (default SETTLE_MS). */
  readonly settleMs?: number;
  /**
   * After the lead, wait (up to 90 s) until some queue holds messages before taking the service
   * down: the indexer publishes in bursts, and a restart between them would prove nothing kept.
   */
  readonly whileQueued?: boolean;
  readonly log: (line: string) => void;
}

/**
 * A service restarted mid-stream: followers of the simulator's traders are seeded, the switch held
 * LIVE, and while the simulator trades the service goes down and comes back through the control
 * endpoint. Recovered means: the service came back with its tables/queues, signals were indexed and
 * accounted for after it and no message reached a DLQ, all without any other restart. The ledger then counts every (signal, follower) pair of the window.
 */
export async function runRestartDrill(
  drill: string,
  service: RestartableService,
  info: LocalStackInfo,
  opts: RestartDrillOptions,
): Promise<DrillResult> {
  const startedAt = new Date();
  const traders = await simulatorTraders(info);
  const seeded = await seedFollowers(info, {
    follows: roundRobin(traders, opts.followers ?? 64),
    auto: opts.auto ?? 16,
    log: opts.log,
  });
  const users = userIds(seeded);
  const clients = ledgerClients(info);
  const deadBefore = await queueDepths(info, clients.sqs);
  const failures: string[] = [];
  const downSeconds = opts.downSeconds ?? 20;
  const result = await whileLive(info, async () => {
    const since = new Date();
    await sleep((opts.leadSeconds ?? 20) * 1000);
    if (opts.whileQueued) {
      const until = Date.now() + 90_000;
      let queued = 0;
      while (Date.now() < until) {
        const depths = await queueDepths(info, clients.sqs);
        queued = Object.values(depths).reduce((n, q) => n + q.depth, 0);
        if (queued > 0) break;
        await sleep(100);
      }
      opts.log(`${drill}: ${queued} message(s) queued`);
    }
    opts.log(`${drill}: restarting ${service} (down ${downSeconds} s) while the simulator trades`);
    const report = await restartService(info, service, downSeconds).catch((err: unknown) => {
      failures.push(`restart failed: ${String(err)}`);
      return undefined;
    });
    const back = new Date();
    opts.log(`${drill}: ${service} back after ${report?.downMs ?? '?'} ms; traffic goes on`);
    await sleep((opts.tailSeconds ?? 30) * 1000);
    const until = new Date();
    const window = { since, until, users, traders: new Set(traders) };
    const ledger = await settledLedger(info, window, opts.settleMs ?? SETTLE_MS);
    const after = await readLedger(info, { ...window, since: back });
    // The simulator's traders go on trading: this drill's followers must not load the next one.
    await unseedFollowers(info, seeded);
    const deadAfter = await queueDepths(info, clients.sqs);
    clients.destroy();
    const newDead = Object.entries(deadAfter).flatMap(([q, d]) => {
      const grew = d.deadLetters - (deadBefore[q]?.deadLetters ?? 0);
      return grew > 0 ? [`${grew} new message(s) in the ${q} DLQ`] : [];
    });
    if (report && !report.dataKept)
      failures.push(`${service} came back without its ${service === 'sqs' ? 'queues' : 'tables'}`);
    if (report && !report.messagesKept)
      failures.push(`${service} came back without the ${report.messagesHeld ?? '?'} messages it held`);
    if (after.signalsIn === 0) failures.push(`no signal was indexed after ${service} came back`);
    failures.push(...newDead);
    // Queues are not required empty: the simulator keeps trading, so new work is always arriving;
    // the window's own work is what the ledger accounts for.
    const recovered =
      report?.dataKept === true && report.messagesKept && after.signalsIn > 0 && newDead.length === 0;
    return ledgerResult(drill, startedAt, ledger, recovered, failures, {
      service,
      downSecondsAsked: downSeconds,
      restart: report ?? null,
      followers: users.size,
      followerIds: idRange(users),
      auto: opts.auto ?? 16,
      signalsAfterRecovery: after.signalsIn,
      alertsAfterRecovery: after.alertsSent,
      window: { since: since.toISOString(), back: back.toISOString(), until: until.toISOString() },
    });
  });
  // Judged once the switch is back: the wait for the next evaluation need not hold it LIVE.
  return checkAlarms(info, result);
}
