// The webhook function's Telegram side: a Function URL request taken to webhook.ts's handling, each
// update dispatched once (Powertools Idempotency on update_id, one day: Telegram redelivers for
// hours at most) to the bot built for the current token (again only when the token is rotated).
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import type { Telegraf } from 'telegraf';
import type { Config } from '../../config.js';
import { rebuildOnChange } from '../../runtime/lazy.js';
import { once } from '../dynamo/idempotency.js';
import { loadBotSecret } from '../secrets/bot-secret.js';
import { createBot } from './bot.js';
import type { BotDeps } from './deps.js';
import { handleWebhookRequest, type TelegramUpdate, type WebhookResponse } from './webhook.js';

export interface WebhookEndpoint {
  handle(event: LambdaFunctionURLEvent): Promise<WebhookResponse>;
  registerContext(context: Context): void;
}

export function webhookEndpoint(
  cfg: Pick<Config, 'botSecretId' | 'telegramApiRoot' | 'tables'>,
  deps: BotDeps,
): WebhookEndpoint {
  const botFor = rebuildOnChange((token: string) => createBot({ token, apiRoot: cfg.telegramApiRoot }, deps));
  const updates = once(
    async (update: TelegramUpdate) => {
      const bot = botFor((await loadBotSecret(cfg.botSecretId)).botToken);
      // telegraf's Update type is a union it validates itself; the envelope was checked by zod.
      await bot.handleUpdate(update as unknown as Parameters<Telegraf['handleUpdate']>[0]);
      return { ok: true };
    },
    {
      tableName: cfg.tables.dedupe,
      keyPrefix: 'telegram-update',
      // As a string: Powertools Idempotency treats a falsy key (update_id 0) as "no key" and throws,
      // which answered 500 and made Telegram redeliver that update forever.
      keyPath: 'to_string(update_id)',
      expiresAfterSeconds: 86_400,
      // Within the function's 10 s: a handled update whose record is late still answers 200.
      recordForMs: 4_000,
    },
  );
  return {
    registerContext: (context) => updates.registerContext(context),
    handle: (event) =>
      handleWebhookRequest(
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
      ),
  };
}
