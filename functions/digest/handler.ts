// Digest (EventBridge, daily at 08:00 UTC): yesterday's digest to each user who wants it, and the
// operator report to the admins.
import type { ScheduledEvent } from 'aws-lambda';
import { config } from '../../layers/core/config.js';
import { digestDeps } from '../../layers/core/digest/compose.js';
import { runDigest } from '../../layers/core/digest/run.js';
import { lambdaHandler, logger, metrics, MetricUnit } from '../../layers/core/observability.js';

const cfg = config();
const deps = digestDeps(
  cfg,
  (message, attributes) => logger.info(message, attributes),
  (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
);

export const handler = lambdaHandler(async (_event: ScheduledEvent) => {
  const summary = await runDigest(deps);
  metrics.addMetric('DigestsSent', MetricUnit.Count, summary.sent);
  return summary;
});
