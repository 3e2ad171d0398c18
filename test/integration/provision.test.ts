// The local tables and queues must have the shape resources.ts (and so the CDK stack) gives them.
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { QUEUES, TABLES, type TableKey } from '#core/resources.js';
import { clients, stackInfo } from '../support/stack-clients.js';

const info = stackInfo();
const { dynamo, sqs } = clients(info);

describe('local provisioning', () => {
  it.each(Object.keys(TABLES) as TableKey[])('creates table %s with its keys', async (key) => {
    const def = TABLES[key];
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: info.tables[key] }));

    expect(Table?.KeySchema).toEqual([
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...('sortKey' in def ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : []),
    ]);
  });

  it('creates the byTrader reverse index with the attributes routing reads', async () => {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: info.tables.follows }));
    const index = Table?.GlobalSecondaryIndexes?.find((i) => i.IndexName === 'byTrader');

    expect(index?.KeySchema).toEqual([
      { AttributeName: 'trader', KeyType: 'HASH' },
      { AttributeName: 'userId', KeyType: 'RANGE' },
    ]);
    expect(index?.Projection).toEqual({
      ProjectionType: 'INCLUDE',
      NonKeyAttributes: [...TABLES.follows.indexes[0].nonKeyAttributes],
    });
  });

  it('turns TTL on for dedupe', async () => {
    const out = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: info.tables.dedupe }));

    expect(out.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiration',
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it.each(Object.keys(QUEUES) as (keyof typeof QUEUES)[])(
    'creates FIFO queue %s with a DLQ redrive',
    async (key) => {
      const q = info.queues[key];
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['All'] }),
      );
      const dlq = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: q.deadLetterUrl, AttributeNames: ['All'] }),
      );

      expect(Attributes?.FifoQueue).toBe('true');
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: dlq.Attributes?.QueueArn,
        maxReceiveCount: QUEUES[key].maxReceiveCount,
      });
    },
  );
});
