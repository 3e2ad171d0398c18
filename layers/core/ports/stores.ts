// The tables as the use cases see them: users and profiles, follows, trade events and positions,
// trader stats and leaderboards, the indexer's checkpoint. adapters/dynamo/ implements each.
import type { LeaderboardRow, LeaderboardSort } from '../domain/analytics/leaderboard.js';
import type { TraderStats } from '../domain/analytics/stats.js';
import type { FollowerView } from '../domain/decision.js';
import type { Fill, TradeEventRecord } from '../domain/fills.js';
import type { Follow } from '../domain/follows.js';
import type { Position } from '../domain/positions.js';
import type { RiskPolicy } from '../domain/risk.js';
import type { RawLog } from '../domain/trade-events.js';
import type { User } from '../domain/users.js';

export interface UserStore {
  /** Creates the user or refreshes their profile; says whether they are new. Reactivates a blocked user. */
  upsertFromStart(user: User, now: Date): Promise<{ readonly isNew: boolean }>;
  get(userId: string): Promise<User | undefined>;
  /** The user blocked the bot: stop sending to them. */
  markInactive(userId: string, now: Date): Promise<void>;
}

/** A recent block the indexer processed: its hash (for reorg checks) and the traders it touched. */
export interface RecentBlock {
  readonly number: number;
  readonly hash: string;
  readonly traders: readonly string[];
  /** Watched addresses with quarantined logs in the block, so a reorg removes those too. */
  readonly quarantined?: readonly string[];
}

/** The indexer's single state record: lease (who runs), cursor (what is done) and recent blocks. */
export interface IndexerCheckpoint {
  /** Last block whose logs are all stored. */
  readonly block: number;
  readonly blockHash: string;
  readonly pageSize: number;
  readonly recent: readonly RecentBlock[];
  /** When the checkpoint was last saved (ISO), as stored; read-only for status screens. */
  readonly savedAt?: string;
}

export interface IndexerStateStore {
  /** Takes or renews the lease; false when another owner holds an unexpired one. */
  acquireLease(owner: string, now: Date, ttlMs: number): Promise<boolean>;
  releaseLease(owner: string): Promise<void>;
  load(): Promise<IndexerCheckpoint | undefined>;
  /** Saves progress only while `owner` holds the lease (fencing), extending it. */
  save(owner: string, checkpoint: IndexerCheckpoint, now: Date, ttlMs: number): Promise<void>;
}

/**
 * A log of a watched Avantis address the indexer could not decode (an unknown topic0: schema drift,
 * or a known topic0 with a malformed body), kept raw so the cursor can pass it without losing it:
 * once its layout is known it can be decoded from here.
 */
export interface QuarantinedLog {
  readonly log: RawLog;
  readonly reason: 'UNKNOWN_TOPIC' | 'MALFORMED_LOG';
  readonly detail?: string;
}

/** Every stored trade event; fills (executions) among them. */
export interface TradeEventStore {
  /** Idempotent: a record written twice is the same item. */
  putEvents(records: readonly TradeEventRecord[]): Promise<void>;
  eventsOf(trader: string, fromKey?: string): Promise<TradeEventRecord[]>;
  /** Deletes a trader's events at or after a key; returns what was deleted. */
  deleteEventsFrom(trader: string, fromKey: string): Promise<TradeEventRecord[]>;
  /** A trader's latest fills (executions only), newest first: the trader card's "recent trades". */
  recentOf(trader: string, limit: number): Promise<Fill[]>;
  /** Every stored event, in no particular order (full rebuilds only). */
  all(): AsyncIterable<TradeEventRecord>;
  /** Keeps logs that could not be decoded; idempotent by (block, logIndex). */
  putQuarantined(logs: readonly QuarantinedLog[]): Promise<void>;
  /** Deletes an address's quarantined logs at or after a key (reorg rollback); returns them. */
  deleteQuarantinedFrom(address: string, fromKey: string): Promise<QuarantinedLog[]>;
}

/** @deprecated the old name of TradeEventStore (it always held every trade event, not only fills). */
export type FillStore = TradeEventStore;

export interface PositionStore {
  getMany(keys: readonly { trader: string; positionKey: string }[]): Promise<Map<string, Position>>;
  /** Writes open positions and deletes closed ones (value undefined), keyed `trader|positionKey`. */
  apply(changes: ReadonlyMap<string, Position | undefined>): Promise<void>;
  positionsOf(trader: string): Promise<Position[]>;
}

export interface Leaderboard {
  readonly sort: LeaderboardSort;
  /** Unix seconds. */
  readonly generatedAt: number;
  /** Traders considered (eligible or not). */
  readonly traders: number;
  readonly rows: readonly LeaderboardRow[];
}

export interface StatsStore {
  getMany(traders: readonly string[]): Promise<Map<string, TraderStats>>;
  putMany(stats: readonly TraderStats[]): Promise<void>;
  all(): AsyncIterable<TraderStats>;
  putLeaderboard(board: Leaderboard): Promise<void>;
  /** The latest fill price seen per pair (1e10), for unrealized PnL. */
  putPrices(prices: ReadonlyMap<number, bigint>): Promise<void>;
  getPrices(): Promise<Map<number, bigint>>;
  getLeaderboard(sort: LeaderboardSort): Promise<Leaderboard | undefined>;
}

export type FollowCreated = 'CREATED' | 'EXISTS' | 'LIMIT';

export interface FollowStore {
  get(userId: string, trader: string): Promise<Follow | undefined>;
  listByUser(userId: string): Promise<Follow[]>;
  /** Creates a follow unless it exists or the user already has `limit` follows (atomically). */
  create(follow: Follow, limit: number): Promise<FollowCreated>;
  save(follow: Follow): Promise<void>;
  remove(userId: string, trader: string): Promise<boolean>;
  /** Mirrors the user's pause onto their follows, so routing reads it from the reverse index. */
  setPaused(userId: string, paused: boolean): Promise<void>;
  /** Turns every AUTO follow to ALERTS; returns how many changed. */
  turnOffAllAuto(): Promise<number>;
  /** The reverse index: a trader's followers, page by page, as the byTrader GSI projects them. */
  followersOf(trader: string): AsyncIterable<FollowerView[]>;
}

export interface Profile {
  readonly user: User;
  readonly risk: RiskPolicy;
  /** Linked: it has delegated to the user's own key (checked at link time and before every copy). */
  readonly wallet?: string;
  /** Asked for with /wallet but not (yet) delegated to the user's key: nothing is copied with it. */
  readonly pendingWallet?: string;
}

export interface ProfileStore {
  profile(userId: string): Promise<Profile | undefined>;
  /** Many profiles at once (routing reads the followers of a trader in pages). */
  profiles(userIds: readonly string[]): Promise<Map<string, Profile>>;
  setRisk(userId: string, risk: RiskPolicy): Promise<void>;
  setWallet(userId: string, wallet: string): Promise<void>;
}
