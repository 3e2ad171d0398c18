// The local CloudWatch's evaluation rules: statistics per period, the metric math lib/alarms.ts
// writes (FILL, IF with a comparison, + * /), evaluation periods over the periods ending now,
// TreatMissingData's four treatments, and the AlarmBook's states and transitions over time.
import { describe, expect, it } from 'vitest';
import {
  AlarmBook,
  datapoints,
  decide,
  evaluateNode,
  parseExpression,
  statistic,
  type AlarmDefinition,
  type MetricId,
  type Sample,
  type SampleSource,
} from '../../../../local/alarms/evaluate.js';

const MIN = 60_000;
const T = Date.UTC(2026, 0, 1, 12, 0, 0);
const metric = (metricName: string, service = 'copier'): MetricId => ({
  namespace: 'Alfa',
  metricName,
  dimensions: { service },
});
const key = (m: MetricId) => `${m.metricName}/${JSON.stringify(m.dimensions)}`;
/** A sample source over fixed samples: exact dimensions, (from, to]. */
function source(entries: readonly [MetricId, number, number][]): SampleSource {
  const by = new Map<string, Sample[]>();
  for (const [m, at, value] of entries) by.set(key(m), [...(by.get(key(m)) ?? []), { at, value }]);
  return (m, from, to) => (by.get(key(m)) ?? []).filter((s) => s.at > from && s.at <= to);
}
const simple = (
  over: Partial<AlarmDefinition> = {},
  stat: 'Sum' | 'Maximum' | 'SampleCount' = 'Sum',
): AlarmDefinition => ({
  name: 'alfa-local-x',
  metric: { kind: 'metric', query: { id: 'm', metric: metric('Errors'), stat, periodSeconds: 300 } },
  threshold: 1,
  comparison: 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: 'notBreaching',
  ...over,
});

describe('statistics', () => {
  it('Sum, Maximum, Minimum, SampleCount and Average of a period; no samples is a missing datapoint', () => {
    // Prepare
    const samples = [3, 1, 2].map((value, i) => ({ at: T + i, value }));

    // Act / Assess
    expect(statistic(samples, 'Sum')).toBe(6);
    expect(statistic(samples, 'Maximum')).toBe(3);
    expect(statistic(samples, 'Minimum')).toBe(1);
    expect(statistic(samples, 'SampleCount')).toBe(3);
    expect(statistic(samples, 'Average')).toBe(2);
    expect(statistic([], 'Sum')).toBeUndefined();
  });
});

describe('metric math', () => {
  const values = (v: Record<string, number | undefined>) => (id: string) => v[id];

  it('FILL replaces a missing value; arithmetic on a missing value is missing', () => {
    // Prepare
    const sum = parseExpression('FILL(a, 0) + FILL(b, 0)');

    // Act / Assess
    expect(evaluateNode(sum, values({ a: 2 }))).toBe(2);
    expect(evaluateNode(sum, values({}))).toBe(0);
    expect(evaluateNode(parseExpression('a + b'), values({ a: 2 }))).toBeUndefined();
    expect(evaluateNode(parseExpression('2 * (a - b) / 4'), values({ a: 5, b: 1 }))).toBe(2);
    expect(evaluateNode(parseExpression('a / b'), values({ a: 5, b: 0 }))).toBeUndefined();
  });

  it('IF with a comparison: the rate only over at least 3 copies, as copy-failure-rate', () => {
    // Prepare
    const rate = parseExpression('IF(total >= 3, 100 * failed / total, 0)');

    // Act / Assess
    expect(evaluateNode(rate, values({ total: 2, failed: 2 }))).toBe(0);
    expect(evaluateNode(rate, values({ total: 4, failed: 1 }))).toBe(25);
    expect(evaluateNode(parseExpression('IF(a < 1, 7, 8)'), values({ a: 0 }))).toBe(7);
  });

  it('refuses what it cannot evaluate rather than guessing', () => {
    expect(() => parseExpression('METRICS()')).toThrow(/not supported/);
    expect(() => parseExpression('a +')).toThrow(/expected/);
    expect(() => parseExpression('a b')).toThrow(/trailing/);
  });

  it('nested expressions over per-service series, summed per period', () => {
    // Prepare: copy-failure-rate's shape, 15-minute period.
    const q = (id: string, name: string, service: string) => ({
      id,
      metric: metric(name, service),
      stat: 'Sum' as const,
      periodSeconds: 900,
    });
    const def: AlarmDefinition = {
      ...simple({ threshold: 10, comparison: 'GreaterThanThreshold' }),
      metric: {
        kind: 'math',
        returnId: 'expr_1',
        periodSeconds: 900,
        queries: [
          q('e0', 'CopyExecuted', 'copier'),
          q('f0', 'CopyFailed', 'copier'),
          q('f1', 'CopyFailed', 'reconciler'),
        ],
        expressions: [
          { id: 'expr_1', expression: 'IF(total >= 3, 100 * failed / total, 0)' },
          { id: 'failed', expression: 'FILL(f0, 0) + FILL(f1, 0)' },
          { id: 'total', expression: 'FILL(e0, 0) + FILL(failed, 0)' },
        ],
      },
    };
    const src = source([
      [metric('CopyExecuted'), T - 10 * MIN, 3],
      [metric('CopyFailed', 'reconciler'), T - 2 * MIN, 1],
    ]);

    // Act
    const points = datapoints(def, src, T);

    // Assess: 1 failed of 4 finished.
    expect(points).toEqual([25]);
    expect(decide(def, points).state).toBe('ALARM');
    // Outside the 15 minutes nothing counts: 0, never missing.
    expect(datapoints(def, src, T + 20 * MIN)).toEqual([0]);
  });
});

describe('evaluation periods and missing data', () => {
  it('looks at the N periods ending at the evaluation time, oldest first', () => {
    // Prepare
    const def = simple({ evaluationPeriods: 2, datapointsToAlarm: 2 }, 'Maximum');
    const src = source([
      [metric('Errors'), T - 7 * MIN, 40],
      [metric('Errors'), T - 1 * MIN, 35],
      [metric('Errors'), T + 1, 99], // after `now`: the next period's
    ]);

    // Act / Assess
    expect(datapoints(def, src, T)).toEqual([40, 35]);
    expect(datapoints(def, src, T + 5 * MIN)).toEqual([35, 99]);
  });

  it('M of N: 2 of 3 breaching alarms, 1 of 3 does not', () => {
    const def = simple({ evaluationPeriods: 3, datapointsToAlarm: 2 });
    expect(decide(def, [0, 1, 1]).state).toBe('ALARM');
    expect(decide(def, [1, 0, 0]).state).toBe('OK');
  });

  it('notBreaching and breaching count a missing datapoint as that; missing and ignore use the data there is', () => {
    const all = (t: AlarmDefinition['treatMissingData']) =>
      simple({ treatMissingData: t, evaluationPeriods: 3, datapointsToAlarm: 3 });
    // Nothing at all.
    expect(decide(all('notBreaching'), [undefined, undefined, undefined]).state).toBe('OK');
    expect(decide(all('breaching'), [undefined, undefined, undefined]).state).toBe('ALARM');
    expect(decide(all('missing'), [undefined, undefined, undefined]).state).toBe('INSUFFICIENT_DATA');
    expect(decide(all('ignore'), [undefined, undefined, undefined]).state).toBeUndefined();
    // One breaching datapoint of three, two missing.
    expect(decide(all('notBreaching'), [undefined, undefined, 2]).state).toBe('OK');
    expect(decide(all('breaching'), [undefined, undefined, 2]).state).toBe('ALARM');
    expect(decide(all('missing'), [undefined, undefined, 2]).state).toBe('ALARM');
    expect(decide(all('missing'), [undefined, 0, 2]).state).toBe('OK');
  });

  it('indexer-not-running: no IndexerLagBlocks sample in 5 minutes is breaching', () => {
    // Prepare
    const def = simple({ comparison: 'LessThanThreshold', treatMissingData: 'breaching' }, 'SampleCount');
    const src = source([[metric('Errors'), T - 2 * MIN, 12]]);

    // Act / Assess
    expect(decide(def, datapoints(def, src, T)).state).toBe('OK');
    expect(decide(def, datapoints(def, src, T + 4 * MIN)).state).toBe('ALARM');
  });
});

describe('AlarmBook', () => {
  it('starts INSUFFICIENT_DATA and records each transition with its time and reason', () => {
    // Prepare
    const def = simple();
    const book = new AlarmBook([def], T);
    const src = source([[metric('Errors'), T + 30_000, 1]]);

    // Act
    book.evaluate(src, T + 1 * MIN);
    book.evaluate(src, T + 2 * MIN); // still in the 5 minutes: no transition
    book.evaluate(src, T + 6 * MIN);

    // Assess
    expect(book.history.map((t) => [t.from, t.to, t.at - T])).toEqual([
      ['INSUFFICIENT_DATA', 'ALARM', 1 * MIN],
      ['ALARM', 'OK', 6 * MIN],
    ]);
    expect(book.history[0]?.reason).toMatch(/1 of the last 1 datapoints \[1\] breached >= 1/);
    expect(book.statuses()).toEqual([{ name: 'alfa-local-x', state: 'OK', since: T + 6 * MIN }]);
    expect(book.evaluatedAt).toBe(T + 6 * MIN);
  });

  it('an alarm whose math cannot be evaluated is INSUFFICIENT_DATA with the reason', () => {
    const bad: AlarmDefinition = {
      ...simple(),
      metric: {
        kind: 'math',
        returnId: 'e',
        periodSeconds: 60,
        queries: [],
        expressions: [{ id: 'e', expression: 'nope + 1' }],
      },
    };
    const book = new AlarmBook([bad, simple({ name: 'alfa-local-ok' })], T);
    book.evaluate(source([]), T + MIN);
    expect(book.statuses().map((s) => s.state)).toEqual(['INSUFFICIENT_DATA', 'OK']);
  });
});
