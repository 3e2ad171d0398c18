// The chat CLI's state, without I/O: which messages the bot has in this chat (latest text and
// buttons, edits included), the updates a user's typing and button presses become, and what each
// recorded Bot API call means for the person watching.
import { parseHtml } from './html.js';

/** A recorded Bot API call, as the stand-in's `GET /_alfa/calls` lists it. */
export interface RecordedCall {
  readonly seq: number;
  readonly at: string;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: number;
  readonly response: unknown;
}

export interface ChatUser {
  readonly id: number;
  readonly firstName: string;
  readonly username?: string;
}

export interface BotIdentity {
  readonly id: number;
  readonly is_bot: true;
  readonly first_name: string;
  readonly username: string;
}

export interface Button {
  readonly text: string;
  readonly callback_data?: string;
  readonly url?: string;
}

export type Keyboard = readonly (readonly Button[])[];

/** What the session knows of one bot message: its latest text and buttons. */
export interface KnownMessage {
  readonly messageId: number;
  /** As the bot sent it: HTML when `html` is true, else plain text. */
  readonly text: string;
  readonly html: boolean;
  readonly keyboard: Keyboard;
  readonly date: number;
  readonly editDate?: number;
  readonly from?: BotIdentity;
}

/** What a call meant for the person in the chat; render.ts turns these into lines. */
export type ChatEvent =
  | { readonly kind: 'message'; readonly message: KnownMessage }
  | {
      readonly kind: 'edited';
      readonly message: KnownMessage;
      readonly textChanged: boolean;
      readonly keyboardChanged: boolean;
    }
  | { readonly kind: 'deleted'; readonly messageId: number; readonly own: boolean }
  /** A photo (sendPhoto): the caption is the message text; `savedTo` once the client saved the file. */
  | {
      readonly kind: 'photo';
      readonly message: KnownMessage;
      readonly fileId: string;
      readonly bytes: number;
      readonly savedTo?: string;
    }
  | { readonly kind: 'toast'; readonly text: string; readonly alert: boolean }
  | {
      readonly kind: 'refused';
      readonly method: string;
      readonly status: number;
      readonly description: string;
    }
  | { readonly kind: 'other'; readonly method: string };

/** What a line typed at the prompt asks for. */
export type Input =
  | { readonly kind: 'empty' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'press'; readonly button: number; readonly messageId?: number }
  | { readonly kind: 'quit' }
  | { readonly kind: 'raw' }
  | { readonly kind: 'help' };

/** The session's own commands; anything else starting with / goes to the bot. */
export function parseInput(line: string): Input {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  if (text === '/quit' || text === '/exit') return { kind: 'quit' };
  if (text === '/raw') return { kind: 'raw' };
  if (text === '/?' || text === '/keys') return { kind: 'help' };
  const press = /^(?:\/press\s+)?(\d{1,3})(?:\s*@\s*#?(\d+))?$/.exec(text);
  if (press) {
    return {
      kind: 'press',
      button: Number(press[1]),
      ...(press[2] === undefined ? {} : { messageId: Number(press[2]) }),
    };
  }
  return { kind: 'text', text: line.replace(/^\s+|\s+$/g, '') };
}

export interface SessionOptions {
  readonly user: ChatUser;
  /** The bot's own user, for callback messages the session has no `from` for. */
  readonly bot: BotIdentity;
  /** update_id of the first update; the webhook processes each update_id once, so make it unique. */
  readonly firstUpdateId: number;
  /** message_id of the user's first message; kept apart from the bot's ids (the stand-in numbers those from 1). */
  readonly firstMessageId?: number;
  readonly now?: () => Date;
}

export type PressResult =
  | {
      readonly ok: true;
      readonly update: Record<string, unknown>;
      readonly button: Button;
      readonly messageId: number;
    }
  | { readonly ok: false; readonly error: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const toNumber = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
};

/** The inline keyboard in a reply_markup, or an empty one (other markups have no buttons to press). */
export function keyboardOf(markup: unknown): Keyboard {
  if (!isObject(markup) || !Array.isArray(markup.inline_keyboard)) return [];
  const rows: Button[][] = [];
  for (const row of markup.inline_keyboard as unknown[]) {
    if (!Array.isArray(row)) continue;
    const buttons: Button[] = [];
    for (const b of row as unknown[]) {
      if (!isObject(b) || typeof b.text !== 'string') continue;
      buttons.push({
        text: b.text,
        ...(typeof b.callback_data === 'string' ? { callback_data: b.callback_data } : {}),
        ...(typeof b.url === 'string' ? { url: b.url } : {}),
      });
    }
    if (buttons.length > 0) rows.push(buttons);
  }
  return rows;
}

const buttonCount = (k: Keyboard): number => k.reduce((n, row) => n + row.length, 0);

/** Button N (from 1, counted row by row) of a keyboard. */
export function nthButton(keyboard: Keyboard, n: number): Button | undefined {
  return keyboard.flat()[n - 1];
}

function botIdentityOf(v: unknown): BotIdentity | undefined {
  if (!isObject(v) || v.is_bot !== true || typeof v.id !== 'number') return undefined;
  return {
    id: v.id,
    is_bot: true,
    first_name: typeof v.first_name === 'string' ? v.first_name : '',
    username: typeof v.username === 'string' ? v.username : '',
  };
}

/** The Message a successful call answered with (sendMessage, editMessage*), if any. */
function resultMessage(response: unknown): Record<string, unknown> | undefined {
  return isObject(response) && isObject(response.result) ? response.result : undefined;
}

function description(response: unknown): string {
  return isObject(response) && typeof response.description === 'string' ? response.description : '';
}

const sameKeyboard = (a: Keyboard, b: Keyboard) => JSON.stringify(a) === JSON.stringify(b);

export class ChatSession {
  readonly user: ChatUser;
  private readonly bot: BotIdentity;
  private readonly now: () => Date;
  private nextUpdateId: number;
  private nextMessageId: number;
  private readonly messages = new Map<number, KnownMessage>();
  /** Message ids in the order they were last shown (sent or edited), the latest last. */
  private shown: number[] = [];
  private readonly callbackIds = new Set<string>();

  constructor(options: SessionOptions) {
    this.user = options.user;
    this.bot = options.bot;
    this.nextUpdateId = options.firstUpdateId;
    this.nextMessageId = options.firstMessageId ?? 1_000_000_001;
    this.now = options.now ?? (() => new Date());
  }

  message(id: number): KnownMessage | undefined {
    return this.messages.get(id);
  }

  /** The message the shortcut `N` presses a button of: the last one shown that still has buttons. */
  latestWithButtons(): KnownMessage | undefined {
    for (let i = this.shown.length - 1; i >= 0; i--) {
      const m = this.messages.get(this.shown[i] as number);
      if (m && buttonCount(m.keyboard) > 0) return m;
    }
    return undefined;
  }

  private userObject() {
    return {
      id: this.user.id,
      is_bot: false,
      first_name: this.user.firstName,
      ...(this.user.username ? { username: this.user.username } : {}),
      language_code: 'en',
    };
  }

  private chatObject() {
    return {
      id: this.user.id,
      type: 'private',
      first_name: this.user.firstName,
      ...(this.user.username ? { username: this.user.username } : {}),
    };
  }

  private seconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  /** A text message from the user, with a bot_command entity when it starts with a command. */
  textUpdate(text: string): Record<string, unknown> {
    const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text)?.[0];
    return {
      update_id: this.nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        from: this.userObject(),
        chat: this.chatObject(),
        date: this.seconds(),
        text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
      },
    };
  }

  /**
   * Presses button N of a message (the latest one with buttons when no id is given): the
   * callback_query update Telegram would post, carrying the message as the user sees it now.
   */
  press(button: number, messageId?: number): PressResult {
    const message = messageId === undefined ? this.latestWithButtons() : this.messages.get(messageId);
    if (!message) {
      return {
        ok: false,
        error:
          messageId === undefined
            ? 'No message with buttons yet.'
            : `No message #${messageId} from the bot in this chat.`,
      };
    }
    const count = buttonCount(message.keyboard);
    const target = nthButton(message.keyboard, button);
    if (!target) {
      return {
        ok: false,
        error:
          count === 0
            ? `Message #${message.messageId} has no buttons.`
            : `Message #${message.messageId} has ${count === 1 ? 'only button 1' : `buttons 1-${count}`}; there is no button ${button}.`,
      };
    }
    if (target.callback_data === undefined) {
      return {
        ok: false,
        error: target.url
          ? `Button ${button} opens ${target.url}; nothing is sent to the bot.`
          : `Button ${button} sends nothing to the bot (it is not a callback button).`,
      };
    }
    const updateId = this.nextUpdateId++;
    const id = `${this.user.id}${String(updateId).slice(-9)}`;
    this.callbackIds.add(id);
    const { text, entities } = message.html ? parseHtml(message.text) : { text: message.text, entities: [] };
    const update = {
      update_id: updateId,
      callback_query: {
        id,
        from: this.userObject(),
        chat_instance: chatInstance(this.user.id),
        message: {
          message_id: message.messageId,
          from: message.from ?? this.bot,
          chat: this.chatObject(),
          date: message.date,
          ...(message.editDate === undefined ? {} : { edit_date: message.editDate }),
          text,
          ...(entities.length > 0 ? { entities } : {}),
          reply_markup: { inline_keyboard: message.keyboard },
        },
        data: target.callback_data,
      },
    };
    return { ok: true, update, button: target, messageId: message.messageId };
  }

  /**
   * Takes in one recorded call made to this chat (or an answer to one of this session's callback
   * queries) and says what the person sees. Calls for other chats and other sessions' answers mean nothing.
   */
  absorb(call: RecordedCall): ChatEvent[] {
    if (call.method === 'answerCallbackQuery') return this.absorbAnswer(call);
    if (String(call.params.chat_id) !== String(this.user.id)) return [];
    if (call.status !== 200) {
      return [
        {
          kind: 'refused',
          method: call.method,
          status: call.status,
          description: description(call.response),
        },
      ];
    }
    switch (call.method) {
      case 'sendMessage':
        return this.absorbSend(call);
      case 'sendPhoto':
        return this.absorbPhoto(call);
      case 'editMessageText':
      case 'editMessageReplyMarkup':
        return this.absorbEdit(call);
      case 'deleteMessage': {
        const id = toNumber(call.params.message_id);
        if (id === undefined) return [];
        const own = !this.messages.has(id);
        this.messages.delete(id);
        this.shown = this.shown.filter((m) => m !== id);
        return [{ kind: 'deleted', messageId: id, own }];
      }
      case 'sendChatAction':
        return [];
      default:
        return [{ kind: 'other', method: call.method }];
    }
  }

  private remember(message: KnownMessage): void {
    this.messages.set(message.messageId, message);
    this.shown = [...this.shown.filter((m) => m !== message.messageId), message.messageId];
  }

  private absorbSend(call: RecordedCall): ChatEvent[] {
    const result = resultMessage(call.response);
    const messageId = toNumber(result?.message_id);
    if (messageId === undefined || typeof call.params.text !== 'string') return [];
    const from = botIdentityOf(result?.from);
    const message: KnownMessage = {
      messageId,
      text: call.params.text,
      html: call.params.parse_mode === 'HTML',
      keyboard: keyboardOf(call.params.reply_markup),
      date: toNumber(result?.date) ?? this.seconds(),
      ...(from ? { from } : {}),
    };
    this.remember(message);
    return [{ kind: 'message', message }];
  }

  private absorbPhoto(call: RecordedCall): ChatEvent[] {
    const result = resultMessage(call.response);
    const messageId = toNumber(result?.message_id);
    const sizes = Array.isArray(result?.photo) ? (result.photo as unknown[]).filter(isObject) : [];
    const largest = sizes.at(-1);
    if (messageId === undefined || !largest || typeof largest.file_id !== 'string') return [];
    const from = botIdentityOf(result?.from);
    const message: KnownMessage = {
      messageId,
      text: typeof call.params.caption === 'string' ? call.params.caption : '',
      html: call.params.parse_mode === 'HTML',
      keyboard: keyboardOf(call.params.reply_markup),
      date: toNumber(result?.date) ?? this.seconds(),
      ...(from ? { from } : {}),
    };
    this.remember(message);
    return [{ kind: 'photo', message, fileId: largest.file_id, bytes: toNumber(largest.file_size) ?? 0 }];
  }

  private absorbEdit(call: RecordedCall): ChatEvent[] {
    const messageId = toNumber(call.params.message_id);
    if (messageId === undefined) return []; // an inline message, not in this chat
    const before = this.messages.get(messageId);
    const result = resultMessage(call.response);
    const textEdit = call.method === 'editMessageText' && typeof call.params.text === 'string';
    const text = textEdit ? String(call.params.text) : (before?.text ?? '');
    const html = textEdit ? call.params.parse_mode === 'HTML' : (before?.html ?? false);
    // As on Telegram, an edit without reply_markup leaves the message without buttons.
    const keyboard = keyboardOf(call.params.reply_markup);
    const from = botIdentityOf(result?.from) ?? before?.from;
    const message: KnownMessage = {
      messageId,
      text,
      html,
      keyboard,
      date: toNumber(result?.date) ?? before?.date ?? this.seconds(),
      editDate: toNumber(result?.edit_date) ?? this.seconds(),
      ...(from ? { from } : {}),
    };
    this.remember(message);
    return [
      {
        kind: 'edited',
        message,
        textChanged: before === undefined ? textEdit : text !== before.text,
        keyboardChanged: before === undefined || !sameKeyboard(keyboard, before.keyboard),
      },
    ];
  }

  private absorbAnswer(call: RecordedCall): ChatEvent[] {
    const id = call.params.callback_query_id;
    if (typeof id !== 'string' || !this.callbackIds.has(id)) return [];
    this.callbackIds.delete(id);
    if (call.status !== 200) {
      return [
        {
          kind: 'refused',
          method: call.method,
          status: call.status,
          description: description(call.response),
        },
      ];
    }
    const text = call.params.text;
    if (typeof text !== 'string' || text === '') return [];
    const alert = call.params.show_alert === true || call.params.show_alert === 'true';
    return [{ kind: 'toast', text, alert }];
  }
}

/** A stable stand-in for Telegram's chat_instance (an opaque id of the chat the message is in). */
export function chatInstance(userId: number): string {
  return String(-(BigInt(Math.abs(userId)) * 2_654_435_761n + 1_000_000_007n));
}
