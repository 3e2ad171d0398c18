// The v2 upgrade block as the indexer tracks it (indexer/upgrade.ts): learnt from the pages or fixed
// by AVANTIS_UPGRADE_BLOCK; and discovered without it, as a Lambda on Base must: the scan of the
// proxies' Upgraded logs starts at the callbacks proxy's creation (not block 0), walks in pages,
// persists its progress, pauses at the deadline with its progress in the logs, and a cold start
// resumes it; the indexer decodes nothing while the scan is unfinished.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, runIndexer } from '#core/indexer/run.js';
import {
  fixedUpgrade,
  trackedUpgrade,
  REORG_SAFE_BLOCKS,
  scanningUpgrade,
  type UpgradeScan,
  type UpgradeScanStore,
} from '#core/indexer/upgrade.js';
import {
  MemoryFills,
  FakeChain,
  MemoryPositions,
  MemorySignals,
  MemoryState,
  MemoryStats,
} from '../../support/indexer-fakes.js';
import { pagedScanChain } from '#core/adapters/chain/connect.js';
import type { LogQuery } from '#core/adapters/chain/rpc-pool.js';
import type { UpgradeScanChain } from '#core/ports/chain.js';
import { TRADING, CALLBACKS, DEPLOYMENT, upgraded } from './chain-logs.js';

const CREATED = 19_000_000;
const UPGRADE = 33_000_000;

/** A Base-like chain: proxies created at CREATED, upgraded at UPGRADE; every call recorded. */
function baseLike(head: { n: number }) {
  const logs = [
    upgraded(TRADING, CREATED),
    upgraded(CALLBACKS, CREATED),
    upgraded(TRADING, UPGRADE),
    upgraded(CALLBACKS, UPGRADE),
  ];
  const queries: LogQuery[] = [];
  let codeCalls = 0;
  // The real adaptive pager over a fake RPC, as the pool feeds it in production.
  const chain: UpgradeScanChain = pagedScanChain({
    blockNumber: async () => head.n,
    codeAt: async (_address, block) => {
      codeCalls++;
      return block >= CREATED ? '0x6080' : '0x';
    },
    getLogs: async (q) => {
      queries.push(q);
      return logs.filter((l) => l.blockNumber >= q.fromBlock && l.blockNumber <= q.toBlock);
    },
  });
  return { chain, queries, codeCalls: () => codeCalls };
}

class MemoryScanStore implements UpgradeScanStore {
  scan: UpgradeScan | undefined;
  saves = 0;
  async loadUpgradeScan() {
    return this.scan;
  }
  async saveUpgradeScan(scan: UpgradeScan) {
    this.saves++;
    if (!this.scan || scan.scannedTo > this.scan.scannedTo) this.scan = scan;
  }
}

function recordingLog() {
  const lines: { message: string; reason: unknown; attrs: Record<string, unknown> }[] = [];
  const push = (message: string, attrs: Record<string, unknown> = {}) =>
    lines.push({ message, reason: attrs.reason, attrs });
  return { lines, log: { info: push, warn: push, error: push } };
}

describe('the v2 upgrade block', () => {
  it('a tracker with no history learns it from the pages, at its own block', () => {
    const t = trackedUpgrade(DEPLOYMENT, []);
    expect(t.observe([upgraded(TRADING, 3), upgraded(CALLBACKS, 3)])).toBe(false);
    expect(t.context()).toEqual({});
    expect(t.observe([upgraded(TRADING, 70), upgraded(CALLBACKS, 70)])).toBe(true);
    expect(t.context()).toEqual({ upgradeBlock: 70 });
    // A replayed page moves nothing.
    expect(t.observe([upgraded(TRADING, 70), upgraded(CALLBACKS, 70)])).toBe(false);
  });

  it('a configured block (AVANTIS_UPGRADE_BLOCK) is never moved by pages', () => {
    const t = fixedUpgrade(42);
    expect(
      t.observe([
        upgraded(TRADING, 1),
        upgraded(CALLBACKS, 1),
        upgraded(TRADING, 70),
        upgraded(CALLBACKS, 70),
      ]),
    ).toBe(false);
    expect(t.context()).toEqual({ upgradeBlock: 42 });
  });
});

describe('the v2 upgrade discovery scan', () => {
  it('starts at the callbacks proxy creation, pauses at the deadline with its progress logged, and a cold container resumes it', async () => {
    // Prepare: a head 21M blocks past the creation, and a run that may spend 3 clock ticks.
    const head = { n: 40_000_000 };
    const { chain, queries, codeCalls } = baseLike(head);
    const store = new MemoryScanStore();
    let clock = 0;
    const now = () => clock++;
    const { lines, log } = recordingLog();

    // Act: the first container's run.
    const first = scanningUpgrade(DEPLOYMENT, chain);
    const done = await first.ready?.({ store, deadline: 3, now, log });

    // Assess: bounded (no query below the creation block, a bisection of ~26 eth_getCode),
    // paged, paused, saved, visible.
    expect(done).toBe(false);
    expect(Math.min(...queries.map((q) => Number(q.fromBlock)))).toBe(CREATED);
    expect(codeCalls()).toBeLessThanOrEqual(30);
    for (const q of queries)
      expect(Number(q.toBlock) - Number(q.fromBlock) + 1).toBeLessThanOrEqual(10_000_000);
    expect(queries.length).toBeGreaterThan(1);
    expect(store.scan?.floor).toBe(CREATED);
    const pausedAt = store.scan?.scannedTo ?? 0;
    expect(pausedAt).toBe(Number(queries.at(-1)?.toBlock));
    expect(lines.map((l) => l.reason)).toContain('UPGRADE_SCAN_PROGRESS');
    expect(lines.at(-1)).toMatchObject({ reason: 'UPGRADE_SCAN_PAUSED', attrs: { block: pausedAt } });

    // Act: a cold container, same store, enough time.
    queries.length = 0;
    const second = scanningUpgrade(DEPLOYMENT, chain);
    const finished = await second.ready?.({ store, deadline: Number.POSITIVE_INFINITY, now, log });

    // Assess: resumed right after the saved block, found the upgrade, persisted only settled blocks.
    expect(finished).toBe(true);
    expect(Number(queries[0]?.fromBlock)).toBe(pausedAt + 1);
    expect(second.context()).toEqual({ upgradeBlock: UPGRADE });
    expect(store.scan?.scannedTo).toBe(head.n - REORG_SAFE_BLOCKS);
    expect(store.scan?.logs.map((l) => l.blockNumber)).toEqual([CREATED, CREATED, UPGRADE, UPGRADE]);
  });

  it('after a finished scan, a cold start asks only for the blocks since the last save', async () => {
    // Prepare: a finished scan in the store; the chain 1,000 blocks further on.
    const head = { n: 40_000_000 };
    const { chain, queries, codeCalls } = baseLike(head);
    const store = new MemoryScanStore();
    await scanningUpgrade(DEPLOYMENT, chain).ready?.({ store, deadline: Infinity, now: () => 0 });
    queries.length = 0;
    const codeBefore = codeCalls();
    head.n += 1_000;

    // Act
    const cold = scanningUpgrade(DEPLOYMENT, chain);
    const ready = await cold.ready?.({ store, deadline: Infinity, now: () => 0 });

    // Assess
    expect(ready).toBe(true);
    expect(cold.context()).toEqual({ upgradeBlock: UPGRADE });
    expect(codeCalls()).toBe(codeBefore);
    expect(queries.map((q) => [q.fromBlock, q.toBlock])).toEqual([
      [40_000_000 - REORG_SAFE_BLOCKS + 1, head.n],
    ]);
  });

  it('starts at block 0 when the node cannot date the proxy (no archive state), and says so', async () => {
    const head = { n: 500 };
    const { chain, queries } = baseLike(head);
    chain.codeAt = async () => {
      throw new Error('missing trie node');
    };
    const { lines, log } = recordingLog();

    await scanningUpgrade(DEPLOYMENT, chain).ready?.({ deadline: Infinity, now: () => 0, log });

    expect(queries[0]?.fromBlock).toBe(0);
    expect(lines.map((l) => l.reason)).toContain('UPGRADE_SCAN_NO_FLOOR');
  });

  it('the indexer decodes nothing and keeps its cursor while the scan is unfinished', async () => {
    // Prepare: a fake chain for the indexer, the Base-like chain for the scan, one tick of time.
    const fakeChain = new FakeChain(20);
    const state = new MemoryState();
    let clock = 1_000_000;
    const { chain } = baseLike({ n: 40_000_000 });

    // Act
    const summary = await runIndexer(
      {
        chain: fakeChain,
        fills: new MemoryFills(),
        positions: new MemoryPositions(),
        stats: new MemoryStats(),
        signals: new MemorySignals(),
        state,
        upgrade: scanningUpgrade(DEPLOYMENT, chain),
        upgradeScans: new MemoryScanStore(),
        now: () => new Date(clock++),
        sleep: async () => undefined,
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
        metric: () => undefined,
      },
      {
        ...DEFAULT_SETTINGS,
        owner: 'run-1',
        backfillRange: 100,
        initialPageSize: 10,
        deadline: clock + 2,
      },
    );

    // Assess
    expect(summary.status).toBe('UPGRADE_SCANNING');
    expect(await state.load()).toBeUndefined();
    expect(await state.acquireLease('run-2', new Date(clock), 1_000)).toBe(true);
  });
});
