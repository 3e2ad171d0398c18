// The bot's secrets (token, webhook secret) from Secrets Manager, cached briefly so a
// rotated webhook secret is picked up within minutes without a redeploy.
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { z } from 'zod';

const botSecretSchema = z.object({
  botToken: z.string().regex(/^\d+:[\w-]{20,}$/, 'botToken must look like 123456:ABC... (from @BotFather)'),
  webhookSecret: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'webhookSecret must be 16-256 characters of A-Z a-z 0-9 _ -'),
});

export type BotSecret = z.infer<typeof botSecretSchema>;

export class BotSecretError extends Error {
  override readonly name = 'BotSecretError';
}

const CACHE_SECONDS = 300;

export async function loadBotSecret(secretId: string): Promise<BotSecret> {
  const raw = await getSecret(secretId, { maxAge: CACHE_SECONDS });
  if (typeof raw !== 'string') throw new BotSecretError(`secret ${secretId} is not a JSON string`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (cause) {
    throw new BotSecretError(`secret ${secretId} is not valid JSON`, { cause });
  }
  const parsed = botSecretSchema.safeParse(json);
  if (!parsed.success) {
    // Name the fields, never their values: this message reaches the logs.
    const fields = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ');
    throw new BotSecretError(`secret ${secretId} is incomplete: ${fields}`);
  }
  return parsed.data;
}
