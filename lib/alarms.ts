// Every alarm that needs a human, each named `alfa-<stage>-<what>`, each to the SNS topic (alarm and
// OK), each with a section of that exact name in docs/RUNBOOK.md (a test holds the two together).
// Custom metrics are read where METRIC_SOURCES says they are emitted (namespace Alfa, dimension
// `service` = function): an alarm on a metric whose emitter has not landed yet just sees no data.
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IAlarmAction,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  METRIC_SOURCES,
  physicalName,
  type MetricName,
  type QueueKey,
  type TableKey,
} from '#core/resources.js';
import type { AlfaFunction } from './functions.js';
import { pascal } from './names.js';
import type { QueuePair } from './queues.js';

/** A source queue whose oldest message is older than this is not keeping up. */
export const MAX_QUEUE_AGE_SECONDS = 300;
/** About a minute of Base blocks (2 s each): followers would hear of trades a minute late. */
export const MAX_INDEXER_LAG_BLOCKS = 30;
/** A function whose slowest run in 5 minutes took this share of its timeout is about to time out. */
export const NEAR_TIMEOUT_RATIO = 0.9;
/** Copy outcome rates are judged only over at least this many finished copies (15 minutes). */
export const MIN_COPIES_FOR_RATE = 3;
export const MAX_COPY_FAILURE_PERCENT = 10;
export const MAX_COPY_CANCEL_PERCENT = 25;
export const MAX_TELEGRAM_429_PER_5_MIN = 10;
export const MAX_TELEGRAM_403_PER_15_MIN = 20;

export const NAMESPACE = 'Alfa';

const minutes = Duration.minutes;

/** The metric as Powertools writes it: one series per emitting function. */
export function customMetric(
  name: MetricName,
  statistic: string,
  period: Duration,
  sources: readonly string[] = METRIC_SOURCES[name],
): IMetric {
  const series = sources.map(
    (service) =>
      new Metric({ namespace: NAMESPACE, metricName: name, dimensionsMap: { service }, statistic, period }),
  );
  if (series.length === 1) return series[0] as Metric;
  // Several emitters: their sum, a missing series counting as 0.
  const usingMetrics = Object.fromEntries(series.map((m, i) => [`${name.toLowerCase()}${i}`, m]));
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    period,
    label: name,
  });
}

export interface AlarmsProps {
  readonly stage: string;
  readonly queues: Readonly<Record<QueueKey, QueuePair>>;
  readonly tables: Readonly<Record<TableKey, Table>>;
  readonly functions: readonly AlfaFunction[];
  readonly action: IAlarmAction;
}

interface AlarmSpec {
  /** `alfa-<stage>-` + this is the alarm's name. */
  readonly what: string;
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly evaluationPeriods?: number;
  /** Only where no data is itself the failure (a dead schedule); otherwise no data is nothing wrong. */
  readonly missing?: TreatMissingData;
}

export class Alarms extends Construct {
  readonly all: Alarm[] = [];
  private readonly stage: string;
  private readonly action: IAlarmAction;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.stage = props.stage;
    this.action = props.action;
    const five = minutes(5);
    const GTE = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const GT = ComparisonOperator.GREATER_THAN_THRESHOLD;

    // --- The indexer: behind, dead, failing, or seeing what it cannot read.
    this.alarm({
      what: 'indexer-lag',
      description: `The indexer is more than ${MAX_INDEXER_LAG_BLOCKS} blocks behind the head for 10 minutes: alerts and copies are late.`,
      metric: customMetric('IndexerLagBlocks', 'Maximum', five),
      threshold: MAX_INDEXER_LAG_BLOCKS,
      comparison: GT,
      evaluationPeriods: 2,
    });
    this.alarm({
      what: 'indexer-not-running',
      description:
        'The indexer reported nothing for 5 minutes: its schedule, its lease or its start is broken. Nobody is alerted.',
      metric: customMetric('IndexerLagBlocks', 'SampleCount', five),
      threshold: 1,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      missing: TreatMissingData.BREACHING,
    });
    this.alarm({
      what: 'indexer-recorded-errors',
      description:
        'The indexer recorded 5 or more errors in 5 minutes (RPC, DynamoDB or SQS failures it retried).',
      metric: customMetric('IndexerErrors', 'Sum', five),
      threshold: 5,
      comparison: GTE,
    });
    this.alarm({
      what: 'unknown-topics',
      description:
        'Logs with a topic0 the indexer does not know came from the Avantis contracts: a new event layout (an upgrade?). Those trades are not seen.',
      metric: customMetric('UnknownTopicLogs', 'Sum', five),
      threshold: 1,
      comparison: GTE,
    });
    this.alarm({
      what: 'undecodable-logs',
      description: 'Logs with a known topic0 failed to decode: the layout changed under a known event name.',
      metric: customMetric('UndecodableLogs', 'Sum', five),
      threshold: 1,
      comparison: GTE,
    });

    // --- The two operator switches: a human should know each time either moves.
    this.alarm({
      what: 'live-switched-on',
      description:
        'The execution switch was set to LIVE through the admin function: real copies can be signed.',
      metric: customMetric('ModeSetLive', 'Sum', minutes(1)),
      threshold: 1,
      comparison: GTE,
    });
    this.alarm({
      what: 'emergency-stop-set',
      description: 'The emergency stop was set: nothing is signed until it is cleared.',
      metric: customMetric('EmergencyStopSet', 'Sum', minutes(1)),
      threshold: 1,
      comparison: GTE,
    });

    // --- Copies: rates over finished copies, and intents that do not finish.
    const fifteen = minutes(15);
    const outcomes = {
      executed: customMetric('CopyExecuted', 'Sum', fifteen),
      canceled: customMetric('CopyCanceled', 'Sum', fifteen),
      failed: customMetric('CopyFailed', 'Sum', fifteen),
    };
    const rate = (of: 'failed' | 'canceled', label: string) =>
      new MathExpression({
        expression: `IF(total >= ${MIN_COPIES_FOR_RATE}, 100 * ${of} / total, 0)`,
        usingMetrics: {
          ...outcomes,
          total: new MathExpression({
            expression: 'FILL(executed, 0) + FILL(canceled, 0) + FILL(failed, 0)',
            usingMetrics: outcomes,
            period: fifteen,
          }),
        },
        period: fifteen,
        label,
      });
    this.alarm({
      what: 'copy-failure-rate',
      description: `More than ${MAX_COPY_FAILURE_PERCENT}% of finished copies failed in 15 minutes (at least ${MIN_COPIES_FOR_RATE} copies).`,
      metric: rate('failed', 'Copy failure %'),
      threshold: MAX_COPY_FAILURE_PERCENT,
      comparison: GT,
    });
    this.alarm({
      what: 'copy-cancel-rate',
      description: `More than ${MAX_COPY_CANCEL_PERCENT}% of finished copies were cancelled by Avantis in 15 minutes (slippage, caps).`,
      metric: rate('canceled', 'Copy cancel %'),
      threshold: MAX_COPY_CANCEL_PERCENT,
      comparison: GT,
    });
    this.alarm({
      what: 'intents-stuck',
      description:
        'Copy intents stayed non-terminal past their deadline for 15 minutes: the reconciler is not driving them home.',
      metric: customMetric('IntentsStuck', 'Maximum', five),
      threshold: 1,
      comparison: GTE,
      evaluationPeriods: 3,
    });

    // --- Telegram and the webhook.
    this.alarm({
      what: 'telegram-429',
      description: `Telegram answered 429 (retry_after) ${MAX_TELEGRAM_429_PER_5_MIN}+ times in 5 minutes: alerts are being slowed.`,
      metric: customMetric('TelegramRetryAfter', 'Sum', five),
      threshold: MAX_TELEGRAM_429_PER_5_MIN,
      comparison: GTE,
    });
    this.alarm({
      what: 'telegram-403',
      description: `Telegram answered 403 ${MAX_TELEGRAM_403_PER_15_MIN}+ times in 15 minutes: many users blocked the bot, or the token is wrong.`,
      metric: customMetric('TelegramForbidden', 'Sum', fifteen),
      threshold: MAX_TELEGRAM_403_PER_15_MIN,
      comparison: GTE,
    });
    this.alarm({
      what: 'webhook-update-failed',
      description:
        'The webhook failed to handle 3+ Telegram updates in 5 minutes (Telegram redelivers them).',
      metric: customMetric('UpdateFailed', 'Sum', five),
      threshold: 3,
      comparison: GTE,
    });
    const webhook = props.functions.find((f) => f.url);
    if (webhook) {
      this.alarm({
        what: 'webhook-5xx',
        description: 'The webhook Function URL answered 5xx: Telegram backs off and redelivers, users wait.',
        // [I] Function URL metrics (Url5xxCount) carry the FunctionName dimension (Lambda docs, "Monitoring function URLs").
        metric: webhook.fn.metric('Url5xxCount', { statistic: 'Sum', period: five }),
        threshold: 1,
        comparison: GTE,
      });
    }

    // --- Every function: failures, throttles, and runs close to the timeout.
    for (const { name, def, fn } of props.functions) {
      this.alarm({
        what: `${name}-errors`,
        description: `Function ${name} failed at least once in 5 minutes. See its log group.`,
        metric: fn.metricErrors({ period: five, statistic: 'Sum' }),
        threshold: 1,
        comparison: GTE,
      });
      this.alarm({
        what: `${name}-throttles`,
        description: `Function ${name} was throttled: reserved or account concurrency is exhausted.`,
        metric: fn.metricThrottles({ period: five, statistic: 'Sum' }),
        threshold: 1,
        comparison: GTE,
      });
      this.alarm({
        what: `${name}-near-timeout`,
        description: `A run of ${name} took over ${NEAR_TIMEOUT_RATIO * 100}% of its ${def.timeoutSeconds} s timeout.`,
        metric: fn.metricDuration({ period: five, statistic: 'Maximum' }),
        threshold: Math.round(NEAR_TIMEOUT_RATIO * def.timeoutSeconds * 1000),
        comparison: GT,
      });
    }

    // --- Every queue: messages that failed every retry, and consumers falling behind.
    for (const [key, { queue, deadLetterQueue }] of Object.entries(props.queues) as [QueueKey, QueuePair][]) {
      this.alarm({
        what: `${key}-dlq-not-empty`,
        description: `Messages in the ${key} DLQ: they failed every retry. Inspect, fix, then redrive.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: five,
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparison: GTE,
      });
      this.alarm({
        what: `${key}-behind`,
        description: `The oldest message in ${key} is older than ${MAX_QUEUE_AGE_SECONDS} s: consumers are not keeping up.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: five, statistic: 'Maximum' }),
        threshold: MAX_QUEUE_AGE_SECONDS,
        comparison: GT,
      });
    }

    // --- Every table: on-demand tables throttle too (sudden 2x peaks, hot partitions).
    for (const [key, table] of Object.entries(props.tables) as [TableKey, Table][]) {
      const events = {
        reads: table.metric('ReadThrottleEvents', { statistic: 'Sum', period: five }),
        writes: table.metric('WriteThrottleEvents', { statistic: 'Sum', period: five }),
      };
      this.alarm({
        what: `${key}-table-throttles`,
        description: `DynamoDB throttled reads or writes on the ${key} table.`,
        metric: new MathExpression({
          expression: 'FILL(reads, 0) + FILL(writes, 0)',
          usingMetrics: events,
          period: five,
          label: `${key} throttle events`,
        }),
        threshold: 1,
        comparison: GTE,
      });
    }
  }

  private alarm(spec: AlarmSpec): void {
    const alarm = new Alarm(this, pascal(spec.what), {
      alarmName: physicalName.alarm(this.stage, spec.what),
      alarmDescription: `${spec.description} Runbook: docs/RUNBOOK.md#${physicalName.alarm('stage', spec.what)}`,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      treatMissingData: spec.missing ?? TreatMissingData.NOT_BREACHING,
      actionsEnabled: true,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.all.push(alarm);
  }
}
