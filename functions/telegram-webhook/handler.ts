// Telegram webhook (Lambda Function URL): secret-token check, update_id dedupe, telegraf dispatch.
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { config } from '../../layers/core/config.js';
import { once } from '../../layers/core/adapters/dynamo/idempotency.js';
import { loadBotSecret } from '../../layers/core/adapters/secrets/bot-secret.js';
import { createBot } from '../../layers/core/adapters/telegram/bot.js';
import { botDeps } from '../../layers/core/adapters/telegram/compose.js';
import { handleWebhookRequest, type TelegramUpdate } from '../../layers/core/adapters/telegram/webhook.js';
import { lambdaHandler } from '../../layers/core/observability.js';
import type { Telegraf } from 'telegraf';

const cfg = config();
const deps = botDeps(cfg);

// The bot is built once per container, and again only if the token is rotated.
let bot: { token: string; instance: Telegraf } | undefined;
async function currentBot(): Promise<Telegraf> {
  const { botToken } = await loadBotSecret(cfg.botSecretId);
  if (bot?.token !== botToken) {
    bot = {
      token: botToken,
      instance: createBot({ token: botToken, apiRoot: cfg.telegramApiRoot }, deps),
    };
  }
  return bot.instance;
}

const updates = once(
  async (update: TelegramUpdate) => {
    // telegraf's Update type is a union it validates itself; the envelope was checked by zod.
    await (await currentBot()).handleUpdate(update as unknown as Parameters<Telegraf['handleUpdate']>[0]);
    return { ok: true };
  },
  // Telegram redelivers for hours at most; a day of memory covers every retry.
  {
    tableName: cfg.tables.dedupe,
    keyPrefix: 'telegram-update',
    // As a string: Powertools Idempotency treats a falsy key (update_id 0) as "no key" and throws,
    // which answered 500 and made Telegram redeliver that update forever.
    keyPath: 'to_string(update_id)',
    expiresAfterSeconds: 86_400,
  },
);

export const handler = lambdaHandler(
  async (event: LambdaFunctionURLEvent, context: Context) => {
    updates.registerContext(context);
    return handleWebhookRequest(
      {
        method: event.requestContext.http.method,
        headers: event.headers,
        ...(event.body === undefined ? {} : { body: event.body }),
        isBase64Encoded: event.isBase64Encoded,
      },
      {
        webhookSecret: async () => (await loadBotSecret(cfg.botSecretId)).webhookSecret,
        processOnce: (update) => updates.run(update),
        recordError: (reason, message) => deps.errors.record(reason, message, new Date()),
      },
    );
  },
  { correlationIdPath: 'requestContext.requestId' },
);
