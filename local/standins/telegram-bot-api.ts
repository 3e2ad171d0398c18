// Local stand-in for the Telegram Bot API: answers the methods Alfa uses the way api.telegram.org
// does (same JSON envelope, status codes and error descriptions) and records every call, so tests,
// the local stack and benchmarks can drive the real bot code and inspect what it sent.
//
// Pointing telegraf at it: `new Telegraf(token, { telegram: { apiRoot: standIn.url } })`. telegraf
// 4.16.3 drops the `agent` option when apiRoot starts with `http://` (its default agent is https), so
// an http.Agent passed there is ignored and Node's global http agent is used; no agent is needed.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BotUser {
  id: number;
  is_bot: true;
  first_name: string;
  username: string;
}

export interface RecordedCall {
  seq: number;
  at: string;
  method: string;
  params: Record<string, unknown>;
  status: number;
  response: unknown;
}

export interface CallFilter {
  method?: string;
  chatId?: number | string;
  /** only calls with a greater seq */
  since?: number;
  /** extra predicate, for programmatic use only (e.g. "text contains ...") */
  match?: (call: RecordedCall) => boolean;
}

export interface FaultSpec {
  /** only calls of this method (any method when absent) */
  method?: string;
  /** only calls whose chat_id equals this (any chat when absent) */
  chatId?: number | string;
  status: 400 | 403 | 429 | 500;
  /** seconds, for 429; default 1 */
  retryAfter?: number;
  /** how many matching calls fail; default 1 */
  times?: number;
  /** overrides Telegram's usual description for the status */
  description?: string;
}

export interface RateLimits {
  enabled: boolean;
  /** default 1: Telegram asks bots to send at most one message per second to a chat */
  perChatPerSecond?: number;
  /** default 30: Telegram's overall bulk limit */
  globalPerSecond?: number;
}

export interface BotApiStandIn {
  /** apiRoot, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly botUser: BotUser;
  calls(filter?: CallFilter): RecordedCall[];
  clear(): void;
  injectFault(f: FaultSpec): void;
  clearFaults(): void;
  setRateLimits(limits: RateLimits): void;
  /** Resolves with the first matching call, already recorded or future; rejects after timeoutMs (default 5000). */
  waitForCall(filter: CallFilter, timeoutMs?: number): Promise<RecordedCall>;
  close(): Promise<void>;
}

export interface BotApiOptions {
  token: string;
  port?: number;
  enforceRateLimits?: boolean;
}

type Params = Record<string, unknown>;
type Json = Record<string, unknown>;

const MAX_TEXT_LENGTH = 4096;
const MAX_CALLBACK_DATA_BYTES = 64;
const WINDOW_MS = 1000;

/** A Bot API failure: HTTP status equals error_code, as on api.telegram.org. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly parameters?: Json,
  ) {
    super(description);
  }
}

const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

/** Lets a handler add Telegram's optional top-level `description` to a successful answer. */
class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const tooManyRequests = (retryAfter: number): ApiError =>
  new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

// ---------------------------------------------------------------------------------------------
// Parameters

/** Fields that arrive as JSON strings in query strings and form bodies; decoded so records look the same. */
const JSON_FIELDS = [
  'reply_markup',
  'commands',
  'scope',
  'allowed_updates',
  'entities',
  'link_preview_options',
];

function decodeJsonFields(params: Params): Params {
  for (const key of JSON_FIELDS) {
    const value = params[key];
    if (typeof value !== 'string') continue;
    try {
      params[key] = JSON.parse(value) as unknown;
    } catch {
      // left as a string: the method's validation reports it the way Telegram does
    }
  }
  return params;
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString('utf8');
}

/** A file sent as a multipart part (sendPhoto's `photo`), kept so getFile can serve it back. */
export interface UploadedFile {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

const isUpload = (v: unknown): v is UploadedFile =>
  typeof v === 'object' && v !== null && Buffer.isBuffer((v as UploadedFile).bytes);

/**
 * Telegram merges query-string and body parameters; the body is JSON, urlencoded, or
 * multipart/form-data (file uploads: their parts become UploadedFile values).
 */
async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const params: Params = Object.fromEntries(url.searchParams);
  const raw = await readBytes(req);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Request('http://stand-in/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type']) },
        body: raw,
      }).formData();
    } catch {
      throw badRequest("can't parse multipart/form-data");
    }
    for (const [key, value] of form.entries()) {
      params[key] =
        typeof value === 'string'
          ? value
          : {
              filename: value.name,
              contentType: value.type || 'application/octet-stream',
              bytes: Buffer.from(await value.arrayBuffer()),
            };
    }
    return decodeJsonFields(params);
  }
  const body = raw.toString('utf8');
  if (body.trim() !== '' && type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw badRequest("can't parse JSON");
    }
    if (isObject(parsed)) Object.assign(params, parsed);
  } else if (type === 'application/x-www-form-urlencoded') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
  }
  return decodeJsonFields(params);
}

function chatIdOf(params: Params): number {
  const raw = params.chat_id;
  if (raw === undefined || raw === '' || raw === null) throw badRequest('chat_id is empty');
  const id = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  // '@username' ids and anything else non-numeric name chats this stand-in does not know.
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id === 0) throw badRequest('chat not found');
  return id;
}

function messageIdOf(params: Params): number {
  const raw = params.message_id;
  const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw badRequest('message identifier is not specified');
  }
  return id;
}

/** What Telegram counts against the limit: the text after entity parsing (HTML tags dropped, entities decoded). */
function parsedLength(text: string, parseMode: unknown): number {
  if (typeof parseMode !== 'string' || parseMode.toUpperCase() !== 'HTML') return text.length;
  return text.replace(/<[^>]*>/g, '').replace(/&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/g, '_').length;
}

/** The tags Telegram's HTML parse mode knows (core.telegram.org/bots/api#html-style). */
const HTML_TAGS: ReadonlySet<string> = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

/** Telegram refuses HTML it cannot parse (unknown or unbalanced tags) with a 400, and sends nothing. */
function checkHtml(text: string, parseMode: unknown): void {
  if (typeof parseMode !== 'string' || parseMode.toUpperCase() !== 'HTML') return;
  const open: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^<>]*>/g)) {
    const name = (m[2] as string).toLowerCase();
    const at = Buffer.byteLength(text.slice(0, m.index));
    if (!HTML_TAGS.has(name))
      throw badRequest(
        `can't parse entities: Unsupported ${m[1] ? 'end' : 'start'} tag "${name}" at byte offset ${at}`,
      );
    if (!m[1]) open.push(name);
    else if (open.pop() !== name)
      throw badRequest(
        `can't parse entities: Unmatched end tag at byte offset ${at}, expected "</${open.at(-1) ?? ''}>", found "</${name}>"`,
      );
  }
  if (open.length > 0)
    throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${open.at(-1)}"`);
}

function textOf(params: Params): string {
  const text = params.text;
  if (typeof text !== 'string' || text.trim() === '') throw badRequest('message text is empty');
  if (parsedLength(text, params.parse_mode) > MAX_TEXT_LENGTH) throw badRequest('message is too long');
  checkHtml(text, params.parse_mode);
  return text;
}

function validateButton(button: unknown): void {
  if (!isObject(button) || typeof button.text !== 'string') {
    throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
  }
  const data = button.callback_data;
  if (typeof data === 'string' && Buffer.byteLength(data, 'utf8') > MAX_CALLBACK_DATA_BYTES) {
    throw badRequest('BUTTON_DATA_INVALID');
  }
  // An empty callback_data counts as absent, which leaves a plain text button.
  const actions = ['callback_data', 'url', 'web_app', 'login_url', 'switch_inline_query', 'copy_text', 'pay'];
  if (!actions.some((a) => button[a] !== undefined && button[a] !== '')) {
    throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  }
}

/** Returns the markup when it is an inline keyboard (the only kind Telegram echoes in the Message). */
function inlineMarkupOf(params: Params): Json | undefined {
  const markup = params.reply_markup;
  if (markup === undefined) return undefined;
  if (!isObject(markup)) throw badRequest("can't parse reply keyboard markup JSON object");
  const rows = markup.inline_keyboard;
  if (rows === undefined) return undefined;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    throw badRequest(
      'can\'t parse inline keyboard button: Field "inline_keyboard" must be an Array of Arrays',
    );
  }
  for (const row of rows as unknown[][]) row.forEach(validateButton);
  return markup;
}

// ---------------------------------------------------------------------------------------------
// State

interface ChatState {
  lastMessageId: number;
  messages: Map<number, Json>;
  deleted: Set<number>;
}

interface QueuedFault extends FaultSpec {
  remaining: number;
}

/** Sliding one-second windows of sent messages, overall and per chat. */
class RateLimiter {
  constructor(
    readonly enabled: boolean,
    private readonly perChat: number,
    private readonly global: number,
  ) {}

  private readonly all: number[] = [];
  private readonly byChat = new Map<number, number[]>();

  /** Counts the message and returns 0 when it may go out now, else the seconds to wait. */
  take(chatId: number, now: number): number {
    const chatHits = this.byChat.get(chatId) ?? [];
    prune(this.all, now);
    prune(chatHits, now);
    const wait = Math.max(waitFor(chatHits, this.perChat, now), waitFor(this.all, this.global, now));
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    this.all.push(now);
    chatHits.push(now);
    this.byChat.set(chatId, chatHits);
    return 0;
  }
}

function prune(hits: number[], now: number): void {
  while (hits.length > 0 && (hits[0] as number) <= now - WINDOW_MS) hits.shift();
}

/** Milliseconds until a window holding `hits` has room for one more under `limit`. */
function waitFor(hits: number[], limit: number, now: number): number {
  if (hits.length < limit) return 0;
  return (hits[hits.length - limit] as number) + WINDOW_MS - now;
}

/** Methods that put a message in a chat and so count against Telegram's flood limits. */
const countsAsMessage = (method: string): boolean =>
  method === 'sendMessage' || method === 'sendPhoto' || method.startsWith('editMessage');

const MAX_CAPTION_LENGTH = 1024;
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** Width and height of a PNG (IHDR) or JPEG (first SOFn); undefined when the bytes are neither. */
function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (
    bytes.length >= 24 &&
    bytes.readUInt32BE(0) === 0x89504e47 &&
    bytes.toString('ascii', 12, 16) === 'IHDR'
  )
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    for (let i = 2; i + 9 < bytes.length;) {
      if (bytes[i] !== 0xff) return undefined;
      const marker = bytes[i + 1] as number;
      const length = bytes.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
        return { width: bytes.readUInt16BE(i + 7), height: bytes.readUInt16BE(i + 5) };
      i += 2 + length;
    }
  }
  return undefined;
}

class BotState {
  readonly chats = new Map<number, ChatState>();
  /** Uploaded files by file_id, for getFile and /file downloads. */
  readonly files = new Map<string, UploadedFile & { path: string }>();
  readonly commands = new Map<string, unknown>();
  webhook: Json = { url: '', has_custom_certificate: false, pending_update_count: 0 };

  constructor(readonly botUser: BotUser) {}

  chat(id: number): ChatState {
    let chat = this.chats.get(id);
    if (!chat) {
      chat = { lastMessageId: 0, messages: new Map(), deleted: new Set() };
      this.chats.set(id, chat);
    }
    return chat;
  }
}

function chatObject(id: number): Json {
  if (id > 0) return { id, type: 'private', first_name: `User ${id}` };
  // Supergroup and channel ids start with -100; plain groups are other negatives.
  return { id, type: id < -1_000_000_000_000 ? 'supergroup' : 'group', title: `Chat ${id}` };
}

// ---------------------------------------------------------------------------------------------
// Methods

type MethodHandler = (state: BotState, params: Params) => unknown;

/** Finds a message to edit; a message id the stand-in never sent is treated as an existing text message. */
function messageToEdit(state: BotState, params: Params): { chat: ChatState; id: number; message: Json } {
  const chatId = chatIdOf(params);
  const id = messageIdOf(params);
  const chat = state.chat(chatId);
  if (chat.deleted.has(id)) throw badRequest('message to edit not found');
  // Lenient on purpose: tests often synthesize callback updates for messages this stand-in never sent.
  const message = chat.messages.get(id) ?? {
    message_id: id,
    from: state.botUser,
    chat: chatObject(chatId),
    date: Math.floor(Date.now() / 1000),
    text: '',
  };
  return { chat, id, message };
}

function applyEdit(chat: ChatState, id: number, before: Json, changes: Json): Json {
  const after: Json = { ...before, ...changes, edit_date: Math.floor(Date.now() / 1000) };
  if (changes.reply_markup === undefined) delete after.reply_markup;
  const same =
    after.text === before.text && JSON.stringify(after.reply_markup) === JSON.stringify(before.reply_markup);
  if (same) {
    throw badRequest(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
  }
  chat.messages.set(id, after);
  return after;
}

const methods: Record<string, MethodHandler> = {
  getMe: (state) => ({
    ...state.botUser,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  }),

  sendMessage(state, params) {
    const chatId = chatIdOf(params);
    const text = textOf(params);
    const markup = inlineMarkupOf(params);
    const chat = state.chat(chatId);
    chat.lastMessageId += 1;
    const message: Json = {
      message_id: chat.lastMessageId,
      from: state.botUser,
      chat: chatObject(chatId),
      date: Math.floor(Date.now() / 1000),
      text,
      ...(markup ? { reply_markup: markup } : {}),
    };
    chat.messages.set(chat.lastMessageId, message);
    return message;
  },

  /** Only uploads (multipart) and file_ids this stand-in issued; URLs are not fetched. */
  sendPhoto(state, params) {
    const chatId = chatIdOf(params);
    const photo = params.photo;
    const caption = typeof params.caption === 'string' ? params.caption : undefined;
    if (caption !== undefined && parsedLength(caption, params.parse_mode) > MAX_CAPTION_LENGTH)
      throw badRequest('message caption is too long');
    const markup = inlineMarkupOf(params);
    let file: (UploadedFile & { path: string }) | undefined;
    let fileId: string;
    if (isUpload(photo)) {
      if (photo.bytes.length === 0) throw badRequest('file must be non-empty');
      if (photo.bytes.length > MAX_PHOTO_BYTES) throw new ApiError(413, 'Request Entity Too Large');
      const size = imageSize(photo.bytes);
      if (!size) throw badRequest('IMAGE_PROCESS_FAILED');
      if (
        size.width + size.height > 10_000 ||
        Math.max(size.width, size.height) / Math.min(size.width, size.height) > 20
      )
        throw badRequest('PHOTO_INVALID_DIMENSIONS');
      fileId = `AgAC${state.files.size + 1}_${photo.bytes.length}`;
      file = {
        ...photo,
        path: `photos/file_${state.files.size + 1}.${photo.bytes[0] === 0xff ? 'jpg' : 'png'}`,
      };
      state.files.set(fileId, file);
    } else if (typeof photo === 'string' && state.files.has(photo)) {
      fileId = photo;
      file = state.files.get(photo);
    } else {
      throw badRequest(
        photo === undefined ? 'there is no photo in the request' : 'wrong file identifier/HTTP URL specified',
      );
    }
    const size = imageSize((file as UploadedFile).bytes) ?? { width: 0, height: 0 };
    const chat = state.chat(chatId);
    chat.lastMessageId += 1;
    const message: Json = {
      message_id: chat.lastMessageId,
      from: state.botUser,
      chat: chatObject(chatId),
      date: Math.floor(Date.now() / 1000),
      photo: [
        {
          file_id: fileId,
          file_unique_id: `u${fileId}`,
          width: size.width,
          height: size.height,
          file_size: (file as UploadedFile).bytes.length,
        },
      ],
      ...(caption !== undefined ? { caption } : {}),
      ...(markup ? { reply_markup: markup } : {}),
    };
    chat.messages.set(chat.lastMessageId, message);
    return message;
  },

  getFile(state, params) {
    const id = params.file_id;
    const file = typeof id === 'string' ? state.files.get(id) : undefined;
    if (!file) throw badRequest('invalid file_id');
    return {
      file_id: id,
      file_unique_id: `u${String(id)}`,
      file_size: file.bytes.length,
      file_path: file.path,
    };
  },

  editMessageText(state, params) {
    const text = textOf(params);
    const reply_markup = inlineMarkupOf(params);
    // Messages sent via inline mode are not stored; Telegram answers True for them.
    if (params.inline_message_id !== undefined) return true;
    const { chat, id, message } = messageToEdit(state, params);
    return applyEdit(chat, id, message, { text, reply_markup });
  },

  editMessageReplyMarkup(state, params) {
    const reply_markup = inlineMarkupOf(params);
    if (params.inline_message_id !== undefined) return true;
    const { chat, id, message } = messageToEdit(state, params);
    return applyEdit(chat, id, message, { reply_markup });
  },

  deleteMessage(state, params) {
    const chat = state.chat(chatIdOf(params));
    const id = messageIdOf(params);
    // Only messages already deleted are known to be gone; ids never seen may be the user's messages.
    if (chat.deleted.has(id)) throw badRequest('message to delete not found');
    chat.messages.delete(id);
    chat.deleted.add(id);
    return true;
  },

  answerCallbackQuery(_state, params) {
    const id = params.callback_query_id;
    if (typeof id !== 'string' || id === '') {
      throw badRequest('query is too old and response timeout expired or query ID is invalid');
    }
    return true;
  },

  sendChatAction(_state, params) {
    chatIdOf(params);
    if (typeof params.action !== 'string' || params.action === '') {
      throw badRequest('wrong parameter action in request');
    }
    return true;
  },

  setWebhook(state, params) {
    if (typeof params.url !== 'string') throw badRequest('bad webhook: URL must be provided');
    state.webhook = {
      url: params.url,
      has_custom_certificate: false,
      pending_update_count: 0,
      max_connections: typeof params.max_connections === 'number' ? params.max_connections : 40,
      ...(Array.isArray(params.allowed_updates) ? { allowed_updates: params.allowed_updates } : {}),
    };
    return new Described(true, 'Webhook was set');
  },

  deleteWebhook(state) {
    const wasSet = state.webhook.url !== '';
    state.webhook = { url: '', has_custom_certificate: false, pending_update_count: 0 };
    return new Described(true, wasSet ? 'Webhook was deleted' : 'Webhook is already deleted');
  },

  getWebhookInfo: (state) => state.webhook,

  setMyCommands(state, params) {
    const commands = params.commands ?? [];
    if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
    // Telegram: at most 100 commands, each 1-32 of a-z 0-9 _, with a 1-256 character description.
    if (commands.length > 100) throw badRequest('too many commands');
    for (const c of commands as unknown[]) {
      if (!isObject(c) || typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) {
        throw badRequest('BOT_COMMAND_INVALID');
      }
      if (typeof c.description !== 'string' || c.description.trim() === '' || c.description.length > 256) {
        throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    state.commands.set(commandsKey(params), commands);
    return true;
  },

  getMyCommands: (state, params) => state.commands.get(commandsKey(params)) ?? [],
};

/** Command lists are kept per scope and language, as Telegram does. */
const commandsKey = (params: Params): string =>
  JSON.stringify([params.scope ?? { type: 'default' }, params.language_code ?? '']);

/** Telegram method names are case-insensitive. */
const methodsByLowerName = new Map(Object.keys(methods).map((name) => [name.toLowerCase(), name]));

// ---------------------------------------------------------------------------------------------
// Server

interface Answer {
  status: number;
  body: Json;
}

const FAULT_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden: bot was blocked by the user',
  500: 'Internal Server Error',
};

function faultError(f: FaultSpec): ApiError {
  if (f.status === 429) {
    const e = tooManyRequests(f.retryAfter ?? 1);
    return f.description ? new ApiError(429, f.description, e.parameters) : e;
  }
  return new ApiError(f.status, f.description ?? FAULT_DESCRIPTIONS[f.status] ?? 'Error');
}

function sameChat(a: unknown, b: number | string | undefined): boolean {
  return b === undefined || (a !== undefined && String(a) === String(b));
}

function matches(call: RecordedCall, f: CallFilter): boolean {
  return (
    (f.method === undefined || call.method === f.method) &&
    sameChat(call.params.chat_id, f.chatId) &&
    (f.since === undefined || call.seq > f.since) &&
    (f.match === undefined || f.match(call))
  );
}

function errorBody(e: ApiError): Json {
  return {
    ok: false,
    error_code: e.status,
    description: e.description,
    ...(e.parameters ? { parameters: e.parameters } : {}),
  };
}

function successBody(result: unknown): Json {
  return result instanceof Described
    ? { ok: true, result: result.result, description: result.description }
    : { ok: true, result };
}

interface Waiter {
  filter: CallFilter;
  resolve: (call: RecordedCall) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

class StandIn {
  readonly recorded: RecordedCall[] = [];
  readonly faults: QueuedFault[] = [];
  private limiter = new RateLimiter(false, 1, 30);
  readonly waiters = new Set<Waiter>();
  readonly state: BotState;
  private seq = 0;

  constructor(
    readonly token: string,
    botUser: BotUser,
  ) {
    this.state = new BotState(botUser);
  }

  /** Answers one Bot API call; the order (token, method, fault, flood limit, validation) follows Telegram. */
  answer(
    token: string,
    rawMethod: string,
    params: Params,
    parseError?: ApiError,
  ): { method: string; answer: Answer } {
    const method = methodsByLowerName.get(rawMethod.toLowerCase()) ?? rawMethod;
    try {
      if (token !== this.token) throw new ApiError(401, 'Unauthorized');
      const handler = methods[method];
      if (!handler) throw new ApiError(404, 'Not Found');
      if (parseError) throw parseError;
      this.applyFault(method, params);
      this.applyRateLimit(method, params);
      return { method, answer: { status: 200, body: successBody(handler(this.state, params)) } };
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'Internal Server Error');
      return { method, answer: { status: e.status, body: errorBody(e) } };
    }
  }

  private applyFault(method: string, params: Params): void {
    const i = this.faults.findIndex(
      (f) => (f.method === undefined || f.method === method) && sameChat(params.chat_id, f.chatId),
    );
    const fault = this.faults[i];
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(i, 1);
    throw faultError(fault);
  }

  private applyRateLimit(method: string, params: Params): void {
    if (!this.limiter.enabled || !countsAsMessage(method)) return;
    let chatId: number;
    try {
      chatId = chatIdOf(params);
    } catch {
      return; // the method's own validation reports the bad chat_id
    }
    const retryAfter = this.limiter.take(chatId, Date.now());
    if (retryAfter > 0) throw tooManyRequests(retryAfter);
  }

  record(method: string, rawParams: Params, answer: Answer): void {
    // Uploaded bytes are described in the record (name, type, size), never inlined.
    const params: Params = Object.fromEntries(
      Object.entries(rawParams).map(([k, v]) =>
        isUpload(v)
          ? [k, { filename: v.filename, contentType: v.contentType, size: v.bytes.length }]
          : [k, v],
      ),
    );
    this.seq += 1;
    const call: RecordedCall = {
      seq: this.seq,
      at: new Date().toISOString(),
      method,
      params,
      status: answer.status,
      response: answer.body,
    };
    this.recorded.push(call);
    for (const w of this.waiters) this.offer(w, call);
  }

  /** Settles a waiter if the call matches; a throwing `match` predicate rejects that waiter only. */
  private offer(w: Waiter, call: RecordedCall): void {
    try {
      if (!matches(call, w.filter)) return;
      w.resolve(call);
    } catch (err) {
      w.reject(err instanceof Error ? err : new Error(String(err)));
    }
    clearTimeout(w.timer);
    this.waiters.delete(w);
  }

  calls(filter: CallFilter = {}): RecordedCall[] {
    return this.recorded.filter((c) => matches(c, filter));
  }

  injectFault(f: FaultSpec): void {
    if (![400, 403, 429, 500].includes(f.status)) {
      throw new Error(`unsupported fault status ${String(f.status)}`);
    }
    // Method names are case-insensitive on the wire, so faults match the canonical name.
    const method =
      f.method === undefined ? undefined : (methodsByLowerName.get(f.method.toLowerCase()) ?? f.method);
    this.faults.push({ ...f, method, remaining: f.times ?? 1 });
  }

  /** Replaces the limiter, so windows start empty whenever limits are (re)configured. */
  setRateLimits(l: RateLimits): void {
    const atLeastOne = (n: number | undefined, fallback: number): number => Math.max(1, n ?? fallback);
    this.limiter = new RateLimiter(
      l.enabled,
      atLeastOne(l.perChatPerSecond, 1),
      atLeastOne(l.globalPerSecond, 30),
    );
  }

  waitForCall(filter: CallFilter, timeoutMs: number): Promise<RecordedCall> {
    const found = this.recorded.find((c) => matches(c, filter));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        filter,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`waitForCall: ${this.describeMiss(filter)} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private describeMiss(filter: CallFilter): string {
    const { match, ...rest } = filter;
    const counts = new Map<string, number>();
    for (const c of this.recorded) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
    const seen = [...counts].map(([m, n]) => `${m}×${n}`).join(', ') || 'none';
    return `no call matching ${JSON.stringify(rest)}${match ? ' and the match predicate' : ''} (recorded: ${seen})`;
  }

  rejectWaiters(reason: string): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(reason));
    }
    this.waiters.clear();
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const BOT_PATH = /^\/bot([^/]*)\/(?:test\/)?([^/]+)$/;
const FILE_PATH = /^\/file\/bot([^/]*)\/(.+)$/;

/** `GET /file/bot<token>/<file_path>`: the bytes of an uploaded file, as api.telegram.org serves them. */
function handleFileDownload(standIn: StandIn, res: ServerResponse, url: URL): void {
  const m = FILE_PATH.exec(url.pathname);
  const file =
    m && m[1] === standIn.token ? [...standIn.state.files.values()].find((f) => f.path === m[2]) : undefined;
  if (!file) return sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
  res
    .writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) })
    .end(file.bytes);
}

async function handleBotApi(
  standIn: StandIn,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const match = BOT_PATH.exec(url.pathname);
  let params: Params = {};
  let parseError: ApiError | undefined;
  try {
    params = await readParams(req, url);
  } catch (err) {
    parseError = err instanceof ApiError ? err : badRequest("can't parse request");
  }
  const { method, answer } = match
    ? standIn.answer(match[1] ?? '', match[2] ?? '', params, parseError)
    : { method: '', answer: { status: 404, body: errorBody(new ApiError(404, 'Not Found')) } };
  // The token is in the path only; records keep the method and parameters, never the token.
  standIn.record(method, params, answer);
  const retryAfter = (answer.body.parameters as Json | undefined)?.retry_after;
  sendJson(
    res,
    answer.status,
    answer.body,
    typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {},
  );
}

function callFilterFrom(url: URL): CallFilter {
  const q = url.searchParams;
  const since = q.get('since');
  return {
    ...(q.get('method') ? { method: q.get('method') as string } : {}),
    ...(q.get('chat_id') ? { chatId: q.get('chat_id') as string } : {}),
    ...(since !== null && /^\d+$/.test(since) ? { since: Number(since) } : {}),
  };
}

async function readControlJson(req: IncomingMessage): Promise<Json> {
  const text = await readBody(req);
  const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
  if (!isObject(parsed)) throw new Error('body must be a JSON object');
  return parsed;
}

function faultFrom(body: Json): FaultSpec {
  const { method, chatId, status, retryAfter, times, description } = body;
  if (status !== 400 && status !== 403 && status !== 429 && status !== 500) {
    throw new Error('status must be one of 400, 403, 429, 500');
  }
  return {
    status,
    ...(typeof method === 'string' ? { method } : {}),
    ...(typeof chatId === 'number' || typeof chatId === 'string' ? { chatId } : {}),
    ...(typeof retryAfter === 'number' ? { retryAfter } : {}),
    ...(typeof times === 'number' ? { times } : {}),
    ...(typeof description === 'string' ? { description } : {}),
  };
}

/** Inspection and fault injection for tests over HTTP (`/_alfa/...`), for processes that cannot share memory. */
async function handleControl(
  standIn: StandIn,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  try {
    switch (route) {
      case 'GET /_alfa/calls':
        return sendJson(res, 200, { calls: standIn.calls(callFilterFrom(url)) });
      case 'DELETE /_alfa/calls':
        standIn.recorded.length = 0;
        return sendJson(res, 200, { ok: true });
      case 'POST /_alfa/faults':
        standIn.injectFault(faultFrom(await readControlJson(req)));
        return sendJson(res, 200, { ok: true, queued: standIn.faults.length });
      case 'DELETE /_alfa/faults':
        standIn.faults.length = 0;
        return sendJson(res, 200, { ok: true });
      case 'POST /_alfa/limits': {
        const body = await readControlJson(req);
        const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
        standIn.setRateLimits({
          enabled: body.enabled === true,
          perChatPerSecond: num(body.perChatPerSecond),
          globalPerSecond: num(body.globalPerSecond),
        });
        return sendJson(res, 200, { ok: true });
      }
      default:
        return sendJson(res, 404, { error: `no control route ${route}` });
    }
  } catch (err) {
    sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
  }
}

function botUserFor(token: string): BotUser {
  // Real tokens start with the bot's user id; reuse it so ids look consistent.
  const prefix = /^(\d+):/.exec(token)?.[1];
  return {
    id: prefix ? Number(prefix) : 100000001,
    is_bot: true,
    first_name: 'Alfa Test Bot',
    username: 'alfa_test_bot',
  };
}

export async function startBotApi(opts: BotApiOptions): Promise<BotApiStandIn> {
  const botUser = botUserFor(opts.token);
  const standIn = new StandIn(opts.token, botUser);
  standIn.setRateLimits({ enabled: opts.enforceRateLimits === true });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/file/')) return handleFileDownload(standIn, res, url);
    const handler = url.pathname.startsWith('/_alfa/') ? handleControl : handleBotApi;
    void handler(standIn, req, res, url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    botUser,
    calls: (filter) => standIn.calls(filter),
    clear: () => {
      standIn.recorded.length = 0;
    },
    injectFault: (f) => standIn.injectFault(f),
    clearFaults: () => {
      standIn.faults.length = 0;
    },
    setRateLimits: (l) => standIn.setRateLimits(l),
    waitForCall: (filter, timeoutMs = 5000) => standIn.waitForCall(filter, timeoutMs),
    close: () => {
      standIn.rejectWaiters('waitForCall: the Bot API stand-in was closed');
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // telegraf keeps sockets alive; without this close() waits for them to time out.
        server.closeAllConnections();
      });
    },
  };
}
