// Everything the bot's commands need from the world, as ports.
import type { AdminRequestInput, AdminResponse } from '../../admin/requests.js';
import type { ModeSource } from '../mode-source.js';
import type { QueueDepth } from '../sqs/queue-monitor.js';
import type { LeaderRules } from '../../domain/analytics/score.js';
import type { VegaLiteSpec } from '../../domain/charts.js';
import type { WalletChain } from '../../domain/wallet-link.js';
import type { IntentHistory } from '../../ports/copy.js';
import type { ErrorJournal, ExecutionSwitch, OperatorFlags } from '../../ports/operator.js';
import type { Clock } from '../../ports/runtime.js';
import type {
  FillStore,
  FollowStore,
  PositionStore,
  ProfileStore,
  StatsStore,
  UserStore,
} from '../../ports/stores.js';

export interface BotDeps {
  readonly users: UserStore & ProfileStore;
  readonly follows: FollowStore;
  readonly stats: Pick<StatsStore, 'getMany' | 'getLeaderboard' | 'getPrices'>;
  readonly fills: Pick<FillStore, 'recentOf' | 'eventsOf'>;
  readonly positions: Pick<PositionStore, 'positionsOf'>;
  /** The user's copies (/copies, /portfolio); undefined where no intents table is wired. */
  readonly copies?: IntentHistory | undefined;
  readonly mode: ModeSource;
  readonly executionSwitch: ExecutionSwitch;
  readonly flags: OperatorFlags;
  readonly errors: ErrorJournal;
  readonly queues: { depths(): Promise<readonly QueueDepth[]> };
  readonly indexer: {
    checkpoint(): Promise<{ readonly block: number; readonly savedAt?: string } | undefined>;
    head(): Promise<number | undefined>;
  };
  /** Undefined when no chain (or no delegate-address function) is configured for wallet links. */
  readonly wallets: WalletLinking | undefined;
  readonly admins: ReadonlySet<string>;
  /** The admin function: the bot's admin commands that change anything go through it. */
  readonly admin?: { call(request: AdminRequestInput): Promise<AdminResponse> } | undefined;
  /** /digest on|off; false when the user is unknown. */
  readonly digestPreference?: { set(userId: string, on: boolean): Promise<boolean> };
  readonly rules: LeaderRules;
  readonly ceiling: 'DRY' | 'LIVE';
  readonly clock: Clock;
  /** Renders a chart spec to PNG; undefined where no renderer is wired (then no pictures). */
  readonly charts?: { png(spec: VegaLiteSpec): Promise<Buffer> };
}

/** What /wallet needs: the user's delegate address, the wallet's chain status, and the link records. */
export interface WalletLinking {
  delegateOf(userId: string): Promise<string>;
  status(wallet: string, delegate: string): Promise<WalletChain>;
  /** Links the wallet unless another user holds it (one wallet, one user). */
  claim(userId: string, wallet: string, previous?: string): Promise<'LINKED' | 'TAKEN'>;
  owner(wallet: string): Promise<string | undefined>;
  setPending(userId: string, wallet: string): Promise<void>;
  unlink(userId: string, wallet: string): Promise<void>;
}
