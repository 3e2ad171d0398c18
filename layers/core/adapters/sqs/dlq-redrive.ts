// Moves what sits in a FIFO queue's dead-letter queue back into the queue, keeping each message's
// group (order per trader / user holds) and body. Done by hand rather than with StartMessageMoveTask
// so it works the same on the local SQS and so a dry run can show what would move. FIFO delivers
// only the head of each group while it is in flight, so a dry run counts from the queue's depth and
// names the groups whose heads it saw; the real move walks every message as heads are deleted.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { RedriveResult } from '../../admin/run.js';
import { deadLetterUrlOf } from './queue-monitor.js';

/** Long enough to read the whole DLQ once; a dry run then makes every message visible again. */
const READ_VISIBILITY_SECONDS = 60;
const MAX_MESSAGES = 10_000;

export class SqsDlqRedrive {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queues: Readonly<Record<string, string>>,
  ) {}

  async redrive(queue: string, dryRun: boolean): Promise<RedriveResult> {
    const url = this.queues[queue];
    if (!url) throw new Error(`unknown queue ${queue}`);
    const dlq = deadLetterUrlOf(url);
    const groups = new Set<string>();
    const before = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    const waiting = Number(before.Attributes?.ApproximateNumberOfMessages ?? 0);
    let messages = 0;
    let moved = 0;
    const seen: string[] = [];
    // A dry run sees every message once: received messages stay invisible while it reads on.
    for (let emptyReads = 0; emptyReads < 2 && messages < MAX_MESSAGES;) {
      const out = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlq,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: READ_VISIBILITY_SECONDS,
          MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
          MessageAttributeNames: ['All'],
        }),
      );
      const batch = out.Messages ?? [];
      if (batch.length === 0) {
        emptyReads += 1;
        continue;
      }
      emptyReads = 0;
      messages += batch.length;
      for (const m of batch) groups.add(m.Attributes?.MessageGroupId ?? '(none)');
      if (dryRun) {
        for (const m of batch) if (m.ReceiptHandle) seen.push(m.ReceiptHandle);
        continue;
      }
      moved += await this.move(url, dlq, batch);
    }
    // A dry run leaves the DLQ as it found it.
    for (const handle of seen) {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: dlq, ReceiptHandle: handle, VisibilityTimeout: 0 }),
      );
    }
    return {
      queue,
      dryRun,
      messages: dryRun ? Math.max(waiting, messages) : messages,
      moved,
      groups: [...groups].sort(),
    };
  }

  private async move(url: string, dlq: string, batch: readonly Message[]): Promise<number> {
    const stamp = Date.now().toString(36);
    const sent = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: batch.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive',
          // A fresh dedup id: SQS would silently drop a resend of the original id within 5 minutes.
          // The consumers are idempotent on the body's own ids, so a double redrive changes nothing.
          MessageDeduplicationId: `${(m.Attributes?.MessageDeduplicationId ?? m.MessageId ?? '').slice(0, 100)}:r${stamp}`,
          ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const done = batch.filter((_, i) => ok.has(String(i)));
    if (done.length > 0) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlq,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    return done.length;
  }
}
