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
import { retrySeconds, parseCopyJob } from '../../layers/core/copy/jobs.js';
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

/** Back soon, not after the queue's long visibility timeout; the group's later records wait too. */
const retryIn = (record: SQSRecord, seconds: number) =>
  sqsClient().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: cfg.queues.copies,
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );

async function copy(record: SQSRecord): Promise<void> {
  const job = parseCopyJob(record.body);
  let outcome: Awaited<ReturnType<typeof copySignal>>;
  try {
    outcome = await copySignal(job, deps);
  } catch (err) {
    // A read or the service failed before anything was signed (or the claim makes a retry safe):
    // retry in 1, 2, 4 … 60 s rather than in 9 minutes, while the trader's price is still near.
    const receives = Number(record.attributes.ApproximateReceiveCount ?? '1');
    await retryIn(record, retrySeconds(receives)).catch(() => undefined);
    throw err;
  }
  if (outcome.status === 'WAIT') {
    await retryIn(record, Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)));
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
