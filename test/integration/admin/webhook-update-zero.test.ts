// Telegram's update_id 0 is a real update: the webhook answers it 200 (Powertools Idempotency took
// the falsy key for a missing one and the webhook answered 500, so Telegram would redeliver forever),
// and a redelivery of it is still handled once.
import { describe, expect, it } from 'vitest';
import { stackInfo, uniqueId } from '../../support/stack-clients.js';

const info = stackInfo();

async function post(update: unknown): Promise<number> {
  const res = await fetch(info.webhook.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [info.webhook.header]: info.webhook.secret },
    body: JSON.stringify(update),
  });
  return res.status;
}

describe('update_id 0', () => {
  it('is answered 200 and handled once, however often Telegram sends it', async () => {
    const user = uniqueId();
    const update = {
      update_id: 0,
      message: {
        message_id: 1,
        date: 0,
        text: '/help',
        entities: [{ type: 'bot_command', offset: 0, length: 5 }],
        chat: { id: user, type: 'private', first_name: 'Zero' },
        from: { id: user, is_bot: false, first_name: 'Zero' },
      },
    };
    expect(await post(update)).toBe(200);
    expect(await post(update)).toBe(200);
    const calls = (await (
      await fetch(`${info.telegram.callsUrl}?method=sendMessage&chat_id=${user}`)
    ).json()) as {
      calls: unknown[];
    };
    expect(calls.calls).toHaveLength(1);
  });
});
