// BatchWriteItem in chunks of 25 with bounded parallelism, retrying unprocessed items with backoff:
// DynamoDB may accept part of a batch under load, and nothing may be silently dropped. The chunks
// go through a pool of PARALLEL workers rather than in waves of PARALLEL: a wave waits for its
// slowest request before the next starts, a pool keeps PARALLEL requests in flight to the end.
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type WriteRequest =
  { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

const BATCH = 25;
const PARALLEL = 16;
const MAX_ATTEMPTS = 8;

export class UnprocessedItemsError extends Error {
  override readonly name = 'UnprocessedItemsError';
}

async function writeChunk(
  db: DynamoDBDocumentClient,
  table: string,
  requests: WriteRequest[],
): Promise<void> {
  let pending = requests;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) {
      throw new UnprocessedItemsError(
        `${pending.length} items to ${table} still unprocessed after ${MAX_ATTEMPTS} tries`,
      );
    }
    const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = (out.UnprocessedItems?.[table] ?? []) as WriteRequest[];
    if (pending.length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
  }
}

export async function batchWrite(
  db: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH) chunks.push(requests.slice(i, i + BATCH));
  let next = 0;
  // After a failure no new chunk starts (as a failed wave stopped the next one); those in flight finish.
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < chunks.length) {
      const chunk = chunks[next++] as WriteRequest[];
      try {
        await writeChunk(db, table, chunk);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, chunks.length) }, worker));
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
