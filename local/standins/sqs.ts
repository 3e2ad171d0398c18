// SQS for the local stack: fauxqs, bound to loopback, with queue URLs that point at it, and a
// restart that keeps every queue and message (startSqs with the closed server's store).
// fauxqs' own start helper binds every interface, and its default queue URLs use the host
// `sqs.<region>.localhost`, which does not resolve here; the AWS SDK sends requests to the queue
// URL's host when the endpoint comes from AWS_ENDPOINT_URL_SQS, so the URLs must be reachable.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';

export interface LocalSqs {
  readonly url: string;
  /** The queues and messages; outlives close() so a restart can serve them again. */
  readonly store: SqsStoreView;
  close(): Promise<void>;
}

/** Node's resolution, by hand: the exports map hides the file and vitest has no import.meta.resolve. */
function findUp(from: string, relative: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${relative} not found above ${from}: run npm ci`);
  }
}

/** What of fauxqs' store the stack reads: its queues and their messages, whatever their state. */
export interface SqsStoreView {
  listQueues(): {
    readonly name: string;
    inspectMessages(): { ready: unknown[]; delayed: unknown[]; inflight: unknown[] };
  }[];
}

/** What of a fauxqs FIFO queue the receive below reads: its group locks and in-flight receipts. */
interface FauxFifoQueue {
  readonly fifoLockedGroups: Map<string, number>;
  readonly inflightMessages: Map<string, { readonly message: { readonly messageGroupId?: string } }>;
  dequeueFifo(
    maxCount: number,
    visibilityTimeout?: number,
    dlqResolver?: unknown,
  ): { ReceiptHandle: string }[];
}

const likeSqs = Symbol('alfa: FIFO receive like SQS');

/**
 * A FIFO receive as real SQS answers it: "as many messages with the same message group ID as
 * possible", then other groups' (AWS knowledge center, sqs-fifo-messages-not-returned). fauxqs
 * 1.9.2 hands out one message per group per receive, so a consumer that paces one chat's messages
 * looks many times slower here than on AWS. Its own receive takes the first unlocked group's next
 * message; one at a time, with the group just taken from unlocked for the next pick, it takes that
 * group again until it is empty, then the next group, each group's lock count kept exact.
 */
function receiveLikeSqs(queueClass: { prototype: FauxFifoQueue & { [likeSqs]?: true } }): void {
  const proto = queueClass.prototype;
  if (proto[likeSqs]) return;
  const oneAtATime = proto.dequeueFifo;
  proto.dequeueFifo = function (this: FauxFifoQueue, maxCount, visibilityTimeout, dlqResolver) {
    const out: { ReceiptHandle: string }[] = [];
    let last: { group: string; locks: number } | undefined;
    while (out.length < Math.min(maxCount, 10)) {
      if (last) this.fifoLockedGroups.delete(last.group);
      const [got] = oneAtATime.call(this, 1, visibilityTimeout, dlqResolver);
      const group =
        got && (this.inflightMessages.get(got.ReceiptHandle)?.message.messageGroupId ?? '__default');
      if (last && group !== last.group) this.fifoLockedGroups.set(last.group, last.locks);
      if (!got || group === undefined) break;
      out.push(got);
      last = { group, locks: (last?.group === group ? last.locks : 0) + 1 };
      this.fifoLockedGroups.set(group, last.locks);
    }
    return out;
  };
  proto[likeSqs] = true;
}

/**
 * fauxqs keeps its store and queue classes out of its exports map: load them by file to set one
 * field and to mend the FIFO receive.
 */
async function sqsStoreWithRequestHost(): Promise<SqsStoreView> {
  const file = findUp(
    path.dirname(fileURLToPath(import.meta.url)),
    'node_modules/fauxqs/dist/sqs/sqsStore.js',
  );
  const { SqsStore, SqsQueue } = (await import(pathToFileURL(file).href)) as {
    SqsStore: new () => SqsStoreView & { host: string };
    SqsQueue: { prototype: FauxFifoQueue };
  };
  receiveLikeSqs(SqsQueue);
  const store = new SqsStore();
  store.host = ''; // empty: queue URLs take the host of the request that created them (127.0.0.1:port)
  return store;
}

/** Messages in every queue of the store: visible, delayed and in flight. */
export function storedMessages(store: SqsStoreView): number {
  let n = 0;
  for (const q of store.listQueues()) {
    const m = q.inspectMessages();
    n += m.ready.length + m.delayed.length + m.inflight.length;
  }
  return n;
}

/**
 * Serves SQS on 127.0.0.1:port. With `store` (the `store` of a LocalSqs that was closed), the new
 * server takes over that store: queues, messages, in-flight receipts, FIFO group locks, the
 * 5-minute deduplication record, all as they were. That is a restart as real SQS has one: its
 * endpoint goes away and comes back, its storage never does (fauxqs itself keeps nothing on disk;
 * its `stores` option is the way to keep state across a new server).
 */
export async function startSqs(opts: {
  port: number;
  region: string;
  store?: SqsStoreView;
}): Promise<LocalSqs> {
  const store = opts.store ?? (await sqsStoreWithRequestHost());
  const app = buildApp({
    logger: false,
    defaultRegion: opts.region,
    stores: { sqsStore: store } as unknown as NonNullable<Parameters<typeof buildApp>[0]>['stores'],
  });
  await app.listen({ port: opts.port, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${opts.port}`, store, close: () => app.close() };
}
