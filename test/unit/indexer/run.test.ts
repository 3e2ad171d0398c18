// The indexer's logic on in-memory ports and a fake chain that can fork: backfill, restart without
// gap or duplicate, tailing, reorg rollback with retractions, the lease, undecodable logs; and how a
// page's schema drift is reported (UnknownTopicLogs, UndecodableLogs plain and by reason).
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  runIndexer,
  type IndexerDeps,
  type IndexerSettings,
  reportDrift,
} from '#core/indexer/run.js';
import type { RawLog } from '#core/domain/trade-events.js';
import { closingFees, marketClose, marketOpen } from '../../fixtures/avantis-logs.js';
import {
  FakeChain,
  MemoryFills,
  MemoryPositions,
  MemorySignals,
  MemoryState,
  MemoryStats,
} from '../../support/indexer-fakes.js';
import { ingestPage } from '#core/indexer/ingest.js';
import { driftPage, timestamps } from './chain-logs.js';

const ALICE = '0x00000000000000000000000000000000000a11ce';
const BOB = '0x0000000000000000000000000000000000000b0b';
const USDC = 1_000_000n;

function world(chain: FakeChain) {
  let clock = 1_000_000;
  const fills = new MemoryFills();
  const positions = new MemoryPositions();
  const signals = new MemorySignals();
  const stats = new MemoryStats();
  const state = new MemoryState();
  const warnings: { message: string; attrs?: Record<string, unknown> }[] = [];
  const metrics: { name: string; value: number; dimensions?: Readonly<Record<string, string>> }[] = [];
  let onSleep: () => void = () => undefined;
  const deps: IndexerDeps = {
    chain,
    fills,
    positions,
    stats,
    signals,
    state,
    now: () => new Date(clock),
    sleep: async (ms) => {
      clock += ms;
      onSleep();
    },
    log: {
      info: () => undefined,
      warn: (message, attrs) => warnings.push({ message, attrs }),
      error: () => undefined,
    },
    metric: (name, value, dimensions) => metrics.push({ name, value, ...(dimensions ? { dimensions } : {}) }),
  };
  const settings = (over: Partial<IndexerSettings> = {}): IndexerSettings => ({
    ...DEFAULT_SETTINGS,
    owner: 'run-1',
    backfillRange: 100,
    initialPageSize: 10,
    deadline: clock + 5_000,
    ...over,
  });
  return {
    deps,
    fills,
    positions,
    stats,
    signals,
    state,
    warnings,
    metrics,
    settings,
    advance: (ms: number) => (clock += ms),
    whileSleeping: (fn: () => void) => (onSleep = fn),
  };
}

/** Alice opens 100 USDC at block 20, closes 40 at block 40 (with a fee event), Bob opens at block 60. */
function tradingLogs(n: number, hash: string): RawLog[] {
  if (n === 20)
    return [marketOpen({ trader: ALICE, collateral: 100n * USDC }, { blockNumber: n, blockHash: hash })];
  if (n === 40) {
    const at = { blockNumber: n, blockHash: hash, txHash: `0x${'c'.repeat(64)}` };
    return [
      closingFees({ ...at, logIndex: 0 }, { collateral: 40n * USDC, closingFee: USDC / 10n }),
      marketClose(
        { trader: ALICE, collateral: 100n * USDC },
        { ...at, logIndex: 1 },
        {
          amount: 40n * USDC,
          price: 3_300n * 10n ** 10n,
          percentProfit: 100n * 10n ** 10n,
          usdcSentToTrader: 79_900_000n,
        },
      ),
    ];
  }
  if (n === 60)
    return [
      marketOpen(
        { trader: BOB, pairIndex: 1, collateral: 500n * USDC, buy: false },
        { blockNumber: n, blockHash: hash },
      ),
    ];
  return [];
}

describe('Function: runIndexer', () => {
  it('backfills the configured range, storing fills, positions and signals, and ends at the head', async () => {
    const chain = new FakeChain(0);
    chain.grow(120, tradingLogs);
    const w = world(chain);

    const summary = await runIndexer(w.deps, w.settings());

    expect(summary).toMatchObject({
      status: 'DONE',
      fromBlock: 19,
      toBlock: 119,
      events: 4,
      fills: 3,
      signals: 3,
      reorgs: 0,
    });
    expect(w.fills.sorted().map((f) => [f.trader, f.event.kind])).toEqual([
      [ALICE, 'MarketExecuted'],
      [ALICE, 'ClosingFeesCharged'],
      [ALICE, 'MarketExecuted'],
      [BOB, 'MarketExecuted'],
    ]);
    expect(w.positions.get(ALICE, 0, 0)?.collateral).toBe(60n * USDC);
    expect(w.positions.get(BOB, 1, 0)?.buy).toBe(false);
    expect(w.signals.sent.map((s) => [s.kind, s.trader, s.closeFraction])).toEqual([
      ['OPEN', ALICE, undefined],
      ['CLOSE', ALICE, { closed: '40000000', of: '100000000' }],
      ['OPEN', BOB, undefined],
    ]);
    expect(w.state.checkpoint).toMatchObject({ block: 119, blockHash: chain.hashOf(119) });
    expect(w.state.lease).toBeUndefined();
  });

  it('resumes after a run is cut short mid-backfill, with no gap and no duplicate', async () => {
    const chain = new FakeChain(0);
    chain.grow(120, tradingLogs);
    const w = world(chain);
    let pages = 0;
    const cutShort = { ...w.deps, state: w.state };
    // The first run's deadline passes after its fourth page: as if Lambda timed out there.
    const first = w.settings();
    const realSave = w.state.save.bind(w.state);
    w.state.save = async (...args) => {
      await realSave(...args);
      pages += 1;
      if (pages === 4) w.advance(10_000);
    };
    const run1 = await runIndexer(cutShort, first);
    w.state.save = realSave;
    expect(run1.toBlock).toBeLessThan(119);

    const run2 = await runIndexer(w.deps, w.settings({ owner: 'run-2' }));

    expect(run2.fromBlock).toBe((run1.toBlock as number) + 1);
    expect(run2.toBlock).toBe(119);
    expect(w.fills.sorted()).toHaveLength(4);
    expect(new Set(w.signals.sent.map((s) => s.id)).size).toBe(w.signals.sent.length);
    expect(w.signals.sent).toHaveLength(3);
    expect(w.positions.get(ALICE, 0, 0)?.collateral).toBe(60n * USDC);
  });

  it('tails new blocks one by one until the deadline', async () => {
    const chain = new FakeChain(0);
    chain.grow(30);
    const w = world(chain);
    let grown = 0;
    w.whileSleeping(() => {
      if (grown < 40) {
        grown += 1;
        chain.grow(1, tradingLogs);
      }
    });

    // 200 ms polls: 40 new blocks arrive well within 20 s of (virtual) time.
    const summary = await runIndexer(w.deps, w.settings({ backfillRange: 5, deadline: 1_000_000 + 20_000 }));

    expect(summary.toBlock).toBe(69);
    // Blocks 30-69 arrive while tailing: Alice's close at 40 (her open predates the chain we grew) and Bob's open at 60.
    expect(w.signals.sent.map((s) => [s.kind, s.block])).toEqual([
      ['CLOSE', 40],
      ['OPEN', 60],
    ]);
    expect(w.positions.get(ALICE, 0, 0)?.collateral).toBe(60n * USDC);
  });

  it('rolls back a reorg: removes orphaned fills, rebuilds positions, retracts signals, indexes the new branch', async () => {
    const chain = new FakeChain(0);
    chain.grow(70, tradingLogs);
    const w = world(chain);
    await runIndexer(w.deps, w.settings());
    expect(w.positions.get(BOB, 1, 0)).toBeDefined();

    // Blocks 55.. are replaced: Bob's open at 60 never happened; Alice closes the rest at 65 instead.
    chain.fork(55, 20, (n, hash) =>
      n === 65
        ? [
            marketClose(
              { trader: ALICE, collateral: 60n * USDC },
              { blockNumber: n, blockHash: hash },
              {
                amount: 60n * USDC,
                price: 2_900n * 10n ** 10n,
                percentProfit: -33n * 10n ** 10n,
                usdcSentToTrader: 40_000_000n,
              },
            ),
          ]
        : [],
    );
    const summary = await runIndexer(w.deps, w.settings({ owner: 'run-2' }));

    expect(summary.reorgs).toBe(1);
    expect(w.positions.get(BOB, 1, 0)).toBeUndefined();
    expect(w.positions.get(ALICE, 0, 0)).toBeUndefined();
    expect(w.fills.sorted().some((f) => f.trader === BOB)).toBe(false);
    const retract = w.signals.sent.find((s) => s.kind === 'RETRACT');
    expect(retract).toMatchObject({ trader: BOB, retracts: w.signals.sent[2]?.id });
    expect(w.signals.sent.at(-1)).toMatchObject({
      kind: 'CLOSE',
      trader: ALICE,
      closeFraction: { closed: '60000000', of: '60000000' },
    });
    expect(w.state.checkpoint?.blockHash).toBe(chain.hashOf(74));
  });

  it('does nothing while another run holds the lease', async () => {
    const chain = new FakeChain(50);
    const w = world(chain);
    await w.state.acquireLease('someone-else', new Date(1_000_000), 60_000);

    const summary = await runIndexer(w.deps, w.settings());

    expect(summary.status).toBe('LEASE_HELD');
    expect(w.state.checkpoint).toBeUndefined();
  });

  it('counts an unknown-topic log by address and topic0, quarantines it, publishes UnknownTopicLogs, and keeps going', async () => {
    const chain = new FakeChain(0);
    const unknown = `0x${'de'.repeat(32)}`;
    chain.grow(30, (n, hash) =>
      n === 10
        ? [
            {
              address: '0x01',
              topics: [unknown],
              data: '0x',
              blockNumber: n,
              blockHash: hash,
              transactionHash: '0x02',
              logIndex: 0,
            },
          ]
        : tradingLogs(n, hash),
    );
    const w = world(chain);

    const summary = await runIndexer(w.deps, w.settings());

    expect(summary).toMatchObject({ undecodable: 1, fills: 1, toBlock: 29 });
    const warning = w.warnings.find((x) => x.attrs?.reason === 'UNKNOWN_TOPIC_LOGS')?.attrs;
    expect(warning).toMatchObject({
      unknownByAddressTopic: { [`0x01 ${unknown}`]: 1 },
      samples: [{ topic0: unknown, block: 10, address: '0x01' }],
    });
    expect(w.metrics.filter((m) => m.name === 'UnknownTopicLogs')).toEqual([
      { name: 'UnknownTopicLogs', value: 1 },
    ]);
    expect([...w.fills.quarantined.values()].map((q) => [q.reason, q.log.blockNumber])).toEqual([
      ['UNKNOWN_TOPIC', 10],
    ]);
  });

  it('a reorg also removes the orphaned blocks quarantined logs, so the quarantine holds the canonical chain only', async () => {
    // Prepare: unknown-topic logs at blocks 10 and 58 (and a malformed known one at 58), indexed.
    const unknown = `0x${'de'.repeat(32)}`;
    const drift = (n: number, hash: string, logIndex = 0): RawLog => ({
      address: '0x01',
      topics: [unknown],
      data: '0x',
      blockNumber: n,
      blockHash: hash,
      transactionHash: `0x${'02'.repeat(32)}`,
      logIndex,
    });
    const malformed = (n: number, hash: string): RawLog => ({
      ...marketOpen({ trader: ALICE, collateral: USDC }, { blockNumber: n, blockHash: hash, logIndex: 1 }),
      data: '0x1234',
    });
    const chain = new FakeChain(0);
    chain.grow(70, (n, hash) =>
      n === 10 ? [drift(n, hash)] : n === 58 ? [drift(n, hash), malformed(n, hash)] : tradingLogs(n, hash),
    );
    const w = world(chain);
    await runIndexer(w.deps, w.settings());
    expect(w.fills.quarantined.size).toBe(3);

    // Act: blocks 55.. are replaced; the unknown-topic transaction lands in block 62 instead.
    chain.fork(55, 20, (n, hash) => (n === 62 ? [drift(n, hash)] : []));
    const summary = await runIndexer(w.deps, w.settings({ owner: 'run-2' }));

    // Assess: one stored unknown log per canonical log, none of the orphaned branch.
    expect(summary.reorgs).toBe(1);
    const stored = [...w.fills.quarantined.values()];
    expect(stored.map((q) => [q.reason, q.log.blockNumber, q.log.blockHash])).toEqual([
      ['UNKNOWN_TOPIC', 10, chain.hashOf(10)],
      ['UNKNOWN_TOPIC', 62, chain.hashOf(62)],
    ]);
    const perAddressTopic = stored.filter((q) => q.reason === 'UNKNOWN_TOPIC').length;
    expect(perAddressTopic).toBe(2);
    expect(w.warnings.find((x) => x.attrs?.reason === 'REORG')?.attrs).toMatchObject({
      quarantinedRemoved: 2,
      unknownRemovedByAddressTopic: { [`0x01 ${unknown}`]: 1 },
    });
  });

  it('warns once when it is far behind the head', async () => {
    const chain = new FakeChain(200);
    const w = world(chain);

    await runIndexer(w.deps, w.settings({ backfillRange: 150 }));

    expect(w.warnings.filter((x) => x.attrs?.reason === 'INDEXER_LAGGING')).toHaveLength(1);
  });
});

describe('schema drift in a page', () => {
  const page = driftPage;

  it('publishes UnknownTopicLogs, and UndecodableLogs both plain (the alarm) and by reason', async () => {
    const summary = await ingestPage(page, { fills: new MemoryFills(), timestamps });
    const metrics: [string, number, Readonly<Record<string, string>>?][] = [];
    const warnings: Record<string, unknown>[] = [];
    reportDrift(summary.drift, page, {
      metric: (n, v, d) => void metrics.push(d ? [n, v, d] : [n, v]),
      log: { info: () => undefined, warn: (_m, a) => void warnings.push(a ?? {}), error: () => undefined },
    });
    expect(metrics).toEqual([
      ['UnknownTopicLogs', 1],
      ['UndecodableLogs', 1],
      ['UndecodableLogs', 1, { reason: 'DATA_LENGTH' }],
    ]);
    expect(warnings[0]).toMatchObject({
      reason: 'UNKNOWN_TOPIC_LOGS',
      fromBlock: 10,
      samples: [{ logIndex: 1 }, { logIndex: 2 }],
    });
  });
});
