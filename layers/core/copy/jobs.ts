// The queue bodies of the copy path as zod schemas of the body text: a Signal on signals.fifo, a
// CopyJob on copies.fifo, an AlertJob on alerts.fifo. Each reads the text with the one codec
// (codec.ts: bigints from "<digits>n", decimal strings stay strings) and checks the value; the
// consumers run them through Powertools' batch parser (adapters/sqs/record-parser.ts). A body that
// does not parse is a bug upstream: it is logged with its cause and left to the queue's DLQ.
import { z } from 'zod';
import type { Decision, FollowerView } from '../domain/decision.js';
import type { Signal } from '../domain/signals.js';
import type { AlertJob, CopyJob } from '../ports/copy.js';
import { fromJson } from '../codec.js';

const dec = z.string().regex(/^-?\d+$/, 'expected a decimal string');
const fraction = z.object({ closed: dec, of: dec });

export const signalSchema = z
  .object({
    id: z.string().min(1),
    kind: z.enum(['OPEN', 'CLOSE', 'UPDATE', 'RETRACT']),
    trader: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    pairIndex: z.number().int().nonnegative(),
    pair: z.string(),
    tradeIndex: z.number().int().nonnegative(),
    side: z.enum(['LONG', 'SHORT']),
    leverage: dec,
    collateralUsdc: dec,
    notionalUsdc: dec,
    price: dec,
    closeFraction: fraction.optional(),
    closeReason: z.enum(['MARKET', 'TP', 'SL', 'LIQ']).optional(),
    usdcSentToTrader: dec.optional(),
    tp: dec.optional(),
    sl: dec.optional(),
    addedCollateralUsdc: dec.optional(),
    collateralBeforeUsdc: dec.optional(),
    addedLeverage: dec.optional(),
    openPrice: dec.optional(),
    retracts: z.string().optional(),
    block: z.number().int(),
    blockHash: z.string(),
    txHash: z.string(),
    ts: z.number(),
  })
  .loose();

const order = z.union([
  z.object({
    kind: z.literal('OPEN'),
    pairIndex: z.number(),
    buy: z.boolean(),
    leverage: dec,
    collateralUsdc: dec,
  }),
  z.object({ kind: z.literal('CLOSE'), pairIndex: z.number(), fraction }),
  z.object({
    kind: z.literal('INCREASE'),
    pairIndex: z.number(),
    added: z.object({ collateralUsdc: dec, traderBeforeUsdc: dec }),
    leverage: dec,
  }),
]);

const decision = z.object({
  action: z.enum(['ALERT', 'COPY', 'SKIP']),
  reason: z.string(),
  adjustments: z.array(z.string()),
  order: order.optional(),
  notify: z.boolean(),
  failure: z.string().optional(),
});

const sizing = z.union([
  z.object({ kind: z.literal('FIXED_USD'), usdc: z.bigint() }),
  z.object({ kind: z.literal('PCT_EQUITY'), bps: z.number() }),
  z.object({ kind: z.literal('MULTIPLIER'), milli: z.number() }),
]);

const follower = z.object({
  userId: z.string(),
  chatId: z.string(),
  mode: z.enum(['ALERTS', 'AUTO']),
  sizing,
  maxLeverage: z.number(),
  maxPositionUsdc: z.bigint(),
  pairs: z.union([z.literal('ALL'), z.array(z.number())]),
  notify: z.boolean(),
  paused: z.boolean(),
  direction: z.enum(['SAME', 'REVERSE']).optional(),
  stopLoss: z
    .union([
      z.object({ kind: z.literal('USD'), usdc: z.bigint() }),
      z.object({ kind: z.literal('PCT'), bps: z.number().int().nonnegative() }),
    ])
    .optional(),
  minTraderLeverage: z.number().nonnegative().optional(),
});

const copyJob = z.object({
  signal: signalSchema,
  userId: z.string().min(1),
  chatId: z.string().min(1),
  decision,
  follower: follower.loose().optional(),
  routedAt: z.number(),
});

const alertJob = z.object({
  id: z.string().min(1),
  userId: z.string().min(1),
  chatId: z.string().min(1),
  html: z.string().min(1).max(4096),
  signalTs: z.number().optional(),
  lane: z.enum(['alert', 'notice']).optional(),
});

/** Body text read with the one codec, then checked against `schema`; text that is not JSON is an issue. */
function codecBody<T>(schema: z.ZodType<T>) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return fromJson<unknown>(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not JSON: ${(err as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

// The schemas are looser than the domain types (open signal fields, decisions as plain strings);
// the casts name what a checked body is.

/** A signals.fifo body. */
export const signalBody: z.ZodType<Signal, string> = codecBody(signalSchema.transform((v) => v as Signal));

/** A copies.fifo body (bigints travel as `"<digits>n"`, see layers/core/codec.ts). */
export const copyJobBody: z.ZodType<CopyJob, string> = codecBody(
  copyJob.transform(
    (v) =>
      ({
        ...v,
        signal: v.signal as Signal,
        decision: v.decision as Decision,
        ...(v.follower ? { follower: v.follower as FollowerView } : {}),
      }) as CopyJob,
  ),
);

/** An alerts.fifo body. */
export const alertJobBody: z.ZodType<AlertJob, string> = codecBody(alertJob);

// The consumers' checks for callers outside a batch (the fuzz drill asks which bodies they refuse).
export const parseSignal = (body: string): Signal => signalBody.parse(body);
export const parseCopyJob = (body: string): CopyJob => copyJobBody.parse(body);
export const parseAlertJob = (body: string): AlertJob => alertJobBody.parse(body);

/** Seconds before a message whose attempt failed is tried again: 1, 2, 4 … capped at 60. */
export function retrySeconds(receiveCount: number): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  return Math.min(60, 2 ** Math.min(n - 1, 6));
}
