// BatchWriteItem in chunks of 25 with bounded parallelism, retrying unprocessed items with backoff:
// DynamoDB may accept part of a batch under load, and nothing may be silently dropped.
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
  for (let i = 0; i < chunks.length; i += PARALLEL) {
    await Promise.all(chunks.slice(i, i + PARALLEL).map((c) => writeChunk(db, table, c)));
  }
}
