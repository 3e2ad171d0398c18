// BatchWriteItem in chunks of 25 with bounded parallelism, retrying unprocessed items with backoff:
// DynamoDB may accept part of a batch under load, and nothing may be silently dropped. The chunks
// go through a pool of PARALLEL workers rather than in waves of PARALLEL: a wave waits for its
// slowest request before the next starts, a pool keeps PARALLEL requests in flight to the end.
// Two entry points share that pool: `batchWrite` takes plain items (lib-dynamodb marshals them),
// `batchWriteItems` takes items already in DynamoDB's AttributeValue form and sends them through
// the low-level command, for the indexer's hot path (see its comment).
import { BatchWriteItemCommand, type BatchWriteItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type WriteRequest =
  { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** An attribute in DynamoDB's wire form, limited to the kinds the indexer's items hold. */
export type WireValue = { S: string } | { N: string } | { BOOL: boolean };
export type WireItem = Record<string, WireValue>;
export type WireWriteRequest = { PutRequest: { Item: WireItem } } | { DeleteRequest: { Key: WireItem } };

const BATCH = 25;
const PARALLEL = 16;
const MAX_ATTEMPTS = 8;

export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
}

/** Sends one BatchWriteItem of `pending` and answers the requests DynamoDB handed back. */
type SendChunk<R> = (pending: R[]) => Promise<R[]>;

async function writeChunk<R>(send: SendChunk<R>, table: string, requests: R[]): Promise<void> {
  let pending = requests;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new UnprocessedItemsError(
        `${pending.length} items to ${table} still unprocessed after ${MAX_ATTEMPTS} tries`,
      );
    }
    pending = await send(pending);
    if (pending.length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
  }
}

async function writeAll<R>(send: SendChunk<R>, table: string, requests: readonly R[]): Promise<void> {
  const chunks: R[][] = [];
  for (let i = 0; i < requests.length; i += BATCH) chunks.push(requests.slice(i, i + BATCH));
  let next = 0;
  // After a failure no new chunk starts (as a failed wave stopped the next one); those in flight finish.
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < chunks.length) {
      const chunk = chunks[next++] as R[];
      try {
        await writeChunk(send, table, chunk);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, chunks.length) }, worker));
}

export async function batchWrite(
  db: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  await writeAll<WriteRequest>(
    async (pending) => {
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      return (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
    },
    table,
    requests,
  );
}

/**
 * `batchWrite` for items already in wire form: the same pool, retries and failure, through the
 * low-level BatchWriteItem. The document client's translation pass (walking every item to marshal
 * it, and the answer to unmarshal it) is skipped: for the indexer's items it was a fifth of this
 * process's CPU per item. Unprocessed items come back in wire form and are sent again as they are.
 */
export async function batchWriteItems(
  db: DynamoDBDocumentClient,
  table: string,
  requests: readonly WireWriteRequest[],
): Promise<void> {
  await writeAll<WireWriteRequest>(
    async (pending) => {
      const out: BatchWriteItemCommandOutput = await db.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
      );
      return (out.UnprocessedItems?.[table] ?? []) as WireWriteRequest[];
    },
    table,
    requests,
  );
}

const GET_BATCH = 100;

/**
 * BatchGetItem for any number of keys: 100 per request, requests in parallel, unprocessed keys
 * asked again. Returns the items found, in no particular order (missing keys are simply absent).
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += GET_BATCH) chunks.push(keys.slice(i, i + GET_BATCH));
  const pages = await Promise.all(
    chunks.map(async (chunk) => {
      const items: Record<string, unknown>[] = [];
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [table]: { Keys: chunk },
      };
      while (request && Object.keys(request).length > 0) {
        const out = await db.send(new BatchGetCommand({ RequestItems: request }));
        items.push(...(out.Responses?.[table] ?? []));
        request = out.UnprocessedKeys as typeof request;
      }
      return items;
    }),
  );
  return pages.flat();
}
