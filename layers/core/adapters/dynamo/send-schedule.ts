// Telegram's bot-wide pace shared by every alerter container: one item in the dedupe table holds
// the next free send time (µs). Under a backlog a send takes its slot with one unconditional
// `ADD nextAt gap` (the slot is the value before the add), so no number of containers reserving
// at once can make it fail. After an idle spell nextAt lies in the past: the first sender then
// moves it to now with a conditional SET (one wins; the others take slots after it), and a slot
// that came back stale is not used, so an idle spell never turns into a burst.
// A notice's add is conditional on nextAt being near now, so notices take only the slots the
// alerts leave (telegram/send-schedule.ts).
// The item expires a day after its last use, so an idle bot leaves nothing behind.
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { conditionFailed } from './errors.js';
import { NOTICE_LEAD_MS, slotMicros, type SendSchedule } from '../telegram/send-schedule.js';

/** The item's key: one schedule per bot (the dedupe table is the alerter's own stage's). */
export const SEND_SCHEDULE_KEY = 'telegram#send-schedule';
const ATTEMPTS = 6;
const DAY_SECONDS = 86_400;

const updated = z.object({ nextAt: z.number().int() });

export class SendScheduleError extends Error {
  override readonly name = 'SendScheduleError';
}

export class DynamoSendSchedule implements SendSchedule {
  private readonly gap: number;
  /** Whether the last reservation found a backlog: then the add goes first, else the restart. */
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

  reserve(): Promise<number> {
    return this.take(false) as Promise<number>;
  }

  reserveIfRoom(): Promise<number | undefined> {
    return this.take(true);
  }

  private async take(onlyIfRoom: boolean): Promise<number | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const now = Math.round(this.now() * 1000);
      // An idle schedule (the restart) always has room.
      if (!this.busy && (await this.restart(now))) return now / 1000;
      let slot: number;
      try {
        slot = await this.next(now, onlyIfRoom ? now + NOTICE_LEAD_MS * 1000 : undefined);
      } catch (err) {
        // The alerts' backlog (or the item gone): the restart is tried first next time.
        if (onlyIfRoom && conditionFailed(err)) {
          this.busy = false;
          return undefined;
        }
        throw err;
      }
      // A slot a little behind the clock (the answer took a while) goes now; an older one is stale.
      if (slot >= now - this.gap) {
        this.busy = true;
        return Math.max(slot, now) / 1000;
      }
      this.busy = false;
    }
    throw new SendScheduleError(`no send slot after ${ATTEMPTS} tries (${this.tableName} ${this.key})`);
  }

  /** Starts the schedule at `now` if it is idle (nextAt past or absent); false if it is not. */
  private async restart(now: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: this.key },
          UpdateExpression: 'SET nextAt = :next, expiration = :expires',
          ConditionExpression: 'attribute_not_exists(nextAt) OR nextAt < :now',
          ExpressionAttributeValues: { ':next': now + this.gap, ':now': now, ':expires': this.expires(now) },
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * Takes the next slot (µs), whatever the schedule's state: it may be in the past. With `lead`,
   * only while nextAt is no later (else ConditionalCheckFailedException).
   */
  private async next(now: number, lead: number | undefined): Promise<number> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { id: this.key },
        UpdateExpression: 'SET expiration = :expires ADD nextAt :gap',
        ...(lead === undefined ? {} : { ConditionExpression: 'nextAt <= :lead' }),
        ExpressionAttributeValues: {
          ':gap': this.gap,
          ':expires': this.expires(now),
          ...(lead === undefined ? {} : { ':lead': lead }),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return updated.parse(out.Attributes).nextAt - this.gap;
  }

  private expires(nowMicros: number): number {
    return Math.floor(nowMicros / 1_000_000) + DAY_SECONDS;
  }
}
