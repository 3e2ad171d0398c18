// The bot's secrets (token, webhook secret) from Secrets Manager, kept per container and read
// again every few minutes, so a rotated secret is picked up without a redeploy. Sends never wait
// for that read: callers asking together share one read, and once a value is held it keeps
// answering while its refresh runs. Traced on the copy bench with Powertools' cache alone (no
// single flight): a cold alerter's first sends of a 1,000-copy burst waited 21-24 s for it.
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { z } from 'zod';
import { HeldValue } from '../../runtime/lazy.js';

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

/** Read again (in the background) after 5 minutes; used for an hour at most while refreshes fail. */
const HELD_FOR = { refreshAfterMs: 300_000, usableForMs: 3_600_000 };

async function readBotSecret(secretId: string): Promise<BotSecret> {
  const raw = await getSecret(secretId, { forceFetch: true });
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

const secrets = new Map<string, HeldValue<BotSecret>>();

function heldBotSecret(secretId: string): HeldValue<BotSecret> {
  let held = secrets.get(secretId);
  if (!held) {
    held = new HeldValue(() => readBotSecret(secretId), HELD_FOR);
    secrets.set(secretId, held);
  }
  return held;
}

/** The bot's secret as this container holds it (read, or refreshed, as the file's head says). */
export function loadBotSecret(secretId: string): Promise<BotSecret> {
  return heldBotSecret(secretId).get();
}

/**
 * Starts the first read at container start (Lambda's init), so the first send does not wait for
 * it. A failure here is not an error yet: the first send reads again and reports it.
 */
export function warmBotSecret(secretId: string): void {
  heldBotSecret(secretId)
    .get()
    .catch(() => undefined);
}
