// The bot's fixed messages (domain/messages.ts): /help lists every command with its example, names
// are escaped, copy messages tagged (DRY) only while DRY.
import { describe, expect, it } from 'vitest';
import { COMMANDS, escapeHtml, helpMessage, tagMode, welcomeMessage } from '#core/domain/messages.js';

describe('Module: messages', () => {
  it('lists every command in /help with its example', () => {
    const help = helpMessage();

    for (const c of COMMANDS) {
      expect(help).toContain(`/${c.command} — ${c.description}`);
      expect(help).toContain(`<code>${c.example}</code>`);
    }
  });

  it('escapes a user-controlled name in HTML', () => {
    expect(welcomeMessage('<b>Eve</b> & co', true)).toContain(
      'Welcome to Alfa, &lt;b&gt;Eve&lt;/b&gt; &amp; co!',
    );
    expect(escapeHtml('a<b>&')).toBe('a&lt;b&gt;&amp;');
  });

  it('tags copy messages with (DRY) only while DRY', () => {
    expect(tagMode('Copied 10 USDC long ETH/USD', 'DRY')).toBe('Copied 10 USDC long ETH/USD (DRY)');
    expect(tagMode('Copied 10 USDC long ETH/USD', 'LIVE')).toBe('Copied 10 USDC long ETH/USD');
  });
});
