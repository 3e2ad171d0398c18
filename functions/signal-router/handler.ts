// Signal router (signals.fifo -> fanout.fifo): a Decision per follower of the signal's trader.
// Records of one trader keep their order (FIFO processor: a failure fails the rest of its group).
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentDb } from '../../layers/core/adapters/dynamo/client.js';
import { DynamoFollowStore } from '../../layers/core/adapters/dynamo/follow-store.js';
import { DynamoUserStore } from '../../layers/core/adapters/dynamo/user-store.js';
import { modeSourceFromConfig } from '../../layers/core/adapters/mode-source.js';
import { sqsClient } from '../../layers/core/adapters/sqs/client.js';
import { SqsFanoutQueue } from '../../layers/core/adapters/sqs/fanout-queue.js';
import { config } from '../../layers/core/config.js';
import { routeSignal } from '../../layers/core/copy/route.js';
import type { Signal } from '../../layers/core/domain/signals.js';
import { appLog, lambdaHandler, metrics, MetricUnit } from '../../layers/core/observability.js';

const cfg = config();
const db = documentDb();
const deps = {
  followers: new DynamoFollowStore(db, { follows: cfg.tables.follows, users: cfg.tables.users }),
  profiles: new DynamoUserStore(db, cfg.tables.users),
  fanout: new SqsFanoutQueue(sqsClient(), cfg.queues.fanout),
  mode: modeSourceFromConfig(cfg, db),
  canary: cfg.canary,
  log: appLog,
};
const processor = new SqsFifoPartialProcessorAsync();

async function route(record: SQSRecord): Promise<void> {
  const signal = JSON.parse(record.body) as Signal;
  const summary = await routeSignal(signal, deps);
  metrics.addMetric('SignalFollowers', MetricUnit.Count, summary.followers);
  metrics.addMetric('FanoutMessages', MetricUnit.Count, summary.messages);
}

export const handler = lambdaHandler(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, route, processor, { context }),
);
