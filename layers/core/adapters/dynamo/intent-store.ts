// CopyIntents in DynamoDB, claimed with a conditional put: the record that a copy is never made twice.
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CopyIntent, IntentStore } from '../../ports.js';
import { fromJson, toJson } from './codec.js';

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
      if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
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
}
