// Users in DynamoDB: PK userId.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultRiskPolicy, type RiskPolicy } from '../../domain/risk.js';
import type { User } from '../../domain/users.js';
import type { Profile, ProfileStore, UserStore } from '../../ports.js';
import { batchGetAll } from './batch.js';
import { fromJson, toJson } from './codec.js';

function userFromItem(item: Record<string, unknown>): User {
  return {
    userId: String(item.userId),
    chatId: String(item.chatId),
    firstName: String(item.firstName ?? ''),
    ...(typeof item.username === 'string' ? { username: item.username } : {}),
    ...(typeof item.languageCode === 'string' ? { languageCode: item.languageCode } : {}),
    active: item.active === true,
  };
}

function profileFromItem(item: Record<string, unknown>): Profile {
  return {
    user: userFromItem(item),
    risk: typeof item.risk === 'string' ? fromJson<RiskPolicy>(item.risk) : defaultRiskPolicy(),
    ...(typeof item.wallet === 'string' ? { wallet: item.wallet } : {}),
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
