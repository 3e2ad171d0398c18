// The bot's send schedule shared in DynamoDB Local (adapters/dynamo/send-schedule.ts): containers
// reserving at once get slots of their own, 1000/29 ms apart, in one run from "now"; after an idle
// spell the next slot is "now" again; the item expires a day after its last use; notices take only
// the slots trade alerts leave.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoSendSchedule } from '#core/adapters/dynamo/send-schedule.js';
import { NOTICE_LEAD_MS, slotMicros } from '#core/adapters/telegram/send-schedule.js';
import { clients, uniqueId, useStackEnv } from '../support/stack-clients.js';

describe('Class: DynamoSendSchedule', () => {
  let table: string;
  beforeAll(() => {
    table = useStackEnv().tables.dedupe;
  });

  it('hands three containers reserving at once distinct slots, evenly spaced from now', async () => {
    // Prepare: three containers (clients of their own) on one clock that stands still.
    const key = `test-schedule-${uniqueId()}`;
    const t0 = 1_900_000_000_000;
    const containers = [0, 1, 2].map(() => new DynamoSendSchedule(clients().doc, table, 29, () => t0, key));

    // Act: 30 sends each, all at once.
    const slots = (
      await Promise.all(containers.flatMap((c) => Array.from({ length: 30 }, () => c.reserve())))
    ).sort((a, b) => a - b);

    // Assess: 90 slots, one every 1000/29 ms (34.483 ms, in whole microseconds), the first now.
    const gap = slotMicros(29);
    expect(slots).toHaveLength(90);
    expect(slots.map((s) => Math.round((s - t0) * 1000))).toEqual(
      Array.from({ length: 90 }, (_, i) => i * gap),
    );
    // No second holds more than 29 of them.
    for (const at of slots)
      expect(slots.filter((s) => s >= at && s < at + 1_000).length).toBeLessThanOrEqual(29);
  });

  it('starts again from now after an idle spell, and keeps the item a day past its last use', async () => {
    // Prepare
    const key = `test-schedule-${uniqueId()}`;
    let now = 1_900_000_000_000;
    const schedule = new DynamoSendSchedule(clients().doc, table, 29, () => now, key);
    await schedule.reserve();
    await schedule.reserve();

    // Act: a minute later the backlog is long gone.
    now += 60_000;
    const afterIdle = await schedule.reserve();
    const next = await schedule.reserve();

    // Assess
    expect(afterIdle).toBe(now);
    expect(Math.round((next - now) * 1000)).toBe(slotMicros(29));
    const item = await clients().doc.send(new GetCommand({ TableName: table, Key: { id: key } }));
    expect(item.Item?.['expiration']).toBe(Math.floor(now / 1000) + 86_400);
  });

  it('gives every one of 300 sends from ten containers on the real clock a slot, never a burst', async () => {
    // Prepare: the alerter's worst case, ten containers with a full batch of chats each, three times.
    const key = `test-schedule-${uniqueId()}`;
    const containers = Array.from(
      { length: 10 },
      () => new DynamoSendSchedule(clients().doc, table, 29, Date.now, key),
    );

    // Act
    const slots = (
      await Promise.all(containers.flatMap((c) => Array.from({ length: 30 }, () => c.reserve())))
    ).sort((a, b) => a - b);

    // Assess: all reserved, about 300/29 s long, at most one slot pulled forward per second.
    expect(slots).toHaveLength(300);
    expect((slots.at(-1) as number) - (slots[0] as number)).toBeGreaterThan((290 * 1000) / 29);
    for (const at of slots)
      expect(slots.filter((s) => s >= at && s < at + 1_000).length).toBeLessThanOrEqual(30);
  });

  it('holds notices back while the alerts have a backlog, then hands them the slots left', async () => {
    // Prepare: a second of alerts (29 slots plus one) reserved at once, on a clock that stands still.
    const key = `test-schedule-${uniqueId()}`;
    let now = 1_900_000_000_000;
    const schedule = new DynamoSendSchedule(clients().doc, table, 29, () => now, key);
    const gap = slotMicros(29) / 1000;
    for (let i = 0; i < 30; i++) await schedule.reserve();

    // Act + Assess: 30 slots ahead is more than NOTICE_LEAD_MS: no room.
    expect(await schedule.reserveIfRoom()).toBeUndefined();
    // Once the schedule is within a second of the clock, a notice takes the next slot, after the alerts.
    now += 2 * gap;
    expect(await schedule.reserveIfRoom()).toBeCloseTo(now - 2 * gap + 30 * gap, 3);
    // An idle schedule restarts at now for a notice too.
    now += 60_000;
    expect(await schedule.reserveIfRoom()).toBe(now);
    expect(await schedule.reserve()).toBeCloseTo(now + gap, 3);
  });

  it('lets notices fill the schedule at most NOTICE_LEAD_MS ahead, so an alert never waits longer', async () => {
    // Prepare: 60 notices from three containers at once, on a clock that stands still.
    const key = `test-schedule-${uniqueId()}`;
    const t0 = 1_900_000_000_000;
    const containers = [0, 1, 2].map(() => new DynamoSendSchedule(clients().doc, table, 29, () => t0, key));

    // Act
    const answers = await Promise.all(
      containers.flatMap((c) => Array.from({ length: 20 }, () => c.reserveIfRoom())),
    );
    const alert = await (containers[0] as DynamoSendSchedule).reserve();

    // Assess: the slots from now to a second ahead, one each (29, 1000/29 ms apart); the rest wait.
    const gap = slotMicros(29);
    const slots = answers.filter((a): a is number => a !== undefined).sort((a, b) => a - b);
    const within = Math.floor((NOTICE_LEAD_MS * 1000) / gap) + 1;
    expect(slots.map((s) => Math.round((s - t0) * 1000))).toEqual(
      Array.from({ length: within }, (_, i) => i * gap),
    );
    expect(Math.round((alert - t0) * 1000)).toBe(within * gap);
  });
});
