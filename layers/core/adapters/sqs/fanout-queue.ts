// Per-follower work to fanout.fifo: 10 per SendMessageBatch, several batches in flight, group =
// userId (one user's messages stay in order), dedup id = signal id + user (a redelivered signal
// fans out to nobody twice).
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FanoutMessage, FanoutQueue, NoticeMessage } from '../../ports.js';
import { toJson } from '../dynamo/codec.js';
import { sendAll } from './batch-send.js';

/** Every message of one signal goes to a different user (group), so batches may fly together. */
const IN_FLIGHT = 16;

export class SqsFanoutQueue implements FanoutQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async publish(messages: readonly (FanoutMessage | NoticeMessage)[]): Promise<void> {
    await sendAll(
      this.sqs,
      this.queueUrl,
      messages.map((m) => ({
        body: toJson(m),
        groupId: m.userId,
        dedupId: 'notice' in m ? `notice:${m.noticeId}` : `${m.signal.id}:${m.userId}`,
      })),
      IN_FLIGHT,
    );
  }
}
