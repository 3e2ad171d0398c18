// Indexer (EventBridge, every minute): catch up, then tail the head block by block for most of the
// minute under a lease, so a trade is seen about one block after it is mined.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logRpcEvents } from '#core/adapters/chain/rpc-events.js';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { sqsClient } from '#core/adapters/sqs/client.js';
import { config } from '#core/config.js';
import { connectIndexerChain, indexerDeps } from '#core/indexer/compose.js';
import { invocationSettings } from '#core/indexer/invocation.js';
import { runIndexer } from '#core/indexer/run.js';
import { appLog, lambdaHandler } from '#core/observability.js';
import { lazy } from '#core/runtime/lazy.js';
import { recordMetric } from '#core/runtime/metrics.js';

const cfg = config();
// Connected once per container; a bad start (all RPCs down) is tried again by the next run.
const chain = lazy(() => connectIndexerChain(cfg, logRpcEvents(appLog)));

export const handler = lambdaHandler(async (_event: ScheduledEvent, context: Context) => {
  const { reader, upgrade } = await chain();
  const deps = indexerDeps(
    cfg,
    { db: documentDb(), sqs: sqsClient() },
    reader,
    appLog,
    recordMetric,
    upgrade,
  );
  const invocation = { owner: context.awsRequestId, remainingMs: () => context.getRemainingTimeInMillis() };
  return runIndexer(deps, invocationSettings(cfg.indexer, invocation, Date.now()));
});
