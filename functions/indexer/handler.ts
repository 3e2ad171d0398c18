// Indexer (EventBridge, every minute): catch up, then tail the head block by block for most of the
// minute under a lease, so a trade is seen about one block after it is mined.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentDb } from '../../layers/core/adapters/dynamo/client.js';
import { sqsClient } from '../../layers/core/adapters/sqs/client.js';
import { config } from '../../layers/core/config.js';
import { connectIndexerChain, indexerDeps, type ChainAccess } from '../../layers/core/indexer/compose.js';
import { DEFAULT_SETTINGS, runIndexer } from '../../layers/core/indexer/run.js';
import { appLog, lambdaHandler, logger, metrics, MetricUnit } from '../../layers/core/observability.js';

/** Tail until just before the next scheduled run starts; it waits briefly for this run's lease. */
const TAIL_MS = 57_000;
/** Time kept back from the Lambda timeout to release the lease and flush metrics. */
const MARGIN_MS = 10_000;

const cfg = config();
let chain: Promise<ChainAccess> | undefined;

export const handler = lambdaHandler(async (_event: ScheduledEvent, context: Context) => {
  chain ??= connectIndexerChain(cfg, (e) => {
    if (e.type !== 'recovered')
      logger.warn('rpc endpoint event', { reason: `RPC_${e.type.toUpperCase()}`, ...e });
  }).catch((err: unknown) => {
    chain = undefined; // a bad start (all RPCs down) must not poison the container
    throw err;
  });
  const { reader, upgrade } = await chain;
  const deps = indexerDeps(
    cfg,
    { db: documentDb(), sqs: sqsClient() },
    reader,
    appLog,
    (name, value, dimensions) => {
      if (!dimensions) return metrics.addMetric(name, MetricUnit.Count, value);
      // A breakdown (e.g. UndecodableLogs by reason) beside the plain count the alarm reads.
      const single = metrics.singleMetric();
      for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
      single.addMetric(name, MetricUnit.Count, value);
    },
    upgrade,
  );
  return runIndexer(deps, {
    ...DEFAULT_SETTINGS,
    owner: context.awsRequestId,
    backfillRange: cfg.indexer.backfillRange,
    initialPageSize: cfg.indexer.page,
    deadline: Date.now() + Math.min(TAIL_MS, context.getRemainingTimeInMillis() - MARGIN_MS),
    stopRequested: () => context.getRemainingTimeInMillis() < MARGIN_MS,
  });
});
