// Alarms on what needs a human: a message in a DLQ, a function error, a queue falling behind.
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  TreatMissingData,
  type IAlarmAction,
  type Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { QueueKey } from '../layers/core/resources.js';
import type { AlfaFunction } from './functions.js';
import { pascal } from './names.js';
import type { QueuePair } from './queues.js';

/** A source queue whose oldest message is older than this is not keeping up. */
export const MAX_QUEUE_AGE_SECONDS = 300;

export interface AlarmsProps {
  readonly stage: string;
  readonly queues: Readonly<Record<QueueKey, QueuePair>>;
  readonly functions: readonly AlfaFunction[];
  readonly action: IAlarmAction;
}

export class Alarms extends Construct {
  readonly all: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { stage } = props;
    const five = Duration.minutes(5);
    for (const [key, { queue, deadLetterQueue }] of Object.entries(props.queues) as [QueueKey, QueuePair][]) {
      this.alarm(`${pascal(key)}DlqNotEmpty`, {
        name: `alfa-${stage}-${key}-dlq-not-empty`,
        description: `Messages in the ${key} DLQ: they failed every retry. Inspect, fix, then redrive.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: five,
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        action: props.action,
      });
      this.alarm(`${pascal(key)}Behind`, {
        name: `alfa-${stage}-${key}-behind`,
        description: `The oldest message in ${key} is older than ${MAX_QUEUE_AGE_SECONDS} s: consumers are not keeping up.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: five, statistic: 'Maximum' }),
        threshold: MAX_QUEUE_AGE_SECONDS,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        action: props.action,
      });
    }
    for (const { name, fn } of props.functions) {
      this.alarm(`${pascal(name)}Errors`, {
        name: `alfa-${stage}-${name}-errors`,
        description: `Function ${name} failed at least once in 5 minutes. See its log group.`,
        metric: fn.metricErrors({ period: five, statistic: 'Sum' }),
        threshold: 1,
        comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        action: props.action,
      });
    }
  }

  private alarm(
    id: string,
    o: {
      name: string;
      description: string;
      metric: Metric;
      threshold: number;
      comparison: ComparisonOperator;
      action: IAlarmAction;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      alarmName: o.name,
      alarmDescription: o.description,
      metric: o.metric,
      threshold: o.threshold,
      comparisonOperator: o.comparison,
      evaluationPeriods: 1,
      // No data means no messages or no invocations: nothing is wrong.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      actionsEnabled: true,
    });
    alarm.addAlarmAction(o.action);
    alarm.addOkAction(o.action);
    this.all.push(alarm);
  }
}
