// Real-shaped Lambda events and contexts, built the way AWS builds them, so the local runner and
// the tests drive handlers exactly as Function URLs, SQS event source mappings and EventBridge do.
import { randomUUID } from 'node:crypto';
import type {
  Context,
  LambdaFunctionURLEvent,
  ScheduledEvent,
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
} from 'aws-lambda';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export interface LocalContext {
  readonly context: Context;
  /** What a Lambda timeout does to the remaining time: used to stop long-running handlers locally. */
  expire(): void;
}

export function lambdaContext(functionName: string, timeoutSeconds: number): LocalContext {
  let deadline = Date.now() + timeoutSeconds * 1000;
  const context: Context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  return { context, expire: () => (deadline = Date.now()) };
}

export interface HttpRequestLike {
  readonly method: string;
  /** Path and query, e.g. `/webhook?x=1`. */
  readonly url: string;
  /** Raw header pairs as Node gives them (name, value, name, value...). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

const TEXTUAL = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/;

/** A Function URL (payload format 2.0) event: lower-case headers, repeated headers joined by commas. */
export function functionUrlEvent(req: HttpRequestLike): LambdaFunctionURLEvent {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const [rawPath = '/', rawQueryString = ''] = req.url.split(/\?(.*)/s, 2);
  const queryStringParameters = rawQueryString
    ? Object.fromEntries(new URLSearchParams(rawQueryString).entries())
    : undefined;
  const textual = TEXTUAL.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body.length > 0
      ? { body: textual ? req.body.toString('utf8') : req.body.toString('base64') }
      : {}),
    isBase64Encoded: req.body.length > 0 && !textual,
  };
}

export interface HttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * What a Function URL sends back for a handler's result: a `{ statusCode, ... }` object as is,
 * anything else as a 200 JSON body (the documented "inferred" format).
 */
export function functionUrlResult(result: unknown): HttpResult {
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const r = result as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
    };
    const body =
      r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8');
    return { statusCode: r.statusCode, headers: r.headers ?? {}, body };
  }
  const body = result === undefined ? '' : typeof result === 'string' ? result : JSON.stringify(result);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
}

export interface ReceivedSqsMessage {
  readonly MessageId?: string;
  readonly ReceiptHandle?: string;
  readonly Body?: string;
  readonly MD5OfBody?: string;
  readonly Attributes?: Partial<Record<string, string>>;
  readonly MessageAttributes?: Record<
    string,
    { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array; StringListValues?: string[] }
  >;
}

/** An SQS event as the event source mapping delivers it (camel-cased record fields). */
export function sqsEvent(queueArn: string, messages: readonly ReceivedSqsMessage[]): SQSEvent {
  const Records = messages.map((m): SQSRecord => {
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.Attributes ?? {})) if (v !== undefined) attributes[k] = v;
    const messageAttributes: SQSMessageAttributes = {};
    for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
      messageAttributes[k] = {
        dataType: v.DataType ?? 'String',
        ...(v.StringValue === undefined ? {} : { stringValue: v.StringValue }),
        ...(v.BinaryValue === undefined
          ? {}
          : { binaryValue: Buffer.from(v.BinaryValue).toString('base64') }),
        stringListValues: v.StringListValues ?? [],
        binaryListValues: [],
      };
    }
    return {
      messageId: m.MessageId ?? randomUUID(),
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: attributes as unknown as SQSRecord['attributes'],
      messageAttributes,
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: LOCAL_REGION,
    };
  });
  return { Records };
}

/** An EventBridge "Scheduled Event", as a rate() rule sends it. */
export function scheduledEvent(ruleName: string, at = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${ruleName}`],
    detail: {},
  };
}
