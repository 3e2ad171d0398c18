// What the indexer reads from Base: headers, log pages, and the upgrade scan's reads. The RPC pool
// and the adaptive log pager in adapters/chain/ implement these.
import type { RawLog } from '../domain/trade-events.js';

export interface BlockHeader {
  readonly number: number;
  readonly hash: string;
  readonly parentHash: string;
  /** Unix seconds. */
  readonly timestamp: number;
}

export interface LogPage {
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly logs: readonly RawLog[];
}

/** Read access to the chain, with failover and provider limits handled inside. */
export interface ChainReader {
  chainId(): Promise<number>;
  headNumber(): Promise<number>;
  header(blockNumber: number): Promise<BlockHeader>;
  /**
   * Pages covering [fromBlock, toBlock] in order, each block exactly once, starting at `pageSize`
   * blocks a page and adapting to what the provider accepts.
   */
  logPages(range: {
    readonly fromBlock: number;
    readonly toBlock: number;
    readonly pageSize: number;
  }): AsyncIterable<LogPage>;
  /** The page size the provider currently accepts, to persist between runs. */
  currentPageSize(): number;
}

/** One page of the upgrade scan, and the page size the pager will use next (persisted with the scan). */
export interface ScanPage extends LogPage {
  readonly pageSize: number;
}

/** The log filter of an upgrade scan, paged adaptively between `initialPage` and `maxPage` blocks. */
export interface ScanQuery {
  readonly fromBlock: number;
  /** Inclusive. */
  readonly toBlock: number;
  readonly address: readonly string[];
  readonly topics: readonly (readonly string[] | null)[];
  readonly initialPage: number;
  readonly maxPage: number;
}

/** What the v2 upgrade scan reads from the chain. */
export interface UpgradeScanChain {
  blockNumber(): Promise<number>;
  /** eth_getCode at a block; '0x' before the contract existed. Needs an archive node; may throw. */
  codeAt(address: string, block: number): Promise<string>;
  /** Pages covering [fromBlock, toBlock] in order, each block once, sized to what the provider accepts. */
  logPages(query: ScanQuery): AsyncIterable<ScanPage>;
}
