// Telegram webhook (Lambda Function URL): secret-token check, update_id dedupe, telegraf dispatch
// (adapters/telegram/webhook-endpoint.ts).
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { warmBotSecret } from '#core/adapters/secrets/bot-secret.js';
import { botDeps } from '#core/adapters/telegram/compose.js';
import { webhookEndpoint } from '#core/adapters/telegram/webhook-endpoint.js';
import { config } from '#core/config.js';
import { lambdaHandler } from '#core/observability.js';

const cfg = config();
// Read at container start (Lambda's init), not by the first update.
warmBotSecret(cfg.botSecretId);
const endpoint = webhookEndpoint(cfg, botDeps(cfg));

export const handler = lambdaHandler(
  async (event: LambdaFunctionURLEvent, context: Context) => {
    endpoint.registerContext(context);
    return endpoint.handle(event);
  },
  { correlationIdPath: 'requestContext.requestId' },
);
