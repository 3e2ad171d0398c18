// Per-follower work to fanout.fifo: 10 per SendMessageBatch, several batches in flight, group =
// userId (one user's messages stay in order), dedup id = signal id + user (a redelivered signal
// fans out to nobody twice).
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FanoutMessage, FanoutQueue, NoticeMessage } from '../../ports.js';
import { toJson } from '../dynamo/codec.js';

const BATCH = 10;
const IN_FLIGHT = 16;
const MAX_ATTEMPTS = 5;

export class FanoutPublishError extends Error {
  override readonly name = 'FanoutPublishError';
}

export class SqsFanoutQueue implements FanoutQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  private async sendBatch(batch: readonly (FanoutMessage | NoticeMessage)[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS)
        throw new FanoutPublishError(`${pending.length} fanout messages not accepted by SQS`);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: pending.map((m, n) => ({
            Id: String(n),
            MessageBody: toJson(m),
            MessageGroupId: m.userId,
            MessageDeduplicationId: 'notice' in m ? `notice:${m.noticeId}` : `${m.signal.id}:${m.userId}`,
          })),
        }),
      );
      const failed = new Set((out.Failed ?? []).map((f) => Number(f.Id)));
      pending = pending.filter((_m, n) => failed.has(n));
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }

  async publish(messages: readonly (FanoutMessage | NoticeMessage)[]): Promise<void> {
    const batches: (FanoutMessage | NoticeMessage)[][] = [];
    for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH));
    for (let i = 0; i < batches.length; i += IN_FLIGHT) {
      await Promise.all(batches.slice(i, i + IN_FLIGHT).map((b) => this.sendBatch(b)));
    }
  }
}
