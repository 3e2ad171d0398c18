// The bot's secrets (token, webhook secret) from Secrets Manager, kept per container and read
// again every few minutes, so a rotated secret is picked up without a redeploy. Sends never wait
// for that read: callers asking together share one read, and once a value is held it keeps
// answering while its refresh runs. Measured on the copy bench: with a plain cache, 290 alerts of a
// cold alerter each asked Secrets Manager at once during a 1,000-copy burst and waited 23 s.
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

/** A held value older than this is read again (in the background). */
const REFRESH_AFTER_MS = 300_000;
/** A held value older than this (every refresh failed) is no longer used: callers wait and see the error. */
const USABLE_FOR_MS = 3_600_000;

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

export interface HeldSecretOptions {
  readonly refreshAfterMs?: number;
  readonly usableForMs?: number;
  readonly now?: () => number;
}

/** One secret held for the container (see the file's head). */
export class HeldSecret<T> {
  private held: { readonly value: T; readonly at: number } | undefined;
  private reading: Promise<T> | undefined;
  private readonly refreshAfterMs: number;
  private readonly usableForMs: number;
  private readonly now: () => number;

  constructor(
    private readonly read: () => Promise<T>,
    options: HeldSecretOptions = {},
  ) {
    this.refreshAfterMs = options.refreshAfterMs ?? REFRESH_AFTER_MS;
    this.usableForMs = options.usableForMs ?? USABLE_FOR_MS;
    this.now = options.now ?? Date.now;
  }

  get(): Promise<T> {
    const held = this.held;
    const age = held ? this.now() - held.at : Number.POSITIVE_INFINITY;
    if (held && age < this.refreshAfterMs) return Promise.resolve(held.value);
    const reading = this.refresh();
    if (held && age < this.usableForMs) {
      // The refresh's failure is seen by the first caller the held value can no longer answer.
      reading.catch(() => undefined);
      return Promise.resolve(held.value);
    }
    return reading;
  }

  private refresh(): Promise<T> {
    this.reading ??= this.read()
      .then((value) => {
        this.held = { value, at: this.now() };
        return value;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}

const secrets = new Map<string, HeldSecret<BotSecret>>();

function heldBotSecret(secretId: string): HeldSecret<BotSecret> {
  let held = secrets.get(secretId);
  if (!held) {
    held = new HeldSecret(() => readBotSecret(secretId));
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
