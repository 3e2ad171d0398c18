// The local Lambda events (local/lambda-events.ts): Function URL events and results, SQS records with
// the FIFO attributes the batch processor reads, and EventBridge scheduled events.
import { describe, expect, it } from 'vitest';
import {
  functionUrlEvent,
  functionUrlResult,
  scheduledEvent,
  sqsEvent,
} from '../../../local/lambda-events.js';

describe('Module: lambda-events', () => {
  it('builds a Function URL event with lower-case headers, repeated ones joined, and the query split out', () => {
    const event = functionUrlEvent({
      method: 'POST',
      url: '/hook?a=1&b=2',
      rawHeaders: [
        'Content-Type',
        'application/json',
        'X-Thing',
        'one',
        'x-thing',
        'two',
        'Host',
        '127.0.0.1:1',
      ],
      body: Buffer.from('{"update_id":1}'),
      sourceIp: '127.0.0.1',
    });

    expect(event).toMatchObject({
      version: '2.0',
      rawPath: '/hook',
      rawQueryString: 'a=1&b=2',
      queryStringParameters: { a: '1', b: '2' },
      headers: { 'content-type': 'application/json', 'x-thing': 'one,two' },
      requestContext: { http: { method: 'POST', path: '/hook' }, domainName: '127.0.0.1:1' },
      body: '{"update_id":1}',
      isBase64Encoded: false,
    });
  });

  it('base64-encodes a body that is not text, as Lambda does', () => {
    const event = functionUrlEvent({
      method: 'POST',
      url: '/',
      rawHeaders: ['content-type', 'application/octet-stream'],
      body: Buffer.from([0, 1, 2]),
      sourceIp: '127.0.0.1',
    });

    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe('AAEC');
  });

  it('maps a structured result as is and anything else to a 200 JSON body', () => {
    expect(functionUrlResult({ statusCode: 401, headers: { a: 'b' }, body: 'no' })).toMatchObject({
      statusCode: 401,
      headers: { a: 'b' },
    });
    const inferred = functionUrlResult({ ok: true });
    expect(inferred.statusCode).toBe(200);
    expect(inferred.body.toString()).toBe('{"ok":true}');
  });

  it('builds SQS records with the FIFO attributes the batch processor reads', () => {
    const event = sqsEvent('arn:aws:sqs:us-east-1:0:q.fifo', [
      {
        MessageId: 'm1',
        ReceiptHandle: 'r1',
        Body: 'x',
        Attributes: { MessageGroupId: 'g', ApproximateReceiveCount: '2' },
      },
    ]);

    expect(event.Records[0]).toMatchObject({
      messageId: 'm1',
      receiptHandle: 'r1',
      body: 'x',
      attributes: { MessageGroupId: 'g', ApproximateReceiveCount: '2' },
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:0:q.fifo',
    });
  });

  it('builds an EventBridge scheduled event', () => {
    const event = scheduledEvent('alfa-indexer', new Date('2026-01-01T00:00:00.123Z'));

    expect(event).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-01-01T00:00:00Z',
    });
    expect(event.resources[0]).toMatch(/rule\/alfa-indexer$/);
  });
});
