// Where the indexer stands on the Avantis v2 upgrade: the first block of v2 layouts, from
// AVANTIS_UPGRADE_BLOCK, else discovered from the proxies' EIP-1967 Upgraded logs before the run,
// and kept current from the Upgraded logs every page brings (the unfiltered fetch sees them), so an
// upgrade that happens while the indexer tails is picked up at its own block. Only the one topic0
// whose meaning changed at the upgrade (docs/avantis.md v2 §7: SlUpdated) depends on it.
//
// Discovery is a resumable scan, persisted with the indexer state: it starts at the callbacks
// proxy's creation block (found by bisecting eth_getCode, not block 0), walks in adaptive pages,
// saves its progress and the Upgraded logs found after every page, and pauses at the run's
// deadline. A cold Lambda container therefore resumes (or, once done, scans only the blocks since
// the last save) instead of scanning Base from genesis on every start.
import type { UpgradeScanChain } from '../ports/chain.js';
import type { AppLog } from '../ports/runtime.js';
import { progressReporter } from './progress.js';
import {
  UPGRADED_TOPIC0,
  upgradeBlockFromLogs,
  upgradeWitnesses,
  type AvantisDeployment,
} from '../domain/avantis/addresses.js';
import type { DecodeContext } from '../domain/avantis/decode.js';
import type { RawLog } from '../domain/trade-events.js';

export interface UpgradeTracker {
  /** What the decoder needs: the upgrade block when known. */
  context(): DecodeContext;
  /** Takes a page's logs in chain order; returns true when they moved the upgrade block. */
  observe(logs: readonly UpgradeLog[]): boolean;
  /**
   * Brings discovery up to the head (resuming a persisted scan) before the indexer decodes: false
   * when the deadline came first (the context is then not yet exact; run again). Absent: always ready.
   */
  ready?(run: UpgradeScanRun): Promise<boolean>;
}

/** One Upgraded log, as much of it as the upgrade rule needs. */
export interface UpgradeLogRef {
  readonly address: string;
  readonly blockNumber: number;
}

/** The persisted discovery: every Upgraded log of the witnesses in [floor, scannedTo]. */
export interface UpgradeScan {
  /** Where the scan started: the callbacks proxy's creation block (0 when it could not be found). */
  readonly floor: number;
  /** Last block scanned; only settled blocks (REORG_SAFE_BLOCKS behind the head) are persisted. */
  readonly scannedTo: number;
  /** The page size the provider last accepted, so a resumed scan does not learn it again. */
  readonly pageSize: number;
  readonly logs: readonly UpgradeLogRef[];
}

export interface UpgradeScanStore {
  loadUpgradeScan(): Promise<UpgradeScan | undefined>;
  /** Keeps the scan when it reaches further than the stored one (chain facts: no lease needed). */
  saveUpgradeScan(scan: UpgradeScan): Promise<void>;
}

export interface UpgradeScanRun {
  readonly store?: UpgradeScanStore;
  /** Epoch ms: the scan pauses (saved) once it is reached. */
  readonly deadline: number;
  readonly now: () => number;
  readonly log?: AppLog;
}

/** Blocks behind the head that are persisted as scanned: deeper than any reorg Base has seen. */
export const REORG_SAFE_BLOCKS = 64;
/** The first page; providers with lower caps say so and the pager shrinks to their figure. */
const SCAN_FIRST_PAGE = 100_000;
const SCAN_MAX_PAGE = 10_000_000;

type UpgradeLog = Pick<RawLog, 'address' | 'blockNumber' | 'topics'>;

/** A fixed block (configured): pages never move it. */
export function fixedUpgrade(upgradeBlock: number | undefined): UpgradeTracker {
  const ctx: DecodeContext = upgradeBlock === undefined ? {} : { upgradeBlock };
  return { context: () => ctx, observe: () => false };
}

/** Tracks the block from Upgraded logs: the discovered history first, then every page's. */
export function trackedUpgrade(
  deployment: AvantisDeployment,
  history: readonly UpgradeLog[],
): UpgradeTracker & { seen(): UpgradeLogRef[] } {
  const witnesses = upgradeWitnesses(deployment);
  const watched = new Set([...witnesses.trading, witnesses.callbacks]);
  const seen = new Map<string, UpgradeLog>();
  const add = (l: UpgradeLog) => {
    if (l.topics[0]?.toLowerCase() !== UPGRADED_TOPIC0 || !watched.has(l.address.toLowerCase())) return false;
    const key = `${l.address.toLowerCase()}@${l.blockNumber}`;
    if (seen.has(key)) return false;
    seen.set(key, l);
    return true;
  };
  for (const l of history) add(l);
  let ctx = contextOf(upgradeBlockFromLogs([...seen.values()], witnesses));
  return {
    context: () => ctx,
    seen: () =>
      [...seen.values()].map((l) => ({ address: l.address.toLowerCase(), blockNumber: l.blockNumber })),
    observe(logs) {
      let added = false;
      for (const l of logs) if (add(l)) added = true;
      if (!added) return false;
      const next = contextOf(upgradeBlockFromLogs([...seen.values()], witnesses));
      const moved = next.upgradeBlock !== ctx.upgradeBlock;
      ctx = next;
      return moved;
    },
  };
}

/**
 * Discovery by a resumable scan of the witnesses' Upgraded logs (see the file comment). The tracker
 * learns from pages as well, so after the first complete scan each `ready` costs one small query.
 */
export function scanningUpgrade(deployment: AvantisDeployment, chain: UpgradeScanChain): UpgradeTracker {
  const w = upgradeWitnesses(deployment);
  const tracker = trackedUpgrade(deployment, []);
  const asLogs = (refs: readonly UpgradeLogRef[]) =>
    refs.map((r) => ({ address: r.address, blockNumber: r.blockNumber, topics: [UPGRADED_TOPIC0] }));
  let scan: UpgradeScan | undefined;
  let persistedTo = -1;
  let announced = false;

  return {
    context: () => tracker.context(),
    observe: (logs) => tracker.observe(logs),
    async ready(run) {
      if (!scan) {
        const stored = await run.store?.loadUpgradeScan();
        if (stored) {
          tracker.observe(asLogs(stored.logs));
          persistedTo = stored.scannedTo;
          scan = stored;
        } else {
          const floor = await creationBlock(chain, w.callbacks, run.log);
          scan = { floor, scannedTo: floor - 1, pageSize: SCAN_FIRST_PAGE, logs: [] };
        }
      }
      const head = await chain.blockNumber();
      const from = scan.scannedTo + 1;
      if (from > head) return true;
      const progress = run.log
        ? progressReporter(run.log, 'upgrade scan progress', 'UPGRADE_SCAN_PROGRESS', run.now)
        : undefined;
      const pages = chain.logPages({
        fromBlock: from,
        toBlock: head,
        address: [...w.trading, w.callbacks],
        topics: [[UPGRADED_TOPIC0]],
        initialPage: Math.min(scan.pageSize, SCAN_MAX_PAGE),
        maxPage: SCAN_MAX_PAGE,
      });
      for await (const page of pages) {
        tracker.observe(page.logs);
        scan = { ...scan, scannedTo: page.toBlock, pageSize: page.pageSize };
        const settled = Math.min(page.toBlock, head - REORG_SAFE_BLOCKS);
        if (run.store && settled > persistedTo) {
          await run.store.saveUpgradeScan({
            floor: scan.floor,
            scannedTo: settled,
            pageSize: page.pageSize,
            logs: tracker.seen().filter((l) => l.blockNumber <= settled),
          });
          persistedTo = settled;
        }
        progress?.({
          fromBlock: from,
          toBlock: head,
          block: page.toBlock,
          extra: { pageSize: page.pageSize, upgradeLogs: tracker.seen().length },
        });
        if (page.toBlock < head && run.now() >= run.deadline) {
          run.log?.warn('upgrade scan paused at the deadline; the next run resumes it', {
            reason: 'UPGRADE_SCAN_PAUSED',
            block: page.toBlock,
            head,
          });
          return false;
        }
      }
      if (!announced)
        run.log?.info('upgrade scan done', {
          reason: 'UPGRADE_SCAN_DONE',
          fromBlock: from,
          toBlock: head,
          upgradeBlock: tracker.context().upgradeBlock ?? null,
        });
      announced = true;
      return true;
    },
  };
}

/**
 * The first block with code at `address` (the proxy's creation), by bisecting eth_getCode; 0 when
 * the node cannot answer for old blocks (not an archive node) or has no code there at all.
 */
export async function creationBlock(chain: UpgradeScanChain, address: string, log?: AppLog): Promise<number> {
  try {
    let hi = await chain.blockNumber();
    if ((await chain.codeAt(address, hi)) === '0x') return 0;
    let lo = 0;
    // Invariant: code at hi, none before lo.
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await chain.codeAt(address, mid)) === '0x') lo = mid + 1;
      else hi = mid;
    }
    return hi;
  } catch (err) {
    log?.warn('could not date the callbacks proxy; the upgrade scan starts at block 0', {
      reason: 'UPGRADE_SCAN_NO_FLOOR',
      error: err as Error,
    });
    return 0;
  }
}

function contextOf(upgradeBlock: number | undefined): DecodeContext {
  return upgradeBlock === undefined ? {} : { upgradeBlock };
}
