// SqsAlertQueue (adapters/sqs/copy-queues.ts): trade alerts on alerts.fifo, notices (copy outcomes,
// skip notices, digests) on notices.fifo, each grouped by user and deduplicated by its id.
import type { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsAlertQueue } from '#core/adapters/sqs/copy-queues.js';
import type { AlertJob } from '#core/ports/copy.js';

/** An SQS client that accepts every batch and keeps what it was sent. */
function recordingSqs() {
  const batches: SendMessageBatchCommand['input'][] = [];
  const sqs = {
    send: async (command: SendMessageBatchCommand) => {
      batches.push(command.input);
      return { Successful: [], Failed: [] };
    },
  } as unknown as SQSClient;
  return { sqs, batches };
}

describe('Class: SqsAlertQueue', () => {
  it('puts each job on its lane: notices on notices.fifo, everything else on alerts.fifo', async () => {
    // Prepare
    const { sqs, batches } = recordingSqs();
    const queue = new SqsAlertQueue(sqs, {
      alerts: 'https://sqs/alerts.fifo',
      notices: 'https://sqs/notices.fifo',
    });
    const job = (id: string, lane?: 'alert' | 'notice'): AlertJob => ({
      id,
      userId: `u-${id}`,
      chatId: `c-${id}`,
      html: id,
      ...(lane ? { lane } : {}),
    });

    // Act
    await queue.publish([
      job('trade'),
      job('filled', 'notice'),
      job('emergency', 'alert'),
      job('digest', 'notice'),
    ]);

    // Assess
    const sent = Object.fromEntries(
      batches.map((b) => [
        b.QueueUrl,
        (b.Entries ?? []).map((e) => [e.MessageDeduplicationId, e.MessageGroupId]),
      ]),
    );
    expect(sent).toEqual({
      'https://sqs/alerts.fifo': [
        ['trade', 'u-trade'],
        ['emergency', 'u-emergency'],
      ],
      'https://sqs/notices.fifo': [
        ['filled', 'u-filled'],
        ['digest', 'u-digest'],
      ],
    });
  });

  it('sends nothing to a lane with no jobs', async () => {
    const { sqs, batches } = recordingSqs();
    await new SqsAlertQueue(sqs, { alerts: 'a', notices: 'n' }).publish([
      { id: 'x', userId: '1', chatId: '1', html: 'hi' },
    ]);
    expect(batches.map((b) => b.QueueUrl)).toEqual(['a']);
  });
});
