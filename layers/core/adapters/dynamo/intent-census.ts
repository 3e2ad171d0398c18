// Counts CopyIntents by state for the admin status. The intents table has no index by state yet,
// so this is a projected Scan (keys and state only) of an operator-sized table; pointer items that
// share the table (`tx#...`, `mirror#...`) carry no state and are skipped.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { scanAll } from './scan.js';
import { parseItem } from './item-schema.js';

// The projection the census reads; pointer items have no state.
const censusItem = z.object({ intentId: z.string(), state: z.string().optional() });

export class DynamoIntentCensus {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async countByState(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const items = scanAll(this.db, {
      TableName: this.tableName,
      ProjectionExpression: 'intentId, #s',
      ExpressionAttributeNames: { '#s': 'state' },
    });
    for await (const item of items) {
      const { state } = parseItem(censusItem, item, `intents item intentId=${String(item.intentId)}`);
      if (state === undefined) continue;
      counts[state] = (counts[state] ?? 0) + 1;
    }
    return counts;
  }
}
