// The local stand-in for Lambda's triggers: Function URLs become HTTP servers, queue triggers become
// SQS pollers that honour batchItemFailures, schedules become timers. The handlers are the real ones.
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import type { FunctionDef, QueueKey } from '../layers/core/resources.js';
import {
  functionUrlEvent,
  functionUrlResult,
  lambdaContext,
  scheduledEvent,
  type LocalContext,
  sqsEvent,
  type ReceivedSqsMessage,
} from './lambda-events.js';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface RunnerOptions {
  readonly root: string;
  readonly functions: Readonly<Record<string, FunctionDef>>;
  readonly sqs: SQSClient;
  readonly queueUrls: Readonly<Record<QueueKey, string>>;
  /** Port for a function URL; 0 picks a free one. */
  readonly urlPort: (functionName: string) => number;
  readonly log: (line: string) => void;
  /** How handlers are loaded; tests may pass in-memory ones. */
  readonly load?: (entry: string) => Promise<LambdaHandler>;
}

export interface Runner {
  /** Function name -> its local Function URL. */
  readonly urls: Readonly<Record<string, string>>;
  /** Runs a scheduled function now (what the timer does), for CLIs and tests. */
  tick(functionName: string): Promise<unknown>;
  stop(): Promise<void>;
}

async function importHandler(root: string, entry: string): Promise<LambdaHandler> {
  const mod = (await import(pathToFileURL(path.join(root, entry)).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`${entry} does not export a handler function`);
  return mod.handler as LambdaHandler;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRunner(options: RunnerOptions): Promise<Runner> {
  const load = options.load ?? ((entry: string) => importHandler(options.root, entry));
  const servers: http.Server[] = [];
  const timers: NodeJS.Timeout[] = [];
  const pollers: Promise<void>[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const running = new Set<LocalContext>();
  const abort = new AbortController();
  const urls: Record<string, string> = {};
  const schedules = new Map<string, () => Promise<unknown>>();

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  for (const [name, def] of Object.entries(options.functions)) {
    const handler = await load(def.entry);
    const invoke = (event: unknown) => {
      const local = lambdaContext(name, def.timeoutSeconds);
      running.add(local);
      return track(handler(event, local.context).finally(() => running.delete(local)));
    };
    const trigger = def.trigger;

    if (trigger.kind === 'url') {
      const server = http.createServer((req, res) => {
        void (async () => {
          try {
            const event = functionUrlEvent({
              method: req.method ?? 'GET',
              url: req.url ?? '/',
              rawHeaders: req.rawHeaders,
              body: await readBody(req),
              sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            });
            const result = functionUrlResult(await invoke(event));
            res.writeHead(result.statusCode, result.headers).end(result.body);
          } catch (err) {
            // What Lambda does when a handler throws behind a Function URL.
            options.log(`${name}: handler threw: ${(err as Error).stack ?? String(err)}`);
            res
              .writeHead(502, { 'content-type': 'application/json' })
              .end('{"message":"Internal Server Error"}');
          }
        })();
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.urlPort(name), '127.0.0.1', () => resolve());
      });
      servers.push(server);
      const { port } = server.address() as { port: number };
      urls[name] = `http://127.0.0.1:${port}/`;
    } else if (trigger.kind === 'schedule') {
      let running: Promise<unknown> | undefined;
      const tick = () => {
        // EventBridge may overlap runs; the handlers' own lease guards that. Locally we simply skip.
        running ??= invoke(scheduledEvent(`alfa-local-${name}`)).finally(() => (running = undefined));
        return running;
      };
      schedules.set(name, tick);
      const onTick = () => void tick().catch((err: unknown) => options.log(`${name}: ${String(err)}`));
      onTick();
      timers.push(setInterval(onTick, trigger.everyMinutes * 60_000));
    } else {
      pollers.push(pollQueue(name, trigger.queue, trigger.batchSize, invoke));
    }
  }

  async function pollQueue(
    name: string,
    queue: QueueKey,
    batchSize: number,
    invoke: (event: unknown) => Promise<unknown>,
  ): Promise<void> {
    const queueUrl = options.queueUrls[queue];
    const attrs = await options.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = attrs.Attributes?.QueueArn ?? queueUrl;
    while (!abort.signal.aborted) {
      let messages: ReceivedSqsMessage[];
      try {
        const out = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (err) {
        if (abort.signal.aborted) return;
        options.log(`${name}: receive failed: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (messages.length === 0) continue;
      let failed: Set<string>;
      try {
        const result = (await invoke(sqsEvent(queueArn, messages))) as
          { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
        failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (err) {
        // The whole batch failed: every message becomes visible again after its timeout, as in AWS.
        options.log(`${name}: handler threw, batch returned to the queue: ${String(err)}`);
        continue;
      }
      const done = messages.filter((m) => m.MessageId !== undefined && !failed.has(m.MessageId));
      if (done.length > 0) {
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
    }
  }

  return {
    urls,
    tick: async (name) => {
      const tick = schedules.get(name);
      if (!tick) throw new Error(`${name} is not a scheduled function`);
      return tick();
    },
    stop: async () => {
      abort.abort();
      for (const t of timers) clearInterval(t);
      // Long-running handlers (the indexer tails the chain) see their time run out and wind down.
      for (const local of running) local.expire();
      // Node 20's close() also drops idle keep-alive connections; in-flight requests finish first.
      await Promise.allSettled(servers.map((s) => new Promise((r) => s.close(r))));
      await Promise.allSettled([...pollers, ...inFlight]);
    },
  };
}
