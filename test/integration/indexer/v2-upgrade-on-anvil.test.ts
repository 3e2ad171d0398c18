// The indexer across the local Avantis v1.5 -> v2 in-place upgrade, on a private anvil with the real
// DynamoDB and SQS adapters: the simulator trades on v1.5, the chain is upgraded mid-run
// (upgradeToV2), trading goes on with v2 intents, keeper fills, increases, margin updates, partial
// closes and TP/SL. Checked: every log the local contracts really emit decodes (the inferred v2
// layouts included) or is a known skip; the upgrade block is found from the proxies' Upgraded logs;
// indexing live (tailing while the chain is made) stores exactly what a later backfill stores
// (events, positions, stats, signals); an unknown-topic log injected at a watched address is counted,
// alarmed (UnknownTopicLogs), quarantined, and named by `npm run abi-inspect -- --rpc`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChainReader } from '#core/adapters/chain/chain-reader.js';
import { RpcPool } from '#core/adapters/chain/rpc-pool.js';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { DynamoIndexerState } from '#core/adapters/dynamo/indexer-state.js';
import { DynamoPositionStore } from '#core/adapters/dynamo/position-store.js';
import { DynamoStatsStore } from '#core/adapters/dynamo/stats-store.js';
import { VARIANTS } from '#core/domain/avantis/abi.js';
import {
  UPGRADED_TOPIC0,
  upgradeBlockFromLogs,
  upgradeWitnesses,
  watchedAddresses,
  type AvantisDeployment,
} from '#core/domain/avantis/addresses.js';
import { decodeLogs } from '#core/domain/avantis/decode.js';
import { allTimeStats } from '#core/domain/analytics/stats.js';
import type { Signal } from '#core/domain/signals.js';
import type { RawLog } from '#core/domain/trade-events.js';
import { upgradeTracker } from '#core/indexer/compose.js';
import { DEFAULT_SETTINGS, runIndexer, type IndexerDeps } from '#core/indexer/run.js';
import { trackedUpgrade } from '#core/indexer/upgrade.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import { deployAvantis, upgradeToV2, type DeployedAvantis } from '../../../local/chain/deploy.js';
import { createQueues, createTables } from '../../../local/provision.js';
import { runSimulatorSteps } from '../../../local/simulator/simulator.js';
import { clients, uniqueId } from '../../support/stack-clients.js';

const { dynamo, sqs } = clients();
const doc = DynamoDBDocumentClient.from(dynamo);
const run = promisify(execFile);

const UNKNOWN_TOPIC = `0x${'5a'.repeat(31)}01`;

let anvil: Anvil;
let avantis: DeployedAvantis;
let deployment: AvantisDeployment;
let upgradeBlock: number;
let head: number;
let live: Awaited<ReturnType<typeof world>>;
let liveRun: Awaited<ReturnType<typeof runIndexer>>;

async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(anvil.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: T }).result;
}

async function allLogs(toBlock: number): Promise<RawLog[]> {
  const pool = new RpcPool({ urls: [anvil.url] });
  return pool.getLogs({ fromBlock: 0, toBlock, address: watchedAddresses(deployment), topics: [] });
}

/** One indexer with its own tables; `upgrade` is how it learns the upgrade block. */
async function world(upgrade: IndexerDeps['upgrade']) {
  const stage = `v2${uniqueId()}`;
  const tables = await createTables(dynamo, stage);
  await createQueues(sqs, stage);
  const pool = new RpcPool({ urls: [anvil.url], timeoutMs: 2_000 });
  const fills = new DynamoFillStore(doc, tables.fills);
  const published: Signal[] = [];
  const metrics: { name: string; value: number }[] = [];
  const warnings: Record<string, unknown>[] = [];
  const deps: IndexerDeps = {
    chain: createChainReader(pool, { addresses: watchedAddresses(deployment) }),
    fills,
    positions: new DynamoPositionStore(doc, tables.positions),
    stats: new DynamoStatsStore(doc, tables.stats),
    signals: { publish: async (s) => void published.push(...s) },
    state: new DynamoIndexerState(doc, tables.state),
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: { info: () => undefined, warn: (_m, a) => void warnings.push(a ?? {}), error: () => undefined },
    metric: (name, value, dims) => void (dims ? undefined : metrics.push({ name, value })),
    ...(upgrade ? { upgrade } : {}),
  };
  return { deps, published, metrics, warnings, tables, fills };
}

/** Runs until `done()` says so (checked after every saved page) or the deadline. */
function indexUntil(
  w: Awaited<ReturnType<typeof world>>,
  done: (block: number) => boolean,
  pageSize: number,
) {
  let stop = false;
  const state = w.deps.state;
  return runIndexer(
    {
      ...w.deps,
      state: {
        acquireLease: state.acquireLease.bind(state),
        releaseLease: state.releaseLease.bind(state),
        load: state.load.bind(state),
        save: async (...args: Parameters<typeof state.save>) => {
          await state.save(...args);
          if (done(args[1].block)) stop = true;
        },
      },
    },
    {
      ...DEFAULT_SETTINGS,
      tailPollMs: 20,
      owner: `run-${uniqueId()}`,
      backfillRange: 100_000,
      initialPageSize: pageSize,
      deadline: Date.now() + 240_000,
      stopRequested: () => stop,
    },
  );
}

/** Emits one log with an unknown topic0 from a watched address (its code swapped for a moment). */
async function injectUnknownLog(at: string): Promise<string> {
  const original = await rpc<string>('eth_getCode', [at, 'latest']);
  // PUSH32 topic, PUSH1 0, PUSH1 0, LOG1, STOP
  await rpc('anvil_setCode', [at, `0x7f${UNKNOWN_TOPIC.slice(2)}60006000a100`]);
  const from = (await rpc<string[]>('eth_accounts'))[0];
  const hash = await rpc<string>('eth_sendTransaction', [{ from, to: at, data: '0x', gas: '0x30000' }]);
  for (let i = 0; i < 50; i++) {
    const receipt = await rpc<{ status: string } | null>('eth_getTransactionReceipt', [hash]);
    if (receipt) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await rpc('anvil_setCode', [at, original]);
  return hash;
}

async function snapshot(w: Awaited<ReturnType<typeof world>>, traders: readonly string[]) {
  const events = (await Promise.all(traders.map((t) => w.fills.eventsOf(t)))).flat();
  const positions = (await Promise.all(traders.map((t) => w.deps.positions.positionsOf(t))))
    .flat()
    .map((p) => ({ ...p, lastFillKey: '' })); // which event a position saw last may differ by paging
  const stats = await w.deps.stats.getMany(traders);
  return {
    events: events.map((e) => `${e.trader}|${e.fillKey}|${e.event.variant}`).sort(),
    positions: positions.sort((a, b) =>
      `${a.trader}${a.pairIndex}${a.tradeIndex}`.localeCompare(`${b.trader}${b.pairIndex}${b.tradeIndex}`),
    ),
    stats: [...stats].map(([t, s]) => [t, allTimeStats(s)] as const).sort(([a], [b]) => a.localeCompare(b)),
    signals: w.published
      .map(
        (s) =>
          `${s.id}|${s.kind}|${s.closeFraction?.closed ?? ''}/${s.closeFraction?.of ?? ''}|${s.addedCollateralUsdc ?? ''}`,
      )
      .sort(),
  };
}

beforeAll(async () => {
  anvil = await startAnvil({ name: 'anvil (v2 indexer test)' });
  avantis = await deployAvantis(anvil.url);
  deployment = { ...avantis.deployment, tradingRouter: avantis.addresses.tradingRouter.toLowerCase() };
  // Live: the indexer tails while the simulator trades and the chain is upgraded under it; it
  // knows no upgrade block up front and learns it from the Upgraded logs the pages bring.
  live = await world(trackedUpgrade(deployment, []));
  let simulated = false;
  let target = Number.POSITIVE_INFINITY;
  const indexing = indexUntil(live, (b) => simulated && b >= target, 1);
  await runSimulatorSteps(
    {
      rpcUrl: anvil.url,
      deployment: avantis,
      seed: 11,
      traders: 8,
      beforeTick: async (tick) => {
        if (tick === 12) upgradeBlock = (await upgradeToV2(avantis)).block;
      },
    },
    45,
  );
  await injectUnknownLog(deployment.tradingRouter ?? '');
  head = Number(await rpc<string>('eth_blockNumber'));
  target = head;
  simulated = true;
  liveRun = await indexing;
}, 300_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('the indexer across the local v2 upgrade', () => {
  it('decodes every log the local v1.5 and v2 contracts emit, inferred v2 layouts included', async () => {
    const logs = await allLogs(head);
    const upgrade = upgradeBlockFromLogs(logs, upgradeWitnesses(deployment));
    const results = decodeLogs(logs, upgrade === undefined ? {} : { upgradeBlock: upgrade });
    const bad = results.flatMap((r, i) =>
      !r.ok && r.reason !== 'IGNORED' && logs[i]?.topics[0] !== UNKNOWN_TOPIC
        ? [{ ...r, block: logs[i]?.blockNumber }]
        : [],
    );
    expect(bad).toEqual([]);
    const variants = new Set(results.flatMap((r) => (r.ok ? [r.event.variant] : [])));
    // Both eras are really there, and the inferred v2 layouts met real logs.
    expect(variants).toContain('MarketExecuted/v1.5');
    expect(variants).toContain('MarketExecuted/v2-inferred');
    expect(variants).toContain('MarketOrderInitiated/v2-inferred');
    expect(variants).toContain('FeesCharged/PairInfos-v2-inferred');
    expect(variants).toContain('SpreadCharged/v2-local');
    for (const id of [
      'PositionSizeIncreased/v2-local',
      'IncreasePositionRequested/v2-local',
      'MarginUpdated/v2-inferred',
      'LimitExecuted/v2-inferred',
      'MarketOpenCanceled/v1.5',
    ])
      expect(variants).toContain(id);
    const inferredSeen = VARIANTS.filter((v) => v.inferred && variants.has(v.id)).map((v) => v.id);
    expect(inferredSeen.length).toBeGreaterThanOrEqual(3);
    for (const r of results)
      if (r.ok && r.event.blockNumber < upgradeBlock) expect(r.event.variant).not.toMatch(/v2/);
  });

  it('finds the upgrade block from the proxies Upgraded logs, as discovery and as the live tracker', async () => {
    const pool = new RpcPool({ urls: [anvil.url] });
    const discovered = await upgradeTracker(pool, deployment, undefined);
    expect(discovered.context()).toEqual({ upgradeBlock });
    const logs = (await allLogs(head)).filter((l) => l.topics[0] === UPGRADED_TOPIC0);
    expect(logs.filter((l) => l.blockNumber === upgradeBlock).length).toBeGreaterThanOrEqual(2);
    expect(live.deps.upgrade?.context()).toEqual({ upgradeBlock });
  });

  it('stores the same events, positions, stats and signals live as a later backfill does', async () => {
    expect(liveRun.toBlock).toBe(head);
    const pool = new RpcPool({ urls: [anvil.url] });
    const backfill = await world(await upgradeTracker(pool, deployment, undefined));
    const run = await indexUntil(backfill, (b) => b >= head, 500);
    expect(run.toBlock).toBe(head);
    const traders = [
      ...new Set(
        (await allLogs(head)).flatMap((l) => {
          const r = decodeLogs([l], { upgradeBlock })[0];
          if (!r?.ok) return [];
          return 'trader' in r.event ? [r.event.trader] : 'trade' in r.event ? [r.event.trade.trader] : [];
        }),
      ),
    ];
    expect(traders.length).toBeGreaterThan(3);
    const a = await snapshot(live, traders);
    const b = await snapshot(backfill, traders);
    expect(a.events.length).toBeGreaterThan(50);
    expect(a.events.some((e) => e.endsWith('v2-inferred'))).toBe(true);
    expect(b).toEqual(a);
    // v2 positions carry the Trade.timestamp a v2 close must quote.
    expect(a.positions.every((p) => p.tradeTimestamp !== undefined)).toBe(true);
  });

  it('counts the injected unknown-topic log by address and topic0, alarms on it, quarantines it, and goes on', async () => {
    expect(live.metrics.filter((m) => m.name === 'UnknownTopicLogs').reduce((n, m) => n + m.value, 0)).toBe(
      1,
    );
    const warning = live.warnings.find((w) => w.reason === 'UNKNOWN_TOPIC_LOGS');
    expect(warning?.unknownByAddressTopic).toEqual({ [`${deployment.tradingRouter} ${UNKNOWN_TOPIC}`]: 1 });
    const quarantined = await doc.send(
      new QueryCommand({
        TableName: live.tables.fills,
        KeyConditionExpression: 'trader = :t',
        ExpressionAttributeValues: { ':t': `quarantine:${deployment.tradingRouter}` },
      }),
    );
    expect(quarantined.Items?.map((i) => [i.kind, i.topic0])).toEqual([['UNKNOWN_TOPIC', UNKNOWN_TOPIC]]);
    expect(liveRun.undecodable).toBe(1);
    expect(liveRun.toBlock).toBe(head);
  });

  it('npm run abi-inspect -- --rpc lists the unknown topic0 with its count and address', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'local/cli/abi-inspect.ts',
        '--rpc',
        anvil.url,
        '--from',
        '0',
        '--to',
        String(head),
        '--json',
      ],
      {
        env: { ...process.env, AVANTIS_CONTRACTS: JSON.stringify(deployment) },
        cwd: new URL('../../..', import.meta.url).pathname,
      },
    ).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
    const report = JSON.parse(stdout) as {
      unknown: { topic0: string; count: number; byAddress: Record<string, number> }[];
      decoded: number;
    };
    expect(report.unknown).toMatchObject([
      { topic0: UNKNOWN_TOPIC, count: 1, byAddress: { [deployment.tradingRouter ?? '']: 1 } },
    ]);
    expect(report.decoded).toBeGreaterThan(50);
  });
});
