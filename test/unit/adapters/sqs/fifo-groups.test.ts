// The copier's and the alerter's batch: records of one group in order, groups in parallel, each
// record through Powertools' batch parser with the queue's schema first. A body the parser refuses
// (not JSON, JSON of the wrong shape, a bigint without its "n") is a batch item failure with its
// group's later records, logged with its cause, never handled; other groups go on; a good body
// reaches the handler with its bigints exact.
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { processFifoGroups } from '#core/adapters/sqs/fifo-groups.js';
import { sqsBodies, type ParsedSqsRecord } from '#core/adapters/sqs/record-parser.js';
import { toJson } from '#core/codec.js';
import { alertJobBody, copyJobBody } from '#core/copy/jobs.js';
import type { Signal } from '#core/domain/signals.js';
import type { AlertJob, CopyJob } from '#core/ports/copy.js';
import { autoCopyJob, openSignal } from '../../../support/open-signal.js';
import { fifoRecord } from '../../../support/sqs-records.js';

const SIGNAL: Signal = openSignal();
const COPY: CopyJob = autoCopyJob(SIGNAL, 123_456_789_012_345_678_901n);
const ALERT: AlertJob = { id: 'sig-1:42', userId: '42', chatId: '42', html: '<b>BTC</b> long' };

const record = (messageId: string, group: string, body: string): SQSRecord =>
  fifoRecord(messageId, group, body);

/** A batch run through processFifoGroups: what was handled, what onFailure and the log heard. */
async function run<T>(
  body: z.ZodType<T, string>,
  records: readonly SQSRecord[],
  handle: (r: ParsedSqsRecord<T>) => Promise<void> = async () => undefined,
) {
  const handled: ParsedSqsRecord<T>[] = [];
  const failures: [string, unknown][] = [];
  const errors: [string, Record<string, unknown>][] = [];
  const log = {
    info: () => undefined,
    warn: () => undefined,
    error: (m: string, a: Record<string, unknown> = {}) => void errors.push([m, a]),
  };
  const out = await processFifoGroups(
    records,
    sqsBodies(body, log),
    async (r: ParsedSqsRecord<T>) => {
      handled.push(r);
      await handle(r);
    },
    (r: ParsedSqsRecord<T>, err) => void failures.push([r.messageId, err]),
  );
  return { failed: out.batchItemFailures.map((f) => f.itemIdentifier), handled, failures, errors };
}

describe('Function: processFifoGroups', () => {
  it('hands a copy job on with its bigints exact and its record intact', async () => {
    // Prepare
    const records = [record('a1', '7', toJson(COPY))];

    // Act
    const w = await run(copyJobBody, records);

    // Assess
    expect(w.failed).toEqual([]);
    expect(w.handled[0]?.body).toEqual(COPY);
    expect(w.handled[0]?.body.follower?.maxPositionUsdc).toBe(123_456_789_012_345_678_901n);
    expect(w.handled[0]).toMatchObject({ messageId: 'a1', receiptHandle: 'rh-a1' });
    expect(w.handled[0]?.attributes).toMatchObject({ MessageGroupId: '7', ApproximateReceiveCount: '1' });
  });

  it.each([
    ['not JSON', '{"signal":', /not JSON/],
    ['JSON of the wrong shape', JSON.stringify({ ...COPY, follower: undefined, userId: 7 }), /body\.userId/],
    [
      'a bigint without its n',
      toJson(COPY).replace('"123456789012345678901n"', '"123456789012345678901"'),
      /body\.follower\.maxPositionUsdc/,
    ],
  ])(
    'fails a copy body that is %s with its group’s later records, logged with its cause',
    async (_what, bad, cause) => {
      // Prepare: group 7 holds the bad record second; group 8 is fine.
      const good = toJson(COPY);
      const records = [
        record('a1', '7', good),
        record('a2', '7', bad),
        record('b1', '8', good),
        record('a3', '7', good),
        record('b2', '8', good),
      ];

      // Act
      const w = await run(copyJobBody, records);

      // Assess: the refusal is the parser's, so onFailure (the handler's errors) hears nothing.
      expect(w.failed).toEqual(['a2', 'a3']);
      expect(w.handled.map((r) => r.messageId).sort()).toEqual(['a1', 'b1', 'b2']);
      expect(w.failures).toEqual([]);
      expect(w.errors).toHaveLength(1);
      const [message, attrs] = w.errors[0] as [string, Record<string, unknown>];
      expect(message).toMatch(/refused/);
      expect(attrs).toMatchObject({
        reason: 'BODY_INVALID',
        messageId: 'a2',
        groupId: '7',
        receiveCount: '1',
      });
      expect((attrs.error as Error).name).toBe('ParsingError');
      expect((attrs.error as Error).message).toMatch(cause);
    },
  );

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['JSON of the wrong shape', JSON.stringify({ ...ALERT, html: 'x'.repeat(4097) }), /body\.html/],
    ['a string read as a bigint', JSON.stringify({ ...ALERT, html: '5n' }), /body\.html/],
  ])('fails an alert body that is %s with its chat’s later alerts, logged', async (_what, bad, cause) => {
    // Prepare
    const good = JSON.stringify(ALERT);
    const records = [record('a1', '42', bad), record('a2', '42', good), record('b1', '43', good)];

    // Act
    const w = await run(alertJobBody, records);

    // Assess
    expect(w.failed).toEqual(['a1', 'a2']);
    expect(w.handled.map((r) => r.body)).toEqual([ALERT]);
    expect(w.errors[0]?.[1]).toMatchObject({ reason: 'BODY_INVALID', messageId: 'a1', groupId: '42' });
    expect((w.errors[0]?.[1].error as Error).message).toMatch(cause);
  });

  it('fails a handler’s failure with the rest of its group, reported with the parsed record', async () => {
    // Prepare
    const good = JSON.stringify(ALERT);
    const records = [record('a1', '42', good), record('a2', '42', good), record('b1', '43', good)];
    const boom = new Error('502');

    // Act
    const w = await run(alertJobBody, records, async (r) => {
      if (r.messageId === 'a1') throw boom;
    });

    // Assess
    expect(w.failed).toEqual(['a1', 'a2']);
    expect(w.failures).toEqual([['a1', boom]]);
    expect(w.errors).toEqual([]);
  });

  it('runs groups in parallel and each group in order', async () => {
    // Prepare: group A's first record waits until group B's record has been handled.
    const good = JSON.stringify(ALERT);
    const records = [record('a1', 'A', good), record('a2', 'A', good), record('b1', 'B', good)];
    let releaseA = () => undefined as void;
    const bDone = new Promise<void>((resolve) => (releaseA = resolve));
    const order: string[] = [];

    // Act
    const w = await run(alertJobBody, records, async (r) => {
      if (r.messageId === 'a1') await bDone;
      order.push(r.messageId);
      if (r.messageId === 'b1') releaseA();
    });

    // Assess
    expect(w.failed).toEqual([]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
  });
});
