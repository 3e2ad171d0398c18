// Powertools Idempotency on the dedupe table: a Telegram update (or any keyed work) runs once even
// when it is delivered again; a failed run deletes its record so the retry is processed.
// A run whose work finished but whose result could not be stored (DynamoDB unreachable right after
// the send) is not a failed run: Powertools throws, the message would come back and the work (a
// Telegram message) would be done twice. So the result's record is retried here for a while, and
// if it still cannot be stored the run answers as done anyway: the work happened once, only its
// record is missing, and that is logged for the operator.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { ResponseHook } from '@aws-lambda-powertools/idempotency/types';
import type { Context } from 'aws-lambda';
import { appLog } from '../../observability.js';
import type { AppLog } from '../../ports/runtime.js';
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
  /** How long a finished run keeps trying to store its result (ms; default 30 s). */
  readonly recordForMs?: number;
  /** The DynamoDB client (default the container's one). */
  readonly client?: DynamoDBClient;
  readonly log?: Pick<AppLog, 'warn' | 'error'>;
}

/** P must be plain JSON: the key is read from it by JMESPath and it is hashed as JSON. */
export interface Once<P, R> {
  run(payload: P): Promise<R>;
  /** Lets an in-progress record expire with the invocation instead of blocking retries for its full TTL. */
  registerContext(context: Context): void;
}

/** The payload and result are plain JSON (see Once), as Powertools stores them. */
type StoreArgs = Parameters<DynamoDBPersistenceLayer['saveSuccess']>;

const RECORD_PAUSES_MS = [250, 500, 1_000, 2_000, 4_000];

export function once<P extends object, R>(
  work: (payload: P) => Promise<R>,
  options: OnceOptions,
): Once<P, R> {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    keyAttr: TABLES.dedupe.partitionKey.name,
    expiryAttr: TABLES.dedupe.timeToLiveAttribute,
    awsSdkV3Client: options.client ?? dynamoClient(),
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.keyPath,
    expiresAfterSeconds: options.expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
    ...(options.responseHook ? { responseHook: options.responseHook } : {}),
  });
  // Which payloads' work finished in this container, so a failure after it is told from one before.
  const finished = new WeakMap<P, { readonly result: R }>();
  const tracked = async (payload: P): Promise<R> => {
    const result = await work(payload);
    finished.set(payload, { result });
    return result;
  };
  const idempotent = makeIdempotent(tracked, { persistenceStore, config, keyPrefix: options.keyPrefix });
  const log = options.log ?? appLog;
  const recordForMs = options.recordForMs ?? 30_000;

  const record = async (payload: P, result: R, first: unknown): Promise<void> => {
    const giveUpAt = Date.now() + recordForMs;
    let last = first;
    for (let attempt = 0; Date.now() < giveUpAt; attempt += 1) {
      const pause = RECORD_PAUSES_MS[Math.min(attempt, RECORD_PAUSES_MS.length - 1)] ?? 4_000;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(pause, Math.max(0, giveUpAt - Date.now()))),
      );
      try {
        // The store was configured (key prefix, hashing, expiry) by the run that failed to record.
        await persistenceStore.saveSuccess(...([payload, result] as unknown as StoreArgs));
        log.warn('idempotency record stored late', {
          reason: 'IDEMPOTENCY_RECORD_LATE',
          keyPrefix: options.keyPrefix,
          attempts: attempt + 1,
        });
        return;
      } catch (err) {
        last = err;
      }
    }
    log.error('work done but its idempotency record could not be stored', {
      reason: 'IDEMPOTENCY_RECORD_LOST',
      keyPrefix: options.keyPrefix,
      error: last as Error,
    });
  };

  return {
    run: async (payload) => {
      try {
        return await idempotent(payload);
      } catch (err) {
        const done = finished.get(payload);
        if (!done || !(err instanceof IdempotencyPersistenceLayerError)) throw err;
        await record(payload, done.result, err.cause ?? err);
        return done.result;
      } finally {
        finished.delete(payload);
      }
    },
    registerContext: (context) => config.registerLambdaContext(context),
  };
}
