// Copy sweeper (EventBridge, every minute): for most of the minute, every few seconds, replaces
// stuck copy transactions (same nonce, higher fee) and fails reverted ones.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { executorFromConfig } from '../../layers/core/adapters/chain/executor-from-config.js';
import { documentDb } from '../../layers/core/adapters/dynamo/client.js';
import { DynamoIntentStore } from '../../layers/core/adapters/dynamo/intent-store.js';
import { sqsClient } from '../../layers/core/adapters/sqs/client.js';
import { SqsFanoutQueue } from '../../layers/core/adapters/sqs/fanout-queue.js';
import { config } from '../../layers/core/config.js';
import { sweepStuckCopies } from '../../layers/core/copy/sweep.js';
import { appLog, lambdaHandler } from '../../layers/core/observability.js';

const cfg = config();
const db = documentDb();
const EVERY_MS = 3_000;
const MARGIN_MS = 8_000;

export const handler = lambdaHandler(async (_event: ScheduledEvent, context: Context) => {
  const executor = await executorFromConfig(cfg);
  if (!executor) return { swept: false, reason: 'NO_EXECUTOR' };
  const deps = {
    intents: new DynamoIntentStore(db, cfg.tables.intents),
    executor,
    notices: new SqsFanoutQueue(sqsClient(), cfg.queues.fanout),
    log: appLog,
  };
  let replaced = 0;
  let failed = 0;
  while (context.getRemainingTimeInMillis() > MARGIN_MS) {
    const round = await sweepStuckCopies(deps);
    replaced += round.replaced;
    failed += round.failed;
    await new Promise((r) => setTimeout(r, EVERY_MS));
  }
  return { swept: true, replaced, failed };
});
