// Every custom metric the alarms and the dashboard read is emitted: each function METRIC_SOURCES
// names exists in FUNCTIONS and its code path (esbuild's view of its bundle) writes the metric's
// name. An alarm on a metric nobody emits sees no data and, treating missing data as fine, would
// never fire. test/infra/operations.test.ts runs the same check from the synthesized alarms.
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, METRIC_SOURCES } from '#core/resources.js';
import { emitsMetric } from './code-path.js';

const pairs = Object.entries(METRIC_SOURCES).flatMap(([metric, sources]) =>
  sources.map((source) => [metric, source] as const),
);

describe('METRIC_SOURCES', () => {
  it('names at least one emitter for every metric', () => {
    for (const [metric, sources] of Object.entries(METRIC_SOURCES))
      expect(sources.length, metric).toBeGreaterThan(0);
  });

  it.each(pairs)('%s is emitted by %s', async (metric, source) => {
    const def = (FUNCTIONS as Record<string, { entry: string }>)[source];
    expect(def, `${source} is not in FUNCTIONS`).toBeDefined();
    expect(await emitsMetric(def!.entry, metric)).not.toEqual([]);
  });

  it('the check can fail: no function emits a name nobody writes', async () => {
    expect(await emitsMetric(FUNCTIONS.indexer.entry, 'NoSuchMetricAnywhere')).toEqual([]);
  });
});
