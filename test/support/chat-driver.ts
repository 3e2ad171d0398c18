// Drives the bot as one Telegram user through the local webhook, and reads back what the bot sent
// from the Bot API stand-in: messages, in-place edits and callback answers.
import type { RecordedCall } from '../../local/standins/telegram-bot-api.js';
import type { LocalStackInfo } from '../../local/stack.js';
import { textMessageUpdate, type Person } from './telegram-updates.js';

export interface Sent {
  readonly method: string;
  readonly text: string;
  readonly messageId: number | undefined;
  readonly buttons: readonly { text: string; data: string }[];
  readonly params: Record<string, unknown>;
}

let updateIds = 500_000_000 + Math.floor(Math.random() * 100_000_000);
let callbackIds = 1;

type Keyboard = { inline_keyboard?: { text: string; callback_data: string }[][] };

function toSent(call: RecordedCall): Sent {
  const keyboard = (call.params.reply_markup ?? undefined) as Keyboard | string | undefined;
  const parsed = typeof keyboard === 'string' ? (JSON.parse(keyboard) as Keyboard) : keyboard;
  const response = call.response as { result?: { message_id?: number } };
  return {
    method: call.method,
    text: String(call.params.text ?? ''),
    messageId: Number(call.params.message_id ?? response.result?.message_id ?? Number.NaN) || undefined,
    buttons: (parsed?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: b.callback_data })),
    params: call.params,
  };
}

export class ChatDriver {
  private seq = 0;
  /** Latest text and buttons of each message the bot sent to this chat. */
  private readonly messages = new Map<number, Sent>();

  constructor(
    private readonly info: LocalStackInfo,
    readonly person: Person,
  ) {}

  private async post(update: unknown): Promise<number> {
    const res = await fetch(this.info.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [this.info.webhook.header]: this.info.webhook.secret },
      body: JSON.stringify(update),
    });
    this.lastAnswer = `${res.status} ${await res.text()}`;
    return res.status;
  }

  /** The webhook's last answer (status and body), for a failure that says what the bot did. */
  lastAnswer = '';

  private async newCalls(callbackId?: string): Promise<Sent[]> {
    const res = await fetch(`${this.info.telegram.callsUrl}?since=${this.seq}`);
    const calls = ((await res.json()) as { calls: RecordedCall[] }).calls;
    const mine = calls.filter(
      (c) =>
        String(c.params.chat_id) === String(this.person.id) ||
        (callbackId && c.params.callback_query_id === callbackId),
    );
    if (calls.length > 0) this.seq = Math.max(this.seq, ...calls.map((c) => c.seq));
    const sent = mine.map(toSent);
    for (const s of sent)
      if (s.messageId && s.method !== 'answerCallbackQuery') this.messages.set(s.messageId, s);
    return sent;
  }

  /** Sends text as the user; returns what the bot sent back for it. */
  async say(text: string): Promise<Sent[]> {
    await this.newCalls();
    const status = await this.post(textMessageUpdate((updateIds += 1), this.person, text));
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    const sent = await this.newCalls();
    if (sent.length === 0)
      // Every command answers; silence is a fault worth its evidence in the test's output.
      process.stderr.write(`[chat-driver] "${text}" got no reply; the webhook answered ${this.lastAnswer}\n`);
    return sent;
  }

  /** Sends any message object (a sticker, a photo...) as the user. */
  async send(message: Record<string, unknown>): Promise<Sent[]> {
    await this.newCalls();
    const status = await this.post({ update_id: (updateIds += 1), message });
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    return this.newCalls();
  }

  /** Presses the first button whose text contains `label` on message `messageId`. */
  async press(messageId: number, label: string | RegExp, data?: string): Promise<Sent[]> {
    const message = this.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId} in this chat`);
    const button = data
      ? { text: label.toString(), data }
      : message.buttons.find((b) =>
          typeof label === 'string' ? b.text.includes(label) : label.test(b.text),
        );
    if (!button)
      throw new Error(
        `no button "${label}" on message ${messageId}: ${message.buttons.map((b) => b.text).join(' | ')}`,
      );
    await this.newCalls();
    const id = String((callbackIds += 1));
    const from = { id: this.person.id, is_bot: false, first_name: this.person.firstName };
    const status = await this.post({
      update_id: (updateIds += 1),
      callback_query: {
        id,
        from,
        chat_instance: String(this.person.id),
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: this.person.id, type: 'private', first_name: this.person.firstName },
          text: message.text,
          // As Telegram does: the pressed message comes with its keyboard.
          ...(message.params.reply_markup ? { reply_markup: message.params.reply_markup } : {}),
        },
        data: button.data,
      },
    });
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    return this.newCalls(id);
  }

  /** The one message a command produced (fails loudly otherwise). */
  static only(sent: readonly Sent[], method = 'sendMessage'): Sent {
    const hits = sent.filter((s) => s.method === method);
    if (hits.length !== 1)
      throw new Error(`expected one ${method}, got ${sent.map((s) => s.method).join(', ') || 'nothing'}`);
    return hits[0] as Sent;
  }
}
