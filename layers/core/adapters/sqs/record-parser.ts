// Queue records through Powertools' batch parser: the record checked against its SqsRecordSchema,
// the body against our schema of the body text (copy/jobs.ts, read with the one codec), so a record
// handler gets a typed body. A record that does not parse fails like any other record (its group's
// later records with it) and is logged here with its cause, the zod issues Powertools names.
import { EventType, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { parser } from '@aws-lambda-powertools/batch/parser';
import type { ParsedRecord } from '@aws-lambda-powertools/batch/types';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import type { AppLog } from '../../ports/runtime.js';

/** A record as the parser hands it on: the SQS record, its body the schema's value. */
export type ParsedSqsRecord<T> = ParsedRecord<SQSRecord, T>;

type PowertoolsLogger = Parameters<typeof parser>[2];

/**
 * Powertools' batch parser config in `schema` mode: SqsRecordSchema with our body schema, built
 * once (`innerSchema` mode extends SqsRecordSchema again for every record, and imports one more
 * module per record: cheap in the Lambda bundle, ~0.5 ms each under the local runner's tsx).
 */
export interface SqsBodyConfig<T> {
  readonly parser: typeof parser;
  readonly schema: z.ZodType<ParsedSqsRecord<T>>;
  readonly logger: PowertoolsLogger;
}

/** Powertools' parser, a record it refuses logged with its cause before the record fails. */
function loggedParser(log: AppLog): typeof parser {
  return async (record, eventType, logger, config) => {
    try {
      return await parser(record, eventType, logger, config);
    } catch (err) {
      const sqs = record as Partial<SQSRecord>;
      log.error('queue record refused; it goes to the DLQ after its receives', {
        reason: 'BODY_INVALID',
        messageId: sqs.messageId,
        groupId: sqs.attributes?.MessageGroupId,
        receiveCount: sqs.attributes?.ApproximateReceiveCount,
        error: err as Error,
      });
      throw err;
    }
  };
}

/** The parser config for one queue's bodies; refusals go to `log` (Powertools' own debug lines do not). */
export function sqsBodies<T>(body: z.ZodType<T, string>, log: AppLog): SqsBodyConfig<T> {
  return {
    parser: loggedParser(log),
    // The schema's record type is Powertools' zod view of an SQS record; the same record as aws-lambda types it.
    schema: SqsRecordSchema.extend({ body }) as unknown as z.ZodType<ParsedSqsRecord<T>>,
    logger: {
      debug: () => undefined,
      warn: (...content: unknown[]) => log.warn(content.map(String).join(' ')),
      error: (...content: unknown[]) => log.error(content.map(String).join(' ')),
    },
  };
}

/** One record through the config's parser: the typed record, or a rejection (a ParsingError). */
export async function parseSqsRecord<T>(
  record: SQSRecord,
  config: SqsBodyConfig<T>,
): Promise<ParsedSqsRecord<T>> {
  const parsed = await config.parser(record, EventType.SQS, config.logger, config);
  // Powertools types the parser's output as the raw record; the schema made its body a T.
  return parsed as unknown as ParsedSqsRecord<T>;
}

/**
 * Powertools' FIFO processor with the batch parser: its record handler gets the parsed record. In
 * 2.35 its constructor takes no parser config (BatchProcessor's does), so the config goes where
 * BatchProcessor.processRecord reads it.
 */
export class ParsingSqsFifoProcessor<T> extends SqsFifoPartialProcessorAsync {
  constructor(config: SqsBodyConfig<T>) {
    super();
    this.parserConfig = config;
  }
}
