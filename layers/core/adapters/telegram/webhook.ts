// The webhook's request handling: authenticate, parse, deduplicate, dispatch, and answer in the
// way Telegram expects (2xx = delivered; anything else = Telegram retries later).
import { createHash, timingSafeEqual } from 'node:crypto';
import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import { z } from 'zod';
import { logger, metrics, MetricUnit } from '../../observability.js';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface WebhookRequest {
  readonly method: string;
  /** Header names in lower case, as Lambda Function URLs deliver them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

export interface WebhookResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The only field Alfa needs to trust before dispatch; the rest is telegraf's to interpret. */
const updateEnvelope = z.looseObject({ update_id: z.number().int().nonnegative() });
export type TelegramUpdate = z.infer<typeof updateEnvelope>;

// The Bot API shapes of the update kinds the bot acts on, as far as telegraf and the stores read
// them. A kind that is there with the wrong shape would throw deep inside and answer 500, so
// Telegram would redeliver it for a day: refuse it here instead (acknowledged, logged, counted).
const user = z.looseObject({ id: z.number().int(), is_bot: z.boolean(), first_name: z.string() });
const chat = z.looseObject({ id: z.number().int(), type: z.string() });
const entity = z.looseObject({ type: z.string(), offset: z.number().int(), length: z.number().int() });
const message = z.looseObject({
  message_id: z.number().int(),
  date: z.number().int(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
  entities: z.array(entity).optional(),
});
const KNOWN_KINDS = {
  message,
  edited_message: message,
  callback_query: z.looseObject({
    id: z.string(),
    from: user,
    data: z.string().optional(),
    message: z.looseObject({ message_id: z.number().int(), chat }).optional(),
  }),
  my_chat_member: z.looseObject({ chat, from: user, date: z.number().int() }),
} as const;

/** The first known kind present with a shape the bot cannot read, and why; undefined when fine. */
function malformedKind(update: Record<string, unknown>): { kind: string; issue: string } | undefined {
  for (const [kind, schema] of Object.entries(KNOWN_KINDS)) {
    if (!(kind in update)) continue;
    const parsed = schema.safeParse(update[kind]);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return { kind, issue: `${[kind, ...(first?.path ?? [])].join('.')}: ${first?.message ?? 'invalid'}` };
    }
  }
  return undefined;
}

export interface WebhookDeps {
  readonly webhookSecret: () => Promise<string>;
  /** Processes one update exactly once (deduplicated on update_id). */
  readonly processOnce: (update: TelegramUpdate) => Promise<unknown>;
  /** Keeps the failure for operators (/recent_errors); must never throw. */
  readonly recordError?: (reason: string, message: string) => Promise<void>;
}

const reply = (statusCode: number, body: Record<string, unknown>): WebhookResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Constant-time comparison that does not leak the secret's length either. */
function secretMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function decodeBody(request: WebhookRequest): string {
  if (request.body === undefined) return '';
  return request.isBase64Encoded ? Buffer.from(request.body, 'base64').toString('utf8') : request.body;
}

function ignored(reason: string, detail: Record<string, unknown> = {}): WebhookResponse {
  logger.warn('update ignored', { reason, ...detail });
  metrics.addMetric('UpdateIgnored', MetricUnit.Count, 1);
  return reply(200, { ok: true, ignored: reason });
}

export async function handleWebhookRequest(
  request: WebhookRequest,
  deps: WebhookDeps,
): Promise<WebhookResponse> {
  if (!secretMatches(request.headers[SECRET_HEADER], await deps.webhookSecret())) {
    logger.warn('webhook request refused', { reason: 'BAD_SECRET_TOKEN' });
    metrics.addMetric('WebhookUnauthorized', MetricUnit.Count, 1);
    return reply(401, { ok: false, error: 'unauthorized' });
  }
  if (request.method !== 'POST') return ignored('NOT_POST', { method: request.method });

  let json: unknown;
  try {
    json = JSON.parse(decodeBody(request));
  } catch {
    // Garbage is never going to parse on a retry: acknowledge it so Telegram does not resend it.
    return ignored('MALFORMED_JSON');
  }
  const update = updateEnvelope.safeParse(json);
  if (!update.success) return ignored('NOT_AN_UPDATE');
  const malformed = malformedKind(update.data);
  if (malformed) return ignored('MALFORMED_UPDATE', { updateId: update.data.update_id, ...malformed });

  const updateId = update.data.update_id;
  logger.appendKeys({ updateId });
  try {
    await deps.processOnce(update.data);
  } catch (err) {
    if (err instanceof IdempotencyAlreadyInProgressError) {
      // Another delivery of this update is running; answer "try later" so it is not lost if that run fails.
      logger.info('update already in progress', { reason: 'DUPLICATE_IN_PROGRESS' });
      return reply(503, { ok: false, error: 'in progress' });
    }
    // A fault (DynamoDB, the Bot API): let Telegram redeliver; the idempotency record was released.
    logger.error('update failed', { reason: 'UPDATE_FAILED', error: err as Error });
    await deps
      .recordError?.('UPDATE_FAILED', err instanceof Error ? `${err.name}: ${err.message}` : String(err))
      .catch(() => undefined);
    metrics.addMetric('UpdateFailed', MetricUnit.Count, 1);
    return reply(500, { ok: false, error: 'internal error' });
  }
  metrics.addMetric('UpdateProcessed', MetricUnit.Count, 1);
  return reply(200, { ok: true });
}
