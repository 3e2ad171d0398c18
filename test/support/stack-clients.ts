// Real AWS SDK clients and small helpers pointed at the test run's local stack.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { randomInt } from 'node:crypto';
import { inject } from 'vitest';
import type { LocalStackInfo } from '../../local/stack.js';

export function stackInfo(): LocalStackInfo {
  return inject('stack');
}

/** Gives this test worker the same environment the handlers run with, so adapters resolve the stand-ins. */
export function useStackEnv(): LocalStackInfo {
  const info = stackInfo();
  Object.assign(process.env, info.env);
  return info;
}

export function clients(info: LocalStackInfo = stackInfo()) {
  const base = { region: info.region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const dynamo = new DynamoDBClient({ ...base, endpoint: info.endpoints.dynamodb });
  return {
    dynamo,
    doc: DynamoDBDocumentClient.from(dynamo),
    sqs: new SQSClient({ ...base, endpoint: info.endpoints.sqs }),
  };
}

/** Random ids, so test files sharing one stack never see each other's users or updates. */
export function uniqueId(): number {
  return randomInt(1_000_000_000, 9_000_000_000);
}
