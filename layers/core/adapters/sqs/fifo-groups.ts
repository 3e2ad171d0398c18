// A FIFO batch processed the way copies need it: records of one message group (one user) strictly
// in order, different groups in parallel (Powertools' FIFO processor runs the whole batch one
// record at a time). Each record goes through Powertools' batch parser first (record-parser.ts), so
// the handler gets its typed body. A failed record, or one whose body does not parse, fails the rest
// of its group only, so other users' copies go on and the group's order holds on redelivery.
// Returns SQS `batchItemFailures`.
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { parseSqsRecord, type ParsedSqsRecord, type SqsBodyConfig } from './record-parser.js';

/** A record's message group; a record without one (never on a FIFO queue) is a group of its own. */
export const groupOf = (record: Pick<SQSRecord, 'messageId' | 'attributes'>): string =>
  record.attributes.MessageGroupId ?? record.messageId;

/**
 * `onFailure` hears of `handle`'s failures, with the parsed record; a record the parser refuses
 * was logged by it (record-parser.ts) and fails its group the same way.
 */
export async function processFifoGroups<T>(
  records: readonly SQSRecord[],
  bodies: SqsBodyConfig<T>,
  handle: (record: ParsedSqsRecord<T>) => Promise<void>,
  onFailure: (record: ParsedSqsRecord<T>, error: unknown) => void,
): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const r of records) {
    const g = groupOf(r);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const failed: string[] = [];
  const fail = (group: readonly SQSRecord[], from: number) => {
    for (const rest of group.slice(from)) failed.push(rest.messageId);
  };
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (let i = 0; i < group.length; i++) {
        let parsed: ParsedSqsRecord<T>;
        try {
          parsed = await parseSqsRecord(group[i] as SQSRecord, bodies);
        } catch {
          return fail(group, i);
        }
        try {
          await handle(parsed);
        } catch (err) {
          onFailure(parsed, err);
          return fail(group, i);
        }
      }
    }),
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
