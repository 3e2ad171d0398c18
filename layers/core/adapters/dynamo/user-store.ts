// Users in DynamoDB: PK userId. A linked wallet is also held by a claim item `wallet#<address>`
// (attribute `owner`), written in the same transaction as the user's `wallet`, so one wallet
// belongs to at most one user. Scans of the table skip ids that start with `wallet#`.
// Items are checked with zod on read: a bad item fails naming its key, not as a TypeError later.
import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { defaultRiskPolicy, type RiskPolicy } from '../../domain/risk.js';
import type { User } from '../../domain/users.js';
import type { Profile, ProfileStore, UserStore } from '../../ports/stores.js';
import { batchGetAll } from './batch.js';
import { fromJson, toJson } from '../../codec.js';
import { parseItem } from './item-schema.js';

// upsertFromStart writes null for a missing username or language; older items lack firstName.
// A chat id written as a number (hand-seeded items) reads as its string, as String() did before.
const userItem = z.object({
  userId: z.string(),
  chatId: z.union([z.string(), z.number().transform(String)]),
  firstName: z.string().optional(),
  username: z.string().nullish(),
  languageCode: z.string().nullish(),
  active: z.boolean().optional(),
});
// risk is the RiskPolicy in the one JSON codec (absent until /risk is first set).
const profileItem = userItem.extend({
  risk: z.string().optional(),
  wallet: z.string().optional(),
  pendingWallet: z.string().optional(),
});

// The claim item of a linked wallet (`wallet#<address>`): who holds it.
const walletClaimItem = z.object({ userId: z.string(), owner: z.string() });

function parseUsersItem<S extends z.ZodType>(schema: S, item: Record<string, unknown>): z.output<S> {
  return parseItem(schema, item, `users item userId=${String(item.userId)}`);
}

function userOf(i: z.output<typeof userItem>): User {
  return {
    userId: i.userId,
    chatId: i.chatId,
    firstName: i.firstName ?? '',
    ...(typeof i.username === 'string' ? { username: i.username } : {}),
    ...(typeof i.languageCode === 'string' ? { languageCode: i.languageCode } : {}),
    active: i.active === true,
  };
}

export function userFromItem(item: Record<string, unknown>): User {
  return userOf(parseUsersItem(userItem, item));
}

export function profileFromItem(item: Record<string, unknown>): Profile {
  const i = parseUsersItem(profileItem, item);
  return {
    user: userOf(i),
    risk: i.risk !== undefined ? fromJson<RiskPolicy>(i.risk) : defaultRiskPolicy(),
    ...(i.wallet !== undefined ? { wallet: i.wallet } : {}),
    ...(i.pendingWallet !== undefined ? { pendingWallet: i.pendingWallet } : {}),
  };
}

export class DynamoUserStore implements UserStore, ProfileStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async upsertFromStart(user: User, now: Date): Promise<{ isNew: boolean }> {
    const at = now.toISOString();
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { userId: user.userId },
        UpdateExpression:
          'SET chatId = :chatId, firstName = :firstName, username = :username, languageCode = :languageCode, ' +
          'active = :true, updatedAt = :at, createdAt = if_not_exists(createdAt, :at)',
        ExpressionAttributeValues: {
          ':chatId': user.chatId,
          ':firstName': user.firstName,
          ':username': user.username ?? null,
          ':languageCode': user.languageCode ?? null,
          ':true': true,
          ':at': at,
        },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return { isNew: out.Attributes?.createdAt === undefined };
  }

  async get(userId: string): Promise<User | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { userId } }));
    return out.Item ? userFromItem(out.Item) : undefined;
  }

  async profile(userId: string): Promise<Profile | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { userId } }));
    return out.Item ? profileFromItem(out.Item) : undefined;
  }

  async profiles(userIds: readonly string[]): Promise<Map<string, Profile>> {
    const keys = [...new Set(userIds)].map((userId) => ({ userId }));
    const items = await batchGetAll(this.db, this.tableName, keys);
    return new Map(items.map((item) => [String(item.userId), profileFromItem(item)]));
  }

  async setRisk(userId: string, risk: RiskPolicy): Promise<void> {
    await this.update(userId, 'SET risk = :risk, paused = :paused', {
      ':risk': toJson(risk),
      ':paused': risk.paused,
    });
  }

  async setWallet(userId: string, wallet: string): Promise<void> {
    await this.update(userId, 'SET wallet = :wallet', { ':wallet': wallet });
  }

  /**
   * Links `wallet` to the user, unless another user holds it: the claim item and the user's wallet
   * change together. 'TAKEN' when another user's claim stands. The old wallet's claim is released.
   */
  async claimWallet(userId: string, wallet: string, previous?: string): Promise<'LINKED' | 'TAKEN'> {
    const claim = `wallet#${wallet.toLowerCase()}`;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { userId: claim, owner: userId },
                ConditionExpression: 'attribute_not_exists(userId) OR #owner = :me',
                ExpressionAttributeNames: { '#owner': 'owner' },
                ExpressionAttributeValues: { ':me': userId },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: { userId },
                UpdateExpression: 'SET wallet = :wallet REMOVE pendingWallet',
                ConditionExpression: 'attribute_exists(userId)',
                ExpressionAttributeValues: { ':wallet': wallet.toLowerCase() },
              },
            },
            ...(previous && previous.toLowerCase() !== wallet.toLowerCase()
              ? [
                  {
                    Delete: {
                      TableName: this.tableName,
                      Key: { userId: `wallet#${previous.toLowerCase()}` },
                      ConditionExpression: 'attribute_not_exists(userId) OR #owner = :me',
                      ExpressionAttributeNames: { '#owner': 'owner' },
                      ExpressionAttributeValues: { ':me': userId },
                    },
                  },
                ]
              : []),
          ],
        }),
      );
      return 'LINKED';
    } catch (err) {
      if (err instanceof Error && err.name === 'TransactionCanceledException') {
        const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'TAKEN';
      }
      throw err;
    }
  }

  /** Who holds a wallet's claim, if anyone. */
  async walletOwner(wallet: string): Promise<string | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { userId: `wallet#${wallet.toLowerCase()}` } }),
    );
    if (!out.Item) return undefined;
    return parseUsersItem(walletClaimItem, out.Item).owner;
  }

  /** The wallet the user asked to link, before it has delegated to their key. */
  async setPendingWallet(userId: string, wallet: string): Promise<void> {
    await this.update(userId, 'SET pendingWallet = :wallet', { ':wallet': wallet.toLowerCase() });
  }

  /** Unlinks the user's wallet (it no longer delegates to their key) and releases its claim. */
  async unlinkWallet(userId: string, wallet: string): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: this.tableName,
              Key: { userId: `wallet#${wallet.toLowerCase()}` },
              ConditionExpression: 'attribute_not_exists(userId) OR #owner = :me',
              ExpressionAttributeNames: { '#owner': 'owner' },
              ExpressionAttributeValues: { ':me': userId },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: { userId },
              UpdateExpression: 'REMOVE wallet SET pendingWallet = :wallet',
              ConditionExpression: 'attribute_exists(userId)',
              ExpressionAttributeValues: { ':wallet': wallet.toLowerCase() },
            },
          },
        ],
      }),
    );
  }

  private async update(userId: string, expression: string, values: Record<string, unknown>): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { userId },
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(userId)',
        ExpressionAttributeValues: values,
      }),
    );
  }

  async markInactive(userId: string, now: Date): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId },
          UpdateExpression: 'SET active = :false, inactiveSince = :at',
          // Only users we know: a stray my_chat_member must not create a half-empty user.
          ConditionExpression: 'attribute_exists(userId)',
          ExpressionAttributeValues: { ':false': false, ':at': now.toISOString() },
        }),
      )
      .catch((err: unknown) => {
        if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return;
        throw err;
      });
  }
}
