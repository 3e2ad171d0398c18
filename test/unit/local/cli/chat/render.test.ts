// The chat CLI's rendering (local/cli/chat/render.ts): lines wrapped at word boundaries and under
// the label, numbered keyboards, link buttons.
import { describe, expect, it } from 'vitest';
import { renderEvent, renderKeyboard, wrapLine } from '../../../../../local/cli/chat/render.js';
import { keyboardOf } from '../../../../../local/cli/chat/session.js';
import { keyboard, sent, session } from './calls.js';

describe('HTML as the terminal shows it', () => {
  it('wraps long lines at word boundaries', () => {
    expect(wrapLine('alpha beta gamma delta', 11)).toEqual(['alpha beta', 'gamma delta']);
    expect(wrapLine('short', 11)).toEqual(['short']);
  });
});

describe('keyboards', () => {
  it('numbers buttons across rows', () => {
    const markup = keyboard(
      [['Follow 0x12…ab', 'f:0x12ab']],
      [
        ['‹ Prev', 'p:1'],
        ['Next ›', 'p:3'],
      ],
    );
    expect(renderKeyboard(keyboardOf(markup))).toEqual(['[1] Follow 0x12…ab', '[2] ‹ Prev  [3] Next ›']);
  });

  it('marks link buttons', () => {
    expect(renderKeyboard([[{ text: 'Docs', url: 'https://docs' }]])).toEqual(['[1] Docs ↗']);
  });
});

describe('what the bot sends, as the person sees it', () => {
  it('wraps long lines under the label to the terminal width', () => {
    const s = session();
    const [event] = s.absorb(sent(7, 'Alfa alerts you the moment a trader you follow opens'));
    expect(event && renderEvent(event, { style: 'plain', width: 30 })).toEqual([
      'bot #7 Alfa alerts you the',
      '       moment a trader you',
      '       follow opens',
    ]);
  });
});
