// What the process-level drills (dynamodb, sqs, load, soak) share: the client of the stack's control
// endpoint (.local/stack.json → control.url: restarts, pids, the simulator's size), followers seeded
// straight into the tables and the chain (as test/bench/copy.bench.ts does), the DRY/LIVE switch
// held LIVE for a drill, a process's resident memory, and the DrillResult built from a ledger.
import { readFile } from 'node:fs/promises';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Contract, Wallet } from 'ethers';
import { batchWrite } from '../../layers/core/adapters/dynamo/batch.js';
import { toJson } from '../../layers/core/codec.js';
import { followToItem } from '../../layers/core/adapters/dynamo/follow-store.js';
import { DynamoUserStore } from '../../layers/core/adapters/dynamo/user-store.js';
import { KmsDelegateKeys } from '../../layers/core/adapters/kms/delegate-keys.js';
import { SsmExecutionSwitch } from '../../layers/core/adapters/ssm/execution-switch.js';
import { newFollow } from '../../layers/core/domain/follows.js';
import { defaultRiskPolicy } from '../../layers/core/domain/risk.js';
import { DELEGATE_KEY, QUEUES } from '../../layers/core/resources.js';
import { devWallet, localProvider } from '../chain/deploy.js';
import { setBalance } from '../chain/tx.js';
import {
  RestartReportSchema,
  SimulatorAccountsSchema,
  StackProcessesSchema,
  type LocalStackInfo,
  type RestartReport,
  type RestartableService,
  type StackProcesses,
} from '../stack.js';
import { ledgerClients, queueDepths, readLedger, settledLedger, type Ledger } from './ledger.js';
import type { DrillResult } from './result.js';

const USDC = 1_000_000n;
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

export interface SeedOptions {
  readonly count: number;
  /** The first `auto` followers copy (AUTO, with a funded wallet delegated to their Alfa key). */
  readonly auto: number;
  /** Followed round-robin: follower k follows traders[k % traders.length]. */
  readonly traders: readonly string[];
  readonly log: (line: string) => void;
}

/**
 * Followers with alerts on (the ledger needs their alert records), seeded straight into the users
 * and follows tables; AUTO ones get their own wallet with 1,000 USDC, the TradingStorage approval
 * and a setDelegate to their KMS-derived delegate, linked through the user store as /wallet does.
 * Ids start at a random base so two runs on one stack never share a follower.
 */
export async function seedFollowers(info: LocalStackInfo, opts: SeedOptions): Promise<Set<string>> {
  const avantis = info.avantis;
  if (!avantis || info.chain.mode !== 'local')
    throw new Error('needs the local chain and Avantis v2 service');
  const cred = { accessKeyId: 'x', secretAccessKey: 'x' };
  const dynamo = new DynamoDBClient({
    region: info.region,
    endpoint: info.endpoints.dynamodb,
    credentials: cred,
  });
  const doc = DynamoDBDocumentClient.from(dynamo);
  const kms = new KMSClient({
    region: info.region,
    endpoint: info.endpoints.awsControlPlane,
    credentials: cred,
  });
  const keys = new KmsDelegateKeys(kms, info.env[DELEGATE_KEY.envVar] ?? '');
  const chain = localProvider(info.endpoints.rpc);
  const users = new DynamoUserStore(doc, info.tables.users);
  const base = 8_000_000_000 + Math.floor(Math.random() * 1e8) * 10_000;
  const ids = Array.from({ length: opts.count }, (_, i) => String(base + i));
  // Limits wide enough that the copy's own sizing, not the profile, decides.
  const risk = {
    ...defaultRiskPolicy(),
    profile: 'CUSTOM' as const,
    maxLeverage: 50,
    maxPositionUsdc: 100_000n * USDC,
    capitalFloorUsdc: 0n,
    capitalCeilingUsdc: 1_000_000n * USDC,
  };
  try {
    await batchWrite(
      doc,
      info.tables.users,
      ids.map((userId) => ({
        PutRequest: {
          Item: { userId, chatId: userId, firstName: 'D', active: true, risk: toJson(risk), paused: false },
        },
      })),
    );
    const now = new Date();
    await batchWrite(
      doc,
      info.tables.follows,
      ids.map((userId, k) => ({
        PutRequest: {
          Item: followToItem({
            ...newFollow(userId, userId, opts.traders[k % opts.traders.length] ?? '', now),
            mode: k < opts.auto ? 'AUTO' : 'ALERTS',
            maxLeverage: 50,
            maxPositionUsdc: 100_000n * USDC,
          }),
        },
      })),
    );
    opts.log(
      `seeded ${ids.length} followers of ${opts.traders.length} traders; funding ${opts.auto} AUTO wallets`,
    );
    const block = await chain.getBlock('latest');
    const expiry = (block?.timestamp ?? 0) + 86_400;
    const CHUNK = 50;
    const autoIds = ids.slice(0, opts.auto);
    for (let i = 0; i < autoIds.length; i += CHUNK) {
      await Promise.all(
        autoIds.slice(i, i + CHUNK).map(async (userId) => {
          const wallet = Wallet.createRandom().connect(chain);
          await setBalance(chain, wallet.address, 10n ** 18n);
          const abi = ['function mint(address,uint256)', 'function approve(address,uint256) returns (bool)'];
          const usdc = new Contract(avantis.usdc, abi, wallet);
          const router = new Contract(
            avantis.tradingRouter,
            ['function setDelegate(address,uint256)'],
            wallet,
          );
          const delegate = await keys.addressOf(userId);
          const storage = avantis.contracts.tradingStorage;
          const sent = [
            await usdc.getFunction('mint')(wallet.address, 1_000n * USDC, { nonce: 0 }),
            await usdc.getFunction('approve')(storage, 2n ** 256n - 1n, { nonce: 1 }),
            await router.getFunction('setDelegate')(delegate, expiry, { nonce: 2 }),
          ];
          await Promise.all(sent.map((t: { wait(): Promise<unknown> }) => t.wait()));
          if ((await users.claimWallet(userId, wallet.address.toLowerCase())) !== 'LINKED')
            throw new Error(`wallet of follower ${userId} not linked`);
        }),
      );
    }
    return new Set(ids);
  } finally {
    dynamo.destroy();
    kms.destroy();
    chain.destroy();
  }
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
      concerned: ledger.concerned,
      intentsByState: ledger.intentsByState,
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
  const users = await seedFollowers(info, {
    count: opts.followers ?? 64,
    auto: opts.auto ?? 16,
    traders,
    log: opts.log,
  });
  const clients = ledgerClients(info);
  const deadBefore = await queueDepths(info, clients.sqs);
  const failures: string[] = [];
  const downSeconds = opts.downSeconds ?? 20;
  return whileLive(info, async () => {
    const since = new Date();
    await sleep((opts.leadSeconds ?? 20) * 1000);
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
    const deadAfter = await queueDepths(info, clients.sqs);
    clients.destroy();
    const newDead = Object.entries(deadAfter).flatMap(([q, d]) => {
      const grew = d.deadLetters - (deadBefore[q]?.deadLetters ?? 0);
      return grew > 0 ? [`${grew} new message(s) in the ${q} DLQ`] : [];
    });
    if (report && !report.dataKept)
      failures.push(`${service} came back without its ${service === 'sqs' ? 'queues' : 'tables'}`);
    if (after.signalsIn === 0) failures.push(`no signal was indexed after ${service} came back`);
    failures.push(...newDead);
    // Queues are not required empty: the simulator keeps trading, so new work is always arriving;
    // the window's own work is what the ledger accounts for.
    const recovered = report?.dataKept === true && after.signalsIn > 0 && newDead.length === 0;
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
}
