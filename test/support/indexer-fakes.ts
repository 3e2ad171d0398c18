// In-memory implementations of the indexer's ports, and a fake chain that can fork, for testing the
// indexer's logic without servers. The real adapters are tested against the stand-ins separately.
import { byChainOrder, fillKey, isFill, type Fill, type TradeEventRecord } from '#core/domain/fills.js';
import { positionKey, type Position } from '#core/domain/positions.js';
import type { Signal } from '#core/domain/signals.js';
import type { RawLog } from '#core/domain/trade-events.js';
import type { BlockHeader, ChainReader, LogPage } from '#core/ports/chain.js';
import type { SignalQueue } from '#core/ports/queues.js';
import type {
  IndexerCheckpoint,
  IndexerStateStore,
  PositionStore,
  QuarantinedLog,
  StatsStore,
  TradeEventStore,
} from '#core/ports/stores.js';
import type { TraderStats } from '#core/domain/analytics/stats.js';

export class MemoryFills implements TradeEventStore {
  readonly items = new Map<string, TradeEventRecord>();
  readonly quarantined = new Map<string, QuarantinedLog>();
  async putEvents(records: readonly TradeEventRecord[]) {
    for (const f of records) this.items.set(`${f.trader}|${f.fillKey}`, f);
  }
  async putQuarantined(logs: readonly QuarantinedLog[]) {
    for (const q of logs) this.quarantined.set(`${q.log.blockNumber}:${q.log.logIndex}`, q);
  }
  async eventsOf(trader: string, fromKey = '') {
    return [...this.items.values()]
      .filter((f) => f.trader === trader && f.fillKey >= fromKey)
      .sort(byChainOrder);
  }
  async deleteQuarantinedFrom(address: string, fromKey: string) {
    const doomed = [...this.quarantined.entries()].filter(
      ([, q]) =>
        q.log.address.toLowerCase() === address.toLowerCase() &&
        fillKey(q.log.blockNumber, q.log.logIndex) >= fromKey,
    );
    for (const [k] of doomed) this.quarantined.delete(k);
    return doomed.map(([, q]) => q);
  }
  async deleteEventsFrom(trader: string, fromKey: string) {
    const doomed = await this.eventsOf(trader, fromKey);
    for (const f of doomed) this.items.delete(`${f.trader}|${f.fillKey}`);
    return doomed;
  }
  async recentOf(trader: string, limit: number): Promise<Fill[]> {
    return (await this.eventsOf(trader)).filter(isFill).reverse().slice(0, limit);
  }
  async *all(): AsyncIterable<TradeEventRecord> {
    yield* this.sorted();
  }
  sorted(): TradeEventRecord[] {
    return [...this.items.values()].sort(byChainOrder);
  }
}

export class MemoryPositions implements PositionStore {
  readonly items = new Map<string, Position>();
  async getMany(keys: readonly { trader: string; positionKey: string }[]) {
    const out = new Map<string, Position>();
    for (const k of keys) {
      const p = this.items.get(`${k.trader}|${k.positionKey}`);
      if (p) out.set(`${k.trader}|${k.positionKey}`, p);
    }
    return out;
  }
  async apply(changes: ReadonlyMap<string, Position | undefined>) {
    for (const [k, p] of changes) {
      if (p) this.items.set(k, p);
      else this.items.delete(k);
    }
  }
  async positionsOf(trader: string) {
    return [...this.items.values()].filter((p) => p.trader === trader);
  }
  get(trader: string, pairIndex: number, index: number) {
    return this.items.get(`${trader}|${positionKey(pairIndex, index)}`);
  }
}

export class MemoryStats implements Pick<StatsStore, 'getMany' | 'putMany' | 'putPrices'> {
  readonly items = new Map<string, TraderStats>();
  readonly prices = new Map<number, bigint>();
  async putPrices(prices: ReadonlyMap<number, bigint>) {
    for (const [pair, price] of prices) this.prices.set(pair, price);
  }
  async getMany(traders: readonly string[]) {
    // Copies, as a store would return: the caller mutates what it gets.
    return new Map(
      traders.flatMap((t) =>
        this.items.has(t) ? [[t, structuredClone(this.items.get(t) as TraderStats)] as const] : [],
      ),
    );
  }
  async putMany(stats: readonly TraderStats[]) {
    for (const s of stats) this.items.set(s.trader, structuredClone(s));
  }
}

export class MemorySignals implements SignalQueue {
  readonly sent: Signal[] = [];
  async publish(signals: readonly Signal[]) {
    this.sent.push(...signals);
  }
}

export class MemoryState implements IndexerStateStore {
  checkpoint: IndexerCheckpoint | undefined;
  lease: { owner: string; until: number } | undefined;
  async acquireLease(owner: string, now: Date, ttlMs: number) {
    if (this.lease && this.lease.owner !== owner && this.lease.until >= now.getTime()) return false;
    this.lease = { owner, until: now.getTime() + ttlMs };
    return true;
  }
  async releaseLease(owner: string) {
    if (this.lease?.owner === owner) this.lease = undefined;
  }
  async load() {
    return this.checkpoint;
  }
  async save(owner: string, checkpoint: IndexerCheckpoint, now: Date, ttlMs: number) {
    if (this.lease?.owner !== owner) {
      const err = new Error('lease lost');
      err.name = 'LeaseLostError';
      throw err;
    }
    this.lease = { owner, until: now.getTime() + ttlMs };
    this.checkpoint = checkpoint;
  }
}

interface FakeBlock extends BlockHeader {
  readonly logs: RawLog[];
}

const hex = (n: number, salt: string) => `0x${(salt + n.toString(16)).padStart(64, '0').slice(-64)}`;

/** A chain of blocks with logs; `fork(at, ...)` replaces every block from `at` with a new branch. */
export class FakeChain implements ChainReader {
  blocks: FakeBlock[] = [];
  private branch = 'a';
  pageSize = 0;
  calls = { header: 0, logs: 0 };
  maxRange = Number.POSITIVE_INFINITY;

  constructor(length: number) {
    this.grow(length);
  }

  /** Appends blocks; `logsFor(n, hash)` gives the logs of block n. */
  grow(count: number, logsFor: (n: number, hash: string) => RawLog[] = () => []): void {
    for (let i = 0; i < count; i++) {
      const number = this.blocks.length;
      const hash = hex(number, this.branch);
      const parentHash = number === 0 ? hex(0, '0') : (this.blocks[number - 1] as FakeBlock).hash;
      this.blocks.push({
        number,
        hash,
        parentHash,
        timestamp: 1_700_000_000 + number * 2,
        logs: logsFor(number, hash),
      });
    }
  }

  /** A reorg: drops blocks >= at and grows a new branch of the same length (or longer). */
  fork(at: number, length: number, logsFor: (n: number, hash: string) => RawLog[] = () => []): void {
    this.blocks = this.blocks.slice(0, at);
    this.branch = String.fromCharCode(this.branch.charCodeAt(0) + 1);
    this.grow(length, logsFor);
  }

  hashOf(n: number): string {
    return (this.blocks[n] as FakeBlock).hash;
  }

  async chainId() {
    return 31337;
  }
  async headNumber() {
    return this.blocks.length - 1;
  }
  async header(n: number): Promise<BlockHeader> {
    this.calls.header += 1;
    const b = this.blocks[n];
    if (!b) throw new Error(`no block ${n}`);
    return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
  }
  async *logPages(range: { fromBlock: number; toBlock: number; pageSize: number }): AsyncIterable<LogPage> {
    this.pageSize = Math.min(range.pageSize, this.maxRange);
    for (let from = range.fromBlock; from <= range.toBlock; from += this.pageSize) {
      const to = Math.min(range.toBlock, from + this.pageSize - 1);
      this.calls.logs += 1;
      const logs = this.blocks.slice(from, to + 1).flatMap((b) => b.logs);
      yield { fromBlock: from, toBlock: to, logs };
    }
  }
  currentPageSize() {
    return this.pageSize;
  }
}
