// The Bot API stand-in is as strict as Telegram: a message over 4096 characters after HTML parsing,
// HTML Telegram cannot parse, and a photo that is not an image are refused.
import { describe, expect, it } from 'vitest';
import { useBotHarness } from '../../adapters/telegram/harness.js';

const h = useBotHarness();

describe('bot: commands', () => {
  it('the stand-in refuses a message over 4096 characters after HTML parsing, as Telegram does', async () => {
    const res = await fetch(`${h.api.url}/bot${'424242:test-token'}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 5, text: 'a'.repeat(4_097), parse_mode: 'HTML' }),
    });
    const tagged = await fetch(`${h.api.url}/bot${'424242:test-token'}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: 5, text: `<b>${'a'.repeat(4_090)}</b>`, parse_mode: 'HTML' }),
    });

    expect(res.status).toBe(400);
    expect(((await res.json()) as { description: string }).description).toBe(
      'Bad Request: message is too long',
    );
    expect(tagged.status).toBe(200);
  });
});

describe('bot: pictures', () => {
  it('the stand-in refuses a photo that is not an image, as Telegram does', async () => {
    const form = new FormData();
    form.set('chat_id', '5');
    form.set('photo', new Blob([Buffer.from('not an image')], { type: 'image/png' }), 'x.png');

    const res = await fetch(`${h.api.url}/bot424242:test-token/sendPhoto`, { method: 'POST', body: form });

    expect(res.status).toBe(400);
    expect(((await res.json()) as { description: string }).description).toBe(
      'Bad Request: IMAGE_PROCESS_FAILED',
    );
  });
});

describe('the Bot API stand-in, as strict as Telegram', () => {
  it('refuses HTML Telegram cannot parse (unknown or unbalanced tags)', async () => {
    const send = (text: string) =>
      fetch(`${h.api.url}/bot424242:test-token/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 5, text, parse_mode: 'HTML' }),
      });

    expect((await send('<b>bold</b> and <code>x</code> &lt;ok&gt;')).status).toBe(200);
    expect((await send('<address>')).status).toBe(400);
    expect((await send('<b>open')).status).toBe(400);
    expect((await send('<b><i>x</b></i>')).status).toBe(400);
  });
});
