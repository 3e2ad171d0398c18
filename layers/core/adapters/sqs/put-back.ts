// Putting FIFO records back on their queue sooner than its visibility timeout (alerter, copier).
// A failed record comes back in the seconds its failure asks for (Telegram's retry_after, 1, 2,
// 4 … 60 s, a close waiting a second for its open). The records of its group skipped behind it
// (the FIFO processors fail them unprocessed) come back at the same moment: FIFO keeps them in
// order behind it, and left alone they would hold the user's group for the whole visibility
// timeout (5.5 minutes on alerts.fifo, 9 on copies.fifo).
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { groupOf } from './fifo-groups.js';
import type { ParsedSqsRecord } from './record-parser.js';

/** What putting a record back needs of it, parsed or not. */
type Returnable = Pick<SQSRecord, 'messageId' | 'receiptHandle' | 'attributes'>;

/** A skipped record without a failed record of its group put back (never expected) comes back in a second. */
const DEFAULT_DELAY_SECONDS = 1;

/** The failed records of a batch that nothing put back yet, and when each should come back. */
export function skippedPutBacks(
  records: readonly SQSRecord[],
  response: SQSBatchResponse,
  putBack: ReadonlySet<string>,
  groupDelay: ReadonlyMap<string, number>,
): { readonly record: SQSRecord; readonly seconds: number }[] {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  return records
    .filter((r) => failed.has(r.messageId) && !putBack.has(r.messageId))
    .map((record) => ({ record, seconds: groupDelay.get(groupOf(record)) ?? DEFAULT_DELAY_SECONDS }));
}

/**
 * One invocation's put-backs (create one per invocation: the state is its own): which records
 * went back, and with which delay each group goes.
 */
export function putBackBatch(sqs: SQSClient, queueUrl: string) {
  const putBackIds = new Set<string>();
  const groupDelay = new Map<string, number>();
  const visibleIn = (record: Returnable, seconds: number) =>
    sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  const putBack = async (record: Returnable, seconds: number): Promise<void> => {
    // Counted as put back even if the call below fails: the caller decides what a failure means,
    // and the end of the batch must not move this record a second time.
    putBackIds.add(record.messageId);
    groupDelay.set(groupOf(record), seconds);
    await visibleIn(record, seconds);
  };
  return {
    putBack,
    /** The parsed record as the use cases take it (copy/queued-message.ts), its way back included. */
    queued: <T>(record: ParsedSqsRecord<T>) => ({
      messageId: record.messageId,
      groupId: groupOf(record),
      job: record.body,
      receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
      putBack: (seconds: number) => putBack(record, seconds),
    }),
    /** After the batch: its failed records not yet put back, each with its group's delay. Never throws. */
    putBackSkipped: async (records: readonly SQSRecord[], response: SQSBatchResponse): Promise<void> => {
      const skipped = skippedPutBacks(records, response, putBackIds, groupDelay);
      // A failure here only means the record waits out the visibility timeout, as without this.
      await Promise.all(
        skipped.map(({ record, seconds }) => visibleIn(record, seconds).catch(() => undefined)),
      );
    },
  };
}
