// The v2 upgrade block (from the proxies' EIP-1967 Upgraded logs, configured, or learnt from pages)
// and schema drift in a page (unknown topic0s counted by address, malformed known ones by reason,
// known skips silent, all of it quarantined before the page's events are stored; a failed
// quarantine write fails the page, so the cursor cannot pass an unstored log).
import { EventFragment, Interface } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  UPGRADED_TOPIC0,
  upgradeBlockFromLogs,
  type AvantisDeployment,
} from '../../../layers/core/domain/avantis/addresses.js';
import type { RawLog } from '../../../layers/core/domain/trade-events.js';
import { ingestPage } from '../../../layers/core/indexer/ingest.js';
import { reportDrift } from '../../../layers/core/indexer/run.js';
import { fixedUpgrade, trackedUpgrade } from '../../../layers/core/indexer/upgrade.js';
import { marketOpen } from '../../fixtures/avantis-logs.js';
import { MemoryFills } from '../../support/indexer-fakes.js';

const TRADING = '0x00000000000000000000000000000000000000a1';
const CALLBACKS = '0x00000000000000000000000000000000000000c1';
const STORAGE = '0x00000000000000000000000000000000000000d1';
const DEPLOYMENT: AvantisDeployment = {
  chainId: 31337,
  tradingCallbacks: CALLBACKS,
  trading: [TRADING],
  tradingStorage: STORAGE,
  pairInfos: '0x00000000000000000000000000000000000000e1',
  pairStorage: '0x00000000000000000000000000000000000000f1',
  usdc: '0x00000000000000000000000000000000000000b1',
};
const ALICE = '0x00000000000000000000000000000000000a11ce';

const upgraded = (address: string, blockNumber: number): RawLog => ({
  address,
  topics: [UPGRADED_TOPIC0, `0x${'0'.repeat(63)}1`],
  data: '0x',
  blockNumber,
  blockHash: `0x${blockNumber.toString(16).padStart(64, '0')}`,
  transactionHash: `0x${blockNumber.toString(16).padStart(64, 'e')}`,
  logIndex: 0,
});

describe('the v2 upgrade block', () => {
  it('is the latest block where Trading and TradingCallbacks both upgraded after their deployment', () => {
    const logs = [
      upgraded(TRADING, 3),
      upgraded(CALLBACKS, 4),
      upgraded(STORAGE, 5),
      upgraded(TRADING, 60),
      upgraded(CALLBACKS, 60),
      upgraded(STORAGE, 60),
    ];
    expect(upgradeBlockFromLogs(logs, { trading: [TRADING], callbacks: CALLBACKS })).toBe(60);
  });

  it('is unknown while only deployments are seen, or only one of the two upgraded', () => {
    const w = { trading: [TRADING], callbacks: CALLBACKS };
    expect(upgradeBlockFromLogs([upgraded(TRADING, 3), upgraded(CALLBACKS, 3)], w)).toBeUndefined();
    expect(
      upgradeBlockFromLogs([upgraded(TRADING, 3), upgraded(CALLBACKS, 3), upgraded(TRADING, 9)], w),
    ).toBeUndefined();
  });

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

  it('decides the reused SlUpdated topic0 by it inside one page', async () => {
    const f = EventFragment.from(
      'event SlUpdated(uint256 orderId, address indexed trader, uint256 pairIndex, uint256 index, uint256 newSl, uint256 last)',
    );
    const enc = new Interface([f]).encodeEventLog(f, [1n, ALICE, 0n, 0n, 5n, 1_700_000_000n]);
    const sl = (blockNumber: number): RawLog => ({
      ...upgraded(CALLBACKS, blockNumber),
      topics: enc.topics,
      data: enc.data,
      logIndex: 1,
    });
    const fills = new MemoryFills();
    const page = {
      fromBlock: 0,
      toBlock: 80,
      logs: [
        upgraded(TRADING, 3),
        upgraded(CALLBACKS, 3),
        sl(50),
        upgraded(TRADING, 70),
        upgraded(CALLBACKS, 70),
        sl(75),
      ],
    };
    const summary = await ingestPage(page, {
      fills,
      timestamps: async (b) => new Map(b.map((n) => [n, n])),
      upgrade: trackedUpgrade(DEPLOYMENT, []),
    });
    expect(summary.records.map((r) => r.event.variant)).toEqual([
      'SlUpdated/callbacks-solidity-2024-05',
      'SlUpdated/callbacks-v2-inferred',
    ]);
    expect(summary.ignored).toBe(4);
  });
});

describe('schema drift in a page', () => {
  const open = marketOpen({ trader: ALICE, collateral: 100_000_000n }, { blockNumber: 10, logIndex: 0 });
  const unknown: RawLog = { ...open, topics: [`0x${'77'.repeat(32)}`], logIndex: 1 };
  const malformed: RawLog = { ...open, data: open.data.slice(0, -64), logIndex: 2 };
  const skipped: RawLog = { ...upgraded(TRADING, 10), logIndex: 3 };
  const page = { fromBlock: 10, toBlock: 10, logs: [open, unknown, malformed, skipped] };
  const timestamps = async (b: readonly number[]) => new Map(b.map((n) => [n, 1_700_000_000 + n]));

  it('counts unknown topic0s by address and malformed logs by reason, skips known events silently, and stores the rest', async () => {
    const fills = new MemoryFills();
    const summary = await ingestPage(page, { fills, timestamps });
    expect(summary).toMatchObject({ logs: 4, undecodable: 2, unknownTopics: 1, ignored: 1 });
    expect(summary.drift.unknownByAddressTopic).toEqual({
      [`${open.address.toLowerCase()} 0x${'77'.repeat(32)}`]: 1,
    });
    expect(Object.keys(summary.drift.undecodableByReason)).toEqual([expect.stringMatching(/^DATA_LENGTH: /)]);
    expect([...fills.quarantined.values()].map((q) => [q.reason, q.log.logIndex])).toEqual([
      ['UNKNOWN_TOPIC', 1],
      ['MALFORMED_LOG', 2],
    ]);
    expect(summary.fills).toHaveLength(1);
  });

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

  it('fails the page when the quarantine cannot be written, before any event is stored', async () => {
    const fills = new MemoryFills();
    fills.putQuarantined = async () => {
      throw new Error('throttled');
    };
    await expect(ingestPage(page, { fills, timestamps })).rejects.toThrow('throttled');
    expect(fills.items.size).toBe(0);
  });
});
