// SQS records as Lambda's event source mapping delivers them from a FIFO queue, for the tests of
// the queue consumers' parse and group steps.
import type { SQSRecord } from 'aws-lambda';

export function fifoRecord(
  messageId: string,
  group: string,
  body: string,
  { queue = 'copies.fifo', receiveCount = 1 }: { queue?: string; receiveCount?: number } = {},
): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1764590000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1764590000001',
      MessageGroupId: group,
      MessageDeduplicationId: messageId,
      SequenceNumber: '1',
    },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: 'us-east-1',
  };
}
