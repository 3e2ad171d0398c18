// Open positions in DynamoDB: PK trader, SK positionKey (`pairIndex#tradeIndex`). The position is
// one attribute in the JSON codec; the item around it is checked with zod on read.
import { type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Position } from '../../domain/positions.js';
import type { PositionStore } from '../../ports/stores.js';
import { batchGetAll, batchWrite } from './batch.js';
import { fromJson, toJson } from '../../codec.js';
import { queryAll } from './query.js';
import { parseItem } from './item-schema.js';

const id = (trader: string, positionKey: string) => `${trader}|${positionKey}`;

const positionItem = z.object({ trader: z.string(), positionKey: z.string(), position: z.string() });

export function positionFromItem(item: Record<string, unknown>): Position {
  const { position } = parseItem(
    positionItem,
    item,
    `positions item trader=${String(item.trader)} positionKey=${String(item.positionKey)}`,
  );
  return fromJson<Position>(position);
}

export class DynamoPositionStore implements PositionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getMany(keys: readonly { trader: string; positionKey: string }[]): Promise<Map<string, Position>> {
    const unique = [...new Map(keys.map((k) => [id(k.trader, k.positionKey), k])).values()];
    const items = await batchGetAll(
      this.db,
      this.tableName,
      unique.map((k) => ({ trader: k.trader, positionKey: k.positionKey })),
    );
    return new Map(
      items.map((item) => [id(String(item.trader), String(item.positionKey)), positionFromItem(item)]),
    );
  }

  async apply(changes: ReadonlyMap<string, Position | undefined>): Promise<void> {
    await batchWrite(
      this.db,
      this.tableName,
      [...changes].map(([key, position]) => {
        const [trader, positionKey] = key.split('|') as [string, string];
        return position
          ? { PutRequest: { Item: { trader, positionKey, position: toJson(position) } } }
          : { DeleteRequest: { Key: { trader, positionKey } } };
      }),
    );
  }

  async positionsOf(trader: string): Promise<Position[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'trader = :t',
      ExpressionAttributeValues: { ':t': trader },
    });
    return items.map(positionFromItem);
  }
}
