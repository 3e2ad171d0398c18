// Copier (copies.fifo): each record one follower's copy of one signal, signed by that user's
// delegate key and followed to its fill. Users (message groups) run in parallel, each user's copies
// in order; a close waiting for its open goes back to the queue for a second, in order.
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentDb } from '../../layers/core/adapters/dynamo/client.js';
import { sqsClient } from '../../layers/core/adapters/sqs/client.js';
import { processFifoGroups } from '../../layers/core/adapters/sqs/fifo-groups.js';
import { config } from '../../layers/core/config.js';
import { copyDeps, delegateKeys } from '../../layers/core/copy/compose.js';
import { copySignal } from '../../layers/core/copy/copy.js';
import { parseCopyJob } from '../../layers/core/copy/jobs.js';
import { appLog, lambdaHandler, logger, metrics, MetricUnit } from '../../layers/core/observability.js';

const cfg = config();
const deps = copyDeps(cfg, documentDb(), {
  keys: delegateKeys(cfg),
  metric: (name, value) =>
    metrics.addMetric(name, name.endsWith('Ms') ? MetricUnit.Milliseconds : MetricUnit.Count, value),
  log: appLog,
});

class WaitError extends Error {
  override readonly name = 'WaitError';
}

async function copy(record: SQSRecord): Promise<void> {
  const outcome = await copySignal(parseCopyJob(record.body), deps);
  if (outcome.status === 'WAIT') {
    // Back soon, not after the queue's long visibility timeout; the group's later records wait too.
    await sqsClient().send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: cfg.queues.copies,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)),
      }),
    );
    throw new WaitError('waiting for the copy’s open to fill');
  }
}

export const handler = lambdaHandler(async (event: SQSEvent, _context: Context) =>
  processFifoGroups(event.Records, copy, (record, err) => {
    if (err instanceof WaitError) return;
    logger.error('copy failed; its group is retried', {
      reason: 'COPY_JOB_FAILED',
      messageId: record.messageId,
      groupId: record.attributes.MessageGroupId,
      error: err as Error,
    });
  }),
);
