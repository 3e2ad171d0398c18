// Local logs a person can read. Every handler runs in the `npm start` process and shares one
// Powertools logger, so its lines would carry whichever function set the logger's context last;
// this sink rewrites each JSON line's `function_name` and `service` from the invocation that really
// wrote it (the runner's async context), appends the full JSON to .local/logs/<function>.log (and
// all.log; EMF metrics, their `service` dimension fixed the same way, to metrics.log), and on a terminal prints one short line per event instead:
// time, function, level, message, reason code and a few key fields.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fixService } from './alarms/emf.js';
import { currentInvocation } from './runner.js';

export interface LogSinkOptions {
  /** Where the full JSON goes, e.g. .local/logs. */
  readonly dir: string;
  /** Short lines (a terminal) or the corrected JSON (a pipe, CI). */
  readonly terminal: boolean;
  /** Colours on the short lines. */
  readonly color?: boolean;
}

/** Powertools' own keys: known from the file, not worth a terminal column. */
const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'correlation_id',
  'reason',
]);
const MAX_FIELDS = 6;
const MAX_VALUE = 40;
const COLORS: Record<string, string> = { WARN: '\u001b[33m', ERROR: '\u001b[31m', CRITICAL: '\u001b[31m' };
const RESET = '\u001b[0m';

type Json = Record<string, unknown>;

const scalar = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (
    v &&
    typeof v === 'object' &&
    'message' in v &&
    typeof (v as { message: unknown }).message === 'string'
  ) {
    return scalar((v as { message: string }).message);
  }
  return undefined;
};

/** One short line for a log event: `12:00:01.234 indexer      INFO  page stored · PAGE_STORED from=1 to=9`. */
export function shortLine(event: Json, color = false): string {
  const time = typeof event.timestamp === 'string' ? event.timestamp.slice(11, 23) : '';
  const level = String(event.level ?? '').padEnd(5);
  const fields: string[] = [];
  for (const [k, v] of Object.entries(event)) {
    if (STANDARD_KEYS.has(k) || fields.length >= MAX_FIELDS) continue;
    const text = scalar(v);
    if (text !== undefined) fields.push(`${k}=${text}`);
  }
  const reason = typeof event.reason === 'string' ? ` · ${event.reason}` : '';
  const line = `${time} ${String(event.function_name ?? '-').padEnd(16)} ${level} ${String(event.message ?? '')}${reason}${fields.length ? ` ${fields.join(' ')}` : ''}`;
  const c = color ? COLORS[String(event.level)] : undefined;
  return c ? `${c}${line}${RESET}` : line;
}

/**
 * What to do with one line of output: a Powertools log line is relabelled with the function that
 * wrote it; returns the line for the terminal (or undefined) and the file(s) the JSON goes to.
 */
export function routeLine(
  line: string,
  invocation: { functionName: string; requestId: string; functionArn?: string } | undefined,
  opts: Pick<LogSinkOptions, 'terminal' | 'color'>,
): { show?: string; files: { name: string; json: string }[] } {
  if (!line.startsWith('{')) return { show: line, files: [] };
  let event: Json;
  try {
    event = JSON.parse(line) as Json;
  } catch {
    return { show: line, files: [] };
  }
  // EMF: the `service` dimension too is the function that really emitted it (local/alarms/emf.ts).
  if ('_aws' in event)
    return {
      files: [{ name: 'metrics', json: JSON.stringify(fixService(event, invocation?.functionName)) }],
    };
  if (!('level' in event) || !('message' in event)) return { show: line, files: [] };
  if (invocation) {
    event.function_name = invocation.functionName;
    event.service = invocation.functionName;
    event.function_request_id = invocation.requestId;
    if (invocation.functionArn) event.function_arn = invocation.functionArn;
  }
  const json = JSON.stringify(event);
  const fn = String(event.function_name ?? 'local').replace(/[^\w.-]/g, '_');
  return {
    show: opts.terminal ? shortLine(event, opts.color) : json,
    files: [
      { name: fn, json },
      { name: 'all', json },
    ],
  };
}

/** Takes over stdout and stderr for the process; returns the function that gives them back. */
export function installLogSink(opts: LogSinkOptions): () => void {
  mkdirSync(opts.dir, { recursive: true });
  const restore: (() => void)[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (chunk: string) => boolean;
    let partial = '';
    const patched = (chunk: unknown, ...rest: unknown[]): boolean => {
      const text =
        partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      const out: string[] = [];
      const invocation = currentInvocation();
      for (const line of lines) {
        const routed = routeLine(line, invocation, opts);
        for (const f of routed.files) appendFileSync(path.join(opts.dir, `${f.name}.log`), `${f.json}\n`);
        if (routed.show !== undefined) out.push(routed.show);
      }
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      const ok = out.length > 0 ? original(`${out.join('\n')}\n`) : true;
      callback?.();
      return ok;
    };
    stream.write = patched as typeof stream.write;
    restore.push(() => {
      stream.write = original as typeof stream.write;
    });
  }
  return () => restore.forEach((r) => r());
}
