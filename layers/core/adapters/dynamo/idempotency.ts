// Powertools Idempotency on the dedupe table: a Telegram update (or any keyed work) runs once even
// when it is delivered again; a failed run deletes its record so the retry is processed.
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { ResponseHook } from '@aws-lambda-powertools/idempotency/types';
import type { Context } from 'aws-lambda';
import { TABLES } from '../../resources.js';
import { dynamoClient } from './client.js';

export interface OnceOptions {
  readonly tableName: string;
  /** Separates kinds of work in the shared table, e.g. `telegram-update`. */
  readonly keyPrefix: string;
  /** JMESPath into the payload for the key, e.g. `update_id`. */
  readonly keyPath: string;
  readonly expiresAfterSeconds: number;
  /** Rewrites the stored result a repeated key is answered with (Powertools' responseHook). */
  readonly responseHook?: ResponseHook;
}

/** P must be plain JSON: the key is read from it by JMESPath and it is hashed as JSON. */
export interface Once<P, R> {
  run(payload: P): Promise<R>;
  /** Lets an in-progress record expire with the invocation instead of blocking retries for its full TTL. */
  registerContext(context: Context): void;
}

export function once<P, R>(work: (payload: P) => Promise<R>, options: OnceOptions): Once<P, R> {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    keyAttr: TABLES.dedupe.partitionKey.name,
    expiryAttr: TABLES.dedupe.timeToLiveAttribute,
    awsSdkV3Client: dynamoClient(),
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.keyPath,
    expiresAfterSeconds: options.expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
    ...(options.responseHook ? { responseHook: options.responseHook } : {}),
  });
  const run = makeIdempotent(work, { persistenceStore, config, keyPrefix: options.keyPrefix });
  return { run, registerContext: (context) => config.registerLambdaContext(context) };
}
