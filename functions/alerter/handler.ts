// Alerter (alerts.fifo -> Telegram): every alert and copy message sent once (Powertools
// Idempotency on its id, one day), paced to Telegram's limits (one a second per chat, 29 a second
// overall; more with paid broadcasts when the operator enables ALLOW_PAID_BROADCAST). Chats (message
// groups) are sent in parallel, each chat's messages in order; the one pacer of this one container
// keeps the limits (one at a time, the batch's round trips made it ~3.4 messages/s under load).
// What a 429, a 403 or another failure does is copy/alert-delivery.ts; a record put back (or one
// whose body the batch parser refuses) takes the rest of its chat's records back with it, in order.
import type { Context, SQSEvent } from 'aws-lambda';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { DynamoUserStore } from '#core/adapters/dynamo/user-store.js';
import { sqsClient } from '#core/adapters/sqs/client.js';
import { processFifoGroups } from '#core/adapters/sqs/fifo-groups.js';
import { putBackBatch } from '#core/adapters/sqs/put-back.js';
import { sqsBodies } from '#core/adapters/sqs/record-parser.js';
import { alertSender } from '#core/adapters/telegram/alert-sender.js';
import { config } from '#core/config.js';
import { deliverAlert, type AlertDeliveryDeps } from '#core/copy/alert-delivery.js';
import { alertJobBody } from '#core/copy/jobs.js';
import { appLog, lambdaHandler } from '#core/observability.js';
import { recordMetric } from '#core/runtime/metrics.js';

const cfg = config();
const sender = alertSender(cfg);
const deps: AlertDeliveryDeps = {
  ...sender,
  users: new DynamoUserStore(documentDb(), cfg.tables.users),
  clock: { now: () => new Date() },
  metric: recordMetric,
  log: appLog,
};
const bodies = sqsBodies(alertJobBody, appLog);

export const handler = lambdaHandler(async (event: SQSEvent, context: Context) => {
  sender.registerContext(context);
  const batch = putBackBatch(sqsClient(), cfg.queues.alerts);
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
