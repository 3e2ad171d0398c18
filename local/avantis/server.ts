// The local Avantis batched-market service over node:http, on 127.0.0.1 only: the SSE execution
// endpoint and its replay (docs/avantis.md v2 §4), gasless delegate registration and the delegation read the
// way the SDK's tx-builder does them (docs/avantis.md v2 §2), the prices and `/user-data` positions reads, and
// fault injection [local]. Paths mirror Avantis' hosts under one port:
//   {base}/batched-market/market/execute-batched, /batched-market/tracking-id/{id}/status,
//   {base}/batched-market/v2/intents/delegate-set|delegate-submit, /batched-market/v2/delegation,
//   {base}/batched-market/v2/meta, {base}/prices/{pairIndex}, {base}/user-data?trader=,
//   {base}/_alfa/faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getAddress, hexlify, isAddress, isHexString, randomBytes } from 'ethers';
import { z } from 'zod';
import {
  INTENT_TYPES,
  TNC_STRING,
  encodeIntent,
  intentDigest,
  tradingDomain,
} from '#core/domain/avantis/intents.js';
import { ChainRevert, type MarketChain } from './chain.js';
import { FaultsRequest } from './faults.js';
import { isRefusal, parseOrder } from './requests.js';
import { MarketService, type MarketServiceOptions } from './service.js';
import { SseWriter } from './sse.js';
import { TERMINAL_TYPES, type TrackedEvent, type WireObject } from './tracking.js';
import { positionWire } from './wire.js';

export interface MarketServerOptions extends MarketServiceOptions {
  /** 0 (default) lets the kernel pick a free port. */
  readonly port?: number;
  /** Keep-alive comment period (Avantis: about 15 s). */
  readonly keepAliveMs?: number;
  /** Stream lifetime cap (Avantis: 60 s in EIP-712 mode). */
  readonly streamLifetimeMs?: number;
  /** Extra addresses for `/v2/meta` (usdc, tradingStorage, ...). */
  readonly addresses?: Readonly<Record<string, string>>;
  /** Default lifetime of a gasless DelegateReq, ms (the SDK's intentDeadlineMs). */
  readonly intentDeadlineMs?: number;
}

export interface MarketServer {
  readonly service: MarketService;
  readonly baseUrl: string;
  readonly batchedMarketUrl: string;
  readonly pricesUrl: string;
  readonly userDataUrl: string;
  readonly faultsUrl: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'INVALID_REQUEST', 'body too large');
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'INVALID_REQUEST', 'body is not JSON');
  }
}

const addressParam = z
  .string()
  .refine((s) => isAddress(s), 'an 0x address')
  .transform((s) => getAddress(s));

const DelegateSetBody = z.object({
  trader: addressParam,
  delegate: addressParam,
  /**
   * [I] The SDK passes `expirySeconds` without saying whether it is a duration or a unix time;
   * locally a value below 1e9 is a duration from now, a larger one an absolute unix time (s).
   */
  expirySeconds: z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]),
});
const DelegateSubmitBody = z.object({
  signature: z.string().refine((s) => isHexString(s, 65), '65 bytes hex'),
  encodedIntent: z.string().refine((s) => isHexString(s), 'hex'),
});

export async function startMarketServer(opts: MarketServerOptions): Promise<MarketServer> {
  const service = new MarketService(opts);
  const chain: MarketChain = opts.chain;
  const keepAliveMs = opts.keepAliveMs ?? 15_000;
  const lifetimeMs = opts.streamLifetimeMs ?? 60_000;
  const intentDeadlineMs = opts.intentDeadlineMs ?? 120_000;
  const say = opts.log ?? (() => undefined);

  /** tx-builder envelope (docs/avantis.md v2 §1): `{ ok, data, error }`. */
  const ok = (res: ServerResponse, data: unknown) => sendJson(res, 200, { ok: true, data, error: null });
  const txError = (res: ServerResponse, status: number, code: string, message: string) =>
    sendJson(res, status, { ok: false, data: null, error: { code, message, details: null } });

  async function executeBatched(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readJson(req);
    const order = parseOrder(raw);
    const trader = isRefusal(order) ? undefined : order.trader;
    // A gateway failure comes before any validation, as it would in front of the real service.
    if (service.faults.take('http5xx', trader)) {
      return sendJson(res, 503, { code: 'SERVICE_UNAVAILABLE', message: 'injected fault: try again' });
    }
    const refused = (r: { status: number; code: string; message: string }) => {
      // A 4xx is the client's problem, but whoever runs the stack needs to see why without a proxy.
      say(`batched-market: ${r.status} ${r.code} for ${trader ?? 'an unparsed order'}: ${r.message}`);
      sendJson(res, r.status, { code: r.code, message: r.message });
    };
    if (isRefusal(order)) return refused(order);
    const refusal = await service.precheck(order);
    if (refusal) return refused(refusal);

    const { trackingId, run } = service.accept(order);
    const timeout = (w: SseWriter) => {
      // Not persisted, hence no id: only this connection's view ends; the order goes on (docs/avantis.md v2 §4).
      w.event('Error', {
        status: 'timeout',
        code: 'STREAM_TIMEOUT',
        message: 'stream lifetime reached; replay by trackingId',
        trackingId,
      });
      w.end();
    };
    const sse = new SseWriter(res, { keepAliveMs, lifetimeMs, onLifetime: timeout });
    const forward = (e: TrackedEvent) => {
      sse.event(e.type, e.payload, e.seq);
      if (TERMINAL_TYPES.has(e.type)) sse.end();
    };
    for (const e of service.log.after(trackingId) ?? []) forward(e);
    if (service.faults.take('dropStreamNext', order.trader)) sse.destroy();
    else if (service.faults.take('streamTimeoutNext', order.trader)) timeout(sse);
    else sse.onClose(service.log.subscribe(trackingId, forward));
    run();
  }

  function status(res: ServerResponse, trackingId: string, url: URL): void {
    const raw = url.searchParams.get('afterSeq');
    let afterSeq: number | undefined;
    if (raw !== null && raw !== '') {
      afterSeq = Number(raw);
      if (!Number.isInteger(afterSeq)) throw new HttpError(400, 'INVALID_REQUEST', 'afterSeq: an integer');
    }
    const events = service.log.after(trackingId, afterSeq);
    if (!events) throw new HttpError(404, 'NOT_FOUND', `unknown trackingId ${trackingId}`);
    sendJson(res, 200, { events });
  }

  async function delegateSet(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = DelegateSetBody.safeParse(await readJson(req));
    if (!body.success) return txError(res, 400, 'INVALID_REQUEST', z.prettifyError(body.error));
    const { trader, delegate, expirySeconds } = body.data;
    const now = await chain.blockTimestamp();
    const expiry = expirySeconds < 1e9 ? now + BigInt(expirySeconds) : BigInt(expirySeconds);
    const message = {
      trader,
      delegate,
      expiry,
      deadline: BigInt(Date.now() + intentDeadlineMs),
      tnc: TNC_STRING,
      // Unordered nonce, drawn like the SDK's NoncePool (docs/avantis.md v2 §3).
      nonce: BigInt(hexlify(randomBytes(32))),
    };
    const domain = tradingDomain(chain.chainId, chain.tradingRouter);
    ok(res, {
      domain,
      types: INTENT_TYPES.DelegateReq,
      primaryType: 'DelegateReq',
      message: {
        ...message,
        expiry: String(expiry),
        deadline: String(message.deadline),
        nonce: String(message.nonce),
      },
      digest: intentDigest('DelegateReq', domain, message),
      encodedIntent: encodeIntent('DelegateReq', message),
    });
  }

  async function delegateSubmit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = DelegateSubmitBody.safeParse(await readJson(req));
    if (!body.success) return txError(res, 400, 'INVALID_REQUEST', z.prettifyError(body.error));
    const { signature, encodedIntent } = body.data;
    try {
      await chain.simulateSetDelegate(signature, encodedIntent);
    } catch (err) {
      if (err instanceof ChainRevert) return txError(res, 400, err.code, err.message);
      throw err;
    }
    ok(res, { transactionHash: await chain.setDelegateWithSig(signature, encodedIntent) });
  }

  async function delegation(res: ServerResponse, url: URL): Promise<void> {
    const q = z
      .object({ trader: addressParam, delegate: addressParam })
      .safeParse(Object.fromEntries(url.searchParams));
    if (!q.success) return txError(res, 400, 'INVALID_REQUEST', z.prettifyError(q.error));
    const [d, now] = await Promise.all([
      chain.delegation(q.data.trader, q.data.delegate),
      chain.blockTimestamp(),
    ]);
    // The router authorises `isEnabled && expiry > now` for both paths (docs/avantis.md v2 §2).
    const active = d.isEnabled && d.expiry > now;
    ok(res, {
      isEnabled: d.isEnabled,
      expiry: String(d.expiry),
      canDelegatedAction: active,
      canSignIntents: active,
    });
  }

  async function price(res: ServerResponse, raw: string): Promise<void> {
    if (!/^\d{1,6}$/.test(raw)) throw new HttpError(400, 'INVALID_REQUEST', 'pairIndex: a whole number');
    const p = await chain.price(BigInt(raw));
    if (p === undefined) throw new HttpError(404, 'NO_PRICE', `no price for pair ${raw}`);
    sendJson(res, 200, { pairIndex: Number(raw), price: String(p) });
  }

  async function userData(res: ServerResponse, url: URL): Promise<void> {
    const trader = addressParam.safeParse(url.searchParams.get('trader') ?? '');
    if (!trader.success) throw new HttpError(400, 'INVALID_REQUEST', 'trader: an 0x address');
    const positions = await chain.openPositions(trader.data);
    // Avantis' /user-data also lists limit orders; the local chain has none (market only).
    sendJson(res, 200, { positions: positions.map(positionWire), limitOrders: [] });
  }

  async function faults(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'POST') {
      const body = FaultsRequest.safeParse((await readJson(req)) ?? {});
      if (!body.success) throw new HttpError(400, 'INVALID_REQUEST', z.prettifyError(body.error));
      service.faults.arm(body.data);
    } else if (req.method === 'DELETE') {
      service.faults.clear();
    } else if (req.method !== 'GET') {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} ${req.url}`);
    }
    sendJson(res, 200, service.faults.view());
  }

  function meta(res: ServerResponse): void {
    ok(res, {
      chainId: chain.chainId,
      addresses: { ...opts.addresses, tradingRouter: chain.tradingRouter },
      eip712: { trading: tradingDomain(chain.chainId, chain.tradingRouter) },
      defaults: { executionFeeWei: '0', intentDeadlineMs },
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = url.pathname.replace(/\/+$/, '');
    const m = req.method ?? 'GET';
    const tracking = /^\/batched-market\/tracking-id\/([^/]+)\/status$/.exec(p);
    const priceMatch = /^\/prices\/([^/]+)$/.exec(p);
    if (m === 'POST' && p === '/batched-market/market/execute-batched') return executeBatched(req, res);
    if (m === 'GET' && tracking?.[1]) return status(res, decodeURIComponent(tracking[1]), url);
    if (m === 'POST' && p === '/batched-market/v2/intents/delegate-set') return delegateSet(req, res);
    if (m === 'POST' && p === '/batched-market/v2/intents/delegate-submit') return delegateSubmit(req, res);
    if (m === 'GET' && p === '/batched-market/v2/delegation') return delegation(res, url);
    if (m === 'GET' && p === '/batched-market/v2/meta') return meta(res);
    if (m === 'GET' && priceMatch?.[1]) return price(res, priceMatch[1]);
    if (m === 'GET' && p === '/user-data') return userData(res, url);
    if (p === '/_alfa/faults') return faults(req, res);
    throw new HttpError(404, 'NOT_FOUND', `no route ${m} ${p}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError)
        return sendJson(res, err.status, { code: err.code, message: err.message });
      say(`batched-market: ${req.method} ${req.url}: ${String(err)}`);
      sendJson(res, 500, { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  service.start();
  return {
    service,
    baseUrl,
    batchedMarketUrl: `${baseUrl}/batched-market`,
    pricesUrl: `${baseUrl}/prices`,
    userDataUrl: `${baseUrl}/user-data`,
    faultsUrl: `${baseUrl}/_alfa/faults`,
    async close() {
      await service.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type { WireObject };
