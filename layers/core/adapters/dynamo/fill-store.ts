// Fills in DynamoDB: PK trader, SK fillKey (`block#logIndex`, zero-padded). Writes are plain puts of
// deterministic items, so writing a fill again leaves exactly the same item: idempotent by key.
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Fill } from '../../domain/fills.js';
import type { FillStore } from '../../ports.js';
import { batchWrite } from './batch.js';
import { fromJson, toJson } from './codec.js';
import { queryAll } from './query.js';
import { scanAll } from './scan.js';

const fillFromItem = (item: Record<string, unknown>): Fill => ({
  fillId: String(item.fillId),
  fillKey: String(item.fillKey),
  trader: String(item.trader),
  timestamp: Number(item.ts),
  event: fromJson<Fill['event']>(String(item.event)),
});

export class DynamoFillStore implements FillStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putFills(fills: readonly Fill[]): Promise<void> {
    await batchWrite(
      this.db,
      this.tableName,
      fills.map((f) => ({
        PutRequest: {
          Item: {
            trader: f.trader,
            fillKey: f.fillKey,
            fillId: f.fillId,
            kind: f.event.kind,
            block: f.event.blockNumber,
            ts: f.timestamp,
            event: toJson(f.event),
          },
        },
      })),
    );
  }

  async fillsOf(trader: string, fromKey = ''): Promise<Fill[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      ...(fromKey
        ? {
            KeyConditionExpression: 'trader = :t AND fillKey >= :k',
            ExpressionAttributeValues: { ':t': trader, ':k': fromKey },
          }
        : { KeyConditionExpression: 'trader = :t', ExpressionAttributeValues: { ':t': trader } }),
    });
    return items.map(fillFromItem);
  }

  async recentOf(trader: string, limit: number): Promise<Fill[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'trader = :t',
        ExpressionAttributeValues: { ':t': trader },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(fillFromItem);
  }

  async *all(): AsyncIterable<Fill> {
    for await (const item of scanAll(this.db, { TableName: this.tableName })) yield fillFromItem(item);
  }

  async deleteFillsFrom(trader: string, fromKey: string): Promise<Fill[]> {
    const doomed = await this.fillsOf(trader, fromKey);
    await batchWrite(
      this.db,
      this.tableName,
      doomed.map((f) => ({ DeleteRequest: { Key: { trader: f.trader, fillKey: f.fillKey } } })),
    );
    return doomed;
  }
}
