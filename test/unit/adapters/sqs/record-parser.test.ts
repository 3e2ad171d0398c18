// Queue records through Powertools' batch parser, as the signal router runs them: Powertools' FIFO
// processor with the parser config hands its record handler the typed signal; a body the parser
// refuses (not JSON, JSON of the wrong shape, an amount the codec reads as a bigint) is a batch item
// failure that skips its trader's later signals, logged with its cause, while other traders' go on.
// One record on its own (parseSqsRecord) is checked against the SQS record schema as well.
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  ParsingSqsFifoProcessor,
  parseSqsRecord,
  sqsBodies,
  type ParsedSqsRecord,
} from '#core/adapters/sqs/record-parser.js';
import { toJson } from '#core/codec.js';
import { alertJobBody, signalBody } from '#core/copy/jobs.js';
import type { Signal } from '#core/domain/signals.js';
import { openSignal } from '../../../support/open-signal.js';
import { fifoRecord } from '../../../support/sqs-records.js';

const TRADER_A = '0x00000000000000000000000000000000000000aa';
const TRADER_B = '0x00000000000000000000000000000000000000bb';
const signal = (id: string, trader: string): Signal => openSignal({ id, trader });

const record = (messageId: string, group: string, body: string): SQSRecord =>
  fifoRecord(messageId, group, body, { queue: 'signals.fifo', receiveCount: 2 });

function recordingLog() {
  const errors: [string, Record<string, unknown>][] = [];
  const log = {
    info: () => undefined,
    warn: () => undefined,
    error: (m: string, a: Record<string, unknown> = {}) => void errors.push([m, a]),
  };
  return { log, errors };
}

/** One batch through the router's processor and options; what the record handler got. */
async function route(records: SQSRecord[]) {
  const { log, errors } = recordingLog();
  const processor = new ParsingSqsFifoProcessor(sqsBodies(signalBody, log));
  const routed: Signal[] = [];
  const out = await processPartialResponse(
    { Records: records },
    async (r: ParsedSqsRecord<Signal>) => void routed.push(r.body),
    processor,
    { skipGroupOnError: true, throwOnFullBatchFailure: false },
  );
  return { failed: out.batchItemFailures.map((f) => f.itemIdentifier), routed, errors };
}

describe('Class: ParsingSqsFifoProcessor', () => {
  it('hands the record handler the signal as the codec read it, decimal strings still strings', async () => {
    // Prepare
    const s = signal('s1', TRADER_A);

    // Act
    const w = await route([record('a1', TRADER_A, toJson(s))]);

    // Assess
    expect(w.failed).toEqual([]);
    expect(w.routed).toEqual([s]);
    expect(typeof w.routed[0]?.collateralUsdc).toBe('string');
  });

  it.each([
    ['not JSON', '{"id":', /not JSON/],
    [
      'JSON of the wrong shape',
      JSON.stringify({ ...signal('x', TRADER_A), collateralUsdc: 1.5 }),
      /collateralUsdc/,
    ],
    ['an amount read as a bigint', JSON.stringify({ ...signal('x', TRADER_A), price: '3n' }), /body\.price/],
  ])(
    'fails a signal that is %s, skips its trader’s later signals, logs its cause',
    async (_what, bad, cause) => {
      // Prepare: trader A's second record is bad; trader B's signals go on.
      const records = [
        record('a1', TRADER_A, toJson(signal('s1', TRADER_A))),
        record('a2', TRADER_A, bad),
        record('b1', TRADER_B, toJson(signal('s2', TRADER_B))),
        record('a3', TRADER_A, toJson(signal('s3', TRADER_A))),
      ];

      // Act
      const w = await route(records);

      // Assess
      expect(w.failed).toEqual(['a2', 'a3']);
      expect(w.routed.map((s) => s.id)).toEqual(['s1', 's2']);
      expect(w.errors).toHaveLength(1);
      const attrs = w.errors[0]?.[1] ?? {};
      expect(attrs).toMatchObject({
        reason: 'BODY_INVALID',
        messageId: 'a2',
        groupId: TRADER_A,
        receiveCount: '2',
      });
      expect((attrs.error as Error).name).toBe('ParsingError');
      expect((attrs.error as Error).message).toMatch(cause);
    },
  );
});

describe('Function: parseSqsRecord', () => {
  it('refuses a record that is not an SQS record, naming the missing field', async () => {
    // Prepare
    const { log, errors } = recordingLog();
    const { md5OfBody: _, ...noMd5 } = record('m1', '42', '{"id":"a","userId":"1","chatId":"1","html":"hi"}');

    // Act
    const parsed = parseSqsRecord(noMd5 as SQSRecord, sqsBodies(alertJobBody, log));

    // Assess
    await expect(parsed).rejects.toThrow(/md5OfBody/);
    expect(errors[0]?.[1]).toMatchObject({ reason: 'BODY_INVALID', messageId: 'm1' });
  });
});
