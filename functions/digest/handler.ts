// Digest (EventBridge, daily at 08:00 UTC): yesterday's digest for each user who wants it, and the
// operator report for the admins, queued on alerts.fifo for the alerter to send.
import type { ScheduledEvent } from 'aws-lambda';
import { config } from '#core/config.js';
import { digestDeps } from '#core/digest/compose.js';
import { runDigest } from '#core/digest/run.js';
import { lambdaHandler, logger } from '#core/observability.js';
import { recordMetric } from '#core/runtime/metrics.js';

const deps = digestDeps(config(), (message, attributes) => logger.info(message, attributes));

export const handler = lambdaHandler(async (_event: ScheduledEvent) => {
  const summary = await runDigest(deps);
  recordMetric('DigestsQueued', summary.queued);
  return summary;
});
