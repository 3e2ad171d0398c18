// Everything the bot's commands need from the world, as ports.
import type { ModeSource } from '../mode-source.js';
import type { QueueDepth } from '../sqs/queue-monitor.js';
import type { LeaderRules } from '../../domain/analytics/score.js';
import type { WalletStatus } from '../../domain/bot-views.js';
import type {
  Clock,
  ErrorJournal,
  ExecutionSwitch,
  FillStore,
  FollowStore,
  OperatorFlags,
  PositionStore,
  ProfileStore,
  StatsStore,
  UserStore,
} from '../../ports.js';

export interface BotDeps {
  readonly users: UserStore & ProfileStore;
  readonly follows: FollowStore;
  readonly stats: Pick<StatsStore, 'getMany' | 'getLeaderboard' | 'getPrices'>;
  readonly fills: Pick<FillStore, 'recentOf'>;
  readonly positions: Pick<PositionStore, 'positionsOf'>;
  readonly mode: ModeSource;
  readonly executionSwitch: ExecutionSwitch;
  readonly flags: OperatorFlags;
  readonly errors: ErrorJournal;
  readonly queues: { depths(): Promise<readonly QueueDepth[]> };
  readonly indexer: {
    checkpoint(): Promise<{ readonly block: number; readonly savedAt?: string } | undefined>;
    head(): Promise<number | undefined>;
  };
  /** Undefined when no chain is configured for wallet checks. */
  readonly wallets: { status(wallet: string): Promise<WalletStatus> } | undefined;
  readonly admins: ReadonlySet<string>;
  readonly rules: LeaderRules;
  readonly ceiling: 'DRY' | 'LIVE';
  readonly clock: Clock;
}
