// One indexer invocation: take the lease, catch up to the head in adaptive pages (the historical
// phase, with progress), then follow the head block by block (the realtime phase) until the
// deadline, checking every new block's parent hash for reorgs. The cursor moves only after a page's
// trade events (and its undecodable logs, quarantined), positions and signals are stored, and only
// while this run holds the lease. Schema drift is counted (UnknownTopicLogs, UndecodableLogs) and
// sampled in the log, never fatal.
import type { BlockHeader, ChainReader } from '../ports/chain.js';
import type { AppLog } from '../ports/runtime.js';
import type { IndexerCheckpoint, IndexerStateStore, RecentBlock, TradeEventStore } from '../ports/stores.js';
import { ingestPage, type DriftCounts, type IngestDeps, type LiveSinks, type PageSummary } from './ingest.js';
import { fixedUpgrade, type UpgradeScanStore, type UpgradeTracker } from './upgrade.js';
import { progressReporter } from './progress.js';
import { rollbackToCanonical } from './reorg.js';

export interface IndexerDeps extends LiveSinks {
  readonly fills: TradeEventStore;
  readonly chain: ChainReader;
  /** Where the v2 upgrade is (configured or discovered); default: none known. */
  readonly upgrade?: UpgradeTracker;
  /** Where the upgrade discovery scan is persisted between containers (the state item). */
  readonly upgradeScans?: UpgradeScanStore;
  readonly state: IndexerStateStore;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: AppLog;
  /** A count; with dimensions it is published as its own metric (e.g. UndecodableLogs by reason). */
  readonly metric: (name: string, value: number, dimensions?: Readonly<Record<string, string>>) => void;
  /** Keeps a failure for operators (/recent_errors); optional, must never throw. */
  readonly recordError?: (reason: string, message: string) => Promise<void>;
}

export interface IndexerSettings {
  readonly owner: string;
  readonly backfillRange: number;
  readonly initialPageSize: number;
  /** Epoch ms after which the run stops taking new work. */
  readonly deadline: number;
  /** Checked with the deadline: true once the invocation must wind down (its time is running out). */
  readonly stopRequested?: () => boolean;
  readonly leaseTtlMs: number;
  /** How long to wait for a previous run to hand the lease over. */
  readonly leaseWaitMs: number;
  readonly tailPollMs: number;
  /** Behind by more than this many blocks: fetch in pages instead of block by block. */
  readonly catchUpThreshold: number;
  readonly lagWarnBlocks: number;
  /** Recent blocks kept for reorg checks; a deeper reorg is logged as such. */
  readonly keepRecentBlocks: number;
}

export const DEFAULT_SETTINGS = {
  leaseTtlMs: 30_000,
  leaseWaitMs: 8_000,
  tailPollMs: 200,
  catchUpThreshold: 5,
  lagWarnBlocks: 30,
  keepRecentBlocks: 64,
} as const;

export interface RunSummary {
  /** UPGRADE_SCANNING: the v2 upgrade discovery used the whole run (saved; the next run resumes it). */
  readonly status: 'DONE' | 'LEASE_HELD' | 'UPGRADE_SCANNING';
  readonly fromBlock?: number;
  readonly toBlock?: number;
  /** Trade events stored, and the fills (executions) among them. */
  readonly events: number;
  readonly fills: number;
  readonly signals: number;
  readonly undecodable: number;
  readonly reorgs: number;
  readonly maxLagBlocks: number;
}

const CONSECUTIVE_ERRORS_BEFORE_GIVING_UP = 5;

export async function runIndexer(deps: IndexerDeps, settings: IndexerSettings): Promise<RunSummary> {
  const { chain, state, log } = deps;
  const leased = await waitForLease(deps, settings);
  if (!leased) {
    log.info('indexer lease held by another run', { reason: 'LEASE_HELD' });
    return {
      status: 'LEASE_HELD',
      events: 0,
      fills: 0,
      signals: 0,
      undecodable: 0,
      reorgs: 0,
      maxLagBlocks: 0,
    };
  }

  // Decoding waits for the upgrade block: a v2 log read with v1 meaning would be stored wrong.
  const scanned = await (
    deps.upgrade?.ready?.({
      ...(deps.upgradeScans ? { store: deps.upgradeScans } : {}),
      deadline: settings.deadline,
      now: () => deps.now().getTime(),
      log,
    }) ?? Promise.resolve(true)
  ).catch(async (err: unknown) => {
    await state.releaseLease(settings.owner).catch(() => undefined);
    throw err;
  });
  if (!scanned) {
    await state.releaseLease(settings.owner).catch(() => undefined);
    return {
      status: 'UPGRADE_SCANNING',
      events: 0,
      fills: 0,
      signals: 0,
      undecodable: 0,
      reorgs: 0,
      maxLagBlocks: 0,
    };
  }

  const headers = new Map<number, BlockHeader>();
  const header = async (n: number) => {
    const known = headers.get(n);
    if (known) return known;
    const h = await chain.header(n);
    if (headers.size > 1_000) headers.clear();
    headers.set(n, h);
    return h;
  };
  const ingestDeps: IngestDeps = {
    fills: deps.fills,
    live: {
      positions: deps.positions,
      stats: deps.stats,
      signals: deps.signals,
    },
    timestamps: async (blocks) =>
      new Map(await Promise.all(blocks.map(async (n) => [n, (await header(n)).timestamp] as const))),
    upgrade: deps.upgrade ?? fixedUpgrade(undefined),
    onDrift: (drift, page) => reportDrift(drift, page, deps),
  };

  let events = 0;
  let fills = 0;
  let signals = 0;
  let undecodable = 0;
  let reorgs = 0;
  let maxLag = 0;
  let lagWarned = false;
  let errors = 0;
  let lastSave = deps.now().getTime();

  let checkpoint = await state.load();
  if (!checkpoint) {
    const head = await chain.headNumber();
    const start = Math.max(0, head - settings.backfillRange);
    log.info('backfill starting', { reason: 'BACKFILL_START', fromBlock: start, toBlock: head });
    checkpoint = { block: start - 1, blockHash: '', pageSize: settings.initialPageSize, recent: [] };
  }
  const fromBlock = checkpoint.block + 1;
  const save = async (cp: IndexerCheckpoint) => {
    await state.save(settings.owner, cp, deps.now(), settings.leaseTtlMs);
    lastSave = deps.now().getTime();
  };

  const timeLeft = () => deps.now().getTime() < settings.deadline && !settings.stopRequested?.();
  try {
    while (timeLeft()) {
      try {
        const head = await chain.headNumber();
        const lag = head - checkpoint.block;
        maxLag = Math.max(maxLag, lag);
        if (lag > settings.lagWarnBlocks && !lagWarned) {
          lagWarned = true;
          log.warn('indexer is behind the head', { reason: 'INDEXER_LAGGING', lagBlocks: lag, head });
        }
        if (lag <= 0) {
          if (deps.now().getTime() - lastSave > settings.leaseTtlMs / 3) await save(checkpoint);
          await deps.sleep(settings.tailPollMs);
          continue;
        }

        const next = checkpoint.block + 1;
        const nextHeader = await header(next);
        if (checkpoint.blockHash && nextHeader.parentHash !== checkpoint.blockHash) {
          headers.clear();
          const result = await rollbackToCanonical(checkpoint, deps);
          reorgs += 1;
          deps.metric('Reorgs', 1);
          log.warn('reorg rolled back', {
            reason: result.deeperThanKept ? 'REORG_DEEPER_THAN_KEPT' : 'REORG',
            forkBlock: result.forkBlock,
            depth: result.depth,
            fillsRemoved: result.fillsRemoved,
            quarantinedRemoved: result.quarantinedRemoved,
            unknownRemovedByAddressTopic: result.unknownRemovedByAddressTopic,
            retractions: result.retractions.length,
          });
          checkpoint = result.checkpoint;
          await save(checkpoint);
          continue;
        }

        const catchingUp = lag > settings.catchUpThreshold;
        const target = catchingUp ? head : next;
        const progress = catchingUp
          ? progressReporter(log, 'backfill progress', 'BACKFILL_PROGRESS', () => deps.now().getTime())
          : undefined;
        for await (const page of chain.logPages({
          fromBlock: next,
          toBlock: target,
          pageSize: checkpoint.pageSize,
        })) {
          const last = await header(page.toBlock);
          if (!catchingUp && page.logs.some((l) => l.blockHash !== last.hash)) {
            // The node answered from a different fork than the header: ask again rather than mix forks.
            headers.delete(page.toBlock);
            throw new Error(`logs of block ${page.toBlock} are from another fork than its header`);
          }
          const summary = await ingestPage(page, ingestDeps);
          events += summary.records.length;
          fills += summary.fills.length;
          signals += summary.signals.length;
          undecodable += summary.undecodable;
          checkpoint = advance(
            checkpoint,
            page.toBlock,
            last.hash,
            summary,
            chain.currentPageSize(),
            settings,
          );
          await save(checkpoint);
          progress?.({ fromBlock: next, toBlock: target, block: page.toBlock });
          if (!timeLeft()) break;
        }
        errors = 0;
      } catch (err) {
        if (err instanceof Error && err.name === 'LeaseLostError') throw err;
        errors += 1;
        deps.metric('IndexerErrors', 1);
        log.error('indexer step failed; retrying', {
          reason: 'INDEXER_STEP_FAILED',
          attempt: errors,
          error: err as Error,
        });
        await deps
          .recordError?.(
            'INDEXER_STEP_FAILED',
            err instanceof Error ? `${err.name}: ${err.message}` : String(err),
          )
          .catch(() => undefined);
        if (errors >= CONSECUTIVE_ERRORS_BEFORE_GIVING_UP) throw err;
        await deps.sleep(Math.min(5_000, 250 * 2 ** errors));
      }
    }
  } finally {
    await state.releaseLease(settings.owner).catch(() => undefined);
    deps.metric('IndexerLagBlocks', maxLag);
  }
  const summary: RunSummary = {
    status: 'DONE',
    fromBlock,
    toBlock: checkpoint.block,
    events,
    fills,
    signals,
    undecodable,
    reorgs,
    maxLagBlocks: maxLag,
  };
  log.info('indexer run finished', { reason: 'RUN_DONE', ...summary });
  return summary;
}

async function waitForLease(deps: IndexerDeps, settings: IndexerSettings): Promise<boolean> {
  const giveUpAt = deps.now().getTime() + settings.leaseWaitMs;
  for (;;) {
    if (await deps.state.acquireLease(settings.owner, deps.now(), settings.leaseTtlMs)) return true;
    if (deps.now().getTime() >= giveUpAt) return false;
    await deps.sleep(500);
  }
}

/**
 * Schema drift, made visible: counts for the alarms, and a sample of the logs (address, topic0,
 * block, reason) so an operator can run `npm run abi-inspect` on the range.
 */
export function reportDrift(
  drift: DriftCounts,
  page: { fromBlock: number; toBlock: number },
  deps: Pick<IndexerDeps, 'log' | 'metric'>,
): void {
  if (drift.unknown > 0) deps.metric('UnknownTopicLogs', drift.unknown);
  if (drift.undecodable > 0) {
    deps.metric('UndecodableLogs', drift.undecodable);
    for (const [reason, n] of Object.entries(drift.undecodableByReason)) {
      deps.metric('UndecodableLogs', n, { reason: reason.split(':')[0] ?? reason });
    }
  }
  deps.log.warn('logs the indexer cannot decode (quarantined, indexing goes on)', {
    reason: drift.unknown > 0 ? 'UNKNOWN_TOPIC_LOGS' : 'UNDECODABLE_LOGS',
    fromBlock: page.fromBlock,
    toBlock: page.toBlock,
    unknownByAddressTopic: drift.unknownByAddressTopic,
    undecodableByReason: drift.undecodableByReason,
    samples: drift.samples.map((q) => ({
      address: q.log.address,
      topic0: q.log.topics[0],
      topics: q.log.topics.length,
      dataBytes: Math.max(0, (q.log.data.length - 2) / 2),
      block: q.log.blockNumber,
      logIndex: q.log.logIndex,
      txHash: q.log.transactionHash,
      reason: q.reason,
      ...(q.detail ? { detail: q.detail } : {}),
    })),
  });
}

/** The checkpoint after a page: new cursor, and the recent window with this page's blocks in it. */
function advance(
  cp: IndexerCheckpoint,
  toBlock: number,
  toHash: string,
  summary: PageSummary,
  pageSize: number,
  settings: IndexerSettings,
): IndexerCheckpoint {
  const added = new Map<number, RecentBlock>();
  for (const f of summary.records) {
    const n = f.event.blockNumber;
    added.set(n, { number: n, hash: f.event.blockHash, traders: summary.tradersByBlock.get(n) ?? [] });
  }
  for (const [n, q] of summary.quarantinedByBlock) {
    const known = added.get(n) ?? { number: n, hash: q.hash, traders: [] };
    added.set(n, { ...known, quarantined: q.addresses });
  }
  if (!added.has(toBlock)) added.set(toBlock, { number: toBlock, hash: toHash, traders: [] });
  const floor = toBlock - settings.keepRecentBlocks;
  // Pages arrive in order, so every block already kept is older than this page's.
  const recent = [...cp.recent, ...added.values()]
    .filter((b) => b.number > floor)
    .sort((a, b) => a.number - b.number);
  return { block: toBlock, blockHash: toHash, pageSize, recent };
}
