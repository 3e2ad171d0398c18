// Operator state in the state table: the emergency flag (pk `flags`) and a short journal of recent
// errors (pk `errors`) that /status and /recent_errors show. Both items are checked with zod on read.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ErrorJournal, OperatorFlags, RecordedError } from '../../ports/operator.js';
import { parseItem } from './item-schema.js';

const JOURNAL_SIZE = 20;

// Both absent until the stop is first set; emergencyAt was not written by the first releases.
const flagsItem = z.object({ emergencyStop: z.boolean().optional(), emergencyAt: z.string().optional() });
const errorsItem = z.object({
  entries: z
    .array(
      z.object({
        at: z.string(),
        reason: z.string(),
        message: z.string(),
        source: z.string().optional(),
      }),
    )
    .optional(),
});

const parseState = <S extends z.ZodType>(schema: S, pk: string, item: Record<string, unknown>) =>
  parseItem(schema, item, `state item pk=${pk}`);

const flagsOf = (item: Record<string, unknown> | undefined) => parseState(flagsItem, 'flags', item ?? {});

export class DynamoOperatorFlags implements OperatorFlags {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async emergencyStop(): Promise<boolean> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: 'flags' }, ConsistentRead: true }),
    );
    return flagsOf(out.Item).emergencyStop === true;
  }

  /** When the emergency stop in force was set (ISO), or undefined when none is set. */
  async emergencySince(): Promise<string | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: 'flags' }, ConsistentRead: true }),
    );
    const flags = flagsOf(out.Item);
    return flags.emergencyStop === true ? (flags.emergencyAt ?? 'unknown') : undefined;
  }

  async setEmergencyStop(on: boolean, by: string, now: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: 'flags' },
        UpdateExpression: 'SET emergencyStop = :on, emergencyBy = :by, emergencyAt = :at',
        ExpressionAttributeValues: { ':on': on, ':by': by, ':at': now.toISOString() },
      }),
    );
  }
}

export class DynamoErrorJournal implements ErrorJournal {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The recording function's catalog name; locally every function shares one process env. */
    private readonly source: string | undefined = process.env.POWERTOOLS_SERVICE_NAME,
  ) {}

  async record(reason: string, message: string, now: Date): Promise<void> {
    const entry: RecordedError = {
      at: now.toISOString(),
      reason,
      message: message.slice(0, 300),
      ...(this.source ? { source: this.source } : {}),
    };
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: 'errors' },
        UpdateExpression: 'SET entries = list_append(:e, if_not_exists(entries, :empty))',
        ExpressionAttributeValues: { ':e': [entry], ':empty': [] },
      }),
    );
    // Trim now and then rather than on every write: the list is small and reads take the head.
    if (Math.random() < 0.2) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: 'errors' },
          UpdateExpression: `REMOVE ${Array.from({ length: 10 }, (_, i) => `entries[${JOURNAL_SIZE + i}]`).join(', ')}`,
        }),
      );
    }
  }

  async recent(limit: number): Promise<RecordedError[]> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'errors' } }));
    const { entries = [] } = parseState(errorsItem, 'errors', out.Item ?? {});
    return entries.slice(0, limit);
  }
}
