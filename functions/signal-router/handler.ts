// Signal router (signals.fifo -> alerts.fifo + copies.fifo): a Decision per user the signal
// concerns. Records of one trader keep their order: the FIFO processor skips only the failing
// record's message group (the other traders' signals go on), bodies go through Powertools' batch
// parser with our zod schema (a refused body fails like any record), and a failure is logged with
// the record and its cause.
import { processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent } from 'aws-lambda';
import { documentDb } from '#core/adapters/dynamo/client.js';
import {
  ParsingSqsFifoProcessor,
  sqsBodies,
  type ParsedSqsRecord,
} from '#core/adapters/sqs/record-parser.js';
import { config } from '#core/config.js';
import { routeDeps } from '#core/copy/compose.js';
import { signalBody } from '#core/copy/jobs.js';
import { routeSignal } from '#core/copy/route.js';
import type { Signal } from '#core/domain/signals.js';
import { appLog, lambdaHandler, logger, metrics, MetricUnit } from '#core/observability.js';

const cfg = config();
const deps = routeDeps(cfg, documentDb(), appLog);
const processor = new ParsingSqsFifoProcessor(sqsBodies(signalBody, appLog));

async function route(record: ParsedSqsRecord<Signal>): Promise<void> {
  try {
    const summary = await routeSignal(record.body, deps);
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
