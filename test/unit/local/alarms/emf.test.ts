// EMF lines as the local CloudWatch reads them: every metric of every dimension set is a sample,
// arrays are several samples, and `service` is the function that printed the line.
import { describe, expect, it } from 'vitest';
import { emfLineDatapoints, fixService } from '../../../../local/alarms/emf.js';

const line = (fields: Record<string, unknown>, dimensions: string[][] = [['service']]) =>
  JSON.stringify({
    _aws: {
      Timestamp: 1_000,
      CloudWatchMetrics: [
        {
          Namespace: 'Alfa',
          Dimensions: dimensions,
          Metrics: [{ Name: 'CopyFailed' }, { Name: 'CopyExecuted' }],
        },
      ],
    },
    service: 'alfa',
    ...fields,
  });

describe('EMF datapoints', () => {
  it("take the emitting function's name as service, one sample per value", () => {
    // Prepare / Act
    const points = emfLineDatapoints(line({ CopyFailed: 1, CopyExecuted: [2, 3] }), 'copier');

    // Assess
    expect(points).toEqual([
      {
        metric: { namespace: 'Alfa', metricName: 'CopyFailed', dimensions: { service: 'copier' } },
        sample: { at: 1_000, value: 1 },
      },
      {
        metric: { namespace: 'Alfa', metricName: 'CopyExecuted', dimensions: { service: 'copier' } },
        sample: { at: 1_000, value: 2 },
      },
      {
        metric: { namespace: 'Alfa', metricName: 'CopyExecuted', dimensions: { service: 'copier' } },
        sample: { at: 1_000, value: 3 },
      },
    ]);
  });

  it('keep the dimensions as emitted (a metric with a reason is another metric) and the service when no invocation is known', () => {
    const points = emfLineDatapoints(
      line({ CopyFailed: 1, reason: 'x' }, [['service', 'reason']]),
      undefined,
    );
    expect(points.map((p) => p.metric.dimensions)).toEqual([{ service: 'alfa', reason: 'x' }]);
  });

  it('are none for lines that are not EMF', () => {
    expect(emfLineDatapoints('{"level":"INFO","message":"_aws"}', 'copier')).toEqual([]);
    expect(emfLineDatapoints('plain "_aws" text', 'copier')).toEqual([]);
    expect(emfLineDatapoints('{"_aws": 1', 'copier')).toEqual([]);
  });

  it('fixService leaves the event alone without an invocation', () => {
    const event = { service: 'alfa' };
    expect(fixService(event, undefined)).toBe(event);
    expect(fixService(event, 'admin')).toEqual({ service: 'admin' });
  });
});
