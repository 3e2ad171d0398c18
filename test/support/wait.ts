// Waiting for what the bot sends to a chat, as recorded by the Bot API stand-in.
import type { RecordedCall } from '../../local/standins/telegram-bot-api.js';
import type { LocalStackInfo } from '../../local/stack.js';

export async function sentTo(info: LocalStackInfo, chatId: number | string): Promise<RecordedCall[]> {
  const res = await fetch(`${info.telegram.callsUrl}?method=sendMessage&chat_id=${chatId}`);
  return ((await res.json()) as { calls: RecordedCall[] }).calls;
}

/** The text of the first message to `chatId` matching `pattern`, waiting up to `ms`. */
export async function waitForText(
  info: LocalStackInfo,
  chatId: number | string,
  pattern: RegExp,
  ms = 20_000,
): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const hit = (await sentTo(info, chatId)).find(
      (c) => c.status === 200 && pattern.test(String(c.params.text)),
    );
    if (hit) return String(hit.params.text);
    if (Date.now() > end) {
      const texts = (await sentTo(info, chatId)).map(
        (c) => `${c.status} ${String(c.params.text).slice(0, 80)}`,
      );
      throw new Error(
        `no message matching ${pattern} to ${chatId} in ${ms} ms; sent: ${JSON.stringify(texts)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
