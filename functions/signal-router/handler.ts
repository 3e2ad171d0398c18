// Signal router (signals.fifo -> alerts.fifo + copies.fifo): a Decision per user the signal
// concerns. Records of one trader keep their order: the FIFO processor skips only the failing
// record's message group (the other traders' signals go on), bodies are checked with zod, and a
// failure is logged with the record and its cause.
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { config } from '#core/config.js';
import { routeDeps } from '#core/copy/compose.js';
import { parseSignal } from '#core/copy/jobs.js';
import { routeSignal } from '#core/copy/route.js';
import { appLog, lambdaHandler, logger, metrics, MetricUnit } from '#core/observability.js';

const cfg = config();
const deps = routeDeps(cfg, documentDb(), appLog);
const processor = new SqsFifoPartialProcessorAsync();

async function route(record: SQSRecord): Promise<void> {
  try {
    const summary = await routeSignal(parseSignal(record.body), deps);
    metrics.addMetric('SignalFollowers', MetricUnit.Count, summary.followers);
    metrics.addMetric('AlertsRouted', MetricUnit.Count, summary.alerts);
    metrics.addMetric('CopiesRouted', MetricUnit.Count, summary.copies);
  } catch (err) {
    logger.error('signal not routed; its group is retried', {
      reason: 'ROUTE_FAILED',
      messageId: record.messageId,
      groupId: record.attributes.MessageGroupId,
      receiveCount: record.attributes.ApproximateReceiveCount,
      error: err as Error,
    });
    throw err;
  }
}

export const handler = lambdaHandler(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, route, processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  }),
);
