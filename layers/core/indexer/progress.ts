// Progress of long block-range work (backfill, range CLI): percent and ETA, at most every two
// seconds and once at the end, so a long backfill is visible without flooding the logs.
import type { AppLog } from '../ports/runtime.js';

export interface ProgressPoint {
  readonly fromBlock: number;
  readonly toBlock: number;
  /** Last block done. */
  readonly block: number;
  readonly extra?: Record<string, unknown>;
}

export function progressReporter(
  log: AppLog,
  message: string,
  reason: string,
  now: () => number,
  everyMs = 2_000,
) {
  const startedAt = now();
  let lastAt = Number.NEGATIVE_INFINITY;
  return (p: ProgressPoint): void => {
    const at = now();
    if (at - lastAt < everyMs && p.block < p.toBlock) return;
    lastAt = at;
    const done = p.block - p.fromBlock + 1;
    const total = p.toBlock - p.fromBlock + 1;
    const blocksPerMs = done / Math.max(1, at - startedAt);
    log.info(message, {
      reason,
      block: p.block,
      target: p.toBlock,
      percent: Math.round((1000 * done) / total) / 10,
      etaSeconds: Math.round((total - done) / blocksPerMs / 1000),
      ...p.extra,
    });
  };
}
