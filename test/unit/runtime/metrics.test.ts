// The metric port bound to Powertools: a name ending in Ms is recorded in milliseconds, every
// other name as a count, with its value, in the EMF document the invocation flushes.
import { afterEach, describe, expect, it } from 'vitest';
import { metrics } from '#core/observability.js';
import { recordMetric } from '#core/runtime/metrics.js';

afterEach(() => metrics.clearMetrics());

describe('Function: recordMetric', () => {
  it('records Ms names in milliseconds and the rest as counts', () => {
    // Prepare
    metrics.clearMetrics();

    // Act
    recordMetric('ChainToAlertMs', 1_850);
    recordMetric('AlertsSent', 1);
    recordMetric('IndexerLagBlocks', 31);
    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] };
    };

    // Assess
    expect(emf._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'ChainToAlertMs', Unit: 'Milliseconds' },
      { Name: 'AlertsSent', Unit: 'Count' },
      { Name: 'IndexerLagBlocks', Unit: 'Count' },
    ]);
    expect([emf.ChainToAlertMs, emf.AlertsSent, emf.IndexerLagBlocks]).toEqual([1_850, 1, 31]);
  });

  it('sends a metric with dimensions on its own, leaving the invocation’s document as it was', () => {
    // Prepare
    metrics.clearMetrics();
    recordMetric('UndecodableLogs', 3);

    // Act
    recordMetric('UndecodableLogs', 2, { reason: 'BAD_LENGTH' });
    const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>;

    // Assess
    expect(emf.UndecodableLogs).toBe(3);
    expect(emf.reason).toBeUndefined();
  });
});
