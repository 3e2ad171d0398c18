// The chat CLI's link to the running local stack: finds it (.local/stack.json), posts the session's
// updates to the webhook with the secret header, and polls the Bot API stand-in for what the bot did.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ChatSession,
  type BotIdentity,
  type ChatEvent,
  type ChatUser,
  type RecordedCall,
} from './session.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const STACK_FILE = path.join(ROOT, '.local', 'stack.json');
/** Where the chat saves the photos the bot sends (a PNG chart, say), one file per message. */
export const PHOTO_DIR = path.join(ROOT, '.local', 'photos');

const START_HINT = 'Start it with `npm start` in another terminal.';

/** An expected problem, told to the person in one line (no stack trace). */
export class ChatError extends Error {
  override readonly name = 'ChatError';
}

/** The part of .local/stack.json (LocalStackInfo) the chat needs. */
const stackSchema = z.object({
  webhook: z.object({ url: z.string().min(1), secret: z.string().min(1), header: z.string().min(1) }),
  endpoints: z.object({ telegramBotApi: z.string().min(1) }),
  telegram: z.object({ botToken: z.string(), callsUrl: z.string().min(1) }),
  env: z.record(z.string(), z.string()).default({}),
});
export type StackLink = z.infer<typeof stackSchema>;

export async function readStackFile(file = STACK_FILE): Promise<StackLink> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ChatError(
      `No local stack is running (${path.relative(process.cwd(), file)} is missing). ${START_HINT}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ChatError(`${path.relative(process.cwd(), file)} is not valid JSON. Restart \`npm start\`.`);
  }
  const parsed = stackSchema.safeParse(json);
  if (!parsed.success) {
    throw new ChatError(
      `${path.relative(process.cwd(), file)} lacks the webhook or Bot API endpoints. Restart \`npm start\`.`,
    );
  }
  return parsed.data;
}

/** The admins the running stack was started with (ADMIN_USER_IDS), in order. */
export function adminIds(stack: StackLink): number[] {
  return (stack.env.ADMIN_USER_IDS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/** The bot's own user, as the stand-in derives it from the token (replaced by what its answers say). */
function botFromToken(token: string): BotIdentity {
  const id = Number(/^(\d+):/.exec(token)?.[1] ?? 100_000_001);
  return { id, is_bot: true, first_name: 'Alfa', username: 'alfa_bot' };
}

const callsSchema = z.object({
  calls: z.array(
    z.object({
      seq: z.number(),
      at: z.string(),
      method: z.string(),
      params: z.record(z.string(), z.unknown()),
      status: z.number(),
      response: z.unknown(),
    }),
  ),
});

async function request(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch {
    const where = new URL(url);
    throw new ChatError(
      `The local stack does not answer (${what} at ${where.origin}${where.pathname}). ${START_HINT}`,
    );
  }
}

export interface Observed {
  readonly call: RecordedCall;
  events: ChatEvent[];
}

/** An update the session posted, and the reason the webhook gave if it acknowledged without handling it. */
export interface Posted {
  readonly update: Record<string, unknown>;
  readonly ignored?: string;
}

export interface ConnectOptions {
  readonly user: ChatUser;
  /** update_id of the first update; unique by default (the webhook runs each update_id once). */
  readonly firstUpdateId?: number;
}

export class ChatClient {
  /** Cursors of the two streams polled: calls to this chat, and answers to callback queries. */
  private chatSeq = 0;
  private answerSeq = 0;
  /** Polls run one after another, so each call sees what happened before it started. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly stack: StackLink,
    readonly session: ChatSession,
  ) {}

  /**
   * Checks that the stack answers and takes our secret, and takes in the chat's earlier messages
   * silently (so their buttons can be pressed). Returns how many earlier bot messages there are.
   */
  static async connect(
    stack: StackLink,
    options: ConnectOptions,
  ): Promise<{ client: ChatClient; earlier: number }> {
    const session = new ChatSession({
      user: options.user,
      bot: botFromToken(stack.telegram.botToken),
      // Telegram's update ids only grow; microseconds since the epoch keep every session's apart.
      firstUpdateId: options.firstUpdateId ?? Date.now() * 1000,
      firstMessageId: Math.floor(Date.now() / 1000),
    });
    const client = new ChatClient(stack, session);
    await client.probeWebhook();
    const history = await client.fetchCalls({ chat_id: String(options.user.id) });
    let earlier = 0;
    for (const call of history) {
      if (session.absorb(call).some((e) => e.kind === 'message')) earlier += 1;
      client.chatSeq = Math.max(client.chatSeq, call.seq);
    }
    const answers = await client.fetchCalls({ method: 'answerCallbackQuery' });
    client.answerSeq = answers.reduce((max, c) => Math.max(max, c.seq), 0);
    return { client, earlier };
  }

  /** A GET with the secret: the handler answers 200 (and ignores it) or 401 when the secret is wrong. */
  private async probeWebhook(): Promise<void> {
    const res = await request(
      this.stack.webhook.url,
      { method: 'GET', headers: { [this.stack.webhook.header]: this.stack.webhook.secret } },
      'webhook',
    );
    this.checkStatus(res.status);
  }

  private checkStatus(status: number): void {
    if (status === 401) {
      throw new ChatError(
        'The webhook refused the secret in .local/stack.json (401): it belongs to another run. Restart `npm start`.',
      );
    }
    if (status >= 400) throw new ChatError(`The webhook answered ${status}; see the \`npm start\` terminal.`);
  }

  private async fetchCalls(query: Record<string, string>): Promise<RecordedCall[]> {
    const url = `${this.stack.telegram.callsUrl}?${new URLSearchParams(query).toString()}`;
    const res = await request(url, {}, 'Bot API stand-in');
    if (!res.ok) throw new ChatError(`The Bot API stand-in answered ${res.status} at ${url}.`);
    const parsed = callsSchema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new ChatError(`The Bot API stand-in sent something unexpected from ${url}.`);
    return parsed.data.calls;
  }

  /** Posts an update; resolves with the reason the webhook gave when it acknowledged without handling it. */
  private async post(update: Record<string, unknown>): Promise<{ ignored?: string }> {
    const res = await request(
      this.stack.webhook.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [this.stack.webhook.header]: this.stack.webhook.secret,
        },
        body: JSON.stringify(update),
      },
      'webhook',
    );
    const body: unknown = await res.json().catch(() => undefined);
    this.checkStatus(res.status);
    const ignored = typeof body === 'object' && body !== null && 'ignored' in body ? body.ignored : undefined;
    return typeof ignored === 'string' ? { ignored } : {};
  }

  /** Sends a text message as the user. Resolves once the webhook has handled it. */
  async send(text: string): Promise<Posted> {
    const update = this.session.textUpdate(text);
    return { update, ...(await this.post(update)) };
  }

  /** Presses button N (of message `messageId`, or of the latest with buttons); says which it pressed. */
  async press(button: number, messageId?: number): Promise<Posted & { text: string; messageId: number }> {
    const pressed = this.session.press(button, messageId);
    if (!pressed.ok) throw new ChatError(pressed.error);
    return {
      update: pressed.update,
      text: pressed.button.text,
      messageId: pressed.messageId,
      ...(await this.post(pressed.update)),
    };
  }

  /** What the bot did since the last poll, in the order it did it. */
  poll(): Promise<Observed[]> {
    const next = this.queue.then(() => this.pollOnce());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async pollOnce(): Promise<Observed[]> {
    const [chat, answers] = await Promise.all([
      this.fetchCalls({ chat_id: String(this.session.user.id), since: String(this.chatSeq) }),
      this.fetchCalls({ method: 'answerCallbackQuery', since: String(this.answerSeq) }),
    ]);
    for (const c of chat) this.chatSeq = Math.max(this.chatSeq, c.seq);
    for (const c of answers) this.answerSeq = Math.max(this.answerSeq, c.seq);
    const observed = [...chat, ...answers]
      .sort((a, b) => a.seq - b.seq)
      .map((call) => ({ call, events: this.session.absorb(call) }))
      .filter((o) => o.events.length > 0 || o.call.method !== 'answerCallbackQuery');
    for (const o of observed) o.events = await Promise.all(o.events.map((e) => this.savePhoto(e)));
    return observed;
  }

  /**
   * Downloads a photo the bot sent the way a bot client does (getFile, then /file/bot<token>/<path>)
   * and saves it under .local/photos; a failed download leaves the event unsaved, never the chat broken.
   */
  private async savePhoto(event: ChatEvent): Promise<ChatEvent> {
    if (event.kind !== 'photo') return event;
    const api = this.stack.endpoints.telegramBotApi.replace(/\/$/, '');
    const token = this.stack.telegram.botToken;
    try {
      const info = (await (
        await request(
          `${api}/bot${token}/getFile?file_id=${encodeURIComponent(event.fileId)}`,
          {},
          'Bot API stand-in',
        )
      ).json()) as { result?: { file_path?: string } };
      const filePath = info.result?.file_path;
      if (!filePath) return event;
      const res = await request(`${api}/file/bot${token}/${filePath}`, {}, 'Bot API stand-in');
      if (!res.ok) return event;
      const file = path.join(
        PHOTO_DIR,
        `chat-${this.session.user.id}-${event.message.messageId}${path.extname(filePath) || '.png'}`,
      );
      await mkdir(PHOTO_DIR, { recursive: true });
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      return { ...event, savedTo: path.relative(process.cwd(), file) || file };
    } catch {
      return event;
    }
  }
}
