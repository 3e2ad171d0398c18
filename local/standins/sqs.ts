// SQS for the local stack: fauxqs, bound to loopback, with queue URLs that point at it.
// fauxqs' own start helper binds every interface, and its default queue URLs use the host
// `sqs.<region>.localhost`, which does not resolve here; the AWS SDK sends requests to the queue
// URL's host when the endpoint comes from AWS_ENDPOINT_URL_SQS, so the URLs must be reachable.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from 'fauxqs';

export interface LocalSqs {
  readonly url: string;
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

/** fauxqs keeps its store class out of its exports map; load it by file to set one field. */
async function sqsStoreWithRequestHost(): Promise<object> {
  const file = findUp(
    path.dirname(fileURLToPath(import.meta.url)),
    'node_modules/fauxqs/dist/sqs/sqsStore.js',
  );
  const { SqsStore } = (await import(pathToFileURL(file).href)) as { SqsStore: new () => { host: string } };
  const store = new SqsStore();
  store.host = ''; // empty: queue URLs take the host of the request that created them (127.0.0.1:port)
  return store;
}

export async function startSqs(opts: { port: number; region: string }): Promise<LocalSqs> {
  const app = buildApp({
    logger: false,
    defaultRegion: opts.region,
    stores: { sqsStore: await sqsStoreWithRequestHost() } as unknown as NonNullable<
      Parameters<typeof buildApp>[0]
    >['stores'],
  });
  await app.listen({ port: opts.port, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${opts.port}`, close: () => app.close() };
}
