// Copier (copies.fifo): each record one follower's copy of one signal, signed by that user's
// delegate key and followed to its fill (copy/copy-job.ts). Users (message groups) run in
// parallel, each user's copies in order; a record put back (a close waiting for its open, a
// failure, a body the batch parser refuses) takes the rest of its group back with it, in order.
import type { SQSEvent } from 'aws-lambda';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { sqsClient } from '#core/adapters/sqs/client.js';
import { processFifoGroups } from '#core/adapters/sqs/fifo-groups.js';
import { putBackBatch } from '#core/adapters/sqs/put-back.js';
import { sqsBodies } from '#core/adapters/sqs/record-parser.js';
import { config } from '#core/config.js';
import { copyDeps, delegateKeys } from '#core/copy/compose.js';
import { logCopyFailure, runCopyJob } from '#core/copy/copy-job.js';
import { copySignal } from '#core/copy/copy.js';
import { copyJobBody } from '#core/copy/jobs.js';
import { appLog, lambdaHandler } from '#core/observability.js';
import { recordMetric } from '#core/runtime/metrics.js';

const cfg = config();
const deps = copyDeps(cfg, documentDb(), { keys: delegateKeys(cfg), metric: recordMetric, log: appLog });
const logFailure = logCopyFailure(appLog);
const bodies = sqsBodies(copyJobBody, appLog);

export const handler = lambdaHandler(async (event: SQSEvent) => {
  const batch = putBackBatch(sqsClient(), cfg.queues.copies);
  const out = await processFifoGroups(
    event.Records,
    bodies,
    (record) => runCopyJob(batch.queued(record), (job) => copySignal(job, deps)),
    (record, err) => logFailure(batch.queued(record), err),
  );
  await batch.putBackSkipped(event.Records, out);
  return out;
});
