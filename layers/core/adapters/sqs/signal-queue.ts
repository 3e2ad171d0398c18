// Signals to signals.fifo: group = trader (order per trader), dedup id = signal id (a replayed
// fill re-sends the same id, which SQS drops within its 5-minute window).
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Signal } from '../../domain/signals.js';
import type { SignalQueue } from '../../ports.js';

const BATCH = 10;
const MAX_ATTEMPTS = 5;

export class SignalPublishError extends Error {
  override readonly name = 'SignalPublishError';
}

export class SqsSignalQueue implements SignalQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(signals: readonly Signal[]): Promise<void> {
    for (let i = 0; i < signals.length; i += BATCH) {
      let pending = signals.slice(i, i + BATCH);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS) {
          throw new SignalPublishError(
            `${pending.length} signals not accepted by SQS: ${pending.map((s) => s.id).join(', ')}`,
          );
        }
        const out = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: pending.map((s, n) => ({
              Id: String(n),
              MessageBody: JSON.stringify(s),
              MessageGroupId: s.trader,
              MessageDeduplicationId: s.id,
            })),
          }),
        );
        const failed = new Set((out.Failed ?? []).map((f) => Number(f.Id)));
        pending = pending.filter((_s, n) => failed.has(n));
        if (pending.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }
}
