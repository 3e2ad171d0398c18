// Counts CopyIntents by state for the admin status. The intents table has no index by state yet,
// so this is a projected Scan (keys and state only) of an operator-sized table; pointer items that
// share the table (`tx#...`, `mirror#...`) carry no state and are skipped.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanAll } from './scan.js';

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
      if (typeof item.state !== 'string') continue;
      counts[item.state] = (counts[item.state] ?? 0) + 1;
    }
    return counts;
  }
}
