// An HTTP JSON-RPC proxy on 127.0.0.1 in front of a real node (anvil) that injects the failures real
// providers produce: range-too-large answers worded like Alchemy, Infura, QuickNode..., 429 with
// Retry-After, hangs, garbage bodies, wrong-shaped results, 500s, reset or closed connections, and a
// node lagging N blocks behind the head. Tests point the RPC pool at one or more of these to prove
// failover, backoff and page shrinking for real; the local stack (with `control`) puts them in front
// of anvil for its handlers, and the rpc drill drives them from another process over HTTP:
// `POST /_alfa/faults` (a Fault), `DELETE /_alfa/faults`, `POST /_alfa/lag {"blocks":N}`,
// `GET /_alfa/stats`. JSON-RPC itself is any other POST.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';

export type FaultKind =
  | 'RANGE_TOO_LARGE'
  | 'HTTP_429'
  | 'TIMEOUT'
  | 'GARBAGE'
  | 'MALFORMED_RESULT'
  | 'HTTP_500'
  /** Connection reset (RST) as soon as the request arrives. */
  | 'DOWN'
  /** Socket closed (FIN) without an answer. */
  | 'BLACKHOLE';

/** Whose wording a RANGE_TOO_LARGE answer copies (see rpc-errors.ts for where each was seen). */
export type RangeStyle =
  'alchemy' | 'infura' | 'quicknode' | 'geth' | 'reth' | 'coinbase' | 'cloudflare' | 'drpc' | 'chainstack';

export interface Fault {
  /** Only requests of this method (any when absent). */
  readonly method?: string;
  readonly kind: FaultKind;
  /** How many matching requests fail; unlimited (until clear()) when absent. */
  readonly times?: number;
  /**
   * Only eth_getLogs whose span (to - from + 1) exceeds this. With RANGE_TOO_LARGE it enforces the
   * limit for real; with other kinds it mimics a node that chokes only on heavy ranges.
   */
  readonly maxRange?: number;
  /** RANGE_TOO_LARGE wording; default 'geth'. */
  readonly style?: RangeStyle;
  /** Overrides the generated error message. */
  readonly message?: string;
  /** HTTP_429: Retry-After seconds; default 1. Null sends none. */
  readonly retryAfterSeconds?: number | null;
  /** TIMEOUT: how long to hang before answering normally; default 30 s (closed early by close()). */
  readonly hangMs?: number;
}

const FAULT_KINDS = [
  'RANGE_TOO_LARGE',
  'HTTP_429',
  'TIMEOUT',
  'GARBAGE',
  'MALFORMED_RESULT',
  'HTTP_500',
  'DOWN',
  'BLACKHOLE',
] as const satisfies readonly FaultKind[];
const RANGE_STYLES = [
  'alchemy',
  'infura',
  'quicknode',
  'geth',
  'reth',
  'coinbase',
  'cloudflare',
  'drpc',
  'chainstack',
] as const satisfies readonly RangeStyle[];

/** A Fault as the control routes take it (POST /_alfa/faults). */
export const FaultSchema = z.strictObject({
  method: z.string().max(100).optional(),
  kind: z.enum(FAULT_KINDS),
  times: z.number().int().positive().optional(),
  maxRange: z.number().int().positive().optional(),
  style: z.enum(RANGE_STYLES).optional(),
  message: z.string().max(1_000).optional(),
  retryAfterSeconds: z.number().int().nonnegative().max(3_600).nullable().optional(),
  hangMs: z.number().int().nonnegative().max(600_000).optional(),
});
/** POST /_alfa/lag. */
export const LagSchema = z.strictObject({ blocks: z.number().int().nonnegative().max(100_000) });
/** GET /_alfa/stats: what the proxy saw since it started. */
export const ProxyStatsSchema = z.object({
  requests: z.number().int().nonnegative(),
  /** Requests answered with each fault kind. */
  faulted: z.record(z.string(), z.number().int().nonnegative()),
  /** Requests answered as a lagging node (a head, block, log range or receipt held back). */
  lagged: z.number().int().nonnegative(),
  lagBlocks: z.number().int().nonnegative(),
  /** Faults armed and not yet used up. */
  armed: z.number().int().nonnegative(),
});
export type ProxyStats = z.infer<typeof ProxyStatsSchema>;

export interface RecordedRequest {
  readonly seq: number;
  readonly method: string;
  readonly params: unknown;
  /** The fault applied, if any. */
  readonly fault: FaultKind | undefined;
  readonly at: number;
}

export interface FaultyRpcProxy {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  inject(fault: Fault): void;
  /** Removes every fault, leaves blackhole mode and stops lagging. */
  clear(): void;
  /** Every request (each element of a batch), in arrival order. */
  requests(): RecordedRequest[];
  /** Blackhole mode: every connection is closed without an answer, until turned off. */
  blackhole(on?: boolean): void;
  /**
   * Answers as a node `blocks` behind the real head (0: in step again): its head, its `latest`, no
   * block, receipt or transaction above it, and logs only up to it (what a lagging node really
   * answers, which reads as "no trades" to a client that does not check the head).
   */
  lag(blocks: number): void;
  stats(): ProxyStats;
  close(): Promise<void>;
}

interface ActiveFault {
  readonly fault: Fault;
  remaining: number;
}

interface RpcRequest {
  id: unknown;
  method: string;
  params: unknown;
}

function asRequest(v: unknown): RpcRequest | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as { id?: unknown; method?: unknown; params?: unknown };
  return typeof r.method === 'string' ? { id: r.id ?? null, method: r.method, params: r.params } : undefined;
}

/** Span of an eth_getLogs request, when both bounds are numbers. */
function getLogsRange(req: RpcRequest): { from: number; to: number } | undefined {
  if (req.method !== 'eth_getLogs' || !Array.isArray(req.params)) return undefined;
  const f: unknown = req.params[0];
  if (typeof f !== 'object' || f === null) return undefined;
  const { fromBlock, toBlock } = f as { fromBlock?: unknown; toBlock?: unknown };
  if (typeof fromBlock !== 'string' || typeof toBlock !== 'string') return undefined;
  const from = Number.parseInt(fromBlock, 16);
  const to = Number.parseInt(toBlock, 16);
  return Number.isFinite(from) && Number.isFinite(to) ? { from, to } : undefined;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The error a provider returns for an over-wide eth_getLogs, in its own words, code and status. */
function rangeError(
  style: RangeStyle,
  from: number,
  max: number,
): { status: number; code: number; message: string } {
  const last = from + max - 1;
  switch (style) {
    case 'alchemy':
      return {
        status: 400,
        code: -32600,
        message: `You can make eth_getLogs requests with up to a ${max} block range. Based on your parameters, this block range should work: [${hex(from)}, ${hex(last)}]`,
      };
    case 'infura':
      return {
        status: 200,
        code: -32005,
        message: `query returned more than 10000 results. Try with this block range [${hex(from)}, ${hex(last)}].`,
      };
    case 'quicknode':
      return {
        status: 413,
        code: -32614,
        message: `eth_getLogs is limited to a ${max.toLocaleString('en-US')} range`,
      };
    case 'reth':
      return { status: 200, code: -32602, message: `query exceeds max block range ${max}` };
    case 'coinbase':
      return { status: 200, code: -32005, message: `please limit the query to at most ${max} blocks` };
    case 'cloudflare':
      return {
        status: 200,
        code: -32047,
        message: `Invalid eth_getLogs request. 'fromBlock'-'toBlock' range too large. Max range: ${max}`,
      };
    case 'drpc':
      return { status: 400, code: 35, message: `ranges over ${max} blocks are not supported on freetier` };
    case 'chainstack':
      return { status: 200, code: -32602, message: 'Block range limit exceeded.' };
    case 'geth':
      return { status: 200, code: -32602, message: `exceed maximum block range: ${max}` };
  }
}

/** A result of the wrong shape for the method: what a confused proxy or a buggy node might send. */
function wrongShape(method: string): unknown {
  switch (method) {
    case 'eth_getLogs':
      return [{ address: '0x1234', topics: 'none', blockNumber: 7, logIndex: null }];
    case 'eth_getBlockByNumber':
      return { number: 7, hash: 'not-a-hash' };
    case 'eth_blockNumber':
    case 'eth_chainId':
      return 'banana';
    default:
      return { unexpected: true };
  }
}

const BLOCK_TAGS: ReadonlySet<string> = new Set(['latest', 'pending', 'safe', 'finalized']);
/** State reads and where their block parameter sits. */
const STATE_READS: Readonly<Record<string, number>> = {
  eth_call: 1,
  eth_getBalance: 1,
  eth_getCode: 1,
  eth_getTransactionCount: 1,
  eth_getStorageAt: 2,
};

/** How a lagging node answers one request: untouched, a result of its own, or rewritten upstream. */
type LagPlan =
  | { readonly result: unknown }
  | { readonly error: { readonly code: number; readonly message: string } }
  | { readonly params: unknown[]; readonly filter?: (result: unknown) => unknown };

const quantityOf = (v: unknown): number | undefined =>
  typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : undefined;

/** A block parameter as a number on a node whose head is `head` ('earliest' 0, tags the head). */
function blockParam(v: unknown, head: number): number | undefined {
  if (v === undefined || (typeof v === 'string' && BLOCK_TAGS.has(v))) return head;
  if (v === 'earliest') return 0;
  return quantityOf(v);
}

/** Null for an object (block, receipt, transaction) above the lagging head. */
const hideAbove = (head: number) => (r: unknown) => {
  if (typeof r !== 'object' || r === null) return r;
  const n = quantityOf(
    (r as { blockNumber?: unknown; number?: unknown }).blockNumber ?? (r as { number?: unknown }).number,
  );
  return n !== undefined && n > head ? null : r;
};

function lagPlan(req: RpcRequest, head: number): LagPlan | undefined {
  const params = Array.isArray(req.params) ? [...(req.params as unknown[])] : [];
  switch (req.method) {
    case 'eth_blockNumber':
      return { result: hex(head) };
    case 'eth_getBlockByNumber': {
      const n = blockParam(params[0], head);
      if (n === undefined) return undefined;
      if (n > head) return { result: null };
      return { params: [hex(n), ...params.slice(1)] };
    }
    case 'eth_getBlockByHash':
    case 'eth_getTransactionReceipt':
    case 'eth_getTransactionByHash':
      return { params, filter: hideAbove(head) };
    case 'eth_getLogs': {
      const f: unknown = params[0];
      if (typeof f !== 'object' || f === null) return undefined;
      const filter = f as { blockHash?: unknown; fromBlock?: unknown; toBlock?: unknown };
      const keep = (logs: unknown) =>
        Array.isArray(logs)
          ? logs.filter((l) => (quantityOf((l as { blockNumber?: unknown }).blockNumber) ?? 0) <= head)
          : logs;
      if (filter.blockHash !== undefined) return { params, filter: keep };
      const from = blockParam(filter.fromBlock, head);
      const to = blockParam(filter.toBlock, head);
      if (from === undefined || to === undefined) return undefined;
      if (from > head) return { result: [] };
      return {
        params: [{ ...filter, fromBlock: hex(from), toBlock: hex(Math.min(to, head)) }, ...params.slice(1)],
      };
    }
    default: {
      const at = STATE_READS[req.method];
      if (at === undefined) return undefined;
      const n = blockParam(params[at], head);
      if (n === undefined) return undefined;
      if (n > head) return { error: { code: -32000, message: 'header not found' } };
      params[at] = hex(n);
      return { params };
    }
  }
}

export async function startFaultyRpcProxy(options: {
  target: string;
  port?: number;
}): Promise<FaultyRpcProxy> {
  const faults: ActiveFault[] = [];
  const recorded: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let blackholed = false;
  let seq = 0;
  let lagBlocks = 0;
  let lagged = 0;
  const faulted: Record<string, number> = {};

  /** The first fault that matches, consuming one of its `times`. */
  function take(req: RpcRequest): Fault | undefined {
    for (const af of faults) {
      if (af.remaining <= 0) continue;
      if (af.fault.method !== undefined && af.fault.method !== req.method) continue;
      if (af.fault.maxRange !== undefined) {
        const r = getLogsRange(req);
        if (!r || r.to - r.from + 1 <= af.fault.maxRange) continue;
      }
      af.remaining--;
      return af.fault;
    }
    return undefined;
  }

  async function forward(body: string): Promise<{ status: number; text: string; contentType: string }> {
    const res = await fetch(options.target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return {
      status: res.status,
      text: await res.text(),
      contentType: res.headers.get('content-type') ?? 'application/json',
    };
  }

  async function upstreamHead(): Promise<number> {
    const up = await forward(
      JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'eth_blockNumber', params: [] }),
    );
    const head = quantityOf(z.object({ result: z.string() }).parse(JSON.parse(up.text)).result);
    if (head === undefined) throw new Error('the node answered no head');
    return head;
  }

  /** Forwards one request, answered as a node `lagBlocks` behind when lagging. */
  async function relay(
    rpc: RpcRequest,
    body: string,
  ): Promise<{ status: number; text: string; contentType: string }> {
    if (lagBlocks === 0) return forward(body);
    const plan = lagPlan(rpc, Math.max(0, (await upstreamHead()) - lagBlocks));
    if (plan === undefined) return forward(body);
    lagged++;
    const own = (payload: Record<string, unknown>) => ({
      status: 200,
      text: JSON.stringify({ jsonrpc: '2.0', id: rpc.id, ...payload }),
      contentType: 'application/json',
    });
    if ('result' in plan) return own({ result: plan.result });
    if ('error' in plan) return own({ error: plan.error });
    const up = await forward(
      JSON.stringify({ jsonrpc: '2.0', id: rpc.id, method: rpc.method, params: plan.params }),
    );
    const filter = plan.filter;
    if (!filter || up.status !== 200) return up;
    const answer = JSON.parse(up.text) as { result?: unknown };
    return 'result' in answer ? own({ result: filter(answer.result) }) : up;
  }

  function reply(
    res: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (blackholed) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      reply(
        res,
        200,
        JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }),
      );
      return;
    }
    // Batches are forwarded untouched (the pool never batches); single requests may be faulted.
    if (Array.isArray(parsed)) {
      for (const item of parsed) {
        const r = asRequest(item);
        if (r)
          recorded.push({ seq: ++seq, method: r.method, params: r.params, fault: undefined, at: Date.now() });
      }
      const up = await forward(body);
      reply(res, up.status, up.text, { 'content-type': up.contentType });
      return;
    }
    const rpc = asRequest(parsed);
    if (!rpc) {
      reply(
        res,
        200,
        JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } }),
      );
      return;
    }
    const fault = take(rpc);
    recorded.push({ seq: ++seq, method: rpc.method, params: rpc.params, fault: fault?.kind, at: Date.now() });
    if (fault) faulted[fault.kind] = (faulted[fault.kind] ?? 0) + 1;
    const rpcError = (code: number, message: string) =>
      JSON.stringify({ jsonrpc: '2.0', id: rpc.id, error: { code, message } });

    switch (fault?.kind) {
      case undefined:
        break;
      case 'DOWN':
        req.socket.resetAndDestroy();
        return;
      case 'BLACKHOLE':
        req.socket.destroy();
        return;
      case 'HTTP_500':
        reply(res, 500, rpcError(-32603, fault.message ?? 'internal error'));
        return;
      case 'HTTP_429': {
        const ra = fault.retryAfterSeconds === undefined ? 1 : fault.retryAfterSeconds;
        res.writeHead(429, {
          'content-type': 'application/json',
          ...(ra === null ? {} : { 'retry-after': String(ra) }),
        });
        res.end(rpcError(429, fault.message ?? 'Too Many Requests'));
        return;
      }
      case 'GARBAGE':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"jsonrpc":"2.0","id":' + JSON.stringify(rpc.id) + ',"result":[{"addr');
        return;
      case 'MALFORMED_RESULT':
        reply(res, 200, JSON.stringify({ jsonrpc: '2.0', id: rpc.id, result: wrongShape(rpc.method) }));
        return;
      case 'RANGE_TOO_LARGE': {
        const r = getLogsRange(rpc) ?? { from: 0, to: 0 };
        const e = rangeError(
          fault.style ?? 'geth',
          r.from,
          fault.maxRange ?? Math.max(1, Math.floor((r.to - r.from + 1) / 2)),
        );
        reply(res, e.status, rpcError(e.code, fault.message ?? e.message));
        return;
      }
      case 'TIMEOUT': {
        // Hang, then answer normally if the client is still there (it should have given up by then).
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, fault.hangMs ?? 30_000);
          timers.add(t);
          req.socket.once('close', () => {
            clearTimeout(t);
            timers.delete(t);
            resolve();
          });
        });
        if (req.socket.destroyed) return;
        break;
      }
    }
    const up = await relay(rpc, body);
    reply(res, up.status, up.text, { 'content-type': up.contentType });
  }

  const stats = (): ProxyStats => ({
    requests: seq,
    faulted: { ...faulted },
    lagged,
    lagBlocks,
    armed: faults.filter((f) => f.remaining > 0).length,
  });

  /** The drill's routes (loopback only, like the proxy): zod on what comes in. */
  async function control(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = `${req.method ?? ''} ${req.url ?? ''}`;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const json = (status: number, value: unknown) => reply(res, status, JSON.stringify(value));
    let body: unknown;
    try {
      body = raw === '' ? undefined : (JSON.parse(raw) as unknown);
    } catch {
      return json(400, { error: 'body is not JSON' });
    }
    switch (route) {
      case 'GET /_alfa/stats':
        return json(200, stats());
      case 'DELETE /_alfa/faults':
        faults.length = 0;
        return json(200, stats());
      case 'POST /_alfa/faults': {
        const fault = FaultSchema.safeParse(body);
        if (!fault.success) return json(400, { error: z.prettifyError(fault.error) });
        faults.push({ fault: fault.data, remaining: fault.data.times ?? Number.POSITIVE_INFINITY });
        return json(200, stats());
      }
      case 'POST /_alfa/lag': {
        const lag = LagSchema.safeParse(body);
        if (!lag.success) return json(400, { error: z.prettifyError(lag.error) });
        lagBlocks = lag.data.blocks;
        return json(200, stats());
      }
      default:
        return json(404, { error: `no route ${route.slice(0, 80)}` });
    }
  }

  const server = createServer((req, res) => {
    const work = req.url?.startsWith('/_alfa/') ? control(req, res) : handle(req, res);
    work.catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed)
        reply(
          res,
          502,
          JSON.stringify({ error: `proxy: ${err instanceof Error ? err.message : String(err)}` }),
        );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    inject(fault) {
      faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
    },
    clear() {
      faults.length = 0;
      blackholed = false;
      lagBlocks = 0;
    },
    requests: () => [...recorded],
    blackhole(on = true) {
      blackholed = on;
    },
    lag(blocks) {
      lagBlocks = LagSchema.parse({ blocks }).blocks;
    },
    stats,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
