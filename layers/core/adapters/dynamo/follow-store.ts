// Follows in DynamoDB: PK userId, SK trader; the byTrader GSI is the reverse index (trader ->
// followers). A user's follow count lives on their user item, so the limit holds atomically.
// Items are checked with zod on read: a bad item fails naming its key, not as a TypeError later.
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { FollowerView } from '../../domain/decision.js';
import type { Follow, Sizing } from '../../domain/follows.js';
import type { FollowCreated, FollowStore } from '../../ports/stores.js';
import { transactionCancelledBy } from './errors.js';
import { queryAll } from './query.js';
import { scanAll } from './scan.js';
import { parseItem } from './item-schema.js';

type SizingItem = { kind: Sizing['kind']; amount: string };

const sizingToItem = (s: Sizing): SizingItem => ({
  kind: s.kind,
  amount:
    s.kind === 'FIXED_USD' ? s.usdc.toString() : s.kind === 'PCT_EQUITY' ? String(s.bps) : String(s.milli),
});
const sizingFromItem = (s: SizingItem): Sizing =>
  s.kind === 'FIXED_USD'
    ? { kind: 'FIXED_USD', usdc: BigInt(s.amount) }
    : s.kind === 'PCT_EQUITY'
      ? { kind: 'PCT_EQUITY', bps: Number(s.amount) }
      : { kind: 'MULTIPLIER', milli: Number(s.amount) };

export function followToItem(f: Follow, paused = false): Record<string, unknown> {
  return {
    userId: f.userId,
    trader: f.trader,
    chatId: f.chatId,
    mode: f.mode,
    sizing: sizingToItem(f.sizing),
    maxLeverage: f.maxLeverage,
    maxPositionUsdc: f.maxPositionUsdc.toString(),
    pairs: f.pairs === 'ALL' ? 'ALL' : [...f.pairs],
    notify: f.notify,
    ...(f.notifications ? { notifications: f.notifications } : {}),
    ...(f.direction ? { direction: f.direction } : {}),
    ...(f.stopLoss
      ? {
          stopLoss:
            f.stopLoss.kind === 'USD'
              ? { kind: 'USD', amount: f.stopLoss.usdc.toString() }
              : { kind: 'PCT', amount: String(f.stopLoss.bps) },
        }
      : {}),
    ...(f.minTraderLeverage ? { minTraderLeverage: f.minTraderLeverage } : {}),
    paused,
    createdAt: f.createdAt,
  };
}

const digits = z.string().regex(/^\d+$/);
const sizingItem = z.object({ kind: z.enum(['FIXED_USD', 'PCT_EQUITY', 'MULTIPLIER']), amount: digits });
// Built once: followFromItem runs for every follower of a trader on each route.
const followItem = z.object({
  userId: z.string(),
  trader: z.string(),
  chatId: z.string(),
  mode: z.enum(['ALERTS', 'AUTO']),
  sizing: sizingItem,
  maxLeverage: z.number(),
  maxPositionUsdc: digits,
  pairs: z.union([z.literal('ALL'), z.array(z.number())]),
  // Absent on follows stored before each of these existed.
  notify: z.boolean().optional(),
  notifications: z.enum(['ALL', 'COPIES', 'SILENT']).optional(),
  direction: z.enum(['SAME', 'REVERSE']).optional(),
  stopLoss: z.object({ kind: z.enum(['USD', 'PCT']), amount: digits }).optional(),
  minTraderLeverage: z.number().optional(),
  paused: z.boolean().optional(),
  createdAt: z.string().optional(),
});
type FollowItem = z.output<typeof followItem>;

const parseFollowItem = (item: Record<string, unknown>): FollowItem =>
  parseItem(followItem, item, `follows item userId=${String(item.userId)} trader=${String(item.trader)}`);

function followOf(i: FollowItem): Follow {
  return {
    userId: i.userId,
    trader: i.trader,
    chatId: i.chatId,
    mode: i.mode,
    sizing: sizingFromItem(i.sizing),
    maxLeverage: i.maxLeverage,
    maxPositionUsdc: BigInt(i.maxPositionUsdc),
    pairs: i.pairs,
    notify: i.notify !== false,
    ...(i.notifications ? { notifications: i.notifications } : {}),
    ...(i.direction ? { direction: i.direction } : {}),
    ...(i.stopLoss
      ? {
          stopLoss:
            i.stopLoss.kind === 'USD'
              ? { kind: 'USD', usdc: BigInt(i.stopLoss.amount) }
              : { kind: 'PCT', bps: Number(i.stopLoss.amount) },
        }
      : {}),
    ...(i.minTraderLeverage !== undefined ? { minTraderLeverage: i.minTraderLeverage } : {}),
    createdAt: i.createdAt ?? '',
  };
}

export function followFromItem(item: Record<string, unknown>): Follow {
  return followOf(parseFollowItem(item));
}

export class DynamoFollowStore implements FollowStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: { readonly follows: string; readonly users: string },
  ) {}

  async get(userId: string, trader: string): Promise<Follow | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.follows, Key: { userId, trader } }),
    );
    return out.Item ? followFromItem(out.Item) : undefined;
  }

  async listByUser(userId: string): Promise<Follow[]> {
    const items = await queryAll(this.db, {
      TableName: this.tables.follows,
      KeyConditionExpression: 'userId = :u',
      ExpressionAttributeValues: { ':u': userId },
    });
    return items.map(followFromItem);
  }

  async create(follow: Follow, limit: number): Promise<FollowCreated> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.follows,
                Item: followToItem(follow),
                ConditionExpression: 'attribute_not_exists(trader)',
              },
            },
            {
              Update: {
                TableName: this.tables.users,
                Key: { userId: follow.userId },
                UpdateExpression: 'SET followCount = if_not_exists(followCount, :zero) + :one',
                ConditionExpression: 'attribute_not_exists(followCount) OR followCount < :limit',
                ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':limit': limit },
              },
            },
          ],
        }),
      );
      return 'CREATED';
    } catch (err) {
      if (transactionCancelledBy(err, 0)) return 'EXISTS';
      if (transactionCancelledBy(err, 1)) return 'LIMIT';
      throw err;
    }
  }

  async save(follow: Follow): Promise<void> {
    const user = await this.db.send(
      new GetCommand({
        TableName: this.tables.users,
        Key: { userId: follow.userId },
        ProjectionExpression: 'paused',
      }),
    );
    await this.db.send(
      new PutCommand({
        TableName: this.tables.follows,
        Item: followToItem(follow, user.Item?.paused === true),
        // Only an existing follow: a settings button pressed after unfollow must not recreate it.
        ConditionExpression: 'attribute_exists(trader)',
      }),
    );
  }

  async remove(userId: string, trader: string): Promise<boolean> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tables.follows,
                Key: { userId, trader },
                ConditionExpression: 'attribute_exists(trader)',
              },
            },
            {
              Update: {
                TableName: this.tables.users,
                Key: { userId },
                UpdateExpression: 'SET followCount = followCount - :one',
                ConditionExpression: 'followCount > :zero',
                ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (transactionCancelledBy(err, 0)) return false;
      if (transactionCancelledBy(err, 1)) {
        // A count out of step (an older item): delete the follow alone.
        await this.db.send(new DeleteCommand({ TableName: this.tables.follows, Key: { userId, trader } }));
        return true;
      }
      throw err;
    }
  }

  async setPaused(userId: string, paused: boolean): Promise<void> {
    for (const f of await this.listByUser(userId)) {
      await this.db
        .send(
          new UpdateCommand({
            TableName: this.tables.follows,
            Key: { userId, trader: f.trader },
            UpdateExpression: 'SET paused = :p',
            ConditionExpression: 'attribute_exists(trader)',
            ExpressionAttributeValues: { ':p': paused },
          }),
        )
        .catch((err: unknown) => {
          if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
        });
    }
  }

  async *followersOf(trader: string): AsyncIterable<FollowerView[]> {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tables.follows,
          IndexName: 'byTrader',
          KeyConditionExpression: 'trader = :t',
          ExpressionAttributeValues: { ':t': trader },
          ExclusiveStartKey,
        }),
      );
      const followers = (page.Items ?? []).map((item) => {
        const i = parseFollowItem(item);
        return { ...followOf(i), paused: i.paused === true };
      });
      if (followers.length > 0) yield followers;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  async turnOffAllAuto(): Promise<number> {
    let changed = 0;
    const auto = scanAll(this.db, {
      TableName: this.tables.follows,
      FilterExpression: '#mode = :auto',
      ExpressionAttributeNames: { '#mode': 'mode' },
      ExpressionAttributeValues: { ':auto': 'AUTO' },
      ProjectionExpression: 'userId, trader',
    });
    for await (const item of auto) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tables.follows,
            Key: { userId: item.userId, trader: item.trader },
            UpdateExpression: 'SET #mode = :alerts',
            ConditionExpression: '#mode = :auto',
            ExpressionAttributeNames: { '#mode': 'mode' },
            ExpressionAttributeValues: { ':alerts': 'ALERTS', ':auto': 'AUTO' },
          }),
        );
        changed += 1;
      } catch (err) {
        if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
      }
    }
    return changed;
  }
}
