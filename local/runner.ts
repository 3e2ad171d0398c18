// The local stand-in for Lambda's triggers: Function URLs become HTTP servers, queue triggers become
// SQS pollers that honour batchItemFailures, schedules become timers, and functions for direct
// invocation answer the Lambda Invoke API (so `npm run admin` uses the same SDK call as on AWS).
// Every invocation runs in an async context that names its function, so the log sink can label each
// line with the function that really wrote it (all handlers share one process and one logger here).
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
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
import type { FunctionDef, QueueKey } from '#core/resources.js';
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
  /** `container` (1, 2 …) asks for another instance of the module, with state of its own. */
  readonly load?: (entry: string, container?: number) => Promise<LambdaHandler>;
  /** Port of the Lambda Invoke API stand-in for `invoke` functions; 0 picks a free one. */
  readonly invokePort?: number;
  /** The physical name a caller invokes a function by (e.g. alfa-local-admin); the catalog name otherwise. */
  readonly physicalName?: (functionName: string) => string;
  /** Told of each finished invocation, by physical name (the local CloudWatch's AWS/Lambda metrics). */
  readonly onInvocation?: (record: { functionName: string; durationMs: number; error: boolean }) => void;
  /** Told of each Function URL answer's status (Url5xxCount), by physical name. */
  readonly onUrlAnswer?: (functionName: string, status: number) => void;
}

/** What runs now: the function and request of the invocation whose async context this is. */
export interface Invocation {
  readonly functionName: string;
  readonly requestId: string;
  readonly functionArn?: string;
}
const invocations = new AsyncLocalStorage<Invocation>();
/** The invocation the caller runs in, if any (log lines written at module load have none). */
export const currentInvocation = (): Invocation | undefined => invocations.getStore();

export interface Runner {
  /** Function name -> its local Function URL. */
  readonly urls: Readonly<Record<string, string>>;
  /** Runs a scheduled function now (what the timer does), for CLIs and tests. */
  tick(functionName: string): Promise<unknown>;
  /** The Lambda Invoke API endpoint, when a function is for direct invocation. */
  readonly invokeUrl?: string;
  /** Invokes a function directly, as lambda:InvokeFunction does. */
  invoke(functionName: string, payload: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

async function importHandler(root: string, entry: string, container?: number): Promise<LambdaHandler> {
  // Another URL is another module instance: its module-level state is that container's own.
  const url = pathToFileURL(path.join(root, entry)).href + (container ? `?container=${container}` : '');
  const mod = (await import(url)) as { handler?: unknown };
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

/** Milliseconds from `now` to the next whole hour `hourUtc` (UTC), today or tomorrow. */
export function msUntilHourUtc(hourUtc: number, now: Date): number {
  const next = new Date(now);
  next.setUTCHours(hourUtc, 0, 0, 0);
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - now.getTime();
}

/**
 * Work seen on a queue: while some poller received messages in the last few seconds, every poller
 * polls; otherwise only the first does. Idle, 100 pollers of 1 s polls cost a core of this machine;
 * busy, they all join within one poll of the first message.
 */
class Demand {
  private until = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly abort: AbortSignal) {
    abort.addEventListener('abort', () => this.release(), { once: true });
  }

  signal(): void {
    this.until = Date.now() + 2_000;
    this.release();
  }

  wait(): Promise<void> {
    if (this.abort.aborted || Date.now() < this.until) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}

/** Pollers per queue-triggered function at most, locally (ALFA_LOCAL_MAX_POLLERS, default 100). */
const MAX_LOCAL_POLLERS = Number(process.env.ALFA_LOCAL_MAX_POLLERS ?? 100);

export async function startRunner(options: RunnerOptions): Promise<Runner> {
  const load =
    options.load ?? ((entry: string, container?: number) => importHandler(options.root, entry, container));
  const servers: http.Server[] = [];
  const timers: NodeJS.Timeout[] = [];
  const pollers: Promise<void>[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const running = new Set<LocalContext>();
  const abort = new AbortController();
  // Every poller's receive listens on it: hundreds of listeners are expected, not a leak.
  setMaxListeners(0, abort.signal);
  const urls: Record<string, string> = {};
  const schedules = new Map<string, () => Promise<unknown>>();
  const direct = new Map<string, (event: unknown) => Promise<unknown>>();
  const physical = options.physicalName ?? ((name: string) => name);
  const demanded = new Map<string, Demand>();

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  // Every handler loads before any trigger starts, so a missing one fails start-up with nothing
  // running. A function whose module state must be per container (FunctionDef.perContainerState)
  // gets one instance per poller; the others share one, as warm containers of one process would.
  const loaded = new Map<string, LambdaHandler[]>();
  const pollersOf = (def: FunctionDef): number =>
    def.trigger.kind === 'queue' ? Math.min(def.trigger.maxConcurrency ?? 1, MAX_LOCAL_POLLERS) : 1;
  for (const [name, def] of Object.entries(options.functions)) {
    const instances = [await load(def.entry)];
    if (def.perContainerState)
      for (let n = 1; n < pollersOf(def); n++) instances.push(await load(def.entry, n));
    loaded.set(name, instances);
  }

  for (const [name, def] of Object.entries(options.functions)) {
    const instances = loaded.get(name) as LambdaHandler[];
    const invokerFor = (handler: LambdaHandler) => (event: unknown) => {
      const local = lambdaContext(physical(name), def.timeoutSeconds);
      running.add(local);
      const store = {
        functionName: name,
        requestId: local.context.awsRequestId,
        functionArn: local.context.invokedFunctionArn,
      };
      const t0 = performance.now();
      const settled = (error: boolean) =>
        options.onInvocation?.({
          functionName: physical(name),
          durationMs: performance.now() - t0,
          error,
        });
      return track(
        invocations
          // async: a handler that throws before its first await is a failed invocation too.
          .run(store, async () => handler(event, local.context))
          .then(
            (result) => {
              settled(false);
              return result;
            },
            (err: unknown) => {
              settled(true);
              throw err;
            },
          )
          .finally(() => running.delete(local)),
      );
    };
    const invoke = invokerFor(instances[0] as LambdaHandler);
    direct.set(name, invoke);
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
            options.onUrlAnswer?.(physical(name), result.statusCode);
            res.writeHead(result.statusCode, result.headers).end(result.body);
          } catch (err) {
            options.onUrlAnswer?.(physical(name), 502);
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
      if (trigger.hourUtc === undefined) {
        onTick();
        timers.push(setInterval(onTick, trigger.everyMinutes * 60_000));
      } else {
        // A daily cron (e.g. the digest): first at the next hourUtc, as EventBridge would, never at start.
        const first = msUntilHourUtc(trigger.hourUtc, new Date());
        const daily = setTimeout(() => {
          onTick();
          timers.push(setInterval(onTick, 86_400_000));
        }, first);
        timers.push(daily);
      }
    } else if (trigger.kind === 'queue') {
      // Lambda scales a FIFO queue's consumers with its message groups, up to the mapping's
      // maximum concurrency: one poller per allowed container (capped here: one shared machine).
      const demand = new Demand(abort.signal);
      demanded.set(options.queueUrls[trigger.queue], demand);
      for (let n = 0; n < pollersOf(def); n++) {
        const own = n > 0 ? instances[n] : undefined;
        const run = own ? invokerFor(own) : invoke;
        pollers.push(pollQueue(name, trigger.queue, trigger.batchSize, run, n === 0 ? undefined : demand));
      }
    }
  }

  // The Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations), as AWS answers it: 200
  // with the result, or 200 with X-Amz-Function-Error when it threw. Like AWS it serves every
  // function (the admin's reconcile invokes the scheduled reconciler); it starts when one of them is
  // for direct invocation only.
  let invokeUrl: string | undefined;
  const invokable = new Map(Object.keys(options.functions).map((name) => [physical(name), name] as const));
  if (Object.values(options.functions).some((def) => def.trigger.kind === 'invoke')) {
    const server = http.createServer((req, res) => {
      void (async () => {
        const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
        const target = match
          ? decodeURIComponent(match[1] as string)
              .split(':')
              .at(-1)
          : undefined;
        const name = target === undefined ? undefined : invokable.get(target);
        const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
          res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
        if (req.method !== 'POST' || name === undefined) {
          return answer(
            404,
            {
              Type: 'User',
              message: `Function not found: ${target ?? req.url ?? ''}`,
            },
            { 'x-amzn-errortype': 'ResourceNotFoundException' },
          );
        }
        const raw = (await readBody(req)).toString('utf8');
        let payload: unknown;
        try {
          payload = raw === '' ? {} : JSON.parse(raw);
        } catch {
          return answer(
            400,
            { Type: 'User', message: 'Could not parse request body into json' },
            {
              'x-amzn-errortype': 'InvalidRequestContentException',
            },
          );
        }
        try {
          const result = await (direct.get(name) as (e: unknown) => Promise<unknown>)(payload);
          answer(200, result ?? null, { 'x-amz-executed-version': '$LATEST' });
        } catch (err) {
          const e = err instanceof Error ? err : new Error(String(err));
          options.log(`${name}: handler threw: ${e.stack ?? e.message}`);
          answer(
            200,
            { errorType: e.name, errorMessage: e.message },
            {
              'x-amz-function-error': 'Unhandled',
              'x-amz-executed-version': '$LATEST',
            },
          );
        }
      })();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.invokePort ?? 0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    invokeUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  async function pollQueue(
    name: string,
    queue: QueueKey,
    batchSize: number,
    invoke: (event: unknown) => Promise<unknown>,
    /** Extra pollers poll only while there is work, as Lambda scales a mapping's pollers. */
    demand?: Demand,
  ): Promise<void> {
    const queueUrl = options.queueUrls[queue];
    let queueArn: string | undefined;
    while (queueArn === undefined) {
      try {
        const attrs = await options.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
          { abortSignal: abort.signal },
        );
        queueArn = attrs.Attributes?.QueueArn ?? queueUrl;
      } catch (err) {
        if (abort.signal.aborted) return;
        options.log(`${name}: queue not reachable yet: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    while (!abort.signal.aborted) {
      if (demand) await demand.wait();
      if (abort.signal.aborted) return;
      let messages: ReceivedSqsMessage[];
      try {
        const out = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            // Lambda long-polls for 20 s, but fauxqs answers a 20 s poll empty when a message arrives
            // (checked: 0 messages 8 ms after the send), so 1 s polls it is.
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
      demanded.get(queueUrl)?.signal();
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
        try {
          await options.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
            }),
          );
        } catch (err) {
          // SQS unreachable (the sqs drill): the messages come back after their visibility timeout
          // and the idempotent handlers see them again, as after a failed delete in Lambda.
          if (abort.signal.aborted) return;
          options.log(`${name}: delete failed: ${String(err)}`);
        }
      }
    }
  }

  return {
    urls,
    ...(invokeUrl ? { invokeUrl } : {}),
    invoke: async (name, payload) => {
      const fn = direct.get(name);
      if (!fn) throw new Error(`${name} is not a function of this runner`);
      return fn(payload);
    },
    tick: async (name) => {
      const tick = schedules.get(name);
      if (!tick) throw new Error(`${name} is not a scheduled function`);
      return tick();
    },
    stop: async () => {
      abort.abort();
      for (const t of timers) clearTimeout(t);
      // Long-running handlers (the indexer tails the chain) see their time run out and wind down.
      for (const local of running) local.expire();
      // Node 20's close() also drops idle keep-alive connections; in-flight requests finish first.
      await Promise.allSettled(servers.map((s) => new Promise((r) => s.close(r))));
      await Promise.allSettled([...pollers, ...inFlight]);
    },
  };
}
