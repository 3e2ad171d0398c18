// CopyIntents in DynamoDB, claimed with a conditional put: the record that a copy is never made
// twice. The same table holds two kinds of pointer items: `tx#<hash>` (a sent transaction -> its
// intent, for the indexer) and `mirror#...` (a trader's slot -> the follower's mirrored position).
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { CopyIntent, IntentStore, Mirror, MirrorKey } from '../../ports.js';
import { fromJson, toJson } from './codec.js';

const conditionFailed = (err: unknown) =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';
const mirrorId = (k: MirrorKey) => `mirror#${k.userId}#${k.trader}#${k.pairIndex}#${k.tradeIndex}`;

export class DynamoIntentStore implements IntentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(intent: CopyIntent): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...intent, order: toJson(intent.order) },
          ConditionExpression: 'attribute_not_exists(intentId)',
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  async get(intentId: string): Promise<CopyIntent | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { intentId }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return { ...(out.Item as CopyIntent), order: fromJson<CopyIntent['order']>(String(out.Item.order)) };
  }

  async markSent(intentId: string, tx: { txHash: string; nonce: number }): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { intentId },
        UpdateExpression: 'SET #s = :sent, txHash = :tx, nonce = :nonce, sentAt = :at',
        ConditionExpression: '#s = :created',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: {
          ':sent': 'SENT',
          ':created': 'CREATED',
          ':tx': tx.txHash,
          ':nonce': tx.nonce,
          ':at': new Date().toISOString(),
        },
      }),
    );
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { intentId: `tx#${tx.txHash}`, intentOf: intentId },
      }),
    );
  }

  async markFailed(intentId: string, reason: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { intentId },
        UpdateExpression: 'SET #s = :failed, failure = :reason',
        ConditionExpression: '#s IN (:created, :sent)',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED',
          ':created': 'CREATED',
          ':sent': 'SENT',
          ':reason': reason.slice(0, 300),
        },
      }),
    );
  }

  async markMined(
    intentId: string,
    fill: { price: string; collateralUsdc: string; block: number },
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { intentId },
          UpdateExpression:
            'SET #s = :mined, fillPrice = :price, fillCollateralUsdc = :collateral, minedBlock = :block',
          ConditionExpression: '#s = :sent',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: {
            ':mined': 'MINED',
            ':sent': 'SENT',
            ':price': fill.price,
            ':collateral': fill.collateralUsdc,
            ':block': fill.block,
          },
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  async byTx(txHashes: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unique = [...new Set(txHashes)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.tableName]: { Keys: unique.slice(i, i + 100).map((h) => ({ intentId: `tx#${h}` })) },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await this.db.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.tableName] ?? [])
          found.set(String(item.intentId).slice(3), String(item.intentOf));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  async putMirror(key: MirrorKey, mirror: Mirror): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { intentId: mirrorId(key), ...mirror } }),
    );
  }

  async mirrorOf(key: MirrorKey): Promise<Mirror | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { intentId: mirrorId(key) }, ConsistentRead: true }),
    );
    return out.Item
      ? {
          wallet: String(out.Item.wallet),
          pairIndex: Number(out.Item.pairIndex),
          index: Number(out.Item.index),
        }
      : undefined;
  }

  async deleteMirror(key: MirrorKey): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { intentId: mirrorId(key) } }));
  }
}
