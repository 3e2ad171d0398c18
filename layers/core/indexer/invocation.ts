// The indexer's settings for one scheduled invocation: tail until just before the next minute's
// run starts (it waits briefly for this run's lease), and keep back enough of the Lambda timeout
// to release the lease and flush metrics when the time runs out first.
import type { Config } from '../config.js';
import { DEFAULT_SETTINGS, type IndexerSettings } from './run.js';

/** Tail for most of the minute; the next run waits up to leaseWaitMs for this one's lease. */
export const TAIL_MS = 57_000;
/** Time kept back from the Lambda timeout to release the lease and flush metrics. */
export const MARGIN_MS = 10_000;

export interface Invocation {
  /** Who holds the lease: the invocation's request id. */
  readonly owner: string;
  /** Milliseconds left before the Lambda timeout (Context.getRemainingTimeInMillis). */
  remainingMs(): number;
}

export function invocationSettings(
  indexer: Pick<Config['indexer'], 'backfillRange' | 'page'>,
  invocation: Invocation,
  now: number,
): IndexerSettings {
  return {
    ...DEFAULT_SETTINGS,
    owner: invocation.owner,
    backfillRange: indexer.backfillRange,
    initialPageSize: indexer.page,
    deadline: now + Math.min(TAIL_MS, invocation.remainingMs() - MARGIN_MS),
    stopRequested: () => invocation.remainingMs() < MARGIN_MS,
  };
}
