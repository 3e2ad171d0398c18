// The indexer end to end on a private anvil running the local Avantis contracts, with the real
// DynamoDB and SQS adapters: RPC faults through a faulty proxy, a run cut short mid-backfill and
// resumed, and a reorg made with evm_snapshot/evm_revert.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChainReader } from '#core/adapters/chain/chain-reader.js';
import { RpcPool } from '#core/adapters/chain/rpc-pool.js';
import { DynamoFillStore } from '#core/adapters/dynamo/fill-store.js';
import { DynamoIndexerState } from '#core/adapters/dynamo/indexer-state.js';
import { DynamoPositionStore } from '#core/adapters/dynamo/position-store.js';
import { DynamoStatsStore } from '#core/adapters/dynamo/stats-store.js';
import { SqsSignalQueue } from '#core/adapters/sqs/signal-queue.js';
import { WATCHED_TOPICS } from '#core/domain/avantis/abi.js';
import { watchedAddresses } from '#core/domain/avantis/addresses.js';
import { decodeLogs } from '#core/domain/avantis/decode.js';
import { allTimeStats, statsFromFills } from '#core/domain/analytics/stats.js';
import { fillsFromEvents, type TradeEventRecord } from '#core/domain/fills.js';
import { replayPositions } from '#core/domain/positions.js';
import { signalFromFill, type Signal } from '#core/domain/signals.js';
import type { RawLog, TradeEvent } from '#core/domain/trade-events.js';
import { DEFAULT_SETTINGS, runIndexer, type IndexerDeps } from '#core/indexer/run.js';
import { startAnvil, type Anvil } from '../../../local/chain/anvil.js';
import { deployAvantis, type DeployedAvantis } from '../../../local/chain/deploy.js';
import { createQueues, createTables } from '../../../local/provision.js';
import { runSimulatorSteps } from '../../../local/simulator/simulator.js';
import { startFaultyRpcProxy, type FaultyRpcProxy } from '../../../local/standins/faulty-rpc-proxy.js';
import { clients, uniqueId } from '../../support/stack-clients.js';

const { dynamo, sqs } = clients();
const doc = DynamoDBDocumentClient.from(dynamo);

let anvil: Anvil;
let avantis: DeployedAvantis;
let proxy: FaultyRpcProxy;
let head: number;
let reference: { fills: TradeEventRecord[]; signalIds: string[] };

async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(anvil.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await res.json()) as { result: T }).result;
}

/** What the indexer must end up with: every watched log of [0, head], decoded by the project's decoder. */
async function expected(toBlock: number) {
  const pool = new RpcPool({ urls: [anvil.url] });
  const logs: RawLog[] = await pool.getLogs({
    fromBlock: 0,
    toBlock,
    address: watchedAddresses(avantis.deployment),
    topics: [WATCHED_TOPICS],
  });
  const results = decodeLogs(logs);
  expect(results.every((r) => r.ok)).toBe(true);
  const events = results.flatMap((r) => (r.ok ? [r.event] : [])) as TradeEvent[];
  const times = new Map<number, number>();
  for (const n of new Set(events.map((e) => e.blockNumber))) times.set(n, (await pool.getBlock(n)).timestamp);
  const fills = [...fillsFromEvents(events, (n) => times.get(n) ?? 0).fills];
  const signalIds = fills.flatMap((f) => (signalFromFill(f) ? [f.fillId] : []));
  return { fills, signalIds };
}

async function world(urls: readonly string[], extra: Partial<IndexerDeps> = {}) {
  const stage = `ix${uniqueId()}`;
  const tables = await createTables(dynamo, stage);
  const queues = await createQueues(sqs, stage);
  const pool = new RpcPool({ urls, timeoutMs: 400, backoff: { baseMs: 10, maxMs: 100 }, maxWaitMs: 3_000 });
  const fills = new DynamoFillStore(doc, tables.fills);
  const published: Signal[] = [];
  const queue = new SqsSignalQueue(sqs, queues.signals.url);
  const deps: IndexerDeps = {
    // As in production: every log of the watched addresses, no topic0 filter.
    chain: createChainReader(pool, { addresses: watchedAddresses(avantis.deployment) }),
    fills,
    positions: new DynamoPositionStore(doc, tables.positions),
    stats: new DynamoStatsStore(doc, tables.stats),
    signals: {
      publish: async (s) => {
        published.push(...s);
        await queue.publish(s);
      },
    },
    state: new DynamoIndexerState(doc, tables.state),
    now: () => new Date(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metric: () => undefined,
    ...extra,
  };
  const settings = (over: Partial<Parameters<typeof runIndexer>[1]> = {}) => ({
    ...DEFAULT_SETTINGS,
    tailPollMs: 20,
    owner: `run-${uniqueId()}`,
    backfillRange: 10_000,
    initialPageSize: 50,
    // Stop as soon as the head is reached: these tests are about what gets stored.
    deadline: Date.now() + 60_000,
    ...over,
  });
  const storedFills = async () => {
    const traders = [...new Set(reference.fills.map((f) => f.trader))];
    return (await Promise.all(traders.map((t) => fills.eventsOf(t)))).flat();
  };
  return { deps, settings, published, storedFills, tables };
}

/** Runs until the cursor reaches `target`, then lets the run wind down. */
async function indexTo(w: Awaited<ReturnType<typeof world>>, target: number, over = {}) {
  let done = false;
  const state = w.deps.state;
  const deps = {
    ...w.deps,
    state: {
      ...state,
      acquireLease: state.acquireLease.bind(state),
      releaseLease: state.releaseLease.bind(state),
      load: state.load.bind(state),
      save: async (...args: Parameters<typeof state.save>) => {
        await state.save(...args);
        if (args[1].block >= target) done = true;
      },
    },
  };
  return runIndexer(deps, w.settings({ stopRequested: () => done, ...over }));
}

/** The stats the indexer kept incrementally equal a rebuild from exactly these fills. */
async function expectStatsOf(w: Awaited<ReturnType<typeof world>>, fills: readonly TradeEventRecord[]) {
  const traders = [...new Set(reference.fills.map((f) => f.trader))];
  const stored = await w.deps.stats.getMany(traders);
  for (const trader of traders) {
    const expected = allTimeStats(
      statsFromFills(
        trader,
        fills.filter((f) => f.trader === trader),
      ),
    );
    const actual = stored.get(trader);
    expect(actual && allTimeStats(actual), trader).toEqual(expected);
  }
}

const byKey = (fills: readonly TradeEventRecord[]) =>
  [...fills].map((f) => `${f.trader}|${f.fillKey}`).sort();

beforeAll(async () => {
  anvil = await startAnvil({ name: 'anvil (indexer test)' });
  avantis = await deployAvantis(anvil.url);
  await runSimulatorSteps({ rpcUrl: anvil.url, deployment: avantis, seed: 7, traders: 8 }, 25);
  head = Number(await rpc<string>('eth_blockNumber'));
  reference = await expected(head);
  proxy = await startFaultyRpcProxy({ target: anvil.url });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
});

describe('indexer on anvil', () => {
  it('has a history to index: opens, closes and fees from the local contracts, all decodable', () => {
    const kinds = new Set(reference.fills.map((f) => f.event.kind));
    expect(kinds).toEqual(
      expect.objectContaining(new Set(['MarketExecuted', 'OpeningFeeCharged', 'ClosingFeesCharged'])),
    );
    expect(reference.signalIds.length).toBeGreaterThan(20);
  });

  it('stores exactly the chain’s fills and signals through range limits, 429s, timeouts and garbage', async () => {
    const clean = await startFaultyRpcProxy({ target: anvil.url });
    proxy.clear();
    for (const p of [proxy, clean])
      p.inject({ method: 'eth_getLogs', kind: 'RANGE_TOO_LARGE', maxRange: 7, style: 'alchemy' });
    proxy.inject({ kind: 'HTTP_429', times: 2, retryAfterSeconds: 0 });
    proxy.inject({ method: 'eth_getLogs', kind: 'TIMEOUT', times: 1, hangMs: 2_000 });
    proxy.inject({ method: 'eth_getLogs', kind: 'GARBAGE', times: 2 });
    proxy.inject({ method: 'eth_getBlockByNumber', kind: 'MALFORMED_RESULT', times: 1 });
    const w = await world([proxy.url, clean.url]);

    const summary = await indexTo(w, head);
    const faults = [...proxy.requests(), ...clean.requests()].filter((r) => r.fault);
    await clean.close();

    expect(summary.toBlock).toBe(head);
    expect(byKey(await w.storedFills())).toEqual(byKey(reference.fills));
    expect(w.published.map((s) => s.id)).toEqual(reference.signalIds);
    await expectStatsOf(w, reference.fills);
    expect(new Set(faults.map((r) => r.fault))).toEqual(
      new Set(['RANGE_TOO_LARGE', 'HTTP_429', 'TIMEOUT', 'GARBAGE', 'MALFORMED_RESULT']),
    );
  });

  it('resumes a run cut short mid-backfill with no gap and no duplicate', async () => {
    proxy.clear();
    proxy.inject({ method: 'eth_getLogs', kind: 'RANGE_TOO_LARGE', maxRange: 10 });
    const w = await world([proxy.url]);
    let saves = 0;

    // As if Lambda timed out after the third page.
    const first = await runIndexer(
      {
        ...w.deps,
        state: Object.assign(Object.create(w.deps.state) as typeof w.deps.state, {
          save: async (...args: Parameters<typeof w.deps.state.save>) => {
            await w.deps.state.save(...args);
            saves += 1;
          },
        }),
      },
      w.settings({ stopRequested: () => saves >= 3 }),
    );
    expect(first.toBlock).toBeLessThan(head);
    const second = await indexTo(w, head);

    expect(second.fromBlock).toBe((first.toBlock as number) + 1);
    expect(byKey(await w.storedFills())).toEqual(byKey(reference.fills));
    expect(w.published.map((s) => s.id)).toEqual(reference.signalIds);
  });

  it('rolls back a reorg: orphaned fills removed and retracted, positions rebuilt, the new branch indexed', async () => {
    proxy.clear();
    const w = await world([anvil.url]);
    const forkAt = head - 6;
    // Index the old branch, then replace its last 6 blocks with 8 empty ones.
    await indexTo(w, head);
    await rpc('anvil_rollback', [6]);
    const afterRollback = Number(await rpc<string>('eth_blockNumber'));
    expect(afterRollback).toBe(forkAt);
    for (let i = 0; i < 8; i++) await rpc('evm_mine');

    const summary = await indexTo(w, forkAt + 8);

    const orphaned = reference.fills.filter((f) => f.event.blockNumber > forkAt);
    const kept = reference.fills.filter((f) => f.event.blockNumber <= forkAt);
    expect(summary.reorgs).toBe(1);
    expect(byKey(await w.storedFills())).toEqual(byKey(kept));
    const retracted = w.published.filter((s) => s.kind === 'RETRACT').map((s) => s.retracts);
    expect(retracted.sort()).toEqual(orphaned.flatMap((f) => (signalFromFill(f) ? [f.fillId] : [])).sort());
    for (const trader of new Set(reference.fills.map((f) => f.trader))) {
      const rebuilt = replayPositions(kept.filter((f) => f.trader === trader));
      const stored = await w.deps.positions.positionsOf(trader);
      expect(stored.length).toBe(rebuilt.size);
    }
    await expectStatsOf(w, kept);
  });
});
