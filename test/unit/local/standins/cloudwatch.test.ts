// The local CloudWatch stand-in: samples from EMF lines, invocations and Function URL answers, the
// SQS sampler's visible count and oldest age, an alarm report with states and history, the stdout
// tap, and the shared Metrics made to print each metric in the invocation that added it.
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmDefinition } from '../../../../local/alarms/evaluate.js';
import {
  AlarmsReportSchema,
  publishEachMetric,
  snapshotQueues,
  startCloudWatch,
  tapStdout,
  type LocalCloudWatch,
} from '../../../../local/standins/cloudwatch.js';

const T = Date.UTC(2026, 0, 1, 12, 0, 0);
const def = (
  name: string,
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  threshold = 1,
): AlarmDefinition => ({
  name,
  metric: {
    kind: 'metric',
    query: {
      id: 'm',
      metric: { namespace, metricName, dimensions },
      stat: name.endsWith('behind') ? 'Maximum' : 'Sum',
      periodSeconds: 300,
    },
  },
  threshold,
  comparison: name.endsWith('behind') ? 'GreaterThanThreshold' : 'GreaterThanOrEqualToThreshold',
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  treatMissingData: 'notBreaching',
});
const DEFS = [
  def('alfa-local-copier-errors', 'AWS/Lambda', 'Errors', { FunctionName: 'alfa-local-copier' }),
  def('alfa-local-webhook-5xx', 'AWS/Lambda', 'Url5xxCount', { FunctionName: 'alfa-local-telegram-webhook' }),
  def('alfa-local-live-switched-on', 'Alfa', 'ModeSetLive', { service: 'admin' }),
  def('alfa-local-signals-behind', 'AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: 'q.fifo' }, 300),
];

let cw: LocalCloudWatch | undefined;
afterEach(() => cw?.stop());

describe('local CloudWatch', () => {
  it('raises and clears alarms from invocations, URL answers, EMF lines and queue samples', async () => {
    // Prepare
    let now = T;
    let oldest: number | undefined = T - 400_000;
    cw = startCloudWatch({
      stage: 'local',
      definitions: DEFS,
      now: () => now,
      evaluateEveryMs: 3_600_000,
      sampleEveryMs: 3_600_000,
      queues: () => [{ name: 'q.fifo', visible: 1, ...(oldest ? { oldestSentAt: oldest } : {}) }],
    });
    await cw.ready;

    // Act
    now += 1_000;
    cw.recordInvocation({ functionName: 'alfa-local-copier', durationMs: 5, error: true });
    cw.recordUrlAnswer('alfa-local-telegram-webhook', 200);
    cw.putEmfLine(
      JSON.stringify({
        _aws: {
          Timestamp: now,
          CloudWatchMetrics: [
            { Namespace: 'Alfa', Dimensions: [['service']], Metrics: [{ Name: 'ModeSetLive' }] },
          ],
        },
        service: 'alfa',
        ModeSetLive: 1,
      }),
      'admin',
    );
    now += 60_000;
    cw.evaluate();
    oldest = undefined;
    now += 6 * 60_000;
    cw.evaluate();

    // Assess
    const report = AlarmsReportSchema.parse(cw.report());
    const moves = report.history.map(
      (t) => `${t.name.replace('alfa-local-', '')}:${t.to}@${(Date.parse(t.at) - T) / 1000}`,
    );
    expect(moves).toEqual([
      // The first evaluation (at start) saw the queue sample: a message 400 s old.
      'copier-errors:OK@0',
      'webhook-5xx:OK@0',
      'live-switched-on:OK@0',
      'signals-behind:ALARM@0',
      'copier-errors:ALARM@61',
      'live-switched-on:ALARM@61',
      'copier-errors:OK@421',
      'live-switched-on:OK@421',
      // No sample since the one at start: missing, not breaching.
      'signals-behind:OK@421',
    ]);
    expect(report.alarms.find((a) => a.name.endsWith('signals-behind'))?.state).toBe('OK');
    expect(report.evaluatedAt).toBe(new Date(T + 421_000).toISOString());
  });

  it('says why there are no alarms when the definitions cannot be built', async () => {
    cw = startCloudWatch({ stage: 'local', definitions: Promise.reject(new Error('no synth')) });
    await cw.ready;
    expect(cw.report()).toMatchObject({
      evaluatedAt: null,
      alarms: [],
      error: expect.stringMatching(/no synth/),
    });
  });
});

describe('queue snapshots', () => {
  it('count visible messages and take the oldest held (visible or in flight) sent time', () => {
    const store = {
      listQueues: () => [
        {
          name: 'a',
          inspectMessages: () => ({
            ready: [{ sentTimestamp: 5 }, { sentTimestamp: 9 }],
            delayed: [{ sentTimestamp: 1 }],
            inflight: [{ message: { sentTimestamp: 3 } }],
          }),
        },
        { name: 'b', inspectMessages: () => ({ ready: [], delayed: [], inflight: [] }) },
      ],
    };
    expect(snapshotQueues(store)).toEqual([
      { name: 'a', visible: 2, oldestSentAt: 3 },
      { name: 'b', visible: 0 },
    ]);
  });
});

describe('stdout tap and per-metric publishing', () => {
  it('hands on whole EMF lines, split writes included, and passes everything through', () => {
    // Prepare
    const seen: string[] = [];
    const untap = tapStdout((l) => seen.push(l));

    // Act
    try {
      process.stdout.write('{"_aws":{},"a"');
      process.stdout.write(':1}\nnot metrics\n');
    } finally {
      untap();
    }
    process.stdout.write('{"_aws":{}}\n');

    // Assess
    expect(seen).toEqual(['{"_aws":{},"a":1}']);
  });

  it('publishes each metric as it is added, skips the empty publish at the end of an invocation, and undoes it', () => {
    // Prepare
    const calls: string[] = [];
    let stored = 0;
    const metrics = {
      addMetric: (..._args: never[]) => {
        stored += 1;
        calls.push('add');
      },
      publishStoredMetrics: () => {
        calls.push(`publish ${stored}`);
        stored = 0;
      },
      hasStoredMetrics: () => stored > 0,
    };
    const undo = publishEachMetric(metrics);

    // Act
    metrics.addMetric();
    metrics.publishStoredMetrics(); // the invocation's end: nothing left
    undo();
    metrics.addMetric();
    metrics.publishStoredMetrics();

    // Assess
    expect(calls).toEqual(['add', 'publish 1', 'add', 'publish 1']);
  });
});
