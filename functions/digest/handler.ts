// Digest (EventBridge, daily at 08:00 UTC): yesterday's digest to each user who wants it, and the
// operator report to the admins.
import type { ScheduledEvent } from 'aws-lambda';
import { config } from '#core/config.js';
import { digestDeps } from '#core/digest/compose.js';
import { runDigest } from '#core/digest/run.js';
import { lambdaHandler, logger } from '#core/observability.js';
import { recordMetric } from '#core/runtime/metrics.js';

const deps = digestDeps(config(), (message, attributes) => logger.info(message, attributes), recordMetric);

export const handler = lambdaHandler(async (_event: ScheduledEvent) => {
  const summary = await runDigest(deps);
  recordMetric('DigestsSent', summary.sent);
  return summary;
});
