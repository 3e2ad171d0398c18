// SQS FIFO queues, one per entry of QUEUES, each with its own FIFO dead-letter queue.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { physicalName, QUEUES, type QueueDef, type QueueKey } from '#core/resources.js';
import { acknowledgeRule } from './policy.js';
import { pascal } from './names.js';

/** The longest SQS allows: time to read, fix and redrive what failed. */
const DLQ_RETENTION = Duration.days(14);

export interface QueuePair {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

export interface QueuesProps {
  readonly stage: string;
  /** Prod queues outlive the stack: a stack replaced by mistake must not drop messages in flight. */
  readonly prod: boolean;
}

export class Queues extends Construct {
  readonly byKey: Readonly<Record<QueueKey, QueuePair>>;

  constructor(scope: Construct, id: string, { stage, prod }: QueuesProps) {
    super(scope, id);
    const entries = Object.entries(QUEUES) as [QueueKey, QueueDef][];
    this.byKey = Object.fromEntries(
      entries.map(([key, def]) => [key, this.pair(stage, prod, key, def)]),
    ) as Record<QueueKey, QueuePair>;
  }

  private pair(stage: string, prod: boolean, key: QueueKey, def: QueueDef): QueuePair {
    // SQS-managed SSE: encrypted at rest with no key policy to keep in step with every producer and
    // consumer grant. The messages (signals, fanout jobs) carry public on-chain data and user ids.
    const common = {
      fifo: def.fifo,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    } as const;
    const deadLetterQueue = new Queue(this, `${pascal(key)}Dlq`, {
      ...common,
      queueName: physicalName.deadLetterQueue(stage, key),
      retentionPeriod: DLQ_RETENTION,
    });
    acknowledgeRule(deadLetterQueue, 'sqs_dlq_check');
    const queue = new Queue(this, pascal(key), {
      ...common,
      queueName: physicalName.queue(stage, key),
      visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(def.retentionDays),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: def.maxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }
}
