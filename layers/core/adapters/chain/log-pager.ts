// Walks [fromBlock, toBlock] with eth_getLogs in pages that adapt to what the provider accepts:
// shrink on "range too large" (to the provider's own figure when it gives one), grow again after a run
// of successes. Pages come out in order and cover every block exactly once, so the indexer can save
// its cursor (and the page size) after each one.
import type { RawLog } from '../../domain/trade-events.js';
import { RpcUnavailableError, isRpcError, type RangeHint } from './rpc-errors.js';
import type { LogQuery, LogSource } from './rpc-pool.js';

export interface AdaptiveLogOptions {
  readonly fromBlock: number;
  /** Inclusive. */
  readonly toBlock: number;
  readonly address: readonly string[];
  readonly topics: LogQuery['topics'];
  /** Blocks per page to start with (e.g. the size persisted from the last run). */
  readonly initialPage: number;
  /** Smallest page; a range error at this size is rethrown. Default 1. */
  readonly minPage?: number;
  readonly maxPage: number;
  /** Consecutive successful pages before the page doubles. Default 3. */
  readonly growAfter?: number;
  /**
   * When a page wider than minPage fails for a reason that is not a recognised range error, halve and
   * retry this many times in a row before rethrowing. Two cases: every endpoint failed
   * (RpcUnavailableError; public nodes often time out or answer "no backend is currently healthy"
   * on heavy ranges, as mainnet.base.org does), or an error the classifier calls FATAL (a provider's
   * range wording nobody has catalogued yet, typically -32602). Without this the indexer would retry
   * the same too-large page on every run. Default 3; 0 turns it off.
   */
  readonly shrinkOnUnknown?: number;
}

export interface LogPage {
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly logs: RawLog[];
  /** The page size the pager will use next; persist it with the cursor. */
  readonly pageSize: number;
}

/** The pages, plus the current page size (readable at any time, e.g. after an error). */
export type AdaptiveLogPages = AsyncGenerator<LogPage, void, undefined> & { readonly pageSize: number };

export function fetchLogsAdaptive(source: LogSource, options: AdaptiveLogOptions): AdaptiveLogPages {
  const minPage = options.minPage ?? 1;
  const growAfter = options.growAfter ?? 3;
  const shrinkOnUnknown = options.shrinkOnUnknown ?? 3;
  for (const [name, v] of [
    ['fromBlock', options.fromBlock],
    ['toBlock', options.toBlock],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  for (const [name, v] of [
    ['minPage', minPage],
    ['maxPage', options.maxPage],
    ['initialPage', options.initialPage],
    ['growAfter', growAfter],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 1)
      throw new RangeError(`${name} must be a positive integer, got ${v}`);
  if (options.maxPage < minPage)
    throw new RangeError(`maxPage ${options.maxPage} is below minPage ${minPage}`);

  const state = {
    pageSize: clamp(options.initialPage, minPage, options.maxPage),
    /** A span the provider said it will not serve (hard block limits only); growth stays under it. */
    ceiling: options.maxPage,
  };

  async function* pages(): AsyncGenerator<LogPage, void, undefined> {
    let start = options.fromBlock;
    let successes = 0;
    let blindShrinks = 0;
    while (start <= options.toBlock) {
      const end = Math.min(options.toBlock, start + state.pageSize - 1);
      const span = end - start + 1;
      let logs: RawLog[];
      try {
        logs = await source.getLogs({
          fromBlock: start,
          toBlock: end,
          address: options.address,
          topics: options.topics,
        });
      } catch (e) {
        if (isRpcError(e) && e.kind === 'RANGE_TOO_LARGE' && span > minPage) {
          const next = shrunk(span, e.range, start, minPage);
          if (e.range?.limit === 'blocks' && e.range.maxBlocks !== undefined)
            state.ceiling = Math.max(minPage, Math.min(state.ceiling, e.range.maxBlocks));
          state.pageSize = next;
          successes = 0;
          continue; // same start, smaller page
        }
        const unexplained = e instanceof RpcUnavailableError || (isRpcError(e) && e.kind === 'FATAL');
        if (unexplained && span > minPage && blindShrinks < shrinkOnUnknown) {
          blindShrinks++;
          state.pageSize = Math.max(minPage, Math.floor(span / 2));
          successes = 0;
          continue;
        }
        throw e;
      }
      blindShrinks = 0;
      successes++;
      if (successes >= growAfter && state.pageSize < state.ceiling) {
        state.pageSize = Math.min(state.ceiling, state.pageSize * 2);
        successes = 0;
      }
      yield { fromBlock: start, toBlock: end, logs, pageSize: state.pageSize };
      start = end + 1;
    }
  }

  const gen = pages();
  Object.defineProperty(gen, 'pageSize', { get: () => state.pageSize, enumerable: true });
  return gen as AdaptiveLogPages;
}

/**
 * The next page size after a range error on a page of `span` blocks: the provider's figure when it
 * gives one and it is actually smaller, else half. Never below minPage, always below span (a provider
 * that names the very range we asked for, as a reth bug does, must not loop us on it).
 */
function shrunk(span: number, hint: RangeHint | undefined, start: number, minPage: number): number {
  let suggested: number | undefined;
  if (hint?.range) {
    // A named range that starts where we did says exactly how far to go; one elsewhere still says how wide.
    suggested =
      hint.range.fromBlock === start
        ? hint.range.toBlock - start + 1
        : hint.range.toBlock - hint.range.fromBlock + 1;
  }
  if (hint?.maxBlocks !== undefined) suggested = Math.min(suggested ?? hint.maxBlocks, hint.maxBlocks);
  const next =
    suggested !== undefined && suggested >= 1 && suggested < span ? suggested : Math.floor(span / 2);
  return clamp(next, minPage, span - 1);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}
