// The emergency drill: a burst of N trader opens (a few local traders, each with AUTO followers in
// LIVE), the operator's emergency stop in the middle of it (the admin function, as `npm run admin
// -- emergency stop` calls it), then: nothing signed after the stop (no intent of the window with
// signed bytes saved after it), every user holding a copy told which positions stay open, nothing
// lost, nothing duplicated (the shared ledger); then the stop is cleared and one more open per
// trader must be copied again. The switch and the stop end as the drill found them.
//
// The stop is stack-wide (the operator flag in the state table): run it on a stack of its own, or
// one nobody else is trading on. The deploy ceiling must be LIVE for anything to be signed at all;
// on a DRY ceiling the drill still runs but says so in its failures.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStackInfo } from '../stack.js';
import { ledgerClients, readLedger, settledLedger, type Ledger, type LedgerWindow } from './ledger.js';
import { checkAlarms } from './harness.js';
import type { DrillResult } from './result.js';
import {
  admin,
  burst,
  modeStatus,
  seedTraffic,
  setSwitch,
  textsTo,
  type Traffic,
  drillResult,
} from './traffic.js';

export interface EmergencyOptions {
  readonly minutes?: number;
  readonly log: (line: string) => void;
  /** Trader opens in the burst (default 200); the stop comes after half of them. */
  readonly signals?: number;
  readonly traders?: number;
  readonly followersPerTrader?: number;
  /** How long to wait for everything to settle after the burst and after recovery. */
  readonly settleMs?: number;
  /** First user id of the drill's followers (default: from the clock, so runs never share users). */
  readonly baseId?: number;
}

async function setStop(info: LocalStackInfo, stop: boolean): Promise<void> {
  const answer = await admin(info, { action: 'emergency', by: 'cli:drill-emergency', stop });
  if (!answer.ok) throw new Error(`admin emergency ${stop ? 'stop' : 'clear'} refused: ${answer.message}`);
}

/** The stop's own timestamp as the admin wrote it (emergency notices are keyed by it). */
async function stopFlag(info: LocalStackInfo): Promise<string | undefined> {
  const { doc, destroy } = ledgerClients(info);
  try {
    const out = await doc.send(
      new GetCommand({ TableName: info.tables.state, Key: { pk: 'flags' }, ConsistentRead: true }),
    );
    return out.Item?.emergencyStop === true ? String(out.Item.emergencyAt ?? '') : undefined;
  } finally {
    destroy();
  }
}

/** Each follower's open LIVE copies, from the window's intents: who must be told what stays open. */
async function holders(info: LocalStackInfo, window: LedgerWindow, traffic: Traffic): Promise<string[]> {
  const ledger = await readLedger(info, window);
  const held = ledger.signedIntents
    .filter((s) => s.kind === 'OPEN' && s.state === 'EXECUTED' && traffic.users.has(s.userId))
    .map((s) => s.userId);
  return [...new Set(held)];
}

/** Waits until the recovery opens' copies are terminal for every follower of their trader. */
async function recoveryCopies(
  info: LocalStackInfo,
  window: LedgerWindow,
  expected: number,
  timeoutMs: number,
): Promise<Ledger> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ledger = await readLedger(info, window);
    const terminal = Object.values(ledger.copiesTerminal).reduce((a, b) => a + b, 0);
    if (terminal >= expected || Date.now() > end) return ledger;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runEmergency(info: LocalStackInfo, opts: EmergencyOptions): Promise<DrillResult> {
  const startedAt = new Date();
  const log = opts.log;
  const n = opts.signals ?? 200;
  const settleMs = opts.settleMs ?? (opts.minutes ?? 2) * 60_000;
  const failures: string[] = [];
  const details: Record<string, unknown> = {};
  const before = await modeStatus(info, 'cli:drill-emergency');
  details.before = before;
  if (before.ceiling !== 'LIVE')
    failures.push(
      `the stack's deploy ceiling is ${before.ceiling}: nothing is signed, the drill proves little`,
    );
  if (before.emergencyStop) failures.push('the emergency stop was already set when the drill started');

  let traffic: Traffic | undefined;
  let ledger: Ledger | undefined;
  let recovered = false;
  try {
    if (before.switch !== 'LIVE') await setSwitch(info, 'LIVE', 'cli:drill-emergency');
    traffic = await seedTraffic(info, {
      traders: opts.traders ?? 5,
      followersPerTrader: opts.followersPerTrader ?? 4,
      baseId: opts.baseId ?? 700_000_000 + (Date.now() % 100_000_000),
    });
    log(`emergency: ${traffic.traders.length} traders, ${traffic.followers.length} AUTO followers seeded`);
    // The functions cache the mode for 5 s: let a switch just written to LIVE be seen by all.
    await new Promise((r) => setTimeout(r, before.switch === 'LIVE' ? 500 : 6_000));

    const since = new Date();
    const traders = new Set(traffic.traders.map((t) => t.address));
    const window = (until?: Date, extraAlertIds?: readonly string[]): LedgerWindow => ({
      since,
      users: traffic?.users ?? new Set(),
      traders,
      ...(until ? { until } : {}),
      ...(extraAlertIds ? { extraAlertIds } : {}),
      expectSignals: n,
    });

    const half = Math.floor(n / 2);
    const first = await burst(traffic, half);
    const stopAsked = new Date();
    await setStop(info, true);
    const stoppedAt = new Date();
    const flag = (await stopFlag(info)) ?? stoppedAt.toISOString();
    log(`emergency: stop set after ${half} opens (${stoppedAt.getTime() - stopAsked.getTime()} ms)`);
    // The reconciler tells holders what stays open on its next pass; the operator can run it now.
    const reconcile = await admin(info, { action: 'reconcile', by: 'cli:drill-emergency' });
    const reconciledAt = new Date();
    if (!reconcile.ok) failures.push(`admin reconcile refused: ${reconcile.message}`);
    const second = await burst(traffic, n - half, { offset: half });
    const tradeErrors = [...first, ...second].filter((t) => !t.ok);
    details.traderOpensFailed = tradeErrors.length;
    if (tradeErrors.length)
      failures.push(`${tradeErrors.length} trader opens failed: ${tradeErrors[0]?.error}`);

    const noticeIds = traffic.followers.map((f) => `emergency:${flag}:${f.userId}`);
    const afterStop = await settledLedger(info, window(undefined, noticeIds), settleMs);
    // Signed after the stop: the intent's signed bytes were saved (submittedAt) after it was set.
    const signedAfter = afterStop.signedIntents.filter(
      (s) => s.submittedAt && s.submittedAt > stoppedAt.toISOString(),
    );
    const signedInRace = afterStop.signedIntents.filter(
      (s) =>
        s.submittedAt && s.submittedAt > stopAsked.toISOString() && s.submittedAt <= stoppedAt.toISOString(),
    );
    details.signedBeforeStop = afterStop.signedIntents.length - signedAfter.length;
    details.signedAfterStop = signedAfter.length;
    details.signedWhileStopWasWritten = signedInRace.length;
    const ms = (iso: string | undefined) => (iso ? Date.parse(iso) - stoppedAt.getTime() : null);
    // Relative to the stop: a copy claimed before it (negative createdAt) was in flight when it came.
    details.signedAfterStopSamples = signedAfter
      .slice(0, 10)
      .map((s) => ({ intentId: s.intentId, createdMs: ms(s.createdAt), signedMs: ms(s.submittedAt) }));
    if (signedAfter.length)
      failures.push(`${signedAfter.length} intents signed after the stop, e.g. ${signedAfter[0]?.intentId}`);
    if (afterStop.signedIntents.length === 0)
      failures.push('nothing was signed before the stop: no copies to hold');

    // Users holding copies opened before the stop must each have been told what stays open.
    const mustKnow = await holders(info, window(stoppedAt), traffic);
    const untold: string[] = [];
    for (const userId of mustKnow) {
      const texts = await textsTo(info, userId, stoppedAt);
      if (!texts.some((t) => t.includes('stay open'))) untold.push(userId);
    }
    const held = await readLedger(info, window(stoppedAt));
    // A holder whose copy filled after the reconciler's notice pass (it was in flight at the stop).
    details.untoldSamples = untold.slice(0, 10).map((userId) => ({
      userId,
      copiesSettledMsAfterNotices: held.signedIntents
        .filter((s) => s.userId === userId && s.state === 'EXECUTED')
        .map((s) => (s.settledAt ? Date.parse(s.settledAt) - reconciledAt.getTime() : null)),
    }));
    details.holders = mustKnow.length;
    details.holdersTold = mustKnow.length - untold.length;
    if (untold.length)
      failures.push(`${untold.length} users with open copies were not told, e.g. ${untold[0]}`);
    details.afterStop = {
      signalsIn: afterStop.signalsIn,
      lost: afterStop.lost,
      duplicated: afterStop.duplicated,
      lostSamples: afterStop.lostSamples,
      duplicatedSamples: afterStop.duplicatedSamples,
    };

    // Recovery: the stop cleared, one open per trader must be copied for every follower again.
    await setStop(info, false);
    const cleared = new Date();
    await new Promise((r) => setTimeout(r, 6_000)); // the functions' 5 s mode cache
    const again = await burst(traffic, traffic.traders.length, { offset: n, perTrader: 1 });
    const recoveryWindow: LedgerWindow = { since: cleared, users: traffic.users, traders };
    const rec = await recoveryCopies(info, recoveryWindow, traffic.followers.length, settleMs);
    const executed = rec.copiesTerminal.EXECUTED ?? 0;
    recovered = again.every((t) => t.ok) && executed === traffic.followers.length;
    details.recovery = { opens: again.length, copiesExecuted: executed, byState: rec.intentsByState };
    if (!recovered)
      failures.push(`after the stop was cleared ${executed}/${traffic.followers.length} copies executed`);

    ledger = await settledLedger(info, window(undefined, noticeIds), settleMs);
  } catch (err) {
    failures.push(`drill aborted: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    // As found: the stop and the switch (anything but LIVE is DRY).
    await setStop(info, before.emergencyStop).catch((err: unknown) =>
      failures.push(`restore stop: ${String(err)}`),
    );
    if (before.switch !== 'LIVE')
      await setSwitch(info, 'DRY', 'cli:drill-emergency').catch((err: unknown) =>
        failures.push(`restore switch: ${String(err)}`),
      );
    traffic?.close();
  }

  return checkAlarms(info, drillResult('emergency', startedAt, ledger, recovered, failures, details));
}
