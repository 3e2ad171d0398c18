// What the domain needs from the world. Adapters implement these; tests of domain use in-memory ones.
import type { LeaderboardRow, LeaderboardSort } from './domain/analytics/leaderboard.js';
import type { TraderStats } from './domain/analytics/stats.js';
import type { CopyOrder, Decision, FollowerView } from './domain/decision.js';
import type { ExecutionMode } from './domain/execution-mode.js';
import type { Fill } from './domain/fills.js';
import type { Follow } from './domain/follows.js';
import type { RiskPolicy } from './domain/risk.js';
import type { Position } from './domain/positions.js';
import type { Signal } from './domain/signals.js';
import type { RawLog } from './domain/trade-events.js';
import type { User } from './domain/users.js';

export interface UserStore {
  /** Creates the user or refreshes their profile; says whether they are new. Reactivates a blocked user. */
  upsertFromStart(user: User, now: Date): Promise<{ readonly isNew: boolean }>;
  get(userId: string): Promise<User | undefined>;
  /** The user blocked the bot: stop sending to them. */
  markInactive(userId: string, now: Date): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** Structured logging as the core uses it: a message and attributes (always with a `reason` code). */
export interface AppLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

// --- Indexer ---------------------------------------------------------------------------------

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

/** A recent block the indexer processed: its hash (for reorg checks) and the traders it touched. */
export interface RecentBlock {
  readonly number: number;
  readonly hash: string;
  readonly traders: readonly string[];
}

/** The indexer's single state record: lease (who runs), cursor (what is done) and recent blocks. */
export interface IndexerCheckpoint {
  /** Last block whose logs are all stored. */
  readonly block: number;
  readonly blockHash: string;
  readonly pageSize: number;
  readonly recent: readonly RecentBlock[];
}

export interface IndexerStateStore {
  /** Takes or renews the lease; false when another owner holds an unexpired one. */
  acquireLease(owner: string, now: Date, ttlMs: number): Promise<boolean>;
  releaseLease(owner: string): Promise<void>;
  load(): Promise<IndexerCheckpoint | undefined>;
  /** Saves progress only while `owner` holds the lease (fencing), extending it. */
  save(owner: string, checkpoint: IndexerCheckpoint, now: Date, ttlMs: number): Promise<void>;
}

export interface FillStore {
  /** Idempotent: a fill written twice is the same item. */
  putFills(fills: readonly Fill[]): Promise<void>;
  fillsOf(trader: string, fromKey?: string): Promise<Fill[]>;
  /** Deletes a trader's fills at or after a key; returns what was deleted. */
  deleteFillsFrom(trader: string, fromKey: string): Promise<Fill[]>;
  /** A trader's latest fills, newest first. */
  recentOf(trader: string, limit: number): Promise<Fill[]>;
  /** Every fill, in no particular order (full rebuilds only). */
  all(): AsyncIterable<Fill>;
}

export interface PositionStore {
  getMany(keys: readonly { trader: string; positionKey: string }[]): Promise<Map<string, Position>>;
  /** Writes open positions and deletes closed ones (value undefined), keyed `trader|positionKey`. */
  apply(changes: ReadonlyMap<string, Position | undefined>): Promise<void>;
  positionsOf(trader: string): Promise<Position[]>;
}

export interface SignalQueue {
  publish(signals: readonly Signal[]): Promise<void>;
}

// --- Analytics -------------------------------------------------------------------------------

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

// --- Bot --------------------------------------------------------------------------------------

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

/** One (signal, follower) to act on: the unit of work of the follower function. */
export interface FanoutMessage {
  readonly signal: Signal;
  readonly userId: string;
  readonly chatId: string;
  /** The follow as routed, so the follower can decide again with fresh numbers (equity sizing). */
  readonly follower: FollowerView;
  readonly decision: Decision;
}

/** A plain message to one user (e.g. "your copy filled"), delivered by the follower function. */
export interface NoticeMessage {
  readonly notice: string;
  /** Dedupe key: the same notice is sent once. */
  readonly noticeId: string;
  readonly userId: string;
  readonly chatId: string;
}

export interface FanoutQueue {
  publish(messages: readonly (FanoutMessage | NoticeMessage)[]): Promise<void>;
}

export interface Profile {
  readonly user: User;
  readonly risk: RiskPolicy;
  readonly wallet?: string;
}

export interface ProfileStore {
  profile(userId: string): Promise<Profile | undefined>;
  /** Many profiles at once (routing reads the followers of a trader in pages). */
  profiles(userIds: readonly string[]): Promise<Map<string, Profile>>;
  setRisk(userId: string, risk: RiskPolicy): Promise<void>;
  setWallet(userId: string, wallet: string): Promise<void>;
}

/** The operator's DRY/LIVE switch (SSM); read throws when the switch cannot be read. */
export interface ExecutionSwitch {
  read(): Promise<string | undefined>;
  write(mode: ExecutionMode): Promise<void>;
}

export interface OperatorFlags {
  emergencyStop(): Promise<boolean>;
  setEmergencyStop(on: boolean, by: string, now: Date): Promise<void>;
}

export interface RecordedError {
  readonly at: string;
  readonly reason: string;
  readonly message: string;
}

export interface ErrorJournal {
  record(reason: string, message: string, now: Date): Promise<void>;
  recent(limit: number): Promise<RecordedError[]>;
}

// --- Copies -----------------------------------------------------------------------------------

export type IntentState = 'CREATED' | 'SENT' | 'MINED' | 'FAILED' | 'SIMULATED';

export interface CopyIntent {
  /** `signalId:userId`: one signal is copied at most once per user. */
  readonly intentId: string;
  readonly signalId: string;
  readonly userId: string;
  readonly chatId?: string;
  readonly trader: string;
  /** The trader's slot the signal is about: a close finds the follower's mirrored position by it. */
  readonly traderSlot?: { readonly pairIndex: number; readonly tradeIndex: number };
  readonly wallet?: string;
  readonly state: IntentState;
  readonly mode: ExecutionMode;
  readonly order: CopyOrder;
  readonly reason: string;
  readonly createdAt: string;
  readonly txHash?: string;
  readonly nonce?: number;
}

/** The follower's own position that mirrors a trader's slot. */
export interface Mirror {
  readonly wallet: string;
  readonly pairIndex: number;
  readonly index: number;
}

export interface IntentStore {
  /** Claims the intent; false when it already exists (a redelivery: nothing more to do). */
  claim(intent: CopyIntent): Promise<boolean>;
  get(intentId: string): Promise<CopyIntent | undefined>;
  /** CREATED -> SENT, remembering the transaction so the indexer can find the intent by it. */
  markSent(intentId: string, tx: SentCopy): Promise<void>;
  /** The same nonce sent again with a higher fee: the intent follows the new transaction. */
  markReplaced(intentId: string, tx: SentCopy): Promise<void>;
  /** SENT intents of an executor, for the sweeper. */
  pendingOf(executor: string): Promise<PendingCopy[]>;
  markFailed(intentId: string, reason: string): Promise<void>;
  /** SENT -> MINED; false when it was not SENT (already MINED: a replayed page). */
  markMined(
    intentId: string,
    fill: { price: string; collateralUsdc: string; block: number },
  ): Promise<boolean>;
  /** Intent ids of the given transactions, for the ones that are copies. */
  byTx(txHashes: readonly string[]): Promise<Map<string, string>>;
  putMirror(key: MirrorKey, mirror: Mirror): Promise<void>;
  mirrorOf(key: MirrorKey): Promise<Mirror | undefined>;
  deleteMirror(key: MirrorKey): Promise<void>;
}

export interface SentCopy {
  readonly txHash: string;
  readonly nonce: number;
  readonly maxFeePerGas: string;
  readonly sentBy: string;
  readonly sentBlock: number;
  /** The signed call's data, so a stuck send can be replaced with the same call. */
  readonly calldata: string;
}

export interface PendingCopy extends SentCopy {
  readonly intentId: string;
  readonly userId: string;
  readonly chatId?: string;
}

export interface MirrorKey {
  readonly userId: string;
  readonly trader: string;
  readonly pairIndex: number;
  readonly tradeIndex: number;
}

/** Telegram sends from the follower function; errors carry Telegram's code and retry_after. */
export interface Messenger {
  send(chatId: string, html: string): Promise<void>;
}
