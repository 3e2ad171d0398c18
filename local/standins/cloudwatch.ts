// A local CloudWatch for the stack: Alfa's alarms as AlfaStack defines them (local/alarms/
// definitions.ts), evaluated with CloudWatch's rules (local/alarms/evaluate.ts) every minute over
// the datapoints the local stack really produces: the functions' EMF lines (custom metrics, their
// `service` set from the invocation that printed them), the runner's per-invocation AWS/Lambda
// metrics (Invocations, Errors, Duration, Throttles, Url5xxCount of a Function URL), and a sampler
// of the SQS stand-in (ApproximateNumberOfMessagesVisible, ApproximateAgeOfOldestMessage computed
// from the held messages' sent times, which fauxqs does not report). The report (GET /_alfa/alarms
// on the control endpoint) is every alarm's state and every transition since the start.
import { z } from 'zod';
import { synthesizeAlarms } from '../alarms/definitions.js';
import { emfLineDatapoints } from '../alarms/emf.js';
import {
  AlarmBook,
  type AlarmDefinition,
  type MetricId,
  type Sample,
  type SampleSource,
  type Transition,
} from '../alarms/evaluate.js';

const State = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
/** GET /_alfa/alarms on the control endpoint; times are ISO strings. */
export const AlarmsReportSchema = z.object({
  /** The last evaluation; null before the first (the definitions are still being built). */
  evaluatedAt: z.string().nullable(),
  alarms: z.array(z.object({ name: z.string(), state: State, since: z.string() })),
  history: z.array(
    z.object({ name: z.string(), from: State, to: State, at: z.string(), reason: z.string() }),
  ),
  /** Why there are no alarms, when the definitions could not be built. */
  error: z.string().optional(),
});
export type AlarmsReport = z.infer<typeof AlarmsReportSchema>;

/** What the SQS sampler reads of a queue. */
export interface QueueSnapshot {
  readonly name: string;
  readonly visible: number;
  /** Epoch ms the oldest message still held (visible or in flight) was sent; undefined when empty. */
  readonly oldestSentAt?: number;
}

/** fauxqs' store as the sampler reads it (the stack's LocalSqs.store). */
export interface SqsStoreLike {
  listQueues(): {
    readonly name: string;
    inspectMessages(): { ready: unknown[]; delayed: unknown[]; inflight: unknown[] };
  }[];
}

const sentAt = (m: unknown): number | undefined => {
  const raw = (m as { sentTimestamp?: unknown; message?: { sentTimestamp?: unknown } } | null) ?? {};
  const t = raw.sentTimestamp ?? raw.message?.sentTimestamp;
  return typeof t === 'number' ? t : undefined;
};

/** Every queue of a fauxqs store: visible messages and the oldest held message's sent time. */
export function snapshotQueues(store: SqsStoreLike): QueueSnapshot[] {
  return store.listQueues().map((q) => {
    const { ready, inflight } = q.inspectMessages();
    const times = [...ready, ...inflight].map(sentAt).filter((t): t is number => t !== undefined);
    return {
      name: q.name,
      visible: ready.length,
      ...(times.length > 0 ? { oldestSentAt: Math.min(...times) } : {}),
    };
  });
}

export interface CloudWatchOptions {
  readonly stage: string;
  /** The alarms; built from AlfaStack for the stage when absent. */
  readonly definitions?: readonly AlarmDefinition[] | Promise<readonly AlarmDefinition[]>;
  /** CloudWatch evaluates every minute; tests may go faster. */
  readonly evaluateEveryMs?: number;
  /** How often the queues are sampled (a Maximum over a period is the same at any rate). */
  readonly sampleEveryMs?: number;
  readonly queues?: () => readonly QueueSnapshot[];
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface InvocationRecord {
  /** The physical name (FunctionName dimension), e.g. alfa-local-copier. */
  readonly functionName: string;
  readonly durationMs: number;
  readonly error: boolean;
  readonly throttled?: boolean;
}

export interface LocalCloudWatch {
  /** One sample of one metric (PutMetricData). */
  put(metric: MetricId, sample: Sample): void;
  /** One output line; EMF lines become samples, with `service` set to `functionName`. */
  putEmfLine(line: string, functionName: string | undefined): void;
  /** One finished invocation: AWS/Lambda Invocations, Errors, Duration, Throttles. */
  recordInvocation(record: InvocationRecord): void;
  /** One Function URL answer: Url5xxCount / Url4xxCount. */
  recordUrlAnswer(functionName: string, status: number): void;
  /** Evaluates every alarm now (what the minute timer does). */
  evaluate(): Transition[];
  report(): AlarmsReport;
  /** Resolves once the definitions are built and the first evaluation ran. */
  readonly ready: Promise<void>;
  stop(): void;
}

const key = (m: MetricId) =>
  `${m.namespace}\u0000${m.metricName}\u0000${Object.entries(m.dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}`;

/** Samples older than this are dropped: the longest evaluation range is 15 minutes. */
const RETENTION_MS = 60 * 60_000;

export function startCloudWatch(options: CloudWatchOptions): LocalCloudWatch {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const started = now();
  const series = new Map<string, Sample[]>();
  let book: AlarmBook | undefined;
  let error: string | undefined;
  const timers: NodeJS.Timeout[] = [];

  const put = (metric: MetricId, sample: Sample) => {
    const k = key(metric);
    let list = series.get(k);
    if (!list) series.set(k, (list = []));
    list.push(sample);
    if (list.length % 1000 === 0) {
      const cutoff = now() - RETENTION_MS;
      const keep = list.filter((s) => s.at >= cutoff);
      list.length = 0;
      list.push(...keep);
    }
  };
  const source: SampleSource = (metric, from, to) =>
    (series.get(key(metric)) ?? []).filter((s) => s.at > from && s.at <= to);

  const lambda = (metricName: string, functionName: string, value: number) =>
    put(
      { namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: functionName } },
      { at: now(), value },
    );

  const sample = () => {
    if (!options.queues) return;
    const at = now();
    try {
      for (const q of options.queues()) {
        const dimensions = { QueueName: q.name };
        put(
          { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions },
          { at, value: q.visible },
        );
        const age = q.oldestSentAt === undefined ? 0 : Math.max(0, Math.floor((at - q.oldestSentAt) / 1000));
        put(
          { namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', dimensions },
          { at, value: age },
        );
      }
    } catch (err) {
      log(`cloudwatch: queue sample failed: ${String(err)}`);
    }
  };

  const evaluate = (): Transition[] => {
    if (!book) return [];
    const changed = book.evaluate(source, now());
    // Only into and out of ALARM: the first evaluation moves every alarm out of INSUFFICIENT_DATA.
    for (const t of changed)
      if (t.to === 'ALARM' || t.from === 'ALARM')
        log(`cloudwatch: ${t.name} ${t.from} -> ${t.to}: ${t.reason}`);
    return changed;
  };

  let stopped = false;
  const ready = Promise.resolve(options.definitions ?? synthesizeAlarms(options.stage))
    .then((defs) => {
      if (stopped) return;
      book = new AlarmBook(defs, started);
      sample();
      evaluate();
      timers.push(setInterval(evaluate, options.evaluateEveryMs ?? 60_000));
    })
    .catch((err: unknown) => {
      error = `the alarm definitions could not be built: ${String(err)}`;
      log(`cloudwatch: ${error}`);
    });
  if (options.queues) timers.push(setInterval(sample, options.sampleEveryMs ?? 10_000));
  for (const t of timers) t.unref();

  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    put,
    putEmfLine: (line, functionName) => {
      for (const d of emfLineDatapoints(line, functionName)) put(d.metric, d.sample);
    },
    recordInvocation: (r) => {
      lambda('Invocations', r.functionName, 1);
      lambda('Errors', r.functionName, r.error ? 1 : 0);
      lambda('Throttles', r.functionName, r.throttled ? 1 : 0);
      lambda('Duration', r.functionName, r.durationMs);
    },
    recordUrlAnswer: (functionName, status) => {
      lambda('Url5xxCount', functionName, status >= 500 ? 1 : 0);
      lambda('Url4xxCount', functionName, status >= 400 && status < 500 ? 1 : 0);
    },
    evaluate,
    report: () => ({
      evaluatedAt: book?.evaluatedAt === undefined ? null : iso(book.evaluatedAt),
      alarms: (book?.statuses() ?? []).map((s) => ({ name: s.name, state: s.state, since: iso(s.since) })),
      history: (book?.history ?? []).map((t) => ({ ...t, at: iso(t.at) })),
      ...(error ? { error } : {}),
    }),
    ready: ready.then(() => undefined),
    stop: () => {
      stopped = true;
      for (const t of timers) clearInterval(t);
    },
  };
}

/** What publishEachMetric needs of Powertools' Metrics. */
export interface BufferingMetrics {
  addMetric(...args: never[]): void;
  publishStoredMetrics(): unknown;
  hasStoredMetrics(): boolean;
}

/**
 * Makes the shared Powertools Metrics print each metric at once, in the invocation that added it.
 * On AWS each function has its own buffer, flushed at the end of its invocation; here every
 * handler shares one, so a metric added by the alerter would be printed by whichever invocation
 * ended next (the indexer's, say) and counted under that function's `service`. Returns the undo.
 */
export function publishEachMetric(metrics: BufferingMetrics): () => void {
  const add = metrics.addMetric;
  const publish = metrics.publishStoredMetrics;
  metrics.addMetric = function (this: BufferingMetrics, ...args: never[]) {
    add.apply(this, args);
    publish.call(this);
  };
  // The end of every invocation publishes too, now always with an empty buffer: Powertools would
  // warn "No application metrics to publish" once per invocation.
  metrics.publishStoredMetrics = function (this: BufferingMetrics) {
    return this.hasStoredMetrics() ? publish.call(this) : this;
  };
  return () => {
    metrics.addMetric = add;
    metrics.publishStoredMetrics = publish;
  };
}

/**
 * Hands every complete line written to stdout to `onLine` (then writes it on unchanged), for the
 * EMF lines Powertools prints from the handlers in this process; returns the undo.
 */
export function tapStdout(onLine: (line: string) => void): () => void {
  const stream = process.stdout;
  const previous = stream.write;
  let partial = '';
  let active = true;
  const patched = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    if (active) {
      try {
        const text =
          partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        const lines = text.split('\n');
        partial = (lines.pop() ?? '').slice(-100_000);
        for (const line of lines) if (line.includes('"_aws"')) onLine(line);
      } catch {
        // A metric tap must never break the output it watches.
      }
    }
    return (previous as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
  };
  stream.write = patched as typeof stream.write;
  return () => {
    active = false;
    // Someone may have wrapped it since; then this one stays in their chain, passing through.
    if (stream.write === (patched as typeof stream.write)) stream.write = previous;
  };
}
