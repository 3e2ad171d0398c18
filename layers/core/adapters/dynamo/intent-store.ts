// CopyIntents in DynamoDB, claimed with a conditional put: the record that a copy is never made
// twice. The same table holds two kinds of pointer items: `tx#<hash>` (a sent transaction -> its
// intent, for the indexer) and `mirror#...` (a trader's slot -> the follower's mirrored position).
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { CopyIntent, IntentStore, Mirror, MirrorKey, PendingCopy, SentCopy } from '../../ports.js';
import { queryAll } from './query.js';
import { batchGetAll } from './batch.js';
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

  async markSent(intentId: string, tx: SentCopy): Promise<void> {
    await this.recordTx(intentId, tx, '#s = :created', 'SET #s = :sent, sentAt = :at, ');
  }

  async markReplaced(intentId: string, tx: SentCopy): Promise<void> {
    await this.recordTx(intentId, tx, '#s = :sent', 'SET replacedAt = :at, ');
  }

  private async recordTx(intentId: string, tx: SentCopy, condition: string, set: string): Promise<void> {
    // The pointer first: the indexer may see the transaction mined before this update lands.
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { intentId: `tx#${tx.txHash}`, intentOf: intentId },
      }),
    );
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { intentId },
        UpdateExpression: `${set}txHash = :tx, nonce = :nonce, maxFeePerGas = :fee, sentBy = :by, sentBlock = :block, calldata = :data`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: {
          ':sent': 'SENT',
          ...(condition.includes(':created') ? { ':created': 'CREATED' } : {}),
          ':tx': tx.txHash,
          ':nonce': tx.nonce,
          ':fee': tx.maxFeePerGas,
          ':by': tx.sentBy,
          ':block': tx.sentBlock,
          ':data': tx.calldata,
          ':at': new Date().toISOString(),
        },
      }),
    );
  }

  async pendingOf(executor: string): Promise<PendingCopy[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'bySender',
      KeyConditionExpression: 'sentBy = :e',
      ExpressionAttributeValues: { ':e': executor },
    });
    return items.map((i) => ({
      intentId: String(i.intentId),
      userId: String(i.userId),
      ...(typeof i.chatId === 'string' ? { chatId: i.chatId } : {}),
      txHash: String(i.txHash),
      nonce: Number(i.nonce),
      maxFeePerGas: String(i.maxFeePerGas),
      sentBy: executor,
      sentBlock: Number(i.sentBlock),
      calldata: String(i.calldata),
    }));
  }

  async markFailed(intentId: string, reason: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { intentId },
        UpdateExpression: 'SET #s = :failed, failure = :reason REMOVE sentBy',
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
            'SET #s = :mined, fillPrice = :price, fillCollateralUsdc = :collateral, minedBlock = :block REMOVE sentBy',
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
    const keys = [...new Set(txHashes)].map((h) => ({ intentId: `tx#${h}` }));
    const items = await batchGetAll(this.db, this.tableName, keys);
    return new Map(items.map((item) => [String(item.intentId).slice(3), String(item.intentOf)]));
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
