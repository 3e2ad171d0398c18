// Reconciler (EventBridge, every minute; also invoked by the admin's reconcile): for most of the
// minute, every few seconds, drives every non-terminal copy intent towards its terminal state and
// counts the ones stuck past the bound (IntentsStuck). It never signs: it resubmits stored intents.
import type { Context } from 'aws-lambda';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { config } from '#core/config.js';
import { NO_SIGNING, copyDeps } from '#core/copy/compose.js';
import { reconcileRounds } from '#core/copy/reconcile-rounds.js';
import { appLog, lambdaHandler } from '#core/observability.js';
import { recordMetric } from '#core/runtime/metrics.js';

const deps = copyDeps(config(), documentDb(), { keys: NO_SIGNING, metric: recordMetric, log: appLog });

export const handler = lambdaHandler(async (event: { once?: boolean } | undefined, context: Context) =>
  reconcileRounds(deps, {
    once: event?.once === true,
    remainingMs: () => context.getRemainingTimeInMillis(),
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  }),
);
