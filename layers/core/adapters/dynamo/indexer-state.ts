// The indexer's state item (PK `indexer` in the state table): lease, cursor, page size and recent
// block hashes in ONE item, so every progress write is also a fenced lease check. The v2 upgrade
// discovery scan (see indexer/upgrade.ts) is kept in the same item, beside the cursor.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { UpgradeScan, UpgradeScanStore } from '../../indexer/upgrade.js';
import type { IndexerCheckpoint, IndexerStateStore, RecentBlock } from '../../ports/stores.js';

const upgradeScanSchema = z.object({
  floor: z.number().int().nonnegative(),
  scannedTo: z.number().int().min(-1),
  pageSize: z.number().int().positive(),
  logs: z.array(z.object({ address: z.string(), blockNumber: z.number().int().nonnegative() })),
});

const KEY = { pk: 'indexer' };

export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

const isConditionFailure = (err: unknown) =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

export class DynamoIndexerState implements IndexerStateStore, UpgradeScanStore {
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
      ...(typeof item.savedAt === 'string' ? { savedAt: item.savedAt } : {}),
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

  async loadUpgradeScan(): Promise<UpgradeScan | undefined> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: KEY,
        ConsistentRead: true,
        ProjectionExpression: 'upgradeScan',
      }),
    );
    const raw = out.Item?.upgradeScan;
    if (typeof raw !== 'string') return undefined;
    return upgradeScanSchema.parse(JSON.parse(raw));
  }

  async saveUpgradeScan(scan: UpgradeScan): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'SET upgradeScan = :scan, upgradeScannedTo = :to',
          // Two containers scanning at once (a cold start racing a warm one) keep the further scan.
          ConditionExpression: 'attribute_not_exists(upgradeScannedTo) OR upgradeScannedTo < :to',
          ExpressionAttributeValues: { ':scan': JSON.stringify(scan), ':to': scan.scannedTo },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
