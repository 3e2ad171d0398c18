// Signals to signals.fifo: group = trader (order per trader), dedup id = signal id (a replayed
// fill re-sends the same id, which SQS drops within its 5-minute window). Written with the one codec,
// as the router reads it.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Signal } from '../../domain/signals.js';
import type { SignalQueue } from '../../ports/queues.js';
import { toJson } from '../../codec.js';
import { sendAll } from './batch-send.js';

export class SqsSignalQueue implements SignalQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(signals: readonly Signal[]): Promise<void> {
    // One batch at a time: a trader's signals must reach the queue in chain order.
    await sendAll(
      this.sqs,
      this.queueUrl,
      signals.map((s) => ({ body: toJson(s), groupId: s.trader, dedupId: s.id })),
    );
  }
}
