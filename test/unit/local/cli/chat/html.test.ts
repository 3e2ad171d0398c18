// The chat CLI's HTML (local/cli/chat/html.ts): Telegram HTML as terminal text, ANSI styles that
// never bleed, and Telegram-shaped plain text with UTF-16 entities for callback messages.
import { describe, expect, it } from 'vitest';
import { htmlToTerminal, parseHtml, stripAnsi } from '../../../../../local/cli/chat/html.js';

describe('HTML as the terminal shows it', () => {
  it('drops <b>, <i>, <code> and decodes &lt; &gt; &amp;', () => {
    expect(
      htmlToTerminal('<b>Alfa</b> <i>commands</i>: <code>/follow &lt;address&gt;</code> &amp; more', 'plain'),
    ).toBe('Alfa commands: /follow <address> & more');
  });

  it('shows a link as its text followed by the address, once when they are the same', () => {
    expect(htmlToTerminal('see <a href="https://basescan.org/tx/0xab">the trade</a>', 'plain')).toBe(
      'see the trade (https://basescan.org/tx/0xab)',
    );
    expect(htmlToTerminal('<a href="https://x.io">https://x.io</a>', 'plain')).toBe('https://x.io');
  });

  it('styles with ANSI and resets, so styles never bleed into what follows', () => {
    const out = htmlToTerminal('<b>bold <i>both</i></b> none', 'ansi');
    expect(stripAnsi(out)).toBe('bold both none');
    expect(out).toContain('\u001b[1m');
    expect(out.endsWith('\u001b[0m')).toBe(true);
  });

  it('gives Telegram-shaped plain text and entities (UTF-16 offsets) for callback messages', () => {
    expect(parseHtml('<b>Hi</b> 🙂 <a href="https://a.b">x</a> &lt;3')).toEqual({
      text: 'Hi 🙂 x <3',
      entities: [
        { type: 'bold', offset: 0, length: 2 },
        { type: 'text_link', offset: 6, length: 1, url: 'https://a.b' },
      ],
    });
  });
});
