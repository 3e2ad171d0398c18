// SendMessageBatch, 10 entries at a time with some batches in flight, retrying the entries SQS
// reports as failed: nothing handed to a queue is silently dropped.
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueEntry {
  readonly body: string;
  readonly groupId: string;
  readonly dedupId: string;
}

const BATCH = 10;
const MAX_ATTEMPTS = 5;

export class QueueSendError extends Error {
  override readonly name = 'QueueSendError';
}

async function sendBatch(sqs: SQSClient, queueUrl: string, batch: readonly QueueEntry[]): Promise<void> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new QueueSendError(
        `${pending.length} messages not accepted by SQS: ${pending.map((e) => e.dedupId).join(', ')}`,
      );
    }
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: pending.map((e, n) => ({
          Id: String(n),
          MessageBody: e.body,
          MessageGroupId: e.groupId,
          MessageDeduplicationId: e.dedupId,
        })),
      }),
    );
    const failed = new Set((out.Failed ?? []).map((f) => Number(f.Id)));
    pending = pending.filter((_e, n) => failed.has(n));
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
  }
}

/** Sends every entry; `inFlight` batches at a time (1 keeps a single FIFO group strictly ordered). */
export async function sendAll(
  sqs: SQSClient,
  queueUrl: string,
  entries: readonly QueueEntry[],
  inFlight = 1,
): Promise<void> {
  const batches: QueueEntry[][] = [];
  for (let i = 0; i < entries.length; i += BATCH) batches.push(entries.slice(i, i + BATCH));
  for (let i = 0; i < batches.length; i += inFlight) {
    await Promise.all(batches.slice(i, i + inFlight).map((b) => sendBatch(sqs, queueUrl, b)));
  }
}
