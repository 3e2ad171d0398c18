// Every setting Alfa reads from its environment, validated in one place. A bad environment fails
// with one error that lists every bad variable and what it expects, never with the first only.
import { z } from 'zod';
import type { AvantisDeployment } from './domain/avantis/addresses.js';
import {
  BOT_SECRET,
  EXECUTION_MODE_PARAMETER,
  QUEUES,
  TABLES,
  type QueueKey,
  type TableKey,
} from './resources.js';

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const commaList = (item: z.ZodType<string, string>, what: string) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(item, { error: `expected a comma-separated list of ${what}` }));

const telegramUserId = z.string().regex(/^[1-9]\d{0,15}$/, 'expected Telegram user ids (digits)');
const rpcUrl = z.url({ protocol: /^(https?|wss?)$/, error: 'expected http(s) or ws(s) URLs' });
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected 0x-prefixed 20-byte addresses')
  .toLowerCase();
/** The Avantis contracts to index, as JSON; unset means "the known deployment of the RPC's chain". */
const avantisContracts = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.object(
      {
        chainId: z.number().int().positive(),
        tradingCallbacks: address,
        trading: z.array(address).min(1),
        tradingStorage: address,
        pairInfos: address,
        pairStorage: address,
        usdc: address,
      },
      {
        error:
          'expected {chainId, tradingCallbacks, trading[], tradingStorage, pairInfos, pairStorage, usdc}',
      },
    ),
  );

const required = (what: string) =>
  z
    .string({ error: `required: ${what}` })
    .trim()
    .min(1, `required: ${what}`);

const tableNames = Object.fromEntries(
  Object.values(TABLES).map((t) => [t.envVar, required('a DynamoDB table name')]),
) as Record<string, z.ZodType<string>>;
const queueUrls = Object.fromEntries(
  Object.values(QUEUES).map((q) => [q.envVar, z.url({ error: 'expected an SQS queue URL' })]),
) as Record<string, z.ZodType<string>>;

const schema = z.object({
  STAGE: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,15}$/, 'expected a lowercase stage name such as dev or prod')
    .default('dev'),
  ADMIN_USER_IDS: commaList(telegramUserId, 'Telegram user ids').default([]),
  COPY_EXECUTION_MODE: z.enum(['DRY', 'LIVE'], { error: 'expected DRY or LIVE' }).default('DRY'),
  EMERGENCY_STOP: flag.default(false),
  INDEXER_BACKFILL_RANGE: wholeNumber(0, 50_000_000).default(43_200),
  INDEXER_PAGE: wholeNumber(1, 100_000).default(2_000),
  LEADER_MIN_TRADES_30D: wholeNumber(0, 1_000_000).default(10),
  LEADER_MIN_VOLUME_30D_USD: wholeNumber(0, 1_000_000_000_000).default(10_000),
  LEADER_ACTIVE_HOURS: wholeNumber(1, 24 * 365).default(72),
  RPC_URLS: commaList(rpcUrl, 'http(s) or ws(s) URLs').default([]),
  AVANTIS_CONTRACTS: avantisContracts.optional(),
  EXECUTOR_ADDRESS: address.optional(),
  EXECUTOR_KMS_KEY_ID: z.string().trim().min(1).optional(),
  CANARY_MAX_NOTIONAL_USD: wholeNumber(0, 10_000_000).default(1_000),
  CANARY_MAX_LEVERAGE: wholeNumber(1, 150).default(10),
  CANARY_PAIRS: z
    .string()
    .trim()
    .regex(/^(ALL|\d{1,3}(,\d{1,3})*)$/i, 'expected ALL or pair indexes such as 0,1,2')
    .default('ALL'),
  TELEGRAM_API_ROOT: z.url({ error: 'expected the Bot API base URL' }).default('https://api.telegram.org'),
  [EXECUTION_MODE_PARAMETER.envVar]: required('the SSM parameter name of the execution mode'),
  [BOT_SECRET.envVar]: required('the Secrets Manager secret id of the bot secret'),
  ...tableNames,
  ...queueUrls,
});

export type ExecutionMode = 'DRY' | 'LIVE';

export interface Config {
  readonly stage: string;
  readonly adminUserIds: ReadonlySet<string>;
  /**
   * The deploy-time ceiling on the execution mode: LIVE needs this AND the SSM switch to say LIVE,
   * so an operator cannot go live by flipping the parameter on a stack deployed as DRY.
   */
  readonly copyExecutionModeCeiling: ExecutionMode;
  readonly emergencyStop: boolean;
  readonly indexer: {
    readonly backfillRange: number;
    readonly page: number;
    readonly rpcUrls: readonly string[];
    /** Unset: the known deployment for the RPC's chain id (Base mainnet). */
    readonly contracts?: AvantisDeployment;
  };
  readonly leader: {
    readonly minTrades30d: number;
    readonly minVolume30dUsd: number;
    readonly activeHours: number;
  };
  readonly telegramApiRoot: string;
  /** System-wide caps on copies while copying is young: notional (USDC 1e6), leverage, pairs. */
  readonly canary: {
    readonly maxNotionalUsdc: bigint;
    readonly maxLeverage: number;
    readonly allowedPairs: readonly number[] | 'ALL';
  };
  /** The public address of the copy executor, shown to users who delegate to it (the key stays in Secrets Manager). */
  readonly executorAddress?: string;
  /** Sign copies with this AWS KMS key (ECC_SECG_P256K1) instead of the key in the bot secret. */
  readonly executorKmsKeyId?: string;
  readonly executionModeParameter: string;
  readonly botSecretId: string;
  readonly tables: Readonly<Record<TableKey, string>>;
  readonly queues: Readonly<Record<QueueKey, string>>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Describes what was given without echoing long values back into logs. */
const shown = (value: unknown): string => {
  if (value === undefined) return 'unset';
  const text = String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
};

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "not set" so an exported-but-blank variable falls back to its default.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const byVar = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '(environment)');
      if (!byVar.has(name)) byVar.set(name, `${name}: ${issue.message}, got ${shown(given[name])}`);
    }
    throw new ConfigError([...byVar.values()].sort());
  }
  const v = parsed.data as z.infer<typeof schema> & Record<string, string>;
  const pick = <K extends string>(defs: Record<K, { envVar: string }>) =>
    Object.fromEntries(Object.entries<{ envVar: string }>(defs).map(([k, d]) => [k, v[d.envVar]])) as Record<
      K,
      string
    >;
  return {
    stage: v.STAGE,
    adminUserIds: new Set(v.ADMIN_USER_IDS),
    copyExecutionModeCeiling: v.COPY_EXECUTION_MODE,
    emergencyStop: v.EMERGENCY_STOP,
    indexer: {
      backfillRange: v.INDEXER_BACKFILL_RANGE,
      page: v.INDEXER_PAGE,
      rpcUrls: v.RPC_URLS,
      ...(v.AVANTIS_CONTRACTS ? { contracts: v.AVANTIS_CONTRACTS } : {}),
    },
    leader: {
      minTrades30d: v.LEADER_MIN_TRADES_30D,
      minVolume30dUsd: v.LEADER_MIN_VOLUME_30D_USD,
      activeHours: v.LEADER_ACTIVE_HOURS,
    },
    telegramApiRoot: v.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    canary: {
      maxNotionalUsdc: BigInt(v.CANARY_MAX_NOTIONAL_USD) * 1_000_000n,
      maxLeverage: v.CANARY_MAX_LEVERAGE,
      allowedPairs: v.CANARY_PAIRS.toUpperCase() === 'ALL' ? 'ALL' : v.CANARY_PAIRS.split(',').map(Number),
    },
    ...(v.EXECUTOR_ADDRESS ? { executorAddress: v.EXECUTOR_ADDRESS } : {}),
    ...(v.EXECUTOR_KMS_KEY_ID ? { executorKmsKeyId: v.EXECUTOR_KMS_KEY_ID } : {}),
    executionModeParameter: v[EXECUTION_MODE_PARAMETER.envVar] as string,
    botSecretId: v[BOT_SECRET.envVar] as string,
    tables: pick(TABLES),
    queues: pick(QUEUES),
  };
}

let cached: Config | undefined;
/** The process-wide config, parsed once per Lambda container. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
