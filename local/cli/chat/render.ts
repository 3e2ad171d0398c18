// How the chat CLI shows what the bot did: messages with their buttons numbered, edits, toasts and
// refusals, as lines for a terminal (word-wrapped under a short label, styled or plain).
import { htmlToTerminal, visibleLength, type Style } from './html.js';
import type { Button, ChatEvent, Keyboard, KnownMessage } from './session.js';

export interface RenderOptions {
  readonly style: Style;
  /** Terminal width to wrap at; no wrapping when absent. */
  readonly width?: number;
}

const ESC = '\u001b';
const paint = (style: Style, code: string, text: string) =>
  style === 'ansi' ? `${ESC}[${code}m${text}${ESC}[0m` : text;

/** One button as shown: `[2] Next ›`, a link marked with ↗. */
function buttonLabel(n: number, button: Button): string {
  return `[${n}] ${button.text}${button.callback_data === undefined && button.url ? ' ↗' : ''}`;
}

/** The keyboard as lines, one per row, buttons numbered from 1 across the rows: `[1] Follow 0x12…ab  [2] Next ›`. */
export function renderKeyboard(keyboard: Keyboard, style: Style = 'plain'): string[] {
  let n = 0;
  return keyboard.map((row) =>
    row.map((button) => paint(style, '1;33', buttonLabel(++n, button))).join('  '),
  );
}

/** Greedy word wrap of one line to `width` columns; words longer than a line are left whole. */
export function wrapLine(line: string, width: number): string[] {
  if (width <= 0 || visibleLength(line) <= width) return [line];
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(/(?<= )/)) {
    if (current !== '' && visibleLength(current + word.trimEnd()) > width) {
      lines.push(current.trimEnd());
      current = '';
    }
    current += word;
  }
  if (current !== '') lines.push(current.trimEnd());
  return lines;
}

/** A label, then the body under it with a hanging indent so the label column stays clear. */
function block(label: string, body: readonly string[], options: RenderOptions): string[] {
  const indent = ' '.repeat(visibleLength(label) + 1);
  const room = options.width === undefined ? 0 : Math.max(20, options.width - indent.length);
  const lines = body.flatMap((l) => wrapLine(l, room));
  if (lines.length === 0) return [label];
  return lines.map((l, i) => (i === 0 ? `${label} ${l}` : l === '' ? '' : `${indent}${l}`));
}

/** The message text as the terminal shows it. */
export function messageText(message: KnownMessage, style: Style): string {
  return message.html ? htmlToTerminal(message.text, style) : message.text;
}

export function renderEvent(event: ChatEvent, options: RenderOptions): string[] {
  const { style } = options;
  const label = (text: string, code = '2') => paint(style, code, text);
  switch (event.kind) {
    case 'message':
      return block(
        label(`bot #${event.message.messageId}`, '1;36'),
        [...messageText(event.message, style).split('\n'), ...renderKeyboard(event.message.keyboard, style)],
        options,
      );
    case 'edited': {
      const { message } = event;
      const buttons = renderKeyboard(message.keyboard, style);
      const body = event.textChanged
        ? [...messageText(message, style).split('\n'), ...buttons]
        : buttons.length > 0
          ? ['buttons now:', ...buttons]
          : ['buttons removed'];
      return block(label(`bot (edited #${message.messageId})`, '36'), body, options);
    }
    case 'photo':
      return block(
        label(`bot #${event.message.messageId} 🖼`, '1;36'),
        [
          ...(event.message.text ? messageText(event.message, style).split('\n') : []),
          event.savedTo
            ? `photo saved to ${event.savedTo} (${Math.round(event.bytes / 1024)} KB)`
            : `photo ${event.fileId} (not saved)`,
          ...renderKeyboard(event.message.keyboard, style),
        ],
        options,
      );
    case 'deleted':
      return [
        label(
          event.own ? `bot deleted your message #${event.messageId}` : `bot (deleted #${event.messageId})`,
        ),
      ];
    case 'toast':
      return block(label(event.alert ? 'bot alert ›' : 'bot toast ›', '33'), [event.text], options);
    case 'refused':
      return block(
        label('bot ✗', '31'),
        [
          `${event.method} refused by Telegram: ${event.status}${event.description ? ` ${event.description}` : ''}`,
        ],
        options,
      );
    case 'other':
      return [label(`bot called ${event.method}`)];
  }
}

/** Text the chat CLI prints at start and on /?. */
export function helpLines(): string[] {
  return [
    'Type a message and press Enter to send it (commands too: /start, /help).',
    'N or /press N        press button N of the latest message with buttons',
    'N@<id>               press button N of message #<id>',
    '/raw                 also show raw JSON: updates sent, Bot API calls (again: off)',
    '/?                   this help',
    '/quit or Ctrl-C      leave',
  ];
}
