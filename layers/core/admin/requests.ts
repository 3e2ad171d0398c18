// The admin function's contract: what a caller may ask (one zod schema, parsed by the handler and
// built by the CLI and the bot's admin commands) and the shape of every answer. The function is
// invoked directly (lambda:InvokeFunction), never over HTTP, so this is its whole interface.
import { z } from 'zod';

const blockNumber = z.number().int().nonnegative();

/** Who asked, for the audit log: `cli:<os user>`, `telegram:<user id>`, ... */
const by = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .regex(/^[\w.@:+-]+$/, 'expected a short id such as cli:ada or telegram:42');

export const adminRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('status'), by }),
  z.object({
    action: z.literal('mode'),
    by,
    mode: z.enum(['DRY', 'LIVE']),
    /** LIVE only with an explicit confirmation (the CLI's --yes, the bot's confirm button). */
    confirm: z.boolean().default(false),
    /**
     * Unix seconds: write only if nobody wrote the switch after then (the bot's confirm button
     * passes when it was asked), so a button asked before a DRY -> LIVE -> DRY round trip is refused.
     */
    unchangedSince: z.number().int().positive().optional(),
  }),
  z.object({ action: z.literal('emergency'), by, stop: z.boolean() }),
  z.object({ action: z.literal('autocopy-off-all'), by }),
  z
    .object({ action: z.literal('backfill'), by, fromBlock: blockNumber, toBlock: blockNumber })
    .refine((r) => r.toBlock >= r.fromBlock, { message: 'toBlock is before fromBlock', path: ['toBlock'] }),
  z.object({
    action: z.literal('redrive'),
    by,
    queue: z.string().min(1),
    dryRun: z.boolean().default(false),
  }),
  z.object({ action: z.literal('reconcile'), by }),
  z.object({
    action: z.literal('webhook'),
    by,
    op: z.enum(['check', 'set']),
    /** Overrides the stack's webhook URL (WEBHOOK_URL) for `set`. */
    url: z.url().optional(),
  }),
]);
export type AdminRequest = z.infer<typeof adminRequestSchema>;
/** What a caller builds: defaults may be left out. */
export type AdminRequestInput = z.input<typeof adminRequestSchema>;

/** A refusal or failure, with a reason code as every decision in Alfa has. */
export const adminFailureSchema = z.object({
  ok: z.literal(false),
  action: z.string(),
  code: z.string(),
  message: z.string(),
});
export const adminSuccessSchema = z.object({
  ok: z.literal(true),
  action: z.string(),
  result: z.record(z.string(), z.unknown()),
});
export const adminResponseSchema = z.discriminatedUnion('ok', [adminSuccessSchema, adminFailureSchema]);
export type AdminResponse = z.infer<typeof adminResponseSchema>;
export type AdminFailure = z.infer<typeof adminFailureSchema>;

export const queueDepthSchema = z.object({
  name: z.string(),
  depth: z.number().nullable(),
  dlqDepth: z.number().nullable(),
});
export const recordedErrorSchema = z.object({
  at: z.string(),
  reason: z.string(),
  message: z.string(),
  source: z.string().optional(),
});

/** The status object (`npm run admin -- status --json` prints exactly this). */
export const statusSchema = z.object({
  stage: z.string(),
  at: z.string(),
  mode: z.object({
    effective: z.enum(['DRY', 'LIVE']),
    ceiling: z.enum(['DRY', 'LIVE']),
    switch: z.string(),
    emergencyStop: z.boolean(),
  }),
  indexer: z.object({
    cursor: z.number().nullable(),
    head: z.number().nullable(),
    lagBlocks: z.number().nullable(),
  }),
  queues: z.array(queueDepthSchema),
  intents: z.object({ total: z.number(), byState: z.record(z.string(), z.number()) }),
  /** Every function of the stack -> its most recent recorded error, or null. */
  lastErrors: z.record(z.string(), recordedErrorSchema.nullable()),
  /** Errors recorded without a source function (older entries). */
  unattributedErrors: z.array(recordedErrorSchema),
});
export type AdminStatus = z.infer<typeof statusSchema>;
