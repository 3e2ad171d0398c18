// A FIFO batch processed the way copies need it: records of one message group (one user) strictly
// in order, different groups in parallel (Powertools' FIFO processor runs the whole batch one
// record at a time). A failed record fails the rest of its group only, so other users' copies go
// on and the group's order holds on redelivery. Returns SQS `batchItemFailures`.
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

/** A record's message group; a record without one (never on a FIFO queue) is a group of its own. */
export const groupOf = (record: SQSRecord): string => record.attributes.MessageGroupId ?? record.messageId;

export async function processFifoGroups(
  records: readonly SQSRecord[],
  handle: (record: SQSRecord) => Promise<void>,
  onFailure: (record: SQSRecord, error: unknown) => void,
): Promise<SQSBatchResponse> {
  const groups = new Map<string, SQSRecord[]>();
  for (const r of records) {
    const g = groupOf(r);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const failed: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (group) => {
      for (let i = 0; i < group.length; i++) {
        const record = group[i] as SQSRecord;
        try {
          await handle(record);
        } catch (err) {
          onFailure(record, err);
          for (const rest of group.slice(i)) failed.push(rest.messageId);
          return;
        }
      }
    }),
  );
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
