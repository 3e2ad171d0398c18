// Trade events in DynamoDB (the `fills` table): PK trader, SK fillKey (`block#logIndex`, zero-padded).
// Every decoded event is stored; `isFill` marks executions, so the trader card reads fills without
// scanning requests and fee events. Logs that could not be decoded are kept under the pseudo-trader
// `quarantine:<address>` with their raw topics and data. Writes are plain puts of deterministic
// items, so writing an event again leaves exactly the same item: idempotent by key.
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { fillKey, isFill, type Fill, type TradeEventRecord } from '../../domain/fills.js';
import type { QuarantinedLog, TradeEventStore } from '../../ports/stores.js';
import { batchWrite, batchWriteItems } from './batch.js';
import { fromJson, toJson } from '../../codec.js';
import { queryAll } from './query.js';
import { scanAll } from './scan.js';

const itemSchema = z.object({
  fillId: z.string(),
  fillKey: z.string(),
  trader: z.string(),
  ts: z.number(),
  event: z.string(),
});

const recordFromItem = (item: Record<string, unknown>): TradeEventRecord => {
  const i = itemSchema.parse(item);
  return {
    fillId: i.fillId,
    fillKey: i.fillKey,
    trader: i.trader,
    timestamp: i.ts,
    event: fromJson<TradeEventRecord['event']>(i.event),
  };
};

const quarantineItemSchema = z.object({
  kind: z.enum(['UNKNOWN_TOPIC', 'MALFORMED_LOG']),
  log: z.string(),
  detail: z.string().optional(),
});

/**
 * A block number or unix time as marshall writes it (`String(n)`). Refuses what marshall refuses
 * (NaN, infinities, unsafe integers) and, stricter, fractions, which neither may ever be.
 */
function safeInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${n}`);
  return String(n);
}

const QUARANTINE = 'quarantine:';
/** Pages of the newest events read to find `limit` fills; an active trader's fills are never far back. */
const RECENT_PAGES = 20;

export class DynamoFillStore implements TradeEventStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putEvents(records: readonly TradeEventRecord[]): Promise<void> {
    // Built in DynamoDB's wire form directly: the hot path of the backfill, where marshalling each
    // item through lib-dynamodb cost more CPU than building it. The same item `marshall` would give.
    await batchWriteItems(
      this.db,
      this.tableName,
      records.map((f) => ({
        PutRequest: {
          Item: {
            trader: { S: f.trader },
            fillKey: { S: f.fillKey },
            fillId: { S: f.fillId },
            kind: { S: f.event.kind },
            isFill: { BOOL: isFill(f) },
            block: { N: safeInteger(f.event.blockNumber) },
            ts: { N: safeInteger(f.timestamp) },
            event: { S: toJson(f.event) },
          },
        },
      })),
    );
  }

  async putQuarantined(logs: readonly QuarantinedLog[]): Promise<void> {
    await batchWrite(
      this.db,
      this.tableName,
      logs.map(({ log, reason, detail }) => ({
        PutRequest: {
          Item: {
            trader: `${QUARANTINE}${log.address.toLowerCase()}`,
            fillKey: fillKey(log.blockNumber, log.logIndex),
            fillId: `${log.transactionHash.toLowerCase()}:${log.logIndex}`,
            kind: reason,
            topic0: log.topics[0]?.toLowerCase() ?? '(none)',
            block: log.blockNumber,
            log: toJson(log),
            ...(detail ? { detail } : {}),
          },
        },
      })),
    );
  }

  async eventsOf(trader: string, fromKey = ''): Promise<TradeEventRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      ...(fromKey
        ? {
            KeyConditionExpression: 'trader = :t AND fillKey >= :k',
            ExpressionAttributeValues: { ':t': trader, ':k': fromKey },
          }
        : { KeyConditionExpression: 'trader = :t', ExpressionAttributeValues: { ':t': trader } }),
    });
    return items.map(recordFromItem);
  }

  async recentOf(trader: string, limit: number): Promise<Fill[]> {
    const out: Fill[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < RECENT_PAGES && out.length < limit; page++) {
      // The filter runs after Limit: keep paging back until enough executions are found.
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'trader = :t',
          // Items written before `isFill` existed are told apart by kind (executions then were these two).
          FilterExpression: 'isFill = :yes OR (attribute_not_exists(isFill) AND #kind IN (:me, :le))',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: {
            ':t': trader,
            ':yes': true,
            ':me': 'MarketExecuted',
            ':le': 'LimitExecuted',
          },
          ScanIndexForward: false,
          Limit: Math.max(limit * 4, 50),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? []) {
        const r = recordFromItem(item);
        if (isFill(r) && out.length < limit) out.push(r);
      }
      start = res.LastEvaluatedKey;
      if (!start) break;
    }
    return out;
  }

  async *all(): AsyncIterable<TradeEventRecord> {
    for await (const item of scanAll(this.db, { TableName: this.tableName })) {
      if (String(item.trader).startsWith(QUARANTINE)) continue;
      yield recordFromItem(item);
    }
  }

  async deleteQuarantinedFrom(address: string, fromKey: string): Promise<QuarantinedLog[]> {
    const trader = `${QUARANTINE}${address.toLowerCase()}`;
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'trader = :t AND fillKey >= :k',
      ExpressionAttributeValues: { ':t': trader, ':k': fromKey },
    });
    await batchWrite(
      this.db,
      this.tableName,
      items.map((i) => ({ DeleteRequest: { Key: { trader, fillKey: String(i.fillKey) } } })),
    );
    return items.map((item) => {
      const i = quarantineItemSchema.parse(item);
      return {
        log: fromJson<QuarantinedLog['log']>(i.log),
        reason: i.kind,
        ...(i.detail ? { detail: i.detail } : {}),
      };
    });
  }

  async deleteEventsFrom(trader: string, fromKey: string): Promise<TradeEventRecord[]> {
    const doomed = await this.eventsOf(trader, fromKey);
    await batchWrite(
      this.db,
      this.tableName,
      doomed.map((f) => ({ DeleteRequest: { Key: { trader: f.trader, fillKey: f.fillKey } } })),
    );
    return doomed;
  }
}
