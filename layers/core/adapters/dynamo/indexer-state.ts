// The indexer's state item (PK `indexer` in the state table): lease, cursor, page size and recent
// block hashes in ONE item, so every progress write is also a fenced lease check.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IndexerCheckpoint, IndexerStateStore, RecentBlock } from '../../ports.js';

const KEY = { pk: 'indexer' };

export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

const isConditionFailure = (err: unknown) =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

export class DynamoIndexerState implements IndexerStateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async acquireLease(owner: string, now: Date, ttlMs: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'SET leaseOwner = :me, leaseUntil = :until',
          ConditionExpression: 'attribute_not_exists(leaseOwner) OR leaseOwner = :me OR leaseUntil < :now',
          ExpressionAttributeValues: { ':me': owner, ':until': now.getTime() + ttlMs, ':now': now.getTime() },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async releaseLease(owner: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
          ConditionExpression: 'leaseOwner = :me',
          ExpressionAttributeValues: { ':me': owner },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async load(): Promise<IndexerCheckpoint | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: KEY, ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item || typeof item.block !== 'number') return undefined;
    return {
      block: item.block,
      blockHash: String(item.blockHash),
      pageSize: Number(item.pageSize),
      recent: JSON.parse(String(item.recent ?? '[]')) as RecentBlock[],
    };
  }

  async save(owner: string, checkpoint: IndexerCheckpoint, now: Date, ttlMs: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression:
            'SET #block = :block, blockHash = :hash, pageSize = :page, recent = :recent, leaseUntil = :until, savedAt = :now',
          ConditionExpression: 'leaseOwner = :me',
          ExpressionAttributeNames: { '#block': 'block' },
          ExpressionAttributeValues: {
            ':block': checkpoint.block,
            ':hash': checkpoint.blockHash,
            ':page': checkpoint.pageSize,
            ':recent': JSON.stringify(checkpoint.recent),
            ':until': now.getTime() + ttlMs,
            ':now': now.toISOString(),
            ':me': owner,
          },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new LeaseLostError(`indexer lease lost by ${owner}`, { cause: err });
      throw err;
    }
  }
}
