// Creates the tables and queues of layers/core/resources.ts on the local stand-ins, through the
// same APIs CloudFormation would use in AWS, so local and deployed shapes cannot drift apart.
import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  QUEUES,
  TABLES,
  physicalName,
  type KeyDef,
  type QueueKey,
  type TableDef,
  type TableKey,
} from '#core/resources.js';

const keySchema = (pk: KeyDef, sk?: KeyDef): KeySchemaElement[] => [
  { AttributeName: pk.name, KeyType: 'HASH' },
  ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
];

function attributeDefinitions(def: TableDef): AttributeDefinition[] {
  const keys = [
    def.partitionKey,
    def.sortKey,
    ...(def.indexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const byName = new Map<string, KeyDef>();
  for (const k of keys) if (k) byName.set(k.name, k);
  return [...byName.values()].map((k) => ({ AttributeName: k.name, AttributeType: k.type }));
}

export async function createTables(db: DynamoDBClient, stage: string): Promise<Record<TableKey, string>> {
  const names = {} as Record<TableKey, string>;
  for (const [key, def] of Object.entries(TABLES) as [TableKey, TableDef][]) {
    const TableName = physicalName.table(stage, key);
    await db.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(def),
        KeySchema: keySchema(def.partitionKey, def.sortKey),
        ...(def.indexes?.length
          ? {
              GlobalSecondaryIndexes: def.indexes.map((i) => ({
                IndexName: i.name,
                KeySchema: keySchema(i.partitionKey, i.sortKey),
                Projection: i.nonKeyAttributes?.length
                  ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.nonKeyAttributes] }
                  : { ProjectionType: 'KEYS_ONLY' },
              })),
            }
          : {}),
      }),
    );
    if (def.timeToLiveAttribute) {
      await db.send(
        new UpdateTimeToLiveCommand({
          TableName,
          TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
    names[key] = TableName;
  }
  return names;
}

export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
}

export async function createQueues(sqs: SQSClient, stage: string): Promise<Record<QueueKey, LocalQueue>> {
  const out = {} as Record<QueueKey, LocalQueue>;
  for (const [key, def] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) {
    const retention = String(def.retentionDays * 86_400);
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: physicalName.deadLetterQueue(stage, key),
        Attributes: { FifoQueue: 'true', MessageRetentionPeriod: String(14 * 86_400) },
      }),
    );
    const dlqUrl = dlq.QueueUrl as string;
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: physicalName.queue(stage, key),
        Attributes: {
          FifoQueue: 'true',
          VisibilityTimeout: String(def.visibilityTimeoutSeconds),
          MessageRetentionPeriod: retention,
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: def.maxReceiveCount,
          }),
        },
      }),
    );
    const url = queue.QueueUrl as string;
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;
    out[key] = { url, arn, deadLetterUrl: dlqUrl };
  }
  return out;
}
