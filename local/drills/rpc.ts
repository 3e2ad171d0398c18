// The rpc drill: the chain RPC the indexer reads flaps for `minutes` (default 2) — requests that
// hang past the client's timeout, 429 with Retry-After, one node lagging behind the head — while
// local traders trade and their ALERTS followers are alerted. Every signal must still be indexed
// once and alerted once (the shared ledger: lost 0, duplicated 0, so nothing skipped and nothing
// re-sent on a retried range), and once the faults clear the indexer must catch up with the head
// by itself (admin status: lag back to a few blocks).
//
// The faults come from the faultable RPC proxies the stack puts in front of anvil for its handlers
// (`npm start` runs two; RPC_URLS names them): .local/stack.json `endpoints.rpcProxies`, each
// answering `POST /_alfa/faults` with a faulty-rpc-proxy Fault, `POST /_alfa/lag {"blocks":N}`,
// `DELETE /_alfa/faults` and `GET /_alfa/stats`. Without them the drill fails at once and says why.
import { z } from 'zod';
import { ProxyStatsSchema, type ProxyStats } from '../standins/faulty-rpc-proxy.js';
import type { LocalStackInfo } from '../stack.js';
import { settledLedger, type Ledger } from './ledger.js';
import { checkAlarms } from './harness.js';
import type { DrillResult } from './result.js';
import { admin, burst, seedTraffic, type Traffic, drillResult } from './traffic.js';

export interface RpcOptions {
  /** How long the RPC flaps (default 2); fractions allowed for tests. */
  readonly minutes?: number;
  readonly log: (line: string) => void;
  readonly traders?: number;
  readonly followersPerTrader?: number;
  /** Trader opens per flap cycle (default 4). */
  readonly signalsPerCycle?: number;
  readonly baseId?: number;
}

const Proxies = z.object({ endpoints: z.object({ rpcProxies: z.array(z.url()).min(1) }) });
const Lag = z.object({ indexer: z.object({ lagBlocks: z.number().nullable() }) });

/** One flap cycle: what each proxy does for its share of the drill. */
const CYCLE: readonly (Record<string, unknown> & { readonly name: string })[] = [
  { name: 'timeouts', kind: 'TIMEOUT', hangMs: 15_000, times: 6 },
  { name: '429', kind: 'HTTP_429', retryAfterSeconds: 3, times: 20 },
  { name: 'lagging', lagBlocks: 30 },
];

async function control(url: string, path: string, method: 'POST' | 'DELETE', body?: unknown): Promise<void> {
  const res = await fetch(`${url.replace(/\/+$/, '')}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`RPC proxy ${url}${path} answered ${res.status}`);
}

async function proxyStats(url: string): Promise<ProxyStats> {
  const res = await fetch(`${url.replace(/\/+$/, '')}/_alfa/stats`);
  if (!res.ok) throw new Error(`RPC proxy ${url}/_alfa/stats answered ${res.status}`);
  return ProxyStatsSchema.parse(await res.json());
}

async function indexerLag(info: LocalStackInfo): Promise<number | null> {
  const answer = await admin(info, { action: 'status', by: 'cli:drill-rpc' });
  return answer.ok ? Lag.parse(answer.result).indexer.lagBlocks : null;
}

export async function runRpc(info: LocalStackInfo, opts: RpcOptions): Promise<DrillResult> {
  const startedAt = new Date();
  const failures: string[] = [];
  const details: Record<string, unknown> = {};
  const minutes = opts.minutes ?? 2;
  let ledger: Ledger | undefined;
  let recovered = false;
  let traffic: Traffic | undefined;
  const proxies = Proxies.safeParse(info);
  if (!proxies.success) {
    failures.push(
      'the running stack has no faultable RPC proxy in front of the indexer (no endpoints.rpcProxies in ' +
        '.local/stack.json; RPC_URLS points at anvil itself): the rpc drill cannot run on it',
    );
  } else {
    const urls = proxies.data.endpoints.rpcProxies;
    const clear = () => Promise.all(urls.map((u) => control(u, '/_alfa/faults', 'DELETE')));
    try {
      traffic = await seedTraffic(info, {
        traders: opts.traders ?? 2,
        followersPerTrader: opts.followersPerTrader ?? 2,
        baseId: opts.baseId ?? 400_000_000 + (Date.now() % 100_000_000),
        mode: 'ALERTS',
      });
      const since = new Date();
      const traders = new Set(traffic.traders.map((t) => t.address));
      const end = Date.now() + minutes * 60_000;
      const lags: number[] = [];
      const before = await Promise.all(urls.map(proxyStats));
      let cycles = 0;
      let offset = 0;
      let traded = 0;
      let tradeErrors: string[] = [];
      while (Date.now() < end) {
        // Each proxy gets a different fault each cycle, so some node is always bad, never all at once.
        for (const [i, url] of urls.entries()) {
          const step = CYCLE[(cycles + i) % CYCLE.length] as (typeof CYCLE)[number];
          const { name, lagBlocks, ...fault } = step;
          if (lagBlocks !== undefined) await control(url, '/_alfa/lag', 'POST', { blocks: lagBlocks });
          else await control(url, '/_alfa/faults', 'POST', fault);
          opts.log(`rpc: cycle ${cycles + 1}: ${url} ${name}`);
        }
        const n = opts.signalsPerCycle ?? 4;
        const outcomes = await burst(traffic, n, { offset, perTrader: 1 });
        offset += n;
        // Only a trade that filled is a signal; the trades go to the service and anvil, not the proxies.
        traded += outcomes.filter((o) => o.ok).length;
        tradeErrors = [...tradeErrors, ...outcomes.flatMap((o) => (o.ok ? [] : [o.error ?? '?']))].slice(
          0,
          5,
        );
        const lag = await indexerLag(info);
        if (lag !== null) lags.push(lag);
        await new Promise((r) => setTimeout(r, Math.min(15_000, Math.max(0, end - Date.now()))));
        await clear();
        for (const url of urls) await control(url, '/_alfa/lag', 'POST', { blocks: 0 });
        cycles += 1;
      }
      details.cycles = cycles;
      details.trades = { asked: offset, filled: traded, errors: tradeErrors };
      details.worstIndexerLagBlocks = Math.max(0, ...lags);
      // What the proxies did to the handlers' reads over the flapping.
      const after = await Promise.all(urls.map(proxyStats));
      details.proxies = after.map((a, i) => {
        const b = before[i];
        const faulted: Record<string, number> = {};
        for (const [k, v] of Object.entries(a.faulted)) faulted[k] = v - (b?.faulted[k] ?? 0);
        return { requests: a.requests - (b?.requests ?? 0), faulted, lagged: a.lagged - (b?.lagged ?? 0) };
      });
      // Recovery: the indexer back at the head by itself.
      const until = Date.now() + 120_000;
      let lag: number | null = null;
      while (Date.now() < until) {
        lag = await indexerLag(info);
        if (lag !== null && lag <= 3) break;
        await new Promise((r) => setTimeout(r, 2_000));
      }
      details.lagAfterRecovery = lag;
      ledger = await settledLedger(
        info,
        { since, users: traffic.users, traders, expectSignals: traded },
        180_000,
      );
      recovered = lag !== null && lag <= 3 && ledger.signalsIn === traded;
      if (ledger.signalsIn !== traded) failures.push(`${traded} trades filled, ${ledger.signalsIn} indexed`);
      if (traded < offset)
        failures.push(`${offset - traded} of ${offset} trader opens failed: ${tradeErrors.join('; ')}`);
      if (!recovered) failures.push(`the indexer did not catch up with the head (lag ${String(lag)})`);
    } catch (err) {
      failures.push(`drill aborted: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await clear().catch(() => undefined);
      traffic?.close();
    }
  }
  return checkAlarms(info, drillResult('rpc', startedAt, ledger, recovered, failures, details));
}
