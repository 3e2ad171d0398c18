// The indexer's ChainReader over the RPC pool: headers, the head, and adaptive log pages of every log
// the watched Avantis contracts emit (no topic0 filter by default, so schema drift reaches the
// decoder instead of being filtered away by the node). The search for the proxies' Upgraded logs
// that dates the v2 upgrade lives in indexer/upgrade.ts (resumable, persisted).
import type { ChainReader, LogPage } from '../../ports/chain.js';
import { fetchLogsAdaptive } from './log-pager.js';
import type { RpcPool } from './rpc-pool.js';

export interface WatchFilter {
  readonly addresses: readonly string[];
  /** topic0 values, OR-ed; empty or absent: every log of the addresses (the indexer's default). */
  readonly topics?: readonly string[];
}

/** Providers commonly cap eth_getLogs between 1,000 and 10,000 blocks; pages never grow past this. */
const MAX_PAGE = 10_000;

export function createChainReader(pool: RpcPool, filter: WatchFilter): ChainReader {
  let pageSize = 0;
  return {
    chainId: () => pool.chainId(),
    headNumber: () => pool.blockNumber(),
    header: (n) => pool.getBlock(n),
    async *logPages(range): AsyncIterable<LogPage> {
      pageSize = range.pageSize;
      const pages = fetchLogsAdaptive(pool, {
        fromBlock: range.fromBlock,
        toBlock: range.toBlock,
        address: filter.addresses,
        topics: filter.topics && filter.topics.length > 0 ? [filter.topics] : [],
        initialPage: Math.min(range.pageSize, MAX_PAGE),
        maxPage: MAX_PAGE,
      });
      for await (const page of pages) {
        pageSize = page.pageSize;
        yield page;
      }
    },
    currentPageSize: () => pageSize,
  };
}
