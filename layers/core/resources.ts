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
  /** Follow = user -> trader with CopySettings; byTrader is the reverse index routing reads. */
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
  /**
   * CopyIntents, key `signalId:userId`: the record that a copy is made once, with its signed intent
   * and nonce. Mirror items (`mirror#...`) in the same table map a trader's position to each user's
   * copy of it.
   */
  intents: {
    partitionKey: s('intentId'),
    indexes: [
      {
        // Sparse: only CREATED/ACCEPTED/INITIATED intents, and ended LIVE ones until their outcome
        // notice is queued, carry `unsettledUser`: a user's copies in flight (risk, which reads
        // the in-flight ones only), and the reconciler's whole work list.
        name: 'unsettled',
        partitionKey: s('unsettledUser'),
        sortKey: s('intentId'),
      },
      {
        // Sparse: only mirror items carry `mirrorSlot` (trader#pair#index), so a trader's close
        // reaches every copy of that position, whatever became of the follow.
        name: 'bySlot',
        partitionKey: s('mirrorSlot'),
        sortKey: s('intentId'),
      },
      {
        // A user's copies newest first (/copies, /portfolio). Sparse by its sort key: mirror and
        // marker items have no createdAt. It carries what the views read, so one query answers.
        name: 'byUser',
        partitionKey: s('userId'),
        sortKey: s('createdAt'),
        nonKeyAttributes: [
          'signalId',
          'chatId',
          'trader',
          'slot',
          'kind',
          'state',
          'reason',
          'mode',
          'order',
          // The amount signed (a close's side, an add's collateral): what the fees are taken from.
          'signed',
          'fill',
          'code',
          'message',
          'settledAt',
          'signalTs',
          'signalBlock',
        ],
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
  /** FIFO: group = trader for signals, userId for alerts and copies, so order holds per key. */
  readonly fifo: true;
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message goes to the DLQ. */
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
  readonly envVar: string;
}

/**
 * AWS asks for a queue's visibility timeout to be at least six times its consumer's timeout, so a
 * batch retried inside one invocation is not redelivered meanwhile; synth refuses less.
 */
export const VISIBILITY_TO_TIMEOUT_RATIO = 6;

export const QUEUES = {
  signals: {
    fifo: true,
    visibilityTimeoutSeconds: 330,
    maxReceiveCount: 5,
    retentionDays: 4,
    envVar: 'QUEUE_SIGNALS_URL',
  },
  /** Trade alerts (and an emergency stop's open positions), group = user, paced by the alerter. */
  alerts: {
    fifo: true,
    visibilityTimeoutSeconds: 330,
    maxReceiveCount: 8,
    retentionDays: 4,
    envVar: 'QUEUE_ALERTS_URL',
  },
  /**
   * Copy outcomes, skip notices and digests, group = user: the notifier sends them in the time the
   * trade alerts leave, so a burst of copies never holds an alert back, nor an alerter container.
   */
  notices: {
    fifo: true,
    visibilityTimeoutSeconds: 330,
    maxReceiveCount: 8,
    retentionDays: 4,
    envVar: 'QUEUE_NOTICES_URL',
  },
  /** Copies to sign and submit, group = user (a user's copies in order), never behind alerts. */
  copies: {
    fifo: true,
    // 6 x the copier's 90 s timeout.
    visibilityTimeoutSeconds: 540,
    maxReceiveCount: 10,
    retentionDays: 4,
    envVar: 'QUEUE_COPIES_URL',
  },
} as const satisfies Record<string, QueueDef>;

export type QueueKey = keyof typeof QUEUES;

/** The DRY/LIVE switch. Anything but the exact string LIVE reads as DRY. */
export const EXECUTION_MODE_PARAMETER = {
  defaultValue: 'DRY',
  envVar: 'PARAM_EXECUTION_MODE',
} as const;

/**
 * One JSON secret: `{ botToken, webhookSecret, executorKey }`. `executorKey` is read by nothing (the
 * shared executor gave way to per-user delegate keys) but stays in the generated template: dropping
 * it changes GenerateSecretString, which makes CloudFormation regenerate a deployed secret's value.
 */
export const BOT_SECRET = {
  envVar: 'SECRET_ID',
  fields: ['botToken', 'webhookSecret', 'executorKey'] as const,
} as const;
export type BotSecretField = (typeof BOT_SECRET.fields)[number];

/** Every queue key, for the functions that watch them all (admin). */
const ALL_QUEUES = Object.keys(QUEUES) as readonly QueueKey[];

export type Access = 'read' | 'readWrite';

/**
 * Alerter containers sending at once (its queue trigger's maximum concurrency): each paces one
 * message a second, 29 together, Telegram's free rate per bot less one for margin.
 */
export const ALERT_SENDERS = 29;
/**
 * Notifier containers: ten chats each in parallel, so 50 sends in flight, more than the 29 a second
 * the schedule leaves them once the alerts are out.
 */
export const NOTICE_SENDERS = 5;

/** The alerter's and the notifier's shape: one Telegram sender on two lanes. */
const TELEGRAM_SENDER = {
  memoryMb: 512,
  timeoutSeconds: 55,
  perContainerState: true,
  tables: { users: 'readWrite', dedupe: 'readWrite' },
  queuesSend: [],
  queuesMonitor: [],
  executionMode: 'none',
  secretFields: ['botToken'],
} as const satisfies Omit<FunctionDef, 'entry' | 'trigger'>;
export type Trigger =
  | { readonly kind: 'url' }
  /** Every `everyMinutes`; with `hourUtc`, once a day at that hour (everyMinutes is then 1440). */
  | { readonly kind: 'schedule'; readonly everyMinutes: number; readonly hourUtc?: number }
  /** Direct invocation only (lambda:InvokeFunction by a granted principal): no URL, no schedule. */
  | { readonly kind: 'invoke' }
  | {
      readonly kind: 'queue';
      readonly queue: QueueKey;
      readonly batchSize: number;
      /** The event source mapping's maximum concurrency (ScalingConfig); unset: Lambda's default. */
      readonly maxConcurrency?: number;
    };

export interface FunctionDef {
  /** Path from the repo root to the handler module; it exports `handler`. */
  readonly entry: string;
  readonly trigger: Trigger;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Caps concurrent containers, e.g. 1 where a per-container limit must hold for the whole bot. */
  readonly reservedConcurrency?: number;
  /**
   * Module state that must be one per container (the alerter's pacer keeps its chats' turns and its
   * share of the paid-broadcast rate): the local runner loads the handler once per poller.
   */
  readonly perContainerState?: boolean;
  /** Least privilege: each function is granted exactly this and nothing more. */
  readonly tables: Partial<Record<TableKey, Access>>;
  readonly queuesSend: readonly QueueKey[];
  /** Queues (and their DLQs) whose depth the function may read, for status screens. */
  readonly queuesMonitor: readonly QueueKey[];
  readonly executionMode: 'none' | Access;
  /** Which secret fields the function needs (the grant is on the whole secret). */
  readonly secretFields: readonly BotSecretField[];
  /** Tables it may Scan (whole-table reads); every other read grant excludes Scan. */
  readonly scans?: readonly TableKey[];
  /**
   * For a readWrite table: writes only to items whose partition key is one of these (IAM
   * dynamodb:LeadingKeys), e.g. the webhook may append to the error journal but not set flags.
   */
  readonly writeOnlyKeys?: Partial<Record<TableKey, readonly string[]>>;
  /** Functions it may invoke directly (their catalog names). */
  readonly invokes?: readonly string[];
  /** Queues whose DLQ it may drain back into the queue (receive+delete on the DLQ, send on the queue). */
  readonly queuesRedrive?: readonly QueueKey[];
  /**
   * kms:GenerateMac on the delegate key (DELEGATE_KEY): the function can derive users' delegate
   * keys. Only the copier (it signs) and delegate-address (it returns public addresses) have it.
   */
  readonly delegateKey?: 'mac';
  /** Reads Avantis (batched-market service, user-data, prices) over HTTPS. */
  readonly avantisApi?: boolean;
  /**
   * Renders charts (adapters/charts/png.ts): the bundle ships resvg's .wasm and the DejaVu font
   * next to the handler (lib/functions.ts CHART_ASSET_FILES).
   */
  readonly chartAssets?: boolean;
}

/**
 * The key every user's Avantis delegate key is derived from: an AWS KMS HMAC key
 * (HMAC_256, GENERATE_VERIFY_MAC). Its material never leaves KMS; see adapters/kms/delegate-keys.ts.
 */
export const DELEGATE_KEY = {
  envVar: 'DELEGATE_KMS_KEY_ID',
  keySpec: 'HMAC_256',
  keyUsage: 'GENERATE_VERIFY_MAC',
} as const;

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
      // /copies and /portfolio read the user's copies (the byUser index).
      intents: 'read',
    },
    queuesSend: [],
    queuesMonitor: ['signals', 'alerts', 'notices', 'copies'],
    // It shows the mode; admins change it through the admin function, never with its own role.
    executionMode: 'read',
    secretFields: ['botToken', 'webhookSecret'],
    // The state table: read the cursor and flags, append to the error journal, nothing else.
    writeOnlyKeys: { state: ['errors'] },
    // Bot admin commands (/copy mode, /emergency, /autocopy_off_all) are admin-function actions.
    invokes: ['admin', 'delegate-address'],
    // /trader and /stats answer with PNG charts.
    chartAssets: true,
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
    },
    queuesSend: ['signals'],
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
    scans: ['stats'],
  },
  'signal-router': {
    entry: 'functions/signal-router/handler.ts',
    trigger: { kind: 'queue', queue: 'signals', batchSize: 10 },
    memoryMb: 1024,
    timeoutSeconds: 55,
    // intents: the mirrors, so a close reaches every copy of the position.
    tables: { follows: 'read', users: 'read', state: 'read', intents: 'read' },
    queuesSend: ['alerts', 'copies'],
    queuesMonitor: [],
    executionMode: 'read',
    secretFields: [],
  },
  /** alerts.fifo -> Telegram: every trade alert once, paced to Telegram's limits, first. */
  alerter: {
    entry: 'functions/alerter/handler.ts',
    // SQS hands a FIFO consumer as many messages of one group (one chat) as it can, and a chat takes
    // one a second: a single container would send ~1 a second under a backlog. ALERT_SENDERS
    // containers reserve their sends from one schedule of the bot's 29/s (the dedupe table).
    trigger: { kind: 'queue', queue: 'alerts', batchSize: 10, maxConcurrency: ALERT_SENDERS },
    ...TELEGRAM_SENDER,
  },
  /**
   * notices.fifo -> Telegram: the alerter's sender on the notices lane. Its containers wait while
   * trade alerts take the bot's rate (the shared schedule, adapters/dynamo/send-schedule.ts), then
   * send at the whole rate; waiting here holds no alert back.
   */
  notifier: {
    entry: 'functions/notifier/handler.ts',
    trigger: { kind: 'queue', queue: 'notices', batchSize: 10, maxConcurrency: NOTICE_SENDERS },
    ...TELEGRAM_SENDER,
  },
  /**
   * copies.fifo -> Avantis: each copy a v2 intent signed by the user's delegate key, submitted to
   * the batched-market service and followed over its stream. Groups (users) run in parallel.
   */
  copier: {
    entry: 'functions/copier/handler.ts',
    trigger: { kind: 'queue', queue: 'copies', batchSize: 10, maxConcurrency: 100 },
    memoryMb: 1024,
    // A stream lives up to 60 s (docs/avantis.md v2 §4); the rest is margin to record its end.
    timeoutSeconds: 90,
    tables: {
      users: 'read',
      follows: 'read',
      stats: 'read',
      intents: 'readWrite',
      state: 'read',
    },
    queuesSend: ['alerts', 'notices'],
    queuesMonitor: [],
    executionMode: 'read',
    secretFields: [],
    delegateKey: 'mac',
    avantisApi: true,
  },
  /**
   * Every minute (and on the admin's reconcile): drives every non-terminal intent to a terminal
   * state (replay by trackingId, a crash after submission found by its used nonce, outages retried
   * with backoff), tells users once, counts IntentsStuck. It resubmits stored signed intents only:
   * it never signs, so it has no delegate key grant.
   */
  reconciler: {
    entry: 'functions/reconciler/handler.ts',
    trigger: { kind: 'schedule', everyMinutes: 1 },
    memoryMb: 512,
    timeoutSeconds: 75,
    tables: { intents: 'readWrite', state: 'read' },
    queuesSend: ['alerts', 'notices'],
    queuesMonitor: [],
    executionMode: 'read',
    secretFields: [],
    scans: ['intents'],
    avantisApi: true,
  },
  /** Direct invocation by the webhook: a user's delegate address (public), never a key. */
  'delegate-address': {
    entry: 'functions/delegate-address/handler.ts',
    trigger: { kind: 'invoke' },
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: {},
    queuesSend: [],
    queuesMonitor: [],
    executionMode: 'none',
    secretFields: [],
    delegateKey: 'mac',
  },
  /**
   * Operator actions (status, mode, emergency, backfill, redrive, reconcile, webhook): direct
   * invocation only, by the operator's IAM principal or the webhook's admin commands; every action
   * is audit-logged. Backfill runs inside it, hence the long timeout.
   */
  admin: {
    entry: 'functions/admin/handler.ts',
    trigger: { kind: 'invoke' },
    memoryMb: 1024,
    timeoutSeconds: 300,
    tables: { state: 'readWrite', follows: 'readWrite', intents: 'read', fills: 'readWrite', users: 'read' },
    queuesSend: [],
    // Every queue and its DLQ: status shows them all, redrive takes any of them.
    queuesMonitor: ALL_QUEUES,
    queuesRedrive: ALL_QUEUES,
    executionMode: 'readWrite',
    // getWebhookInfo / setWebhook need the token and the secret Telegram will echo back.
    secretFields: ['botToken', 'webhookSecret'],
    // autocopy-off-all scans follows; intents by state scans intents (no state index yet).
    scans: ['follows', 'intents'],
    invokes: ['reconciler'],
  },
  /**
   * Daily, 08:00 UTC: each user's digest (unless turned off) and the admins' operator report, queued
   * on alerts.fifo: the alerter sends them (the one sender pacing the bot), so no bot token here,
   * and "once a day" is the alerter's idempotency per job id, so no dedupe table either.
   */
  digest: {
    entry: 'functions/digest/handler.ts',
    trigger: { kind: 'schedule', everyMinutes: 1440, hourUtc: 8 },
    memoryMb: 512,
    timeoutSeconds: 300,
    tables: {
      users: 'read',
      follows: 'read',
      fills: 'read',
      stats: 'read',
      intents: 'read',
      state: 'read',
    },
    queuesSend: ['alerts', 'notices'],
    queuesMonitor: [],
    executionMode: 'none',
    secretFields: [],
    scans: ['users', 'intents'],
  },
} as const satisfies Record<string, FunctionDef>;

/**
 * Which functions emit each custom metric the alarms and the dashboard read (namespace Alfa,
 * dimension `service` = function name, as Powertools Metrics writes them). Every source is a
 * function of FUNCTIONS whose code path emits the name (test/infra/metric-sources.test.ts): an alarm
 * on a metric nobody emits would stay quiet forever.
 */
export const METRIC_SOURCES = {
  IndexerLagBlocks: ['indexer'],
  IndexerErrors: ['indexer'],
  UnknownTopicLogs: ['indexer'],
  UndecodableLogs: ['indexer'],
  UpdateFailed: ['telegram-webhook'],
  AlertsSent: ['alerter'],
  TelegramRetryAfter: ['alerter'],
  TelegramForbidden: ['alerter'],
  CopyExecuted: ['copier', 'reconciler'],
  CopyCanceled: ['copier', 'reconciler'],
  CopyFailed: ['copier', 'reconciler'],
  IntentsStuck: ['reconciler'],
  /** Milliseconds from the block's timestamp to the alert sent. */
  ChainToAlertMs: ['alerter'],
  /** Milliseconds from the signal to MarketOrderAccepted of its copy. */
  SignalToAcceptedMs: ['copier', 'reconciler'],
  /** Milliseconds from the signal to the copy's EXECUTED. */
  SignalToExecutedMs: ['copier', 'reconciler'],
  /** 1 each time the admin function sets the switch LIVE or sets the emergency stop. */
  ModeSetLive: ['admin'],
  EmergencyStopSet: ['admin'],
} as const satisfies Record<string, readonly string[]>;
export type MetricName = keyof typeof METRIC_SOURCES;

export type FunctionName = keyof typeof FUNCTIONS;

/** Physical names: one rule for every stage, e.g. `alfa-dev-users`, `alfa-dev-signals.fifo`. */
export const physicalName = {
  table: (stage: string, key: TableKey): string => `alfa-${stage}-${key}`,
  queue: (stage: string, key: QueueKey): string => `alfa-${stage}-${key}.fifo`,
  deadLetterQueue: (stage: string, key: QueueKey): string => `alfa-${stage}-${key}-dlq.fifo`,
  executionModeParameter: (stage: string): string => `/alfa/${stage}/execution-mode`,
  botSecret: (stage: string): string => `alfa/${stage}/bot`,
  function: (stage: string, name: string): string => `alfa-${stage}-${name}`,
  alarm: (stage: string, what: string): string => `alfa-${stage}-${what}`,
};

/** The env var holding a function's physical name, for a function that invokes it (e.g. ADMIN_FUNCTION_NAME). */
export const functionNameEnvVar = (name: string): string =>
  `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_FUNCTION_NAME`;

/** The env vars every function receives: names of the resources it may touch. */
export const RESOURCE_ENV_VARS = [
  ...Object.values(TABLES).map((t) => t.envVar),
  ...Object.values(QUEUES).map((q) => q.envVar),
  EXECUTION_MODE_PARAMETER.envVar,
  BOT_SECRET.envVar,
] as const;
