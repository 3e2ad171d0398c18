// Leaderboard (EventBridge, every minute): ranks every trader from their incremental stats and
// stores the top by score and by PnL, one item each.
import type { ScheduledEvent } from 'aws-lambda';
import { documentDb } from '#core/adapters/dynamo/client.js';
import { DynamoStatsStore } from '#core/adapters/dynamo/stats-store.js';
import { materializeLeaderboards } from '#core/analytics/materialize.js';
import { config } from '#core/config.js';
import { appLog, lambdaHandler, metrics, MetricUnit } from '#core/observability.js';

const cfg = config();
const stats = new DynamoStatsStore(documentDb(), cfg.tables.stats);

export const handler = lambdaHandler(async (_event: ScheduledEvent) => {
  const result = await materializeLeaderboards({ stats, now: () => new Date(), log: appLog }, cfg.leader);
  metrics.addMetric('LeaderboardTraders', MetricUnit.Count, result.traders);
  metrics.addMetric('LeaderboardEligible', MetricUnit.Count, result.eligible);
  return { traders: result.traders, eligible: result.eligible };
});
