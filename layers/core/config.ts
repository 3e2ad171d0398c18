// Every setting Alfa reads from its environment, validated in one place. A bad environment fails
// with one error that lists every bad variable and what it expects, never with the first only.
import { z } from 'zod';
import type { AvantisDeployment } from './domain/avantis/addresses.js';
import type { ExecutionMode } from './domain/execution-mode.js';
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
        /** The v2 TradingRouter proxy (EIP-712 verifying contract); watched for drift when given. */
        tradingRouter: address.optional(),
      },
      {
        error:
          'expected {chainId, tradingCallbacks, trading[], tradingStorage, pairInfos, pairStorage, usdc, tradingRouter?}',
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
  /** First block of the Avantis v2 layouts; unset: found from the proxies' EIP-1967 Upgraded logs. */
  AVANTIS_UPGRADE_BLOCK: wholeNumber(0, 1_000_000_000_000).optional(),
  CANARY_MAX_NOTIONAL_USD: wholeNumber(0, 10_000_000).default(1_000),
  CANARY_MAX_LEVERAGE: wholeNumber(1, 150).default(10),
  CANARY_PAIRS: z
    .string()
    .trim()
    .regex(/^(ALL|\d{1,3}(,\d{1,3})*)$/i, 'expected ALL or pair indexes such as 0,1,2')
    .default('ALL'),
  TELEGRAM_API_ROOT: z.url({ error: 'expected the Bot API base URL' }).default('https://api.telegram.org'),
  /** Set by the stack on functions that may invoke them (resources.ts `invokes`). */
  ADMIN_FUNCTION_NAME: z.string().trim().min(1).optional(),
  RECONCILER_FUNCTION_NAME: z.string().trim().min(1).optional(),
  DELEGATE_ADDRESS_FUNCTION_NAME: z.string().trim().min(1).optional(),
  /** The KMS HMAC key users' delegate keys are derived from (set by the stack on the signing functions only). */
  DELEGATE_KMS_KEY_ID: z.string().trim().min(1).optional(),
  /** Avantis' batched-market service, e.g. https://prod-api.avantisfi.com/batched-market. */
  AVANTIS_BATCHED_MARKET_URL: z.url({ error: 'expected the batched-market base URL' }).optional(),
  /** The core API's user-data read (`?trader=0x…`), e.g. https://prod-api.avantisfi.com/core/user-data. */
  AVANTIS_USER_DATA_URL: z.url({ error: 'expected the user-data URL' }).optional(),
  /** Current prices by pair (`/{pairIndex}`). */
  AVANTIS_PRICES_URL: z.url({ error: 'expected the prices base URL' }).optional(),
  /** Slippage a copy open allows around the price read right before signing, in basis points. */
  COPY_SLIPPAGE_BPS: wholeNumber(1, 5_000).default(100),
  /** Telegram paid broadcasts (allow_paid_broadcast): raises the alert rate; costs Telegram Stars. */
  ALLOW_PAID_BROADCAST: flag.default(false),
  /** The webhook's public URL, for the admin's `webhook set`; set by the stack. */
  WEBHOOK_URL: z.url({ error: 'expected the webhook URL' }).optional(),
  /** false turns every user's daily digest off (the operator report still goes out). */
  DIGEST_ENABLED: flag.default(true),
  [EXECUTION_MODE_PARAMETER.envVar]: required('the SSM parameter name of the execution mode'),
  [BOT_SECRET.envVar]: required('the Secrets Manager secret id of the bot secret'),
  ...tableNames,
  ...queueUrls,
});

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
    /** First block of the v2 layouts; unset: discovered from the proxies' Upgraded logs. */
    readonly upgradeBlock?: number;
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
  /** Physical names of functions this one may invoke, when the stack gave them. */
  readonly functionNames: {
    readonly admin?: string;
    readonly reconciler?: string;
    readonly delegateAddress?: string;
  };
  /** Copy execution on Avantis v2; each piece is unset until the stack configures it. */
  readonly copy: {
    readonly delegateKmsKeyId?: string;
    readonly batchedMarketUrl?: string;
    readonly userDataUrl?: string;
    readonly pricesUrl?: string;
    /** 1e10 (1% = 1e10), from COPY_SLIPPAGE_BPS. */
    readonly slippageP: bigint;
  };
  readonly allowPaidBroadcast: boolean;
  readonly webhookUrl?: string;
  /** Operator's switch for every user's daily digest (users can also turn their own off). */
  readonly digestEnabled: boolean;
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
      ...(v.AVANTIS_UPGRADE_BLOCK === undefined ? {} : { upgradeBlock: v.AVANTIS_UPGRADE_BLOCK }),
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
    copy: {
      ...(v.DELEGATE_KMS_KEY_ID ? { delegateKmsKeyId: v.DELEGATE_KMS_KEY_ID } : {}),
      ...(v.AVANTIS_BATCHED_MARKET_URL
        ? { batchedMarketUrl: v.AVANTIS_BATCHED_MARKET_URL.replace(/\/+$/, '') }
        : {}),
      ...(v.AVANTIS_USER_DATA_URL ? { userDataUrl: v.AVANTIS_USER_DATA_URL } : {}),
      ...(v.AVANTIS_PRICES_URL ? { pricesUrl: v.AVANTIS_PRICES_URL.replace(/\/+$/, '') } : {}),
      slippageP: BigInt(v.COPY_SLIPPAGE_BPS) * 100_000_000n,
    },
    allowPaidBroadcast: v.ALLOW_PAID_BROADCAST,
    functionNames: {
      ...(v.ADMIN_FUNCTION_NAME ? { admin: v.ADMIN_FUNCTION_NAME } : {}),
      ...(v.RECONCILER_FUNCTION_NAME ? { reconciler: v.RECONCILER_FUNCTION_NAME } : {}),
      ...(v.DELEGATE_ADDRESS_FUNCTION_NAME ? { delegateAddress: v.DELEGATE_ADDRESS_FUNCTION_NAME } : {}),
    },
    ...(v.WEBHOOK_URL ? { webhookUrl: v.WEBHOOK_URL } : {}),
    digestEnabled: v.DIGEST_ENABLED,
    executionModeParameter: v[EXECUTION_MODE_PARAMETER.envVar] as string,
    botSecretId: v[BOT_SECRET.envVar] as string,
    tables: pick(TABLES),
    queues: pick(QUEUES),
  };
}

/** Every setting name the schema knows. */
export const SETTING_NAMES: readonly string[] = Object.keys(schema.shape);

/** Placeholders for what the stack itself sets, so operator settings can be checked on their own. */
const STACK_PLACEHOLDERS: Readonly<Record<string, string>> = {
  [EXECUTION_MODE_PARAMETER.envVar]: '/alfa/synth/execution-mode',
  [BOT_SECRET.envVar]: 'alfa/synth/bot',
  ...Object.fromEntries(Object.values(TABLES).map((t) => [t.envVar, 'synth-table'])),
  ...Object.fromEntries(
    Object.values(QUEUES).map((q) => [q.envVar, 'https://sqs.us-east-1.amazonaws.com/0/synth.fifo']),
  ),
};

/**
 * The check `cdk synth` runs on the operator's settings (context `alfa:config`): the same schema
 * the functions parse at cold start, so a value that would fail every function fails synth instead,
 * with one error listing every bad value. Names the schema does not know are refused too (a typo
 * would otherwise be silently ignored), except Powertools' own POWERTOOLS_* settings.
 */
export function checkOperatorSettings(settings: Readonly<Record<string, string>>): Config {
  const unknown = Object.keys(settings)
    .filter((name) => !SETTING_NAMES.includes(name) && !name.startsWith('POWERTOOLS_'))
    .map(
      (name) =>
        `${name}: not a setting Alfa reads (known: ${SETTING_NAMES.filter((n) => !(n in STACK_PLACEHOLDERS)).join(', ')})`,
    );
  let parsed: Config | undefined;
  let problems: string[] = [];
  try {
    parsed = loadConfig({ ...STACK_PLACEHOLDERS, ...settings });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = [...err.problems];
  }
  if (unknown.length > 0 || !parsed) throw new ConfigError([...problems, ...unknown].sort());
  return parsed;
}

let cached: Config | undefined;
/** The process-wide config, parsed once per Lambda container. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
