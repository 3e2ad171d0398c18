// Wires the daily digest to DynamoDB and alerts.fifo from config: the digest function's composition
// root. It sends nothing to Telegram itself: the alerter does, the one sender pacing the bot's rate.
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Config } from '../config.js';
import { documentDb } from '../adapters/dynamo/client.js';
import { DynamoFillStore } from '../adapters/dynamo/fill-store.js';
import { DynamoFollowStore } from '../adapters/dynamo/follow-store.js';
import { DynamoErrorJournal } from '../adapters/dynamo/operator-state.js';
import { scanAll } from '../adapters/dynamo/scan.js';
import { sqsClient } from '../adapters/sqs/client.js';
import { SqsAlertQueue } from '../adapters/sqs/copy-queues.js';
import type { CopyOutcome, CopyRecord, DayWindow } from './report.js';
import type { DigestDeps, DigestUser } from './run.js';

/** A followed trader's last fills read for the day: plenty for one day of one trader. */
const FILLS_PER_TRADER = 500;

const userItem = z.object({
  userId: z.string(),
  chatId: z.string(),
  firstName: z.string().default(''),
  active: z.boolean().default(true),
  digest: z.boolean().default(true),
});

const amount = z
  .union([z.string().regex(/^-?\d+$/), z.number().int(), z.bigint()])
  .transform((v) => BigInt(v));
/**
 * An intent as the digest reads it (the copy path's item: kind, state and, once executed, the fill's
 * collateral, leverage and USDC sent back); pointer and mirror items have no state and are skipped.
 */
const intentItem = z.object({
  userId: z.string(),
  trader: z.string().default(''),
  kind: z.string().optional(),
  state: z.string(),
  createdAt: z.string(),
  fill: z
    .object({ collateralUsdc: amount, usdcSentToTrader: amount, leverage: amount.optional() })
    .optional(),
});

/** Leverage is 1e10-scaled. */
const LEVERAGE_ONE = 10_000_000_000n;

/** An executed open's notional, and an executed close's realized PnL, from the intent's fill. */
function amountsOf(i: z.infer<typeof intentItem>): { notionalUsdc?: bigint; pnlUsdc?: bigint } {
  if (!i.fill || (i.state !== 'EXECUTED' && i.state !== 'MINED')) return {};
  if (i.kind === 'CLOSE') return { pnlUsdc: i.fill.usdcSentToTrader - i.fill.collateralUsdc };
  if (i.fill.leverage === undefined) return {};
  return { notionalUsdc: (i.fill.collateralUsdc * i.fill.leverage) / LEVERAGE_ONE };
}

/** CopyIntent states -> the digest's outcomes (CREATED/ACCEPTED/INITIATED are still in flight). */
function outcomeOf(state: string): CopyOutcome {
  switch (state) {
    case 'EXECUTED':
    case 'MINED':
      return 'EXECUTED';
    case 'CANCELED':
    case 'FAILED':
    case 'SIMULATED':
      return state;
    default:
      return 'OPEN';
  }
}

const within = (iso: string, day: DayWindow) => {
  const t = Date.parse(iso);
  return t >= day.from.getTime() && t < day.to.getTime();
};

export function digestDeps(
  cfg: Config,
  log: DigestDeps['log'],
  db: DynamoDBDocumentClient = documentDb(),
): DigestDeps {
  const follows = new DynamoFollowStore(db, { follows: cfg.tables.follows, users: cfg.tables.users });
  const fills = new DynamoFillStore(db, cfg.tables.fills);
  const journal = new DynamoErrorJournal(db, cfg.tables.state, 'digest');

  return {
    stage: cfg.stage,
    enabled: cfg.digestEnabled,
    admins: cfg.adminUserIds,
    now: () => new Date(),
    users: async function* (): AsyncIterable<DigestUser> {
      const items = scanAll(db, {
        TableName: cfg.tables.users,
        ProjectionExpression: 'userId, chatId, firstName, active, digest',
      });
      for await (const item of items) {
        const parsed = userItem.safeParse(item);
        if (parsed.success) yield parsed.data;
      }
    },
    tradersFollowedBy: async (userId) => (await follows.listByUser(userId)).map((f) => f.trader),
    fillsOf: (trader) => fills.recentOf(trader, FILLS_PER_TRADER),
    copies: async (day) => {
      const out: CopyRecord[] = [];
      const items = scanAll(db, {
        TableName: cfg.tables.intents,
        FilterExpression: 'createdAt >= :from AND createdAt < :to',
        ExpressionAttributeValues: { ':from': day.from.toISOString(), ':to': day.to.toISOString() },
      });
      for await (const item of items) {
        const parsed = intentItem.safeParse(item);
        if (!parsed.success) continue;
        const i = parsed.data;
        out.push({ userId: i.userId, trader: i.trader, outcome: outcomeOf(i.state), ...amountsOf(i) });
      }
      return out;
    },
    errors: async (day) => (await journal.recent(100)).filter((e) => within(e.at, day)),
    incidents: async (day) => {
      const flags = await db.send(new GetCommand({ TableName: cfg.tables.state, Key: { pk: 'flags' } }));
      const at = flags.Item?.emergencyAt;
      if (typeof at !== 'string' || !within(at, day)) return [];
      const state = flags.Item?.emergencyStop === true ? 'set' : 'cleared';
      return [
        `Emergency stop ${state} by ${String(flags.Item?.emergencyBy ?? '?')} at ${at.slice(11, 16)} UTC`,
      ];
    },
    queue: new SqsAlertQueue(sqsClient(), cfg.queues),
    log,
  };
}
