// Telegram's bot-wide pace shared by every alerter container: one item in the dedupe table holds
// the next free send time (µs), and each send reserves its slot with one conditional write: after
// an idle spell `SET nextAt = now + gap` if nextAt is past, under a backlog `ADD nextAt gap` if it
// is still ahead (the slot is the value before the add). A lost race retries the other write. The
// item expires a day after its last use, so an idle bot leaves nothing behind.
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { slotMicros, type SendSchedule } from '../telegram/send-schedule.js';

/** The item's key: one schedule per bot (the dedupe table is the alerter's own stage's). */
export const SEND_SCHEDULE_KEY = 'telegram#send-schedule';
const ATTEMPTS = 6;
const DAY_SECONDS = 86_400;

const conditionFailed = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

const updated = z.object({ nextAt: z.number().int() });

export class SendScheduleError extends Error {
  override readonly name = 'SendScheduleError';
}

export class DynamoSendSchedule implements SendSchedule {
  private readonly gap: number;
  /** Whether the last reservation found a backlog: then the add is tried first. */
  private busy = false;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly key: string = SEND_SCHEDULE_KEY,
  ) {
    this.gap = slotMicros(perSecond);
  }

  async reserve(): Promise<number> {
    // Concurrent reservations each alternate on their own; the hint is only where to start.
    let backlog = this.busy;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const now = Math.round(this.now() * 1000);
      const slot = backlog ? await this.behind(now) : await this.first(now);
      if (slot !== undefined) {
        this.busy = backlog;
        return slot / 1000;
      }
      backlog = !backlog;
    }
    throw new SendScheduleError(`no send slot after ${ATTEMPTS} tries (${this.tableName} ${this.key})`);
  }

  /** The slot `now` when the schedule is idle (nextAt past or absent), else undefined. */
  private async first(now: number): Promise<number | undefined> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: this.key },
          UpdateExpression: 'SET nextAt = :next, expiration = :expires',
          ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt <= :now',
          ExpressionAttributeValues: { ':next': now + this.gap, ':now': now, ':expires': this.expires(now) },
        }),
      );
      return now;
    } catch (err) {
      if (conditionFailed(err)) return undefined;
      throw err;
    }
  }

  /** The next slot of a backlog (nextAt still ahead), else undefined. */
  private async behind(now: number): Promise<number | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: this.key },
          UpdateExpression: 'SET expiration = :expires ADD nextAt :gap',
          ConditionExpression: 'nextAt > :now',
          ExpressionAttributeValues: { ':gap': this.gap, ':now': now, ':expires': this.expires(now) },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return updated.parse(out.Attributes).nextAt - this.gap;
    } catch (err) {
      if (conditionFailed(err)) return undefined;
      throw err;
    }
  }

  private expires(nowMicros: number): number {
    return Math.floor(nowMicros / 1_000_000) + DAY_SECONDS;
  }
}
