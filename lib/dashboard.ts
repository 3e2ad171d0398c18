// One CloudWatch dashboard of the flow, left to right as a trade travels: the indexer's lag,
// signals per minute, alerts sent and Telegram 429s, copies by outcome, the two latencies that
// matter (chain -> alert, signal -> copy accepted, p95), queues, and errors per function.
import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, TextWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { QueueKey } from '#core/resources.js';
import { customMetric } from './alarms.js';
import type { AlfaFunction } from './functions.js';
import type { QueuePair } from './queues.js';

export interface FlowDashboardProps {
  readonly stage: string;
  readonly queues: Readonly<Record<QueueKey, QueuePair>>;
  readonly functions: readonly AlfaFunction[];
}

const minute = Duration.minutes(1);
const graph = (title: string, left: IMetric[], width = 8) =>
  new GraphWidget({ title, left, width, height: 6, period: minute });

export class FlowDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: FlowDashboardProps) {
    super(scope, id);
    const queues = Object.entries(props.queues) as [QueueKey, QueuePair][];
    const signals = props.queues.signals;
    this.dashboard = new Dashboard(this, 'Flow', {
      dashboardName: `alfa-${props.stage}-flow`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Alfa ${props.stage}: chain → indexer → signals → alerts / copies\nEvery alarm: docs/RUNBOOK.md. Now: \`npm run admin -- status --remote --stage ${props.stage}\`.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Indexer lag (blocks)', [customMetric('IndexerLagBlocks', 'Maximum', minute)]),
      graph('Signals per minute', [
        signals.queue.metricNumberOfMessagesSent({ period: minute, statistic: 'Sum', label: 'signals' }),
      ]),
      graph('Alerts sent and Telegram 429s', [
        customMetric('AlertsSent', 'Sum', minute),
        customMetric('TelegramRetryAfter', 'Sum', minute),
        customMetric('TelegramForbidden', 'Sum', minute),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Copies by outcome', [
        customMetric('CopyExecuted', 'Sum', minute),
        customMetric('CopyCanceled', 'Sum', minute),
        customMetric('CopyFailed', 'Sum', minute),
        customMetric('IntentsStuck', 'Maximum', minute),
      ]),
      graph('Latency p95 (ms): chain → alert, signal → copy accepted', [
        customMetric('ChainToAlertMs', 'p95', minute),
        customMetric('SignalToAcceptedMs', 'p95', minute),
      ]),
      graph(
        'Queue depth and DLQs',
        queues.flatMap(([key, { queue, deadLetterQueue }]) => [
          queue.metricApproximateNumberOfMessagesVisible({
            period: minute,
            statistic: 'Maximum',
            label: key,
          }),
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: minute,
            statistic: 'Maximum',
            label: `${key} DLQ`,
          }),
        ]),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Errors per function',
        props.functions.map(({ name, fn }) =>
          fn.metricErrors({ period: minute, statistic: 'Sum', label: name }),
        ),
        12,
      ),
      graph(
        'Throttles per function',
        props.functions.map(({ name, fn }) =>
          fn.metricThrottles({ period: minute, statistic: 'Sum', label: name }),
        ),
        12,
      ),
    );
  }
}
