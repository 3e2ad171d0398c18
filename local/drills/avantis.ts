// The avantis drill: the local batched-market service turns unreliable while copies stream through
// it — POSTs answered 503, streams cut after MarketOrderAccepted with no terminal, the keeper
// filling only several blocks late — armed on its faults endpoint (`avantis.faultsUrl`,
// local/avantis/faults.ts) for the drill's own follower wallets only, so other traffic on the stack
// is untouched. Every copy must end terminal (the copier retries, the reconciler replays the
// tracking id), none twice on-chain, nothing lost (the shared ledger); after the faults clear, one
// more open per trader must be copied again. Needs a LIVE deploy ceiling; the switch is put back.
import { z } from 'zod';
import type { LocalStackInfo } from '../stack.js';
import { settledLedger, type Ledger, type LedgerWindow } from './ledger.js';
import { checkAlarms } from './harness.js';
import type { DrillResult } from './result.js';
import { burst, modeStatus, seedTraffic, setSwitch, type Traffic, drillResult } from './traffic.js';

export interface AvantisOptions {
  readonly minutes?: number;
  readonly log: (line: string) => void;
  /** Trader opens while the faults are armed (default 40). */
  readonly signals?: number;
  readonly traders?: number;
  readonly followersPerTrader?: number;
  /** Faults armed per follower wallet (defaults: 2 x 503, 2 dropped streams, keeper 4 blocks late). */
  readonly http5xx?: number;
  readonly dropStreams?: number;
  readonly keeperDelayBlocks?: number;
  readonly baseId?: number;
}

const BY = 'cli:drill-avantis';
const Armed = z.object({
  armed: z.array(z.object({ fault: z.string(), remaining: z.number(), trader: z.string().optional() })),
});

async function arm(faultsUrl: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(faultsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok)
    throw new Error(`the batched-market faults endpoint answered ${res.status}: ${await res.text()}`);
}

export async function runAvantis(info: LocalStackInfo, opts: AvantisOptions): Promise<DrillResult> {
  const startedAt = new Date();
  const log = opts.log;
  const n = opts.signals ?? 40;
  const settleMs = (opts.minutes ?? 3) * 60_000;
  const failures: string[] = [];
  const details: Record<string, unknown> = {};
  const before = await modeStatus(info, BY);
  details.before = before;
  if (before.ceiling !== 'LIVE')
    failures.push(`the stack's deploy ceiling is ${before.ceiling}: no copy reaches Avantis`);
  if (before.emergencyStop) failures.push('the emergency stop is set: no copy reaches Avantis');
  let traffic: Traffic | undefined;
  let ledger: Ledger | undefined;
  let recovered = false;
  const faultsUrl = info.avantis?.faultsUrl;
  try {
    if (!faultsUrl) throw new Error('the stack has no local batched-market service');
    if (before.switch !== 'LIVE') await setSwitch(info, 'LIVE', BY);
    traffic = await seedTraffic(info, {
      traders: opts.traders ?? 4,
      followersPerTrader: opts.followersPerTrader ?? 3,
      baseId: opts.baseId ?? 500_000_000 + (Date.now() % 100_000_000),
    });
    await new Promise((r) => setTimeout(r, before.switch === 'LIVE' ? 500 : 6_000)); // 5 s mode cache
    const armed = {
      http5xx: opts.http5xx ?? 2,
      dropStreamNext: opts.dropStreams ?? 2,
      keeperDelayBlocks: opts.keeperDelayBlocks ?? 4,
    };
    for (const f of traffic.followers) await arm(faultsUrl, { ...armed, trader: f.wallet });
    details.armedPerWallet = armed;
    log(`avantis: faults armed on ${traffic.followers.length} follower wallets: ${JSON.stringify(armed)}`);

    const since = new Date();
    const traders = new Set(traffic.traders.map((t) => t.address));
    const window: LedgerWindow = { since, users: traffic.users, traders, expectSignals: n };
    const opens = await burst(traffic, n, { perTrader: 2 });
    const failed = opens.filter((o) => !o.ok);
    if (failed.length) failures.push(`${failed.length} trader opens failed: ${failed[0]?.error}`);
    const faulted = await settledLedger(info, window, settleMs);
    details.faultPhase = {
      signalsIn: faulted.signalsIn,
      byState: faulted.intentsByState,
      lost: faulted.lost,
      duplicated: faulted.duplicated,
      worstLatencyMs: faulted.worstLatencyMs,
    };
    log(`avantis: faults phase settled: ${JSON.stringify(faulted.intentsByState)}`);
    // The service's own view: counters still armed for drill wallets were never hit (no fault seen).
    const view = Armed.parse(await (await fetch(faultsUrl)).json());
    const wallets = new Set(traffic.followers.map((f) => f.wallet.toLowerCase()));
    const unfired = view.armed.filter((a) => a.trader && wallets.has(a.trader.toLowerCase()));
    details.faultsUnfired = unfired.reduce((n, a) => n + a.remaining, 0);
    details.faultsFired =
      traffic.followers.length * (armed.http5xx + armed.dropStreamNext) - (details.faultsUnfired as number);

    // Faults cleared for every wallet (counters to 0, keeper back to the next block).
    for (const f of traffic.followers)
      await arm(faultsUrl, { http5xx: 0, dropStreamNext: 0, keeperDelayBlocks: 1, trader: f.wallet });
    const recoverySince = new Date();
    await burst(traffic, traffic.traders.length, { offset: n, perTrader: 1 });
    const rec = await settledLedger(
      info,
      { since: recoverySince, users: traffic.users, traders, expectSignals: traffic.traders.length },
      settleMs,
    );
    const executed = rec.copiesTerminal.EXECUTED ?? 0;
    recovered = rec.lost === 0 && executed === traffic.followers.length;
    details.recovery = { byState: rec.intentsByState };
    if (!recovered)
      failures.push(`after the faults cleared ${executed}/${traffic.followers.length} copies executed`);
    ledger = await settledLedger(info, { ...window, expectSignals: n + traffic.traders.length }, settleMs);
    details.queues = ledger.queues;
  } catch (err) {
    failures.push(`drill aborted: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (faultsUrl && traffic)
      for (const f of traffic.followers)
        await arm(faultsUrl, { http5xx: 0, dropStreamNext: 0, keeperDelayBlocks: 1, trader: f.wallet }).catch(
          () => undefined,
        );
    if (before.switch !== 'LIVE')
      await setSwitch(info, 'DRY', BY).catch((e: unknown) => failures.push(String(e)));
    traffic?.close();
  }
  if (ledger) {
    const inFlight =
      (ledger.intentsByState.CREATED ?? 0) +
      (ledger.intentsByState.ACCEPTED ?? 0) +
      (ledger.intentsByState.INITIATED ?? 0);
    if (inFlight > 0) failures.push(`${inFlight} copies never reached a terminal state`);
  }
  return checkAlarms(info, drillResult('avantis', startedAt, ledger, recovered, failures, details));
}
