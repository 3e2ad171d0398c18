// The one source of Alfa's tables, queues, parameter, secret and functions, as plain data.
// The CDK stack (lib/), the local stack (local/) and runtime config all read this file, so a
// table, a key or an env var name is written exactly once. It must import nothing.

export type KeyType = 'S' | 'N';
export interface KeyDef {
  readonly name: string;
  readonly type: KeyType;
}
export interface IndexDef {
  readonly name: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  /** Attributes copied into the index besides the keys; the routing hot path reads only these. */
  readonly nonKeyAttributes?: readonly string[];
}
export interface TableDef {
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly indexes?: readonly IndexDef[];
  readonly timeToLiveAttribute?: string;
  /** Point-in-time recovery where the data is history that cannot be rebuilt from the chain cheaply. */
  readonly pointInTimeRecovery: boolean;
  readonly envVar: string;
}

const s = (name: string): KeyDef => ({ name, type: 'S' });

export const TABLES = {
  /** Telegram users: chat id, settings, risk policy, linked wallet, active flag. */
  users: { partitionKey: s('userId'), pointInTimeRecovery: true, envVar: 'TABLE_USERS' },
  /** Follow = user -> trader with CopySettings; byTrader is the reverse index used for fanout. */
  follows: {
    partitionKey: s('userId'),
    sortKey: s('trader'),
    indexes: [
      {
        name: 'byTrader',
        partitionKey: s('trader'),
        sortKey: s('userId'),
        nonKeyAttributes: [
          'chatId',
          'mode',
          'sizing',
          'maxLeverage',
          'maxPositionUsdc',
          'pairs',
          'notify',
          'paused',
        ],
      },
    ],
    pointInTimeRecovery: true,
    envVar: 'TABLE_FOLLOWS',
  },
  /** Fills: one stored TradeEvent, SK = zero-padded `block#logIndex` so DynamoDB orders them. */
  fills: {
    partitionKey: s('trader'),
    sortKey: s('fillKey'),
    pointInTimeRecovery: true,
    envVar: 'TABLE_FILLS',
  },
  /** Open positions, SK = `pairIndex#tradeIndex`. */
  positions: {
    partitionKey: s('trader'),
    sortKey: s('positionKey'),
    pointInTimeRecovery: true,
    envVar: 'TABLE_POSITIONS',
  },
  /** Per-trader stats and leaderboard snapshots; derivable from fills, so no PITR. */
  stats: { partitionKey: s('pk'), sortKey: s('sk'), pointInTimeRecovery: false, envVar: 'TABLE_STATS' },
  /** CopyIntents, key `signalId:userId`: the record that a copy is never sent twice. */
  intents: {
    partitionKey: s('intentId'),
    indexes: [
      {
        // Sparse: only SENT intents carry `sentBy`, so the sweeper reads just the unsettled ones.
        name: 'bySender',
        partitionKey: s('sentBy'),
        sortKey: s('intentId'),
        nonKeyAttributes: ['txHash', 'nonce', 'maxFeePerGas', 'sentBlock', 'calldata', 'userId', 'chatId'],
      },
    ],
    pointInTimeRecovery: true,
    envVar: 'TABLE_INTENTS',
  },
  /**
   * Short-lived dedupe records (Telegram update_id, alert per signal and user). Attribute names are
   * Powertools Idempotency's defaults so its DynamoDB persistence layer can use this table as is.
   */
  dedupe: {
    partitionKey: s('id'),
    timeToLiveAttribute: 'expiration',
    pointInTimeRecovery: false,
    envVar: 'TABLE_DEDUPE',
  },
  /** Indexer cursor, lease, recent block hashes, operator flags. */
  state: { partitionKey: s('pk'), pointInTimeRecovery: true, envVar: 'TABLE_STATE' },
} as const satisfies Record<string, TableDef>;

export type TableKey = keyof typeof TABLES;

export interface QueueDef {
  /** FIFO: group = trader for signals, userId for fanout, so order holds per key. */
  readonly fifo: true;
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message goes to the DLQ. */
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
  readonly envVar: string;
}

export const QUEUES = {
  signals: {
    fifo: true,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    retentionDays: 4,
    envVar: 'QUEUE_SIGNALS_URL',
  },
  fanout: {
    fifo: true,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 8,
    retentionDays: 4,
    envVar: 'QUEUE_FANOUT_URL',
  },
} as const satisfies Record<string, QueueDef>;

export type QueueKey = keyof typeof QUEUES;

/** The DRY/LIVE switch. Anything but the exact string LIVE reads as DRY. */
export const EXECUTION_MODE_PARAMETER = {
  defaultValue: 'DRY',
  envVar: 'PARAM_EXECUTION_MODE',
} as const;

/** One JSON secret: `{ botToken, webhookSecret, executorKey }`. */
export const BOT_SECRET = {
  envVar: 'SECRET_ID',
  fields: ['botToken', 'webhookSecret', 'executorKey'] as const,
} as const;
export type BotSecretField = (typeof BOT_SECRET.fields)[number];

export type Access = 'read' | 'readWrite';
export type Trigger =
  | { readonly kind: 'url' }
  | { readonly kind: 'schedule'; readonly everyMinutes: number }
  | { readonly kind: 'queue'; readonly queue: QueueKey; readonly batchSize: number };

export interface FunctionDef {
  /** Path from the repo root to the handler module; it exports `handler`. */
  readonly entry: string;
  readonly trigger: Trigger;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Caps concurrent containers, e.g. 1 where a per-container limit must hold for the whole bot. */
  readonly reservedConcurrency?: number;
  /** Least privilege: each function is granted exactly this and nothing more. */
  readonly tables: Partial<Record<TableKey, Access>>;
  readonly queuesSend: readonly QueueKey[];
  /** Queues (and their DLQs) whose depth the function may read, for status screens. */
  readonly queuesMonitor: readonly QueueKey[];
  readonly executionMode: 'none' | Access;
  /** Which secret fields the function needs (the grant is on the whole secret). */
  readonly secretFields: readonly BotSecretField[];
}

export const FUNCTIONS = {
  'telegram-webhook': {
    entry: 'functions/telegram-webhook/handler.ts',
    trigger: { kind: 'url' },
    memoryMb: 512,
    timeoutSeconds: 10,
    tables: {
      users: 'readWrite',
      dedupe: 'readWrite',
      follows: 'readWrite',
      state: 'readWrite',
      stats: 'read',
      fills: 'read',
      positions: 'read',
    },
    queuesSend: [],
    queuesMonitor: ['signals', 'fanout'],
    // Admins switch DRY/LIVE from the chat.
    executionMode: 'readWrite',
    secretFields: ['botToken', 'webhookSecret'],
  },
  indexer: {
    entry: 'functions/indexer/handler.ts',
    trigger: { kind: 'schedule', everyMinutes: 1 },
    memoryMb: 1024,
    // It tails for ~57 s of each minute; the rest is margin to release the lease and flush metrics.
    timeoutSeconds: 75,
    tables: {
      fills: 'readWrite',
      positions: 'readWrite',
      stats: 'readWrite',
      state: 'readWrite',
      intents: 'readWrite',
    },
    // signals for followers; fanout for "your copy filled" notices.
    queuesSend: ['signals', 'fanout'],
    queuesMonitor: [],
    executionMode: 'none',
    secretFields: [],
  },
  leaderboard: {
    entry: 'functions/leaderboard/handler.ts',
    trigger: { kind: 'schedule', everyMinutes: 1 },
    memoryMb: 1024,
    timeoutSeconds: 50,
    tables: { stats: 'readWrite' },
    queuesSend: [],
    queuesMonitor: [],
    executionMode: 'none',
    secretFields: [],
  },
  'signal-router': {
    entry: 'functions/signal-router/handler.ts',
    trigger: { kind: 'queue', queue: 'signals', batchSize: 10 },
    memoryMb: 1024,
    timeoutSeconds: 55,
    tables: { follows: 'read', users: 'read', state: 'read' },
    queuesSend: ['fanout'],
    queuesMonitor: [],
    executionMode: 'read',
    secretFields: [],
  },
  follower: {
    entry: 'functions/follower/handler.ts',
    trigger: { kind: 'queue', queue: 'fanout', batchSize: 10 },
    memoryMb: 512,
    timeoutSeconds: 55,
    // Telegram's 30 messages/s is per bot; the pacer counts per container, so one container sends.
    reservedConcurrency: 1,
    tables: {
      users: 'readWrite',
      follows: 'read',
      positions: 'read',
      stats: 'read',
      intents: 'readWrite',
      dedupe: 'readWrite',
      state: 'readWrite',
    },
    queuesSend: [],
    queuesMonitor: [],
    executionMode: 'read',
    // The executor key signs LIVE copies; the state table holds the executor's send lease.
    secretFields: ['botToken', 'executorKey'],
  },
  'copy-sweeper': {
    entry: 'functions/copy-sweeper/handler.ts',
    trigger: { kind: 'schedule', everyMinutes: 1 },
    memoryMb: 256,
    timeoutSeconds: 60,
    tables: { intents: 'readWrite', state: 'readWrite' },
    queuesSend: ['fanout'],
    queuesMonitor: [],
    executionMode: 'none',
    secretFields: ['executorKey'],
  },
} as const satisfies Record<string, FunctionDef>;

export type FunctionName = keyof typeof FUNCTIONS;

/** Physical names: one rule for every stage, e.g. `alfa-dev-users`, `alfa-dev-signals.fifo`. */
export const physicalName = {
  table: (stage: string, key: TableKey): string => `alfa-${stage}-${key}`,
  queue: (stage: string, key: QueueKey): string => `alfa-${stage}-${key}.fifo`,
  deadLetterQueue: (stage: string, key: QueueKey): string => `alfa-${stage}-${key}-dlq.fifo`,
  executionModeParameter: (stage: string): string => `/alfa/${stage}/execution-mode`,
  botSecret: (stage: string): string => `alfa/${stage}/bot`,
  function: (stage: string, name: string): string => `alfa-${stage}-${name}`,
};

/** The env vars every function receives: names of the resources it may touch. */
export const RESOURCE_ENV_VARS = [
  ...Object.values(TABLES).map((t) => t.envVar),
  ...Object.values(QUEUES).map((q) => q.envVar),
  EXECUTION_MODE_PARAMETER.envVar,
  BOT_SECRET.envVar,
] as const;
