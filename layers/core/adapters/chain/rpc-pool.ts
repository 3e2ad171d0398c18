// A small JSON-RPC client over fetch for the indexer's chain reads, spread over several endpoints:
// one request per HTTP call (no batching, no caching), a timeout per request, failover to the next
// endpoint when one is down, slow, throttling or talking nonsense, and a per-endpoint cooldown with
// exponential backoff and jitter so a failing endpoint is left alone for a while. Every answer is
// validated; a wrong-shaped one is never returned. URLs appear only redacted (scheme://host/…).
import { z } from 'zod';
import type { RawLog } from '../../domain/trade-events.js';
import type { BlockHeader } from '../../ports/chain.js';
import {
  FAILOVER_KINDS,
  RpcError,
  RpcUnavailableError,
  classifyRpcFailure,
  redactUrl,
  scrubSecrets,
  type RpcErrorKind,
  type RpcFailure,
} from './rpc-errors.js';

export interface RpcPoolOptions {
  /** RPC endpoints in order of preference; ws(s) URLs are skipped (this client speaks HTTP). */
  readonly urls: readonly string[];
  /** Per HTTP request, body included. Default 10 s. */
  readonly timeoutMs?: number;
  /** Cooldown after an endpoint's n-th consecutive failure: base * 2^(n-1), capped, with jitter. */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** Longest Retry-After honoured; a provider asking for an hour gets this instead. Default 60 s. */
  readonly maxRetryAfterMs?: number;
  /** Passes over the endpoints for one call before giving up. Default 3. */
  readonly maxRounds?: number;
  /**
   * Longest one call sleeps, in total, for an endpoint to come out of cooldown. Beyond it the call
   * fails fast with RpcUnavailableError rather than eat the Lambda's minute. Default 5 s.
   */
  readonly maxWaitMs?: number;
  /**
   * Before eth_getLogs, make sure the endpoint has reached toBlock (one eth_blockNumber when its last
   * known head is lower). A node behind the range answers [] for the blocks it lacks, which would read
   * as "no trades" and lose them; with the guard it fails over instead. Default true.
   */
  readonly headGuard?: boolean;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Failures, failovers and recoveries, for logs; labels are redacted. */
  readonly onEvent?: (event: RpcPoolEvent) => void;
}

export type RpcPoolEvent =
  | {
      readonly type: 'failure';
      readonly endpoint: string;
      readonly method: string;
      readonly kind: RpcErrorKind;
      readonly message: string;
      readonly cooldownMs: number;
    }
  | { readonly type: 'failover'; readonly from: string; readonly to: string; readonly method: string }
  | { readonly type: 'recovered'; readonly endpoint: string; readonly afterFailures: number }
  | { readonly type: 'unavailable'; readonly method: string; readonly message: string };

export interface LogQuery {
  readonly fromBlock: number;
  readonly toBlock: number;
  /** Emitting contracts; empty means any. */
  readonly address: readonly string[];
  /** Topic filter by position; `[[t0a, t0b]]` matches either event signature. */
  readonly topics: readonly (readonly string[] | null)[];
}

export interface EndpointStatus {
  /** Redacted: scheme://host[:port][/…], prefixed with its position so two keys on one host differ. */
  readonly endpoint: string;
  readonly healthy: boolean;
  readonly consecutiveFailures: number;
  readonly cooldownRemainingMs: number;
  readonly knownHead: number | undefined;
  readonly lastError: { readonly kind: RpcErrorKind; readonly message: string } | undefined;
}

export interface RpcPoolStats {
  /** HTTP requests sent. */
  readonly requests: number;
  readonly successes: number;
  readonly failures: Readonly<Record<RpcErrorKind, number>>;
  /** Times a call moved on to another endpoint after one failed. */
  readonly failovers: number;
  /** Calls that ended in RpcUnavailableError. */
  readonly unavailable: number;
  readonly endpoints: readonly EndpointStatus[];
}

/** The part of the pool the log pager needs; lets it run against a fake in unit tests. */
export interface LogSource {
  getLogs(query: LogQuery): Promise<RawLog[]>;
}

interface Endpoint {
  readonly url: string;
  readonly label: string;
  consecutiveFailures: number;
  cooldownUntil: number;
  knownHead: number | undefined;
  lastError: { kind: RpcErrorKind; message: string } | undefined;
}

// ---------------------------------------------------------------------------------------------
// Answer shapes. Hex is lower-cased so the same log always compares and stores the same way.

const quantity = z
  .string()
  .regex(/^0x[0-9a-fA-F]{1,16}$/, 'expected a hex quantity')
  .transform((s, ctx) => {
    const n = Number.parseInt(s.slice(2), 16);
    if (!Number.isSafeInteger(n)) {
      ctx.addIssue({ code: 'custom', message: 'quantity beyond 2^53' });
      return z.NEVER;
    }
    return n;
  });
const hash32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte hash')
  .transform((s) => s.toLowerCase());
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte address')
  .transform((s) => s.toLowerCase());
const hexData = z
  .string()
  .regex(/^0x(?:[0-9a-fA-F]{2})*$/, 'expected hex bytes')
  .transform((s) => s.toLowerCase());

const logSchema = z.object({
  address,
  topics: z.array(hash32).max(4),
  data: hexData,
  blockNumber: quantity,
  blockHash: hash32,
  transactionHash: hash32,
  logIndex: quantity,
  removed: z.boolean().optional(),
});
const logsSchema = z.array(logSchema);

const blockSchema = z.object({ number: quantity, hash: hash32, parentHash: hash32, timestamp: quantity });

const envelopeSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.number(), z.string(), z.null()]),
  // Some servers send "error": null beside a result.
  error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }).nullish(),
});

function issues(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

const toHex = (n: number) => `0x${n.toString(16)}`;

const ALL_KINDS: readonly RpcErrorKind[] = [
  'RANGE_TOO_LARGE',
  'RATE_LIMITED',
  'TIMEOUT',
  'UNAVAILABLE',
  'MALFORMED',
  'FATAL',
];

export class RpcPool implements LogSource {
  /** Non-HTTP URLs that were given and skipped, redacted. */
  readonly skipped: readonly string[];
  private readonly eps: Endpoint[];
  private readonly timeoutMs: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxRounds: number;
  private readonly maxWaitMs: number;
  private readonly headGuard: boolean;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly onEvent: (event: RpcPoolEvent) => void;
  private nextId = 0;
  private readonly counters = {
    requests: 0,
    successes: 0,
    failovers: 0,
    unavailable: 0,
    failures: Object.fromEntries(ALL_KINDS.map((k) => [k, 0])) as Record<RpcErrorKind, number>,
  };

  constructor(options: RpcPoolOptions) {
    const http: string[] = [];
    const skipped: string[] = [];
    for (const raw of options.urls) {
      const url = raw.trim();
      if (/^https?:\/\//i.test(url)) http.push(url);
      else if (url !== '') skipped.push(redactUrl(url));
    }
    if (http.length === 0)
      throw new Error(
        `RpcPool needs at least one http(s) RPC URL (got ${options.urls.length}, skipped: ${skipped.join(', ') || 'none'})`,
      );
    this.skipped = skipped;
    this.eps = http.map((url, i) => ({
      url,
      label: `#${i + 1} ${redactUrl(url)}`,
      consecutiveFailures: 0,
      cooldownUntil: 0,
      knownHead: undefined,
      lastError: undefined,
    }));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.baseMs = options.backoff?.baseMs ?? 500;
    this.maxMs = options.backoff?.maxMs ?? 60_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.maxRounds = Math.max(1, options.maxRounds ?? 3);
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
    this.headGuard = options.headGuard ?? true;
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.onEvent = options.onEvent ?? (() => undefined);
  }

  async chainId(): Promise<number> {
    return this.call('eth_chainId', [], (result) => parseWith(quantity, result, 'eth_chainId'));
  }

  async blockNumber(): Promise<number> {
    return this.call('eth_blockNumber', [], (result, ep) => {
      const n = parseWith(quantity, result, 'eth_blockNumber');
      ep.knownHead = Math.max(ep.knownHead ?? 0, n);
      return n;
    });
  }

  /** Header fields of one block. A block the endpoint does not have yet counts as that endpoint lagging. */
  async getBlock(block: number | 'latest'): Promise<BlockHeader> {
    if (block !== 'latest') assertBlockNumber(block, 'block');
    const tag = block === 'latest' ? 'latest' : toHex(block);
    return this.call('eth_getBlockByNumber', [tag, false], (result, ep) => {
      if (result === null) {
        if (block === 'latest') throw new RpcError('MALFORMED', 'eth_getBlockByNumber(latest) returned null');
        throw new RpcError('UNAVAILABLE', `block ${block} not found (endpoint behind)`);
      }
      const header = parseWith(blockSchema, result, 'eth_getBlockByNumber');
      if (block !== 'latest' && header.number !== block)
        throw new RpcError('MALFORMED', `asked for block ${block}, got ${header.number}`);
      if (block === 'latest') ep.knownHead = Math.max(ep.knownHead ?? 0, header.number);
      return header;
    });
  }

  /**
   * Logs of [fromBlock, toBlock], sorted by (blockNumber, logIndex). The answer must match the query:
   * every log inside the range, from a requested address and topic0, one hash per block, no duplicates.
   */
  async getLogs(query: LogQuery): Promise<RawLog[]> {
    assertBlockNumber(query.fromBlock, 'fromBlock');
    assertBlockNumber(query.toBlock, 'toBlock');
    if (query.toBlock < query.fromBlock)
      throw new RangeError(`getLogs: toBlock ${query.toBlock} is before fromBlock ${query.fromBlock}`);
    const wantAddress = new Set(query.address.map((a) => a.toLowerCase()));
    const topic0 = query.topics[0];
    const wantTopic0 = topic0 ? new Set(topic0.map((t) => t.toLowerCase())) : undefined;
    const filter: Record<string, unknown> = {
      fromBlock: toHex(query.fromBlock),
      toBlock: toHex(query.toBlock),
      topics: query.topics,
    };
    if (query.address.length > 0) filter.address = query.address;

    return this.call(
      'eth_getLogs',
      [filter],
      (result) => checkLogs(parseWith(logsSchema, result, 'eth_getLogs'), query, wantAddress, wantTopic0),
      async (ep) => {
        if (!this.headGuard || (ep.knownHead !== undefined && ep.knownHead >= query.toBlock)) return;
        const head = parseWith(quantity, await this.post(ep, 'eth_blockNumber', []), 'eth_blockNumber');
        ep.knownHead = Math.max(ep.knownHead ?? 0, head);
        if (head < query.toBlock)
          throw new RpcError('UNAVAILABLE', `head ${head} is behind toBlock ${query.toBlock}`, {
            method: 'eth_getLogs',
          });
      },
    );
  }

  /** Any method, with failover; the result is returned as sent (only the envelope is checked). */
  async send(method: string, params: readonly unknown[] = []): Promise<unknown> {
    return this.call(method, params, (result) => result);
  }

  stats(): RpcPoolStats {
    const now = this.now();
    return {
      requests: this.counters.requests,
      successes: this.counters.successes,
      failures: { ...this.counters.failures },
      failovers: this.counters.failovers,
      unavailable: this.counters.unavailable,
      endpoints: this.eps.map((ep) => ({
        endpoint: ep.label,
        healthy: ep.cooldownUntil <= now && ep.consecutiveFailures === 0,
        consecutiveFailures: ep.consecutiveFailures,
        cooldownRemainingMs: Math.max(0, ep.cooldownUntil - now),
        knownHead: ep.knownHead,
        lastError: ep.lastError,
      })),
    };
  }

  // -------------------------------------------------------------------------------------------

  /**
   * One call: endpoints out of cooldown in order of preference; a failure of a FAILOVER kind puts the
   * endpoint in cooldown and moves on; RANGE_TOO_LARGE and FATAL go straight to the caller (another
   * endpoint would not help, and the pager must see the range error to shrink).
   */
  private async call<T>(
    method: string,
    params: readonly unknown[],
    parse: (result: unknown, ep: Endpoint) => T,
    before?: (ep: Endpoint) => Promise<void>,
  ): Promise<T> {
    let passes = 0;
    let waited = 0;
    let lastFailed: Endpoint | undefined;
    const errors = new Map<Endpoint, RpcError>();
    for (;;) {
      const now = this.now();
      const ready = this.eps.filter((ep) => ep.cooldownUntil <= now);
      if (passes >= this.maxRounds) break;
      if (ready.length === 0) {
        const wait = Math.max(0, Math.min(...this.eps.map((ep) => ep.cooldownUntil)) - now);
        if (waited + wait > this.maxWaitMs) break;
        await this.sleep(wait);
        waited += wait;
        continue;
      }
      passes++;
      for (const ep of ready) {
        if (lastFailed !== undefined && lastFailed !== ep) {
          this.counters.failovers++;
          this.onEvent({ type: 'failover', from: lastFailed.label, to: ep.label, method });
        }
        try {
          if (before) await before(ep);
          const result = parse(await this.post(ep, method, params), ep);
          this.succeeded(ep);
          return result;
        } catch (e) {
          const err = this.asRpcError(e, ep, method);
          this.counters.failures[err.kind]++;
          if (!FAILOVER_KINDS.has(err.kind)) {
            // The endpoint answered: it is healthy even if the request was not.
            this.succeeded(ep);
            throw err;
          }
          this.failed(ep, method, err);
          errors.set(ep, err);
          lastFailed = ep;
        }
      }
    }
    this.counters.unavailable++;
    const error = new RpcUnavailableError(
      method,
      this.eps.map((ep) => {
        const err = errors.get(ep);
        if (err) return { endpoint: ep.label, kind: err.kind, message: err.message };
        // Not tried in this call: it was cooling down after an earlier failure.
        const cooling = `not tried, cooling down ${Math.max(0, ep.cooldownUntil - this.now())} ms`;
        return {
          endpoint: ep.label,
          kind: ep.lastError?.kind ?? 'UNAVAILABLE',
          message: ep.lastError ? `${cooling} after: ${ep.lastError.message}` : cooling,
        };
      }),
    );
    this.onEvent({ type: 'unavailable', method, message: error.message });
    throw error;
  }

  /** One HTTP request to one endpoint; returns `result` or throws a classified RpcError. */
  private async post(ep: Endpoint, method: string, params: readonly unknown[]): Promise<unknown> {
    const id = ++this.nextId;
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, this.timeoutMs);
    this.counters.requests++;
    const fail = (f: RpcFailure): RpcError => this.classified(ep, method, f);
    try {
      let res: Response;
      try {
        res = await this.fetchImpl(ep.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
          signal: ac.signal,
          redirect: 'error',
        });
      } catch (cause) {
        throw fail(timedOut ? { method, timedOut: true } : { method, cause });
      }
      let text: string;
      try {
        text = await res.text();
      } catch (cause) {
        throw fail(timedOut ? { method, timedOut: true } : { method, cause });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const env = envelopeSchema.safeParse(json);
      const retryAfter = res.headers.get('retry-after');
      if (!res.ok) {
        throw fail({
          method,
          httpStatus: res.status,
          retryAfter,
          rpcError: env.success ? (env.data.error ?? undefined) : undefined,
          body: env.success ? undefined : text.slice(0, 500),
        });
      }
      if (!env.success) {
        const why =
          json === undefined ? 'body is not JSON' : `not a JSON-RPC 2.0 response (${issues(env.error)})`;
        throw fail({ method, httpStatus: res.status, malformed: why });
      }
      if (env.data.id !== id && env.data.id !== String(id))
        throw fail({
          method,
          malformed: `response id ${String(env.data.id)} does not match request id ${id}`,
        });
      if (env.data.error)
        throw fail({ method, httpStatus: res.status, retryAfter, rpcError: env.data.error });
      if (typeof json !== 'object' || json === null || !('result' in json))
        throw fail({ method, malformed: 'response has neither result nor error' });
      return (json as { result: unknown }).result;
    } finally {
      clearTimeout(timer);
    }
  }

  private classified(ep: Endpoint, method: string, f: RpcFailure): RpcError {
    const c = classifyRpcFailure(f, this.now());
    return new RpcError(c.kind, `${ep.label} ${method}: ${scrubSecrets(c.reason, [ep.url])}`, {
      method,
      endpoint: ep.label,
      code: f.rpcError?.code,
      httpStatus: f.httpStatus,
      range: c.range,
      retryAfterMs: c.retryAfterMs,
    });
  }

  /** Errors raised by parsers and guards carry no endpoint yet; anything unexpected is MALFORMED. */
  private asRpcError(e: unknown, ep: Endpoint, method: string): RpcError {
    if (e instanceof RpcError) {
      if (e.endpoint !== undefined) return e;
      return new RpcError(e.kind, `${ep.label} ${method}: ${e.message}`, {
        method,
        endpoint: ep.label,
        code: e.code,
        httpStatus: e.httpStatus,
        range: e.range,
        retryAfterMs: e.retryAfterMs,
      });
    }
    const message = e instanceof Error ? e.message : String(e);
    return new RpcError('MALFORMED', `${ep.label} ${method}: ${scrubSecrets(message, [ep.url])}`, {
      method,
      endpoint: ep.label,
      cause: e,
    });
  }

  private succeeded(ep: Endpoint): void {
    this.counters.successes++;
    if (ep.consecutiveFailures > 0)
      this.onEvent({ type: 'recovered', endpoint: ep.label, afterFailures: ep.consecutiveFailures });
    ep.consecutiveFailures = 0;
    ep.cooldownUntil = 0;
  }

  private failed(ep: Endpoint, method: string, err: RpcError): void {
    ep.consecutiveFailures++;
    const exp = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(ep.consecutiveFailures - 1, 30));
    // "Equal jitter": never less than half the backoff, so a flapping endpoint is not hammered,
    // and spread so several Lambdas do not come back in lockstep.
    let cooldown = exp / 2 + this.random() * (exp / 2);
    if (err.retryAfterMs !== undefined)
      cooldown = Math.max(cooldown, Math.min(err.retryAfterMs, this.maxRetryAfterMs));
    cooldown = Math.round(cooldown);
    ep.cooldownUntil = this.now() + cooldown;
    ep.lastError = { kind: err.kind, message: err.message };
    this.onEvent({
      type: 'failure',
      endpoint: ep.label,
      method,
      kind: err.kind,
      message: err.message,
      cooldownMs: cooldown,
    });
  }
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new RpcError('MALFORMED', `${what} result has the wrong shape: ${issues(r.error)}`);
  return r.data;
}

function assertBlockNumber(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
}

/** The node answered the query we asked, not another one, and in one consistent view of the chain. */
function checkLogs(
  logs: z.output<typeof logsSchema>,
  q: LogQuery,
  wantAddress: ReadonlySet<string>,
  wantTopic0: ReadonlySet<string> | undefined,
): RawLog[] {
  const hashOfBlock = new Map<number, string>();
  const seen = new Set<string>();
  for (const log of logs) {
    const at = `block ${log.blockNumber} log ${log.logIndex}`;
    if (log.blockNumber < q.fromBlock || log.blockNumber > q.toBlock)
      throw new RpcError('MALFORMED', `eth_getLogs returned ${at}, outside ${q.fromBlock}-${q.toBlock}`);
    if (wantAddress.size > 0 && !wantAddress.has(log.address))
      throw new RpcError('MALFORMED', `eth_getLogs returned ${at} from unrequested address ${log.address}`);
    if (wantTopic0 && wantTopic0.size > 0 && !wantTopic0.has(log.topics[0] ?? ''))
      throw new RpcError('MALFORMED', `eth_getLogs returned ${at} with unrequested topic0`);
    const hash = hashOfBlock.get(log.blockNumber);
    if (hash !== undefined && hash !== log.blockHash)
      throw new RpcError('MALFORMED', `eth_getLogs returned two hashes for block ${log.blockNumber}`);
    hashOfBlock.set(log.blockNumber, log.blockHash);
    const key = `${log.blockNumber}:${log.logIndex}`;
    if (seen.has(key)) throw new RpcError('MALFORMED', `eth_getLogs returned ${at} twice`);
    seen.add(key);
  }
  return logs
    .map((l): RawLog => ({
      address: l.address,
      topics: l.topics,
      data: l.data,
      blockNumber: l.blockNumber,
      blockHash: l.blockHash,
      transactionHash: l.transactionHash,
      logIndex: l.logIndex,
      ...(l.removed === undefined ? {} : { removed: l.removed }),
    }))
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}
