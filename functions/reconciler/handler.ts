// Reconciler (EventBridge, every minute; also invoked by the admin's reconcile): for most of the
// minute, every few seconds, drives every non-terminal copy intent towards its terminal state and
// counts the ones stuck past the bound (IntentsStuck). It never signs: it resubmits stored intents.
import type { Context } from 'aws-lambda';
import { documentDb } from '../../layers/core/adapters/dynamo/client.js';
import { config } from '../../layers/core/config.js';
import { NO_SIGNING, copyDeps } from '../../layers/core/copy/compose.js';
import { reconcile } from '../../layers/core/copy/copy.js';
import { appLog, lambdaHandler, metrics, MetricUnit } from '../../layers/core/observability.js';

const cfg = config();
const deps = copyDeps(cfg, documentDb(), {
  keys: NO_SIGNING,
  metric: (name, value) =>
    metrics.addMetric(name, name.endsWith('Ms') ? MetricUnit.Milliseconds : MetricUnit.Count, value),
  log: appLog,
});
const EVERY_MS = 2_000;
const MARGIN_MS = 10_000;
/** Ends before the next minute's run starts, so runs never overlap and never leave a gap. */
const RUN_FOR_MS = 55_000;

export const handler = lambdaHandler(async (event: { once?: boolean } | undefined, context: Context) => {
  let rounds = 0;
  let settled = 0;
  let last = { seen: 0, settled: 0, stuck: 0 };
  const started = Date.now();
  do {
    last = await reconcile(deps);
    settled += last.settled;
    rounds += 1;
    if (event?.once) break;
    await new Promise((r) => setTimeout(r, EVERY_MS));
  } while (context.getRemainingTimeInMillis() > MARGIN_MS && Date.now() - started < RUN_FOR_MS);
  return { rounds, settled, open: last.seen - last.settled, stuck: last.stuck };
});
