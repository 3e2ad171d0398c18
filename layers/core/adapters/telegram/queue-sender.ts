// The alerter's and the notifier's handler: one FIFO queue of AlertJobs (alerts.fifo, or
// notices.fifo for copy outcomes and digests) sent to Telegram, every message once (Powertools
// Idempotency on its id, one day), paced to Telegram's limits (one a second per chat, 29 a second
// overall shared with the other lane; more with paid broadcasts when the operator enables
// ALLOW_PAID_BROADCAST). Chats (message groups) are sent in parallel, each chat's messages in
// order. What a 429, a 403 or another failure does is copy/alert-delivery.ts; a record put back
// (or one whose body the batch parser refuses) takes the rest of its chat's records back with it.
import type { Context, SQSEvent } from 'aws-lambda';
import { documentDb } from '../dynamo/client.js';
import { DynamoUserStore } from '../dynamo/user-store.js';
import { sqsClient } from '../sqs/client.js';
import { processFifoGroups } from '../sqs/fifo-groups.js';
import { putBackBatch } from '../sqs/put-back.js';
import { sqsBodies } from '../sqs/record-parser.js';
import { warmBotSecret } from '../secrets/bot-secret.js';
import { alertSender } from './alert-sender.js';
import { config } from '../../config.js';
import { deliverAlert, type AlertDeliveryDeps } from '../../copy/alert-delivery.js';
import { alertJobBody } from '../../copy/jobs.js';
import { appLog, lambdaHandler } from '../../observability.js';
import { recordMetric } from '../../runtime/metrics.js';
import type { QueueKey } from '../../resources.js';

export function queueSenderHandler(queue: Extract<QueueKey, 'alerts' | 'notices'>) {
  const cfg = config();
  // Read at container start: under a burst the first sends would otherwise all wait for it.
  warmBotSecret(cfg.botSecretId);
  // Whatever a job on notices.fifo says, it waits for the alerts.
  const sender = alertSender(cfg, undefined, queue === 'notices' ? 'notice' : undefined);
  const deps: AlertDeliveryDeps = {
    ...sender,
    users: new DynamoUserStore(documentDb(), cfg.tables.users),
    clock: { now: () => new Date() },
    metric: recordMetric,
    log: appLog,
  };
  const bodies = sqsBodies(alertJobBody, appLog);

  return lambdaHandler(async (event: SQSEvent, context: Context) => {
    sender.registerContext(context);
    const batch = putBackBatch(sqsClient(), cfg.queues[queue]);
    const out = await processFifoGroups(
      event.Records,
      bodies,
      (record) => deliverAlert(batch.queued(record), deps),
      // deliverAlert (or the parser) logged the cause; the record and the rest of its chat come back.
      () => undefined,
    );
    await batch.putBackSkipped(event.Records, out);
    return out;
  });
}
