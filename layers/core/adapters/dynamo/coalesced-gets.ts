// GetItems that start together leave as one BatchGetItem: a burst of copies reads each follower's
// follow, user and intent, and one copier batch (10 records, up to 1,000 jobs at once locally) made
// one request per read. A wrapper over the document client, so every store keeps its own GetCommand:
// plain gets (table, key, ConsistentRead and nothing else) sent in the same turn of the event loop
// are flushed together on the next one (setImmediate: no timer, no added wait), up to 100 distinct
// keys per request across tables; the rest of the client is the client's own.
// What a caller sees is what its GetItem would have answered: its item or none, the batch's error
// as its own, keys DynamoDB handed back unprocessed asked again with backoff.
import {
  BatchGetCommand,
  GetCommand,
  type DynamoDBDocumentClient,
  type GetCommandOutput,
} from '@aws-sdk/lib-dynamodb';

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

interface Waiting {
  readonly table: string;
  readonly key: Key;
  readonly consistent: boolean;
  readonly resolve: (item: Item | undefined) => void;
  readonly reject: (err: unknown) => void;
}

/** BatchGetItem's limit: 100 keys per request, all tables together. */
const MAX_KEYS = 100;
const MAX_ATTEMPTS = 8;

export class UnprocessedKeysError extends Error {
  override readonly name = 'UnprocessedKeysError';
}

/** A key as text, whatever order its attributes were written in (an item's key is matched by it). */
function keyText(table: string, names: readonly string[], source: Key): string {
  return JSON.stringify([table, ...[...names].sort().map((n) => [n, source[n]])]);
}

/** Only a get BatchGetItem can answer the same way is coalesced (no projection, no options). */
function plainGet(command: unknown): { table: string; key: Key; consistent: boolean } | undefined {
  if (!(command instanceof GetCommand)) return undefined;
  const { TableName, Key, ConsistentRead, ...rest } = command.input;
  if (!TableName || !Key || Object.keys(rest).length > 0) return undefined;
  return { table: TableName, key: Key, consistent: ConsistentRead === true };
}

export function coalescedGets(
  db: DynamoDBDocumentClient,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): DynamoDBDocumentClient {
  let waiting: Waiting[] = [];

  const flush = () => {
    const all = waiting;
    waiting = [];
    for (let i = 0; i < all.length;) {
      // Up to MAX_KEYS distinct keys per request; a key asked twice is asked once.
      const chunk: Waiting[] = [];
      const distinct = new Set<string>();
      while (i < all.length) {
        const w = all[i] as Waiting;
        const text = keyText(w.table, Object.keys(w.key), w.key);
        if (!distinct.has(text) && distinct.size === MAX_KEYS) break;
        distinct.add(text);
        chunk.push(w);
        i++;
      }
      void send(chunk);
    }
  };

  const send = async (chunk: Waiting[]): Promise<void> => {
    const byTable = new Map<string, { keys: Map<string, Key>; consistent: boolean; names: string[] }>();
    for (const w of chunk) {
      const names = Object.keys(w.key);
      const t = byTable.get(w.table) ?? { keys: new Map(), consistent: false, names };
      t.keys.set(keyText(w.table, names, w.key), w.key);
      // One setting per table in a request: the stronger read, never a weaker one than asked.
      t.consistent ||= w.consistent;
      byTable.set(w.table, t);
    }
    const found = new Map<string, Item>();
    try {
      let request: Record<string, { Keys: Key[]; ConsistentRead: boolean }> = Object.fromEntries(
        [...byTable].map(([table, t]) => [
          table,
          { Keys: [...t.keys.values()], ConsistentRead: t.consistent },
        ]),
      );
      for (let attempt = 1; Object.keys(request).length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS)
          throw new UnprocessedKeysError(`keys still unprocessed after ${MAX_ATTEMPTS} BatchGetItem tries`);
        if (attempt > 1) await sleep(Math.min(1_000, 25 * 2 ** attempt));
        const out = await db.send(new BatchGetCommand({ RequestItems: request }));
        for (const [table, items] of Object.entries(out.Responses ?? {})) {
          const names = byTable.get(table)?.names ?? [];
          for (const item of items) found.set(keyText(table, names, item), item);
        }
        request = Object.fromEntries(
          Object.entries(out.UnprocessedKeys ?? {}).flatMap(([table, u]) =>
            u.Keys?.length
              ? [[table, { Keys: u.Keys, ConsistentRead: byTable.get(table)?.consistent ?? true }]]
              : [],
          ),
        );
      }
    } catch (err) {
      for (const w of chunk) w.reject(err);
      return;
    }
    for (const w of chunk) w.resolve(found.get(keyText(w.table, Object.keys(w.key), w.key)));
  };

  const get = (table: string, key: Key, consistent: boolean): Promise<Item | undefined> =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ table, key, consistent, resolve, reject });
    });

  const wrapped = Object.create(db) as DynamoDBDocumentClient;
  const original = db.send.bind(db) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
  wrapped.send = ((command: unknown, ...rest: unknown[]) => {
    const plain = rest.length === 0 ? plainGet(command) : undefined;
    if (!plain) return original(command, ...rest);
    return get(plain.table, plain.key, plain.consistent).then((item): GetCommandOutput => ({
      $metadata: {},
      ...(item ? { Item: item } : {}),
    }));
  }) as DynamoDBDocumentClient['send'];
  return wrapped;
}
