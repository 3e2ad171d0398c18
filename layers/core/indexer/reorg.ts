// Reorg rollback: find where our recent blocks meet the canonical chain again, delete the trade
// events of orphaned blocks (every kind) and their quarantined logs (so the quarantine, and the
// unknown-topic counts read from it, hold the canonical chain only), rebuild the touched traders'
// positions and stats from what remains, and tell followers which signals no longer stand.
import { firstFillKeyOfBlock, isFill } from '../domain/fills.js';
import { positionKey, replayPositions, type Position } from '../domain/positions.js';
import { retraction, signalFromFill, type Signal } from '../domain/signals.js';
import { statsFromFills } from '../domain/analytics/stats.js';
import type { ChainReader } from '../ports/chain.js';
import type { SignalQueue } from '../ports/queues.js';
import type { IndexerCheckpoint, PositionStore, StatsStore, TradeEventStore } from '../ports/stores.js';

export interface RollbackResult {
  readonly checkpoint: IndexerCheckpoint;
  readonly forkBlock: number;
  readonly depth: number;
  readonly fillsRemoved: number;
  /** Quarantined logs of orphaned blocks, removed (the canonical branch quarantines its own). */
  readonly quarantinedRemoved: number;
  /** The unknown-topic logs among them, by `address topic0`, as the drift counts key them. */
  readonly unknownRemovedByAddressTopic: Readonly<Record<string, number>>;
  readonly retractions: readonly Signal[];
  /** True when no recent block matched: the fork is older than what we keep. */
  readonly deeperThanKept: boolean;
}

export async function rollbackToCanonical(
  checkpoint: IndexerCheckpoint,
  deps: {
    chain: ChainReader;
    fills: TradeEventStore;
    positions: PositionStore;
    stats: Pick<StatsStore, 'putMany'>;
    signals: SignalQueue;
  },
): Promise<RollbackResult> {
  const recent = [...checkpoint.recent].sort((a, b) => b.number - a.number);
  let fork: { number: number; hash: string } | undefined;
  for (const block of recent) {
    const canonical = await deps.chain.header(block.number);
    if (canonical.hash === block.hash) {
      fork = block;
      break;
    }
  }
  const oldest = recent.at(-1);
  const deeperThanKept = fork === undefined;
  const forkBlock = fork?.number ?? (oldest ? oldest.number - 1 : checkpoint.block - 1);
  const forkHash = fork?.hash ?? (await deps.chain.header(forkBlock)).hash;

  const orphaned = recent.filter((b) => b.number > forkBlock);
  const traders = [...new Set(orphaned.flatMap((b) => b.traders))];
  const retractions: Signal[] = [];
  let fillsRemoved = 0;
  for (const trader of traders) {
    const removed = await deps.fills.deleteEventsFrom(trader, firstFillKeyOfBlock(forkBlock + 1));
    fillsRemoved += removed.length;
    for (const fill of removed.filter(isFill)) {
      const signal = signalFromFill(fill);
      if (signal) retractions.push(retraction(signal));
    }
    const remaining = await deps.fills.eventsOf(trader);
    // Stats follow the corrected history: rebuilt from the fills that still stand.
    await deps.stats.putMany([statsFromFills(trader, remaining)]);
    const rebuilt = replayPositions(remaining);
    const changes = new Map<string, Position | undefined>();
    for (const p of await deps.positions.positionsOf(trader)) {
      changes.set(`${trader}|${positionKey(p.pairIndex, p.tradeIndex)}`, undefined);
    }
    for (const [key, p] of rebuilt) changes.set(`${trader}|${key}`, p);
    await deps.positions.apply(changes);
  }
  await deps.signals.publish(retractions);

  let quarantinedRemoved = 0;
  const unknownRemovedByAddressTopic: Record<string, number> = {};
  for (const address of new Set(orphaned.flatMap((b) => b.quarantined ?? []))) {
    const removed = await deps.fills.deleteQuarantinedFrom(address, firstFillKeyOfBlock(forkBlock + 1));
    quarantinedRemoved += removed.length;
    for (const q of removed.filter((r) => r.reason === 'UNKNOWN_TOPIC')) {
      const key = `${q.log.address.toLowerCase()} ${q.log.topics[0]?.toLowerCase() ?? '(no topics)'}`;
      unknownRemovedByAddressTopic[key] = (unknownRemovedByAddressTopic[key] ?? 0) + 1;
    }
  }

  return {
    checkpoint: {
      block: forkBlock,
      blockHash: forkHash,
      pageSize: checkpoint.pageSize,
      recent: checkpoint.recent.filter((b) => b.number <= forkBlock),
    },
    forkBlock,
    depth: checkpoint.block - forkBlock,
    fillsRemoved,
    quarantinedRemoved,
    unknownRemovedByAddressTopic,
    retractions,
    deeperThanKept,
  };
}
