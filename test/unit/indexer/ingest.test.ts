// ingestPage (indexer/ingest.ts): the reused SlUpdated topic0 decided by the upgrade block inside
// one page, and schema drift (unknown topic0s counted by address, malformed known ones by reason,
// known skips silent, all of it quarantined before the page's events are stored; a failed
// quarantine write fails the page, so the cursor cannot pass an unstored log).
import { EventFragment, Interface } from 'ethers';
import { describe, expect, it } from 'vitest';
import type { RawLog } from '#core/domain/trade-events.js';
import { ingestPage } from '#core/indexer/ingest.js';
import { trackedUpgrade } from '#core/indexer/upgrade.js';
import { MemoryFills } from '../../support/indexer-fakes.js';
import { TRADING, CALLBACKS, DEPLOYMENT, upgraded, driftPage, timestamps } from './chain-logs.js';

const ALICE = '0x00000000000000000000000000000000000a11ce';

describe('the v2 upgrade block', () => {
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
  const page = driftPage;
  const [open] = page.logs;

  it('counts unknown topic0s by address and malformed logs by reason, skips known events silently, and stores the rest', async () => {
    const fills = new MemoryFills();
    const summary = await ingestPage(page, { fills, timestamps });
    expect(summary).toMatchObject({ logs: 4, undecodable: 2, unknownTopics: 1, ignored: 1 });
    expect(summary.drift.unknownByAddressTopic).toEqual({
      [`${open?.address.toLowerCase()} 0x${'77'.repeat(32)}`]: 1,
    });
    expect(Object.keys(summary.drift.undecodableByReason)).toEqual([expect.stringMatching(/^DATA_LENGTH: /)]);
    expect([...fills.quarantined.values()].map((q) => [q.reason, q.log.logIndex])).toEqual([
      ['UNKNOWN_TOPIC', 1],
      ['MALFORMED_LOG', 2],
    ]);
    expect(summary.fills).toHaveLength(1);
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
