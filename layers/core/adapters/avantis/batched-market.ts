// The Avantis batched-market service (docs/avantis.md v2 §4; docs/local-avantis.md): POST a signed intent and
// read its Server-Sent Events stream (eventsource-parser over fetch's body), or replay a tracking
// id's events. Every payload is checked with zod; a 400 before any stream is an IntentRejectedError
// (nothing submitted), a 5xx/429 or a network failure a ServiceUnavailableError (retry with backoff).
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { z } from 'zod';
import type { ServiceEvent } from '../../domain/copy/intent.js';
import {
  IntentRejectedError,
  ServiceUnavailableError,
  type BatchedMarket,
  type TrackedEvent,
} from '../../ports/copy.js';

const dec = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform(String);
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
/** "Every number is a decimal string" (docs/local-avantis.md); a JSON number is taken too. */
const num = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number);

const trade = z
  .object({
    pairIndex: dec,
    index: dec,
    initialPosToken: dec,
    leverage: dec,
    openPrice: dec,
    timestamp: dec,
  })
  .loose();

const PAYLOADS = {
  MarketOrderAccepted: z.object({ trackingId: z.string().min(1) }).loose(),
  AttemptFailed: z
    .object({
      attempt: z.number(),
      code: z.string(),
      message: z.string().default(''),
      willRetry: z.boolean(),
    })
    .loose(),
  MarketOrderInitiated: z.object({ orderId: dec, transactionHash: hex }).loose(),
  IncreasePositionRequested: z.object({ orderId: dec, transactionHash: hex }).loose(),
  MarketOrderExecuted: z
    .object({
      orderId: dec,
      price: dec,
      positionSizeUSDC: dec,
      usdcSentToTrader: dec.default('0'),
      transactionHash: hex,
      t: trade.optional(),
    })
    .loose(),
  // V2.md lists orderId, isPnl, coinExposureAdded, isCoinExposureFixed, `t` (the blended trade) and
  // transactionHash: no price and no amount; those fields are read where a service sends them.
  PositionSizeIncreased: z
    .object({
      orderId: dec,
      price: dec.optional(),
      positionSizeUSDC: dec.optional(),
      addedCollateral: dec.optional(),
      usdcSentToTrader: dec.default('0'),
      transactionHash: hex,
      t: trade.optional(),
    })
    .loose(),
  MarketOrderCanceled: z.object({ orderId: dec, transactionHash: hex }).loose(),
  Error: z
    .object({
      // 'timeout', 'failed' or an HTTP status: kept as given.
      status: z.union([z.number(), z.string()]).transform(String).optional(),
      code: z.string(),
      message: z.string().default(''),
      trackingId: z.string().optional(),
    })
    .loose(),
} as const;

type PayloadType = keyof typeof PAYLOADS;
const isType = (t: string): t is PayloadType => Object.hasOwn(PAYLOADS, t);

/** One SSE event (or replayed event) -> a ServiceEvent; undefined for an event type we do not know. */
export function serviceEvent(type: string, payload: unknown): ServiceEvent | undefined {
  if (!isType(type)) return undefined;
  const parsed = PAYLOADS[type].safeParse(payload);
  if (!parsed.success) throw new Error(`malformed ${type} event: ${parsed.error.message}`);
  const p = parsed.data as Record<string, unknown>;
  if (type === 'PositionSizeIncreased') {
    const v = parsed.data as z.infer<(typeof PAYLOADS)['PositionSizeIncreased']>;
    // Without a price, the blended entry of the trade after the increase is what the user sees.
    const price = v.price ?? v.t?.openPrice;
    if (price === undefined) throw new Error('malformed PositionSizeIncreased event: no price and no trade');
    const added = v.addedCollateral ?? v.positionSizeUSDC;
    return {
      type,
      orderId: v.orderId,
      price,
      ...(added !== undefined ? { positionSizeUSDC: added } : {}),
      usdcSentToTrader: v.usdcSentToTrader,
      transactionHash: v.transactionHash,
      ...(v.t ? { t: v.t } : {}),
    };
  }
  return { type, ...p } as ServiceEvent;
}

const errorBody = z.object({ code: z.string(), message: z.string().default('') }).loose();
const statusBody = z.object({
  events: z.array(z.object({ seq: num, type: z.string(), payload: z.unknown() }).loose()),
});

export interface BatchedMarketOptions {
  /** e.g. https://prod-api.avantisfi.com/batched-market (no trailing slash). */
  readonly baseUrl: string;
  /** Abort a POST that has not answered with headers in this long. */
  readonly connectTimeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export class HttpBatchedMarket implements BatchedMarket {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: BatchedMarketOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  async *submit(orderType: number, userIntent: string, signature: string): AsyncIterable<ServiceEvent> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.connectTimeoutMs ?? 10_000);
    let res: Response;
    try {
      res = await this.fetch(`${this.base}/market/execute-batched`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ orderType, erc712: { userIntent, userSignature: signature } }),
        signal: controller.signal,
      });
    } catch (err) {
      clearTimeout(timer);
      throw new ServiceUnavailableError(`batched-market unreachable: ${String(err)}`);
    }
    clearTimeout(timer);
    if (res.status >= 400 && res.status < 500 && res.status !== 429) {
      const text = await res.text();
      let body: { code: string; message: string } = {
        code: `HTTP_${res.status}`,
        message: text.slice(0, 200),
      };
      try {
        const parsed = errorBody.safeParse(JSON.parse(text));
        if (parsed.success) body = parsed.data;
      } catch {
        // not JSON: keep the status as the code
      }
      throw new IntentRejectedError(res.status, body.code, body.message);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new ServiceUnavailableError(`batched-market answered ${res.status}`);
    }
    yield* readStream(res.body);
  }

  async status(trackingId: string, afterSeq: number): Promise<TrackedEvent[] | undefined> {
    let res: Response;
    try {
      res = await this.fetch(
        `${this.base}/tracking-id/${encodeURIComponent(trackingId)}/status?afterSeq=${afterSeq}`,
      );
    } catch (err) {
      throw new ServiceUnavailableError(`batched-market unreachable: ${String(err)}`);
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new ServiceUnavailableError(`tracking status answered ${res.status}`);
    const body = statusBody.parse(await res.json());
    const out: TrackedEvent[] = [];
    for (const e of body.events) {
      const event = serviceEvent(e.type, e.payload);
      if (event) out.push({ seq: e.seq, event });
    }
    return out;
  }
}

/** Yields each SSE event of a body as it arrives; ends when the server closes the connection. */
async function* readStream(body: ReadableStream<Uint8Array>): AsyncIterable<ServiceEvent> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) {
        const message = queue.shift() as EventSourceMessage;
        const event = serviceEvent(message.event ?? 'message', JSON.parse(message.data) as unknown);
        if (!event) continue;
        yield event;
        // The terminal event ends our interest in the stream; the server may keep it open.
        if (
          event.type === 'MarketOrderExecuted' ||
          event.type === 'PositionSizeIncreased' ||
          event.type === 'MarketOrderCanceled' ||
          event.type === 'Error'
        )
          return;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
